package org.interlude.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RandomTokensTest {

    @Test
    void tokensAre256BitBase64UrlWithoutPadding() {
        String token = RandomTokens.newToken();
        assertEquals(43, token.length());
        assertTrue(token.matches("[A-Za-z0-9_-]{43}"), token);
        assertEquals(32, Base64.getUrlDecoder().decode(token).length);
    }

    @Test
    void tokensDoNotRepeat() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            assertTrue(seen.add(RandomTokens.newToken()));
        }
    }

    @Test
    void sha256HexMatchesKnownDigests() {
        // FIPS 180-2 example "abc" and the empty string.
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", RandomTokens.sha256Hex("abc"));
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", RandomTokens.sha256Hex(""));
    }

    @Test
    void sha256HexEncodesUtf8() {
        // U+00E9 is two bytes in UTF-8; a Latin-1 encoding would give a different digest.
        assertEquals(RandomTokens.sha256Hex("\u00e9"), RandomTokens.sha256Hex(new String(new char[] {'\u00e9'})));
        assertFalse(RandomTokens.sha256Hex("\u00e9").equals(RandomTokens.sha256Hex("e")));
    }

    @Test
    void constantTimeEqualsBehavesLikeEquals() {
        assertTrue(RandomTokens.constantTimeEquals("abc", "abc"));
        assertFalse(RandomTokens.constantTimeEquals("abc", "abd"));
        assertFalse(RandomTokens.constantTimeEquals("abc", "abcd"));
        assertFalse(RandomTokens.constantTimeEquals("abc", null));
        assertTrue(RandomTokens.constantTimeEquals((String) null, null));
        assertTrue(RandomTokens.constantTimeEquals(new byte[] {1, 2}, new byte[] {1, 2}));
        assertFalse(RandomTokens.constantTimeEquals(new byte[] {1, 2}, new byte[] {1, 3}));
    }

    @Test
    void randomBytesRejectsNegativeLength() {
        assertThrows(IllegalArgumentException.class, () -> RandomTokens.randomBytes(-1));
        assertEquals(0, RandomTokens.randomBytes(0).length);
    }
}
