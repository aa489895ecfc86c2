/** Cryptography primitives on Bouncy Castle: Argon2id password hashing, AES-GCM envelope encryption under a rotating key ring, TOTP, random tokens, X.509 certificates. No I/O beyond key and certificate files. */
package org.interlude.crypto;
