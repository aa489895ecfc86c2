package org.interlude.crypto;

import java.security.GeneralSecurityException;

/**
 * A sealed blob could not be opened: its authentication tag did not verify under the given key and
 * associated data, or it was too short to be a sealed blob at all.
 *
 * <p>Causes include a modified ciphertext, tag or nonce, the wrong key, or associated data that does
 * not match (a row copied to another conversation, a wrapped key moved to another scope). The
 * exception deliberately does not say which, since the cryptography cannot tell them apart and an
 * attacker should not learn more than "no". It is checked so that every decryption site decides
 * explicitly how to report a failure that may indicate tampering with clinical data.
 */
public final class TamperedCiphertextException extends GeneralSecurityException {

    private static final long serialVersionUID = 1L;

    /** An exception whose message must not contain plaintext, keys or ciphertext. */
    public TamperedCiphertextException(String message) {
        super(message);
    }
}
