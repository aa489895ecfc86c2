package org.interlude.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class PasswordHasherTest {

    private final PasswordHasher hasher = new PasswordHasher(Argon2Params.DEFAULT);

    @Test
    void rfc9106Argon2idTestVector() {
        // RFC 9106 section 5.3: password 32 x 0x01, salt 16 x 0x02, secret 8 x 0x03, ad 12 x 0x04,
        // m=32 KiB, t=3, p=4, 32-byte tag.
        byte[] password = filled(32, 0x01);
        byte[] salt = filled(16, 0x02);
        byte[] secret = filled(8, 0x03);
        byte[] associatedData = filled(12, 0x04);
        byte[] tag = PasswordHasher.argon2id(password, salt, secret, associatedData, 32, 3, 4, 32);
        assertEquals("0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659", HexFormat.of().formatHex(tag));
    }

    @Test
    void verifiesReferenceImplementationPhcString() {
        // From the reference implementation's test suite (phc-winner-argon2 src/test.c): proves that
        // our PHC parsing and encoding agree with other Argon2 implementations, not only with ourselves.
        String reference = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";
        assertTrue(hasher.verify(reference, "password".toCharArray()));
        assertFalse(hasher.verify(reference, "Password".toCharArray()));
        assertTrue(hasher.needsRehash(reference), "8-byte salt is below the configured 16 bytes");
    }

    @Test
    void hashHasDocumentedFormat() {
        String phc = hasher.hash("correct horse battery staple".toCharArray());
        assertTrue(phc.matches("\\$argon2id\\$v=19\\$m=19456,t=2,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}"), phc);
    }

    @Test
    void roundTripAndWrongPasswords() {
        char[] password = "correct horse battery staple".toCharArray();
        String phc = hasher.hash(password);
        assertTrue(hasher.verify(phc, password));
        assertFalse(hasher.verify(phc, "correct horse battery stapl".toCharArray()));
        assertFalse(hasher.verify(phc, "Correct horse battery staple".toCharArray()));
        assertFalse(hasher.verify(phc, new char[0]));
        assertFalse(hasher.needsRehash(phc));
    }

    @Test
    void saltsAreUnique() {
        char[] password = "the same password".toCharArray();
        assertNotEquals(hasher.hash(password), hasher.hash(password));
    }

    @Test
    void hashDoesNotModifyCallersPassword() {
        char[] password = "kept intact by the hasher".toCharArray();
        hasher.hash(password);
        assertArrayEquals("kept intact by the hasher".toCharArray(), password);
    }

    @Test
    void unicodeNormalisationMakesCompositionIrrelevant() {
        char[] precomposed = "caf\u00e9 au lait 2024".toCharArray();
        char[] decomposed = "cafe\u0301 au lait 2024".toCharArray();
        String phc = hasher.hash(precomposed);
        assertTrue(hasher.verify(phc, decomposed));
        // Non-BMP characters survive the round trip.
        char[] emoji = "pass \uD83D\uDD11 phrase".toCharArray();
        assertTrue(hasher.verify(hasher.hash(emoji), emoji));
    }

    @Test
    void unpairedSurrogateIsRejectedWhenHashingAndFailsVerification() {
        char[] broken = {'a', 'b', '\uD800', 'c'};
        assertThrows(IllegalArgumentException.class, () -> hasher.hash(broken));
        String phc = hasher.hash("ab?c".toCharArray());
        assertFalse(hasher.verify(phc, broken));
    }

    @Test
    void malformedStoredStringsVerifyFalseWithoutThrowing() {
        String good = hasher.hash("a fine password".toCharArray());
        String[] parts = good.split("\\$");
        String salt = parts[4];
        String hash = parts[5];
        String[] malformed = {
            null,
            "",
            "not a hash",
            "$argon2i$v=19$m=19456,t=2,p=1$" + salt + "$" + hash,
            "$argon2d$v=19$m=19456,t=2,p=1$" + salt + "$" + hash,
            "$argon2id$v=16$m=19456,t=2,p=1$" + salt + "$" + hash,
            "$argon2id$m=19456,t=2,p=1$" + salt + "$" + hash,
            "$argon2id$v=19$t=2,m=19456,p=1$" + salt + "$" + hash,
            "$argon2id$v=19$m=19456,t=2$" + salt + "$" + hash,
            "$argon2id$v=19$m=19456,t=2,p=1,k=3$" + salt + "$" + hash,
            "$argon2id$v=19$m=019456,t=2,p=1$" + salt + "$" + hash,
            "$argon2id$v=19$m=-1,t=2,p=1$" + salt + "$" + hash,
            "$argon2id$v=19$m=99999999999,t=2,p=1$" + salt + "$" + hash,
            "$argon2id$v=19$m=2000000,t=2,p=1$" + salt + "$" + hash,
            "$argon2id$v=19$m=19456,t=0,p=1$" + salt + "$" + hash,
            "$argon2id$v=19$m=19456,t=2,p=0$" + salt + "$" + hash,
            "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$",
            "$argon2id$v=19$m=19456,t=2,p=1$$" + hash,
            "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + hash + "=",
            "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + hash + "$",
            "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + hash.replace(hash.charAt(0), '*'),
            "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + hash.substring(0, 10),
            "$argon2id$v=19$m=19456,t=2,p=1$" + salt,
            good + "x".repeat(600),
        };
        for (String phc : malformed) {
            assertFalse(hasher.verify(phc, "a fine password".toCharArray()), String.valueOf(phc));
            assertTrue(hasher.needsRehash(phc), String.valueOf(phc));
        }
        assertTrue(hasher.verify(good, "a fine password".toCharArray()));
    }

    @Test
    void tamperedHashFailsVerification() {
        String phc = hasher.hash("a fine password".toCharArray());
        char last = phc.charAt(phc.length() - 2);
        String tampered = phc.substring(0, phc.length() - 2) + (last == 'A' ? 'B' : 'A') + phc.charAt(phc.length() - 1);
        assertFalse(hasher.verify(tampered, "a fine password".toCharArray()));
    }

    @Test
    void needsRehashWhenConfiguredParametersRise() {
        String phc = hasher.hash("upgrade me later".toCharArray());
        assertFalse(hasher.needsRehash(phc));
        assertTrue(new PasswordHasher(new Argon2Params(19456 * 2, 2, 1)).needsRehash(phc));
        assertTrue(new PasswordHasher(new Argon2Params(19456, 3, 1)).needsRehash(phc));
        assertTrue(new PasswordHasher(new Argon2Params(19456, 2, 2)).needsRehash(phc));
        // A stronger hasher still verifies the older hash, so raising the cost locks nobody out.
        assertTrue(new PasswordHasher(new Argon2Params(19456 * 2, 3, 2)).verify(phc, "upgrade me later".toCharArray()));
        // A hash stronger than the configuration needs no rehash.
        String stronger = new PasswordHasher(new Argon2Params(19456 * 2, 3, 1)).hash("x".toCharArray());
        assertFalse(hasher.needsRehash(stronger));
        assertTrue(hasher.verify(stronger, "x".toCharArray()));
    }

    @Test
    void verifyDummyAlwaysFailsAndCostsAboutAsMuchAsVerify() {
        char[] password = "timing should not leak".toCharArray();
        String phc = hasher.hash(password);
        // Warm up both paths so the JIT does not skew the comparison.
        for (int i = 0; i < 2; i++) {
            hasher.verify(phc, password);
            hasher.verifyDummy(password);
        }
        long verifyNanos = 0;
        long dummyNanos = 0;
        for (int i = 0; i < 3; i++) {
            long start = System.nanoTime();
            hasher.verify(phc, password);
            verifyNanos += System.nanoTime() - start;
            start = System.nanoTime();
            assertFalse(hasher.verifyDummy(password));
            dummyNanos += System.nanoTime() - start;
        }
        // Not a timing assertion on absolute speed: only that the dummy really runs Argon2 with the
        // configured cost rather than returning early, which would be off by orders of magnitude.
        assertTrue(dummyNanos > verifyNanos / 4, "dummy " + dummyNanos + " ns vs verify " + verifyNanos + " ns");
        assertFalse(hasher.verifyDummy(new char[] {'\uD800'}));
    }

    @Test
    void paramsAreValidatedNamingTheField() {
        assertEquals(Argon2Params.DEFAULT, new Argon2Params(19456, 2, 1));
        IllegalArgumentException memory = assertThrows(IllegalArgumentException.class, () -> new Argon2Params(19455, 2, 1));
        assertTrue(memory.getMessage().contains("memoryKiB"), memory.getMessage());
        IllegalArgumentException iterations = assertThrows(IllegalArgumentException.class, () -> new Argon2Params(19456, 1, 1));
        assertTrue(iterations.getMessage().contains("iterations"), iterations.getMessage());
        IllegalArgumentException parallelism = assertThrows(IllegalArgumentException.class, () -> new Argon2Params(19456, 2, 0));
        assertTrue(parallelism.getMessage().contains("parallelism"), parallelism.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Argon2Params(Argon2Params.MAX_MEMORY_KIB + 1, 2, 1));
        assertThrows(IllegalArgumentException.class, () -> new Argon2Params(19456, Argon2Params.MAX_ITERATIONS + 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new Argon2Params(19456, 2, Argon2Params.MAX_PARALLELISM + 1));
    }

    private static byte[] filled(int length, int value) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) value);
        return bytes;
    }
}
