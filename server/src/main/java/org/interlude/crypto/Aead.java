package org.interlude.crypto;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * AES-256-GCM authenticated encryption with associated data (Bouncy Castle lightweight API).
 *
 * <p>Sealed format: {@code nonce (12 bytes) || ciphertext (same length as plaintext) || tag (16 bytes)},
 * so a sealed blob is exactly {@link #OVERHEAD} bytes longer than its plaintext. Nonces are random, so
 * sealing the same plaintext twice gives different blobs.
 *
 * <p>Contract:
 * <ul>
 *   <li>Keys are 32 bytes; anything else is a programming error ({@link IllegalArgumentException}).</li>
 *   <li>The associated data is authenticated but not stored: {@link #open} must be given the same bytes
 *       as {@link #seal}. Use {@link Aad#of(String...)} to build it.</li>
 *   <li>{@link #open} returns plaintext only after the tag verified; otherwise it throws
 *       {@link TamperedCiphertextException} and no unauthenticated plaintext escapes.</li>
 *   <li>With random 96-bit nonces a single key must not seal more than 2<sup>32</sup> messages
 *       (NIST SP 800-38D); use per-scope data keys ({@link DataKeys}), not a master key, for messages.</li>
 *   <li>Thread-safe: each thread has its own cipher instances, re-initialised (nonce, associated
 *       data) on every call. A thread keeps one instance per recently used key (a copy of the key,
 *       in that thread's memory, wiped when dropped; at most {@link #KEYS_PER_THREAD}) so that
 *       using a key again skips the AES key schedule and GHASH table setup.</li>
 * </ul>
 */
public final class Aead {

    public static final int KEY_BYTES = 32;
    public static final int NONCE_BYTES = 12;
    public static final int TAG_BYTES = 16;
    public static final int OVERHEAD = NONCE_BYTES + TAG_BYTES;

    private static final ThreadLocal<CipherState> STATE = ThreadLocal.withInitial(CipherState::new);

    private Aead() {
    }

    /** A fresh random 256-bit key. */
    public static byte[] newKey() {
        return RandomTokens.randomBytes(KEY_BYTES);
    }

    /** Encrypts and authenticates {@code plaintext}, binding it to {@code aad}; see the class contract. */
    public static byte[] seal(byte[] key, byte[] plaintext, byte[] aad) {
        checkKey(key);
        Objects.requireNonNull(plaintext, "plaintext");
        Objects.requireNonNull(aad, "aad");
        byte[] nonce = new byte[NONCE_BYTES];
        RandomTokens.fill(nonce);
        GCMModeCipher cipher = STATE.get().init(true, key, nonce, aad);
        byte[] sealed = new byte[OVERHEAD + plaintext.length];
        System.arraycopy(nonce, 0, sealed, 0, NONCE_BYTES);
        int written = cipher.processBytes(plaintext, 0, plaintext.length, sealed, NONCE_BYTES);
        try {
            cipher.doFinal(sealed, NONCE_BYTES + written);
        } catch (InvalidCipherTextException e) {
            // Encryption computes the tag, it never verifies one.
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
        return sealed;
    }

    /**
     * Verifies and decrypts a blob made by {@link #seal} with the same key and associated data.
     *
     * @throws TamperedCiphertextException if the blob is shorter than {@link #OVERHEAD} or its tag does
     *     not verify (modified data, wrong key or wrong associated data)
     */
    public static byte[] open(byte[] key, byte[] sealed, byte[] aad) throws TamperedCiphertextException {
        checkKey(key);
        Objects.requireNonNull(sealed, "sealed");
        Objects.requireNonNull(aad, "aad");
        if (sealed.length < OVERHEAD) {
            throw new TamperedCiphertextException("sealed data is too short to be AES-GCM output");
        }
        byte[] nonce = Arrays.copyOfRange(sealed, 0, NONCE_BYTES);
        GCMModeCipher cipher = STATE.get().init(false, key, nonce, aad);
        byte[] plaintext = new byte[sealed.length - OVERHEAD];
        try {
            int written = cipher.processBytes(sealed, NONCE_BYTES, sealed.length - NONCE_BYTES, plaintext, 0);
            cipher.doFinal(plaintext, written);
            return plaintext;
        } catch (InvalidCipherTextException e) {
            // GCM decrypts before the tag is checked; wipe what was produced so it cannot leak.
            Arrays.fill(plaintext, (byte) 0);
            throw new TamperedCiphertextException("authentication of sealed data failed");
        }
    }

    private static void checkKey(byte[] key) {
        Objects.requireNonNull(key, "key");
        if (key.length != KEY_BYTES) {
            throw new IllegalArgumentException("AES-256 key must be " + KEY_BYTES + " bytes, was " + key.length);
        }
    }

    /** Keys whose initialised cipher one thread keeps (about 6 KiB each: AES round keys, GHASH tables). */
    static final int KEYS_PER_THREAD = 128;

    /**
     * One thread's ciphers, one per recently used key, least recently used dropped first. A chat
     * batch seals messages of many conversations, each under its own data key: with a single
     * cipher per thread every message paid the AES key schedule and the GHASH table set-up again
     * (JFR: about 4 % of the node's CPU at 5,000 msg/s).
     */
    private static final class CipherState {
        private final LinkedHashMap<KeyId, Kept> byKey = new LinkedHashMap<>(32, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<KeyId, Kept> eldest) {
                if (size() > KEYS_PER_THREAD) {
                    eldest.getValue().key().wipe();
                    return true;
                }
                return false;
            }
        };

        GCMModeCipher init(boolean forEncryption, byte[] key, byte[] nonce, byte[] aad) {
            KeyId probe = new KeyId(key);
            Kept kept = byKey.get(probe);
            boolean fresh = kept == null;
            if (fresh) {
                kept = new Kept(new KeyId(key.clone()), GCMBlockCipher.newInstance(AESEngine.newInstance()));
            }
            // A null key tells Bouncy Castle to keep the already expanded key and GHASH tables.
            KeyParameter keyParameter = fresh ? new KeyParameter(key) : null;
            try {
                kept.cipher().init(forEncryption, new AEADParameters(keyParameter, TAG_BYTES * 8, nonce, aad));
            } catch (RuntimeException e) {
                // A cipher whose initialisation failed is not used again.
                byKey.remove(probe);
                kept.key().wipe();
                throw e;
            }
            if (fresh) {
                byKey.put(kept.key(), kept);
            }
            return kept.cipher();
        }
    }

    /** An initialised cipher and the copy of the key it holds (wiped when the cipher is dropped). */
    private record Kept(KeyId key, GCMModeCipher cipher) {}

    /** A key as a map key: compared by content (in constant time), wiped when dropped. */
    private static final class KeyId {
        private final byte[] bytes;
        private final int hash;

        KeyId(byte[] bytes) {
            this.bytes = bytes;
            this.hash = Arrays.hashCode(bytes);
        }

        void wipe() {
            Arrays.fill(bytes, (byte) 0);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof KeyId k && MessageDigest.isEqual(bytes, k.bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
