package org.interlude.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class TotpTest {

    /** RFC 6238 appendix B SHA-1 seed, the ASCII string "12345678901234567890", in Base32. */
    private static final String RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    @Test
    void rfcSecretEncodesAsExpected() {
        assertEquals(RFC_SECRET, Base32.encode("12345678901234567890".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void rfc6238Sha1TestVectors() {
        long[] times = {59L, 1111111109L, 1111111111L, 1234567890L, 2000000000L, 20000000000L};
        String[] codes = {"94287082", "07081804", "14050471", "89005924", "69279037", "65353130"};
        for (int i = 0; i < times.length; i++) {
            Instant at = Instant.ofEpochSecond(times[i]);
            assertEquals(codes[i], Totp.code(RFC_SECRET, at, 8), "T=" + times[i]);
            // The 6-digit code is the same truncated value modulo 10^6.
            assertEquals(codes[i].substring(2), Totp.code(RFC_SECRET, at), "T=" + times[i]);
            assertEquals(OptionalLong.of(times[i] / 30), Totp.verify(RFC_SECRET, codes[i], at, 0, 8));
        }
    }

    @Test
    void generatedSecretsAre20BytesOfBase32() {
        String secret = Totp.generateSecret();
        assertTrue(secret.matches("[A-Z2-7]{32}"), secret);
        assertEquals(20, Base32.decode(secret).length);
        assertNotEquals(secret, Totp.generateSecret());
    }

    @Test
    void windowAcceptsNeighbouringStepsAndReportsTheMatchedStep() {
        String secret = Totp.generateSecret();
        Instant now = Instant.ofEpochSecond(1_700_000_015L);
        long step = now.getEpochSecond() / 30;
        String previous = Totp.code(secret, now.minusSeconds(30));
        String next = Totp.code(secret, now.plusSeconds(30));
        String twoBack = Totp.code(secret, now.minusSeconds(60));

        assertEquals(OptionalLong.of(step), Totp.verify(secret, Totp.code(secret, now), now, 0));
        assertEquals(OptionalLong.empty(), Totp.verify(secret, previous, now, 0));
        assertEquals(OptionalLong.of(step - 1), Totp.verify(secret, previous, now, 1));
        assertEquals(OptionalLong.of(step + 1), Totp.verify(secret, next, now, 1));
        assertEquals(OptionalLong.empty(), Totp.verify(secret, twoBack, now, 1));
        assertEquals(OptionalLong.of(step - 2), Totp.verify(secret, twoBack, now, 2));
    }

    @Test
    void returnedStepLetsCallersRejectReplays() {
        String secret = Totp.generateSecret();
        Instant loginAt = Instant.ofEpochSecond(1_700_000_000L);
        String code = Totp.code(secret, loginAt);
        long used = Totp.verify(secret, code, loginAt, 1).orElseThrow();
        // The same code presented 20 seconds later is still cryptographically valid: the step number is
        // what allows the caller to refuse it.
        OptionalLong replay = Totp.verify(secret, code, loginAt.plusSeconds(20), 1);
        assertTrue(replay.isPresent());
        assertTrue(replay.getAsLong() <= used);
    }

    @Test
    void malformedOrWrongCodesDoNotMatch() {
        String secret = Totp.generateSecret();
        Instant now = Instant.ofEpochSecond(1_700_000_000L);
        String code = Totp.code(secret, now);
        assertEquals(OptionalLong.empty(), Totp.verify(secret, null, now, 1));
        assertEquals(OptionalLong.empty(), Totp.verify(secret, "", now, 1));
        assertEquals(OptionalLong.empty(), Totp.verify(secret, code.substring(1), now, 1));
        assertEquals(OptionalLong.empty(), Totp.verify(secret, code + "0", now, 1));
        assertEquals(OptionalLong.empty(), Totp.verify(secret, "12345a", now, 1));
        assertEquals(OptionalLong.empty(), Totp.verify(secret, "\uff11\uff12\uff13\uff14\uff15\uff16", now, 1));
        String wrong = String.format("%06d", (Integer.parseInt(code) + 500_000) % 1_000_000);
        assertEquals(OptionalLong.empty(), Totp.verify(secret, wrong, now, 0));
        assertTrue(Totp.verify(secret, code.substring(0, 3) + " " + code.substring(3), now, 0).isPresent());
    }

    @Test
    void invalidArgumentsAreRejected() {
        Instant now = Instant.ofEpochSecond(1_700_000_000L);
        assertThrows(IllegalArgumentException.class, () -> Totp.code("not base32!", now));
        assertThrows(IllegalArgumentException.class, () -> Totp.code("GEZDGNBV", now), "5-byte secret is too short");
        assertThrows(IllegalArgumentException.class, () -> Totp.code(RFC_SECRET, now, 5));
        assertThrows(IllegalArgumentException.class, () -> Totp.code(RFC_SECRET, now, 9));
        assertThrows(IllegalArgumentException.class, () -> Totp.verify(RFC_SECRET, "123456", now, -1));
        assertThrows(IllegalArgumentException.class, () -> Totp.verify(RFC_SECRET, "123456", now, 11));
        assertThrows(IllegalArgumentException.class, () -> Totp.code(RFC_SECRET, Instant.ofEpochSecond(-1)));
    }

    @Test
    void windowAtTheEpochSkipsNegativeSteps() {
        Instant epoch = Instant.ofEpochSecond(0);
        assertEquals(OptionalLong.of(0), Totp.verify(RFC_SECRET, Totp.code(RFC_SECRET, epoch), epoch, 3));
    }

    @Test
    void otpauthUriFollowsKeyUriFormat() {
        String uri = Totp.otpauthUri("Interlude Clinic", "dr.ada@example.org", RFC_SECRET);
        assertEquals("otpauth://totp/Interlude%20Clinic:dr.ada%40example.org?secret=" + RFC_SECRET
                + "&issuer=Interlude%20Clinic&algorithm=SHA1&digits=6&period=30", uri);
        assertTrue(Totp.otpauthUri("Praxis M\u00fcller", "anna", RFC_SECRET).startsWith("otpauth://totp/Praxis%20M%C3%BCller:anna?"));
        assertThrows(IllegalArgumentException.class, () -> Totp.otpauthUri("a:b", "c", RFC_SECRET));
        assertThrows(IllegalArgumentException.class, () -> Totp.otpauthUri("a", "c:d", RFC_SECRET));
        assertThrows(IllegalArgumentException.class, () -> Totp.otpauthUri(" ", "c", RFC_SECRET));
        assertThrows(IllegalArgumentException.class, () -> Totp.otpauthUri("a", "c", "bad secret"));
    }

    @Test
    void base32RoundTripsAndRejectsNonCanonicalInput() {
        for (int length = 0; length < 40; length++) {
            byte[] data = RandomTokens.randomBytes(length);
            String encoded = Base32.encode(data);
            assertArrayEquals(data, Base32.decode(encoded));
            assertArrayEquals(data, Base32.decode(encoded.toLowerCase()));
        }
        // RFC 4648 section 10 examples.
        assertEquals("MZXW6YTBOI", Base32.encode("foobar".getBytes(StandardCharsets.US_ASCII)));
        assertArrayEquals("foob".getBytes(StandardCharsets.US_ASCII), Base32.decode("MZXW6YQ="));
        assertNull(Base32.decode("MZXW6YTBO1"));
        assertNull(Base32.decode("A"));
        assertNull(Base32.decode("MZXW6YR="), "non-zero padding bits");
    }
}
