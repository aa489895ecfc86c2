package org.interlude.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class AadTest {

    @Test
    void encodingIsLengthPrefixedUtf8() {
        assertArrayEquals(HexFormat.of().parseHex("00000002616200000001" + "63"), Aad.of("ab", "c"));
        assertArrayEquals(HexFormat.of().parseHex("00000002c3a9"), Aad.of("\u00e9"));
        assertArrayEquals(new byte[0], Aad.of());
    }

    @Test
    void differentPartListsNeverCollide() {
        assertFalse(Arrays.equals(Aad.of("ab", "c"), Aad.of("a", "bc")));
        assertFalse(Arrays.equals(Aad.of("abc"), Aad.of("ab", "c")));
        assertFalse(Arrays.equals(Aad.of(), Aad.of("")));
        assertFalse(Arrays.equals(Aad.of(""), Aad.of("", "")));
        assertFalse(Arrays.equals(Aad.of("a/b", "c"), Aad.of("a", "b/c")));
    }

    @Test
    void nullPartsAreRejected() {
        assertThrows(NullPointerException.class, () -> Aad.of("a", null));
        assertThrows(NullPointerException.class, () -> Aad.of((String[]) null));
    }
}
