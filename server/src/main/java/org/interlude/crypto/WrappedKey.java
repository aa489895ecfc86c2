package org.interlude.crypto;

import java.util.Arrays;
import java.util.Objects;

/**
 * A data key encrypted under master key {@code version}, as produced by {@link DataKeys#wrap}.
 * Callers store it in two columns (an integer version and a byte string) next to the data it protects.
 * Neither field is secret; the record copies the byte array in and out so it stays immutable.
 *
 * @param version the master key version that wrapped the key
 * @param bytes the sealed data key ({@link Aead} format, 60 bytes for a 32-byte data key)
 */
public record WrappedKey(int version, byte[] bytes) {

    public WrappedKey {
        if (version < 1) {
            throw new IllegalArgumentException("master key version must be positive, was " + version);
        }
        bytes = Objects.requireNonNull(bytes, "bytes").clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof WrappedKey that && version == that.version && Arrays.equals(bytes, that.bytes);
    }

    @Override
    public int hashCode() {
        return 31 * version + Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "WrappedKey[version=" + version + ", " + bytes.length + " bytes]";
    }
}
