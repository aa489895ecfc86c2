package org.interlude.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class AeadTest {

    private static final byte[] MESSAGE = "Feeling calmer after today's session.".getBytes(StandardCharsets.UTF_8);

    @Test
    void roundTripWithDocumentedLayout() throws Exception {
        byte[] key = Aead.newKey();
        byte[] aad = Aad.of("interlude/message/v1", "conv-1", "msg-1");
        byte[] sealed = Aead.seal(key, MESSAGE, aad);
        assertEquals(MESSAGE.length + 28, sealed.length);
        assertArrayEquals(MESSAGE, Aead.open(key, sealed, aad));
        assertArrayEquals(new byte[0], Aead.open(key, Aead.seal(key, new byte[0], aad), aad));
    }

    @Test
    void interoperatesWithJdkAesGcm() throws Exception {
        // The layout nonce || ciphertext || tag is what the JDK's AES/GCM/NoPadding produces after the
        // nonce, so the JDK provider must open our blobs and we must open its.
        byte[] key = Aead.newKey();
        byte[] aad = Aad.of("a", "b");
        byte[] sealed = Aead.seal(key, MESSAGE, aad);
        Cipher jdk = Cipher.getInstance("AES/GCM/NoPadding");
        jdk.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, sealed, 0, 12));
        jdk.updateAAD(aad);
        assertArrayEquals(MESSAGE, jdk.doFinal(sealed, 12, sealed.length - 12));

        byte[] nonce = RandomTokens.randomBytes(12);
        jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
        jdk.updateAAD(aad);
        byte[] body = jdk.doFinal(MESSAGE);
        byte[] fromJdk = new byte[12 + body.length];
        System.arraycopy(nonce, 0, fromJdk, 0, 12);
        System.arraycopy(body, 0, fromJdk, 12, body.length);
        assertArrayEquals(MESSAGE, Aead.open(key, fromJdk, aad));
    }

    @Test
    void knownAnswerFromGcmSpecification() throws Exception {
        // McGrew and Viega, "The Galois/Counter Mode of Operation", test case 16 (AES-256, 60-byte
        // plaintext, 20-byte AAD, 96-bit IV).
        HexFormat hex = HexFormat.of();
        byte[] key = hex.parseHex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308");
        byte[] iv = hex.parseHex("cafebabefacedbaddecaf888");
        byte[] plaintext = hex.parseHex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
                + "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39");
        byte[] aad = hex.parseHex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
        byte[] ciphertext = hex.parseHex("522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
                + "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662");
        byte[] tag = hex.parseHex("76fc6ece0f4e1768cddf8853bb2d551b");
        byte[] sealed = new byte[iv.length + ciphertext.length + tag.length];
        System.arraycopy(iv, 0, sealed, 0, iv.length);
        System.arraycopy(ciphertext, 0, sealed, iv.length, ciphertext.length);
        System.arraycopy(tag, 0, sealed, iv.length + ciphertext.length, tag.length);
        assertArrayEquals(plaintext, Aead.open(key, sealed, aad));
    }

    @Test
    void nonceIsFreshEachTime() {
        byte[] key = Aead.newKey();
        byte[] a = Aead.seal(key, MESSAGE, new byte[0]);
        byte[] b = Aead.seal(key, MESSAGE, new byte[0]);
        assertFalse(Arrays.equals(Arrays.copyOf(a, 12), Arrays.copyOf(b, 12)));
        assertFalse(Arrays.equals(a, b));
    }

    @Test
    void everyFlippedBitIsDetected() {
        byte[] key = Aead.newKey();
        byte[] aad = Aad.of("row", "7");
        byte[] sealed = Aead.seal(key, MESSAGE, aad);
        // Covers the nonce (first 12 bytes), the ciphertext and the tag (last 16 bytes).
        for (int i = 0; i < sealed.length; i++) {
            for (int bit = 0; bit < 8; bit += 3) {
                byte[] tampered = sealed.clone();
                tampered[i] ^= (byte) (1 << bit);
                assertThrows(TamperedCiphertextException.class, () -> Aead.open(key, tampered, aad), "byte " + i);
            }
        }
    }

    @Test
    void truncatedOrExtendedBlobsAreRejected() {
        byte[] key = Aead.newKey();
        byte[] sealed = Aead.seal(key, MESSAGE, new byte[0]);
        assertThrows(TamperedCiphertextException.class, () -> Aead.open(key, new byte[0], new byte[0]));
        assertThrows(TamperedCiphertextException.class, () -> Aead.open(key, new byte[27], new byte[0]));
        assertThrows(TamperedCiphertextException.class, () -> Aead.open(key, new byte[28], new byte[0]));
        assertThrows(TamperedCiphertextException.class, () -> Aead.open(key, Arrays.copyOf(sealed, sealed.length - 1), new byte[0]));
        assertThrows(TamperedCiphertextException.class, () -> Aead.open(key, Arrays.copyOf(sealed, sealed.length + 1), new byte[0]));
    }

    @Test
    void wrongKeyOrAadIsRejected() throws Exception {
        byte[] key = Aead.newKey();
        byte[] sealed = Aead.seal(key, MESSAGE, Aad.of("message", "conversation-1", "17"));
        assertThrows(TamperedCiphertextException.class, () -> Aead.open(Aead.newKey(), sealed, Aad.of("message", "conversation-1", "17")));
        // A row moved to another conversation, or swapped with another message id.
        assertThrows(TamperedCiphertextException.class, () -> Aead.open(key, sealed, Aad.of("message", "conversation-2", "17")));
        assertThrows(TamperedCiphertextException.class, () -> Aead.open(key, sealed, Aad.of("message", "conversation-1", "18")));
        assertThrows(TamperedCiphertextException.class, () -> Aead.open(key, sealed, new byte[0]));
        // After failures, the same thread's cipher still works with the right inputs.
        assertArrayEquals(MESSAGE, Aead.open(key, sealed, Aad.of("message", "conversation-1", "17")));
    }

    @Test
    void alternatingKeysOnOneThreadUseTheRightKey() throws Exception {
        byte[] first = Aead.newKey();
        byte[] second = Aead.newKey();
        byte[] sealedFirst = Aead.seal(first, MESSAGE, new byte[0]);
        byte[] sealedSecond = Aead.seal(second, MESSAGE, new byte[0]);
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(MESSAGE, Aead.open(first, sealedFirst, new byte[0]));
            assertThrows(TamperedCiphertextException.class, () -> Aead.open(first, sealedSecond, new byte[0]));
            assertArrayEquals(MESSAGE, Aead.open(second, sealedSecond, new byte[0]));
        }
        // Mutating the caller's key array after use must not let the cached copy be used for the new key.
        byte[] mutable = first.clone();
        Aead.seal(mutable, MESSAGE, new byte[0]);
        mutable[0] ^= 1;
        byte[] sealedMutated = Aead.seal(mutable, MESSAGE, new byte[0]);
        assertThrows(TamperedCiphertextException.class, () -> Aead.open(first, sealedMutated, new byte[0]));
    }

    @Test
    void moreKeysThanOneThreadKeepsStillOpenWithTheRightKeyOnly() throws Exception {
        int n = Aead.KEYS_PER_THREAD * 2 + 3;
        byte[][] keys = new byte[n][];
        byte[][] sealed = new byte[n][];
        for (int i = 0; i < n; i++) {
            keys[i] = Aead.newKey();
            sealed[i] = Aead.seal(keys[i], MESSAGE, Aad.of("k", Integer.toString(i)));
        }
        // In an order that both hits kept ciphers and makes the thread drop and rebuild others.
        for (int round = 0; round < 2; round++) {
            for (int i = n - 1; i >= 0; i -= (round == 0 ? 1 : 3)) {
                assertArrayEquals(MESSAGE, Aead.open(keys[i], sealed[i], Aad.of("k", Integer.toString(i))));
                int other = (i + 1) % n;
                int j = i;
                assertThrows(TamperedCiphertextException.class,
                        () -> Aead.open(keys[other], sealed[j], Aad.of("k", Integer.toString(j))));
            }
        }
    }

    @Test
    void invalidKeysAndNullsAreProgrammingErrors() {
        assertThrows(IllegalArgumentException.class, () -> Aead.seal(new byte[16], MESSAGE, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> Aead.open(new byte[31], new byte[40], new byte[0]));
        assertThrows(NullPointerException.class, () -> Aead.seal(Aead.newKey(), MESSAGE, null));
        assertThrows(NullPointerException.class, () -> Aead.seal(null, MESSAGE, new byte[0]));
    }

    @Test
    void concurrentUseFromManyThreads() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    byte[][] keys = {Aead.newKey(), Aead.newKey()};
                    for (int i = 0; i < 2_000; i++) {
                        byte[] key = keys[i % 2];
                        byte[] plaintext = ("thread " + thread + " message " + i).getBytes(StandardCharsets.UTF_8);
                        byte[] aad = Aad.of("t", Integer.toString(thread), Integer.toString(i));
                        byte[] opened = Aead.open(key, Aead.seal(key, plaintext, aad), aad);
                        if (!Arrays.equals(plaintext, opened)) {
                            throw new AssertionError("mismatch on thread " + thread + " message " + i);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                future.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void throughputFigureForHundredByteMessages() throws Exception {
        // A printed figure for the report, deliberately not an assertion: timing depends on the machine.
        byte[] key = Aead.newKey();
        byte[] plaintext = new byte[100];
        byte[] aad = Aad.of("interlude/message/v1", "0f8fad5b-d9cb-469f-a165-70867728950e", "123456789");
        byte[] sealed = Aead.seal(key, plaintext, aad);
        int iterations = 200_000;
        for (int i = 0; i < iterations; i++) {
            sealed = Aead.seal(key, plaintext, aad);
            Aead.open(key, sealed, aad);
        }
        long start = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
            sealed = Aead.seal(key, plaintext, aad);
        }
        long sealNanos = System.nanoTime() - start;
        start = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
            Aead.open(key, sealed, aad);
        }
        long openNanos = System.nanoTime() - start;
        // Worst case for the per-thread key cache: every call uses a different key than the last one,
        // as when consecutive messages belong to different conversations.
        byte[] otherKey = Aead.newKey();
        start = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
            Aead.seal((i & 1) == 0 ? key : otherKey, plaintext, aad);
        }
        long alternatingNanos = System.nanoTime() - start;
        System.out.printf("Aead throughput, one thread, 100-byte messages: seal %.0f ops/s, open %.0f ops/s,"
                        + " seal with a different key each call %.0f ops/s%n",
                iterations * 1e9 / sealNanos, iterations * 1e9 / openNanos, iterations * 1e9 / alternatingNanos);
    }
}
