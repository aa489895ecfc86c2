/**
 * Cryptography primitives on Bouncy Castle's lightweight API: Argon2id password hashing
 * ({@link org.interlude.crypto.PasswordHasher}) and policy ({@link org.interlude.crypto.PasswordPolicy}),
 * AES-256-GCM envelope encryption ({@link org.interlude.crypto.Aead}, {@link org.interlude.crypto.Aad},
 * {@link org.interlude.crypto.DataKeys}) under a rotating master key ring ({@link org.interlude.crypto.KeyRing}),
 * TOTP second factors ({@link org.interlude.crypto.Totp}), random tokens ({@link org.interlude.crypto.RandomTokens})
 * and X.509 certificates for TLS and cluster mutual TLS ({@link org.interlude.crypto.TlsCertificates}).
 * {@link org.interlude.crypto.KeyRotation} is the one exception to "no database": it re-wraps the data
 * keys stored in PostgreSQL after a master key rotation.
 *
 * <p>All APIs are synchronous and thread-safe; password hashing, key-file and certificate operations are
 * slow or do file I/O and belong on worker threads. Apart from KeyRotation, no I/O happens beyond key and certificate files, no
 * Bouncy Castle JCA provider is installed, and nothing here logs: results that deserve a warning (a
 * development key was created, a key file is readable by others, a certificate was generated) are
 * returned as flags for the caller to report.
 */
package org.interlude.crypto;
