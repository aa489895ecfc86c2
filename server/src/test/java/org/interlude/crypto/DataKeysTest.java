package org.interlude.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataKeysTest {

    @TempDir
    Path dir;

    @Test
    void wrapUnwrapRoundTripUnderCurrentVersion() throws Exception {
        DataKeys dataKeys = new DataKeys(KeyRing.fromBase64(Base64.getEncoder().encodeToString(RandomTokens.randomBytes(32))));
        byte[] dataKey = dataKeys.newDataKey();
        WrappedKey wrapped = dataKeys.wrap(dataKey, "conversation/42");
        assertEquals(1, wrapped.version());
        assertEquals(32 + Aead.OVERHEAD, wrapped.bytes().length);
        assertArrayEquals(dataKey, dataKeys.unwrap(wrapped, "conversation/42"));
    }

    @Test
    void wrappedKeyMovedToAnotherScopeFailsToUnwrap() {
        DataKeys dataKeys = new DataKeys(KeyRing.fromBase64(Base64.getEncoder().encodeToString(RandomTokens.randomBytes(32))));
        WrappedKey wrapped = dataKeys.wrap(dataKeys.newDataKey(), "conversation/42");
        assertThrows(TamperedCiphertextException.class, () -> dataKeys.unwrap(wrapped, "conversation/43"));
        assertThrows(TamperedCiphertextException.class, () -> dataKeys.unwrap(wrapped, "conversation/4"));
        assertThrows(TamperedCiphertextException.class, () -> dataKeys.unwrap(wrapped, ""));
    }

    @Test
    void tamperedWrappedKeyOrRelabelledVersionFails() throws IOException {
        Path file = dir.resolve("ring.keys");
        KeyRing.loadOrCreate(file, true).ring().rotate(file);
        DataKeys dataKeys = new DataKeys(KeyRing.load(file));
        WrappedKey wrapped = dataKeys.wrap(dataKeys.newDataKey(), "scope");
        byte[] bytes = wrapped.bytes();
        bytes[bytes.length - 1] ^= 1;
        assertThrows(TamperedCiphertextException.class, () -> dataKeys.unwrap(new WrappedKey(wrapped.version(), bytes), "scope"));
        // Claiming another version changes both the key and the associated data.
        assertThrows(TamperedCiphertextException.class, () -> dataKeys.unwrap(new WrappedKey(1, wrapped.bytes()), "scope"));
    }

    @Test
    void unknownVersionIsAConfigurationErrorNotTampering() {
        DataKeys dataKeys = new DataKeys(KeyRing.fromBase64(Base64.getEncoder().encodeToString(RandomTokens.randomBytes(32))));
        WrappedKey fromTheFuture = new WrappedKey(7, dataKeys.wrap(dataKeys.newDataKey(), "s").bytes());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> dataKeys.unwrap(fromTheFuture, "s"));
        assertEquals("master key version 7 is not in the key ring (have [1])", e.getMessage());
    }

    @Test
    void wrongMasterKeyFails() {
        DataKeys ours = new DataKeys(KeyRing.fromBase64(Base64.getEncoder().encodeToString(RandomTokens.randomBytes(32))));
        DataKeys theirs = new DataKeys(KeyRing.fromBase64(Base64.getEncoder().encodeToString(RandomTokens.randomBytes(32))));
        WrappedKey wrapped = ours.wrap(ours.newDataKey(), "scope");
        assertThrows(TamperedCiphertextException.class, () -> theirs.unwrap(wrapped, "scope"));
    }

    @Test
    void rotationKeepsOldWrapsReadableAndRewrapMovesThemToTheNewVersion() throws Exception {
        Path file = dir.resolve("ring.keys");
        KeyRing v1 = KeyRing.loadOrCreate(file, true).ring();
        DataKeys before = new DataKeys(v1);
        byte[] dataKey = before.newDataKey();
        WrappedKey old = before.wrap(dataKey, "conversation/9");
        // Data sealed with the data key before rotation.
        byte[] aad = Aad.of("interlude/message/v1", "conversation/9", "1");
        byte[] sealed = Aead.seal(dataKey, "hello".getBytes(StandardCharsets.UTF_8), aad);

        DataKeys after = new DataKeys(v1.rotate(file));
        assertArrayEquals(dataKey, after.unwrap(old, "conversation/9"), "old version still unwraps");
        WrappedKey fresh = after.wrap(after.newDataKey(), "conversation/10");
        assertEquals(2, fresh.version(), "new wraps use the new version");

        WrappedKey rewrapped = after.rewrap(old, "conversation/9");
        assertEquals(2, rewrapped.version());
        assertNotEquals(old, rewrapped);
        byte[] unwrapped = after.unwrap(rewrapped, "conversation/9");
        assertArrayEquals(dataKey, unwrapped);
        assertArrayEquals("hello".getBytes(StandardCharsets.UTF_8), Aead.open(unwrapped, sealed, aad), "data is not re-encrypted");

        assertSame(rewrapped, after.rewrap(rewrapped, "conversation/9"), "already current: unchanged");
        assertThrows(TamperedCiphertextException.class, () -> after.rewrap(old, "conversation/10"));
    }

    @Test
    void wrappedKeyIsImmutableValue() {
        byte[] bytes = {1, 2, 3};
        WrappedKey wrapped = new WrappedKey(3, bytes);
        bytes[0] = 9;
        assertEquals(1, wrapped.bytes()[0]);
        wrapped.bytes()[1] = 9;
        assertEquals(2, wrapped.bytes()[1]);
        assertEquals(new WrappedKey(3, new byte[] {1, 2, 3}), wrapped);
        assertEquals(new WrappedKey(3, new byte[] {1, 2, 3}).hashCode(), wrapped.hashCode());
        assertFalse(wrapped.toString().contains("1, 2"));
        assertThrows(IllegalArgumentException.class, () -> new WrappedKey(0, bytes));
    }

    @Test
    void dataKeysMustBe32Bytes() {
        DataKeys dataKeys = new DataKeys(KeyRing.fromBase64(Base64.getEncoder().encodeToString(RandomTokens.randomBytes(32))));
        assertThrows(IllegalArgumentException.class, () -> dataKeys.wrap(new byte[16], "s"));
    }
}
