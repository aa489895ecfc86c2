package org.interlude.crypto;

import java.util.Arrays;
import java.util.Objects;

/**
 * Envelope encryption: random 256-bit data keys that encrypt the actual data, stored wrapped (sealed
 * with {@link Aead}) under a master key of the {@link KeyRing}.
 *
 * <p>Each wrapped key is bound, through the associated data
 * {@code Aad.of("interlude/dk/v1", version, scope)}, to the master key version that wrapped it and to a
 * caller-chosen scope naming what it protects (e.g. {@code "conversation/42"}). A wrapped key copied to
 * another scope, or relabelled with another version, fails to unwrap. Rotation re-wraps data keys only;
 * the data they encrypt is never re-encrypted.
 *
 * <p>Thread-safe. {@link #use(KeyRing)} switches to a rotated ring at run time: the new ring must
 * keep every version of the old one, so keys wrapped earlier stay readable.
 */
public final class DataKeys {

    private static final String AAD_LABEL = "interlude/dk/v1";

    private volatile KeyRing ring;

    public DataKeys(KeyRing ring) {
        this.ring = Objects.requireNonNull(ring, "ring");
    }

    /**
     * Starts wrapping with {@code next} (after a rotation). Refused when {@code next} lacks a version
     * of the current ring, since keys wrapped under it would become unreadable.
     */
    public void use(KeyRing next) {
        Objects.requireNonNull(next, "next");
        for (int v : ring.versions()) {
            if (!next.contains(v)) {
                throw new IllegalArgumentException("the new key ring lacks version " + v + " of the current one");
            }
        }
        ring = next;
    }

    /** The ring this instance wraps and unwraps with. */
    public KeyRing ring() {
        return ring;
    }

    /** A fresh random 32-byte data key. */
    public byte[] newDataKey() {
        return Aead.newKey();
    }

    /** Wraps {@code dataKey} for {@code scope} under the ring's current version. */
    public WrappedKey wrap(byte[] dataKey, String scope) {
        Objects.requireNonNull(dataKey, "dataKey");
        if (dataKey.length != Aead.KEY_BYTES) {
            throw new IllegalArgumentException("data key must be " + Aead.KEY_BYTES + " bytes, was " + dataKey.length);
        }
        int version = ring.currentVersion();
        byte[] masterKey = ring.key(version);
        try {
            return new WrappedKey(version, Aead.seal(masterKey, dataKey, aad(version, scope)));
        } finally {
            Arrays.fill(masterKey, (byte) 0);
        }
    }

    /**
     * The data key inside {@code wrapped}, which must have been wrapped for {@code scope}. The caller
     * should wipe the returned array when done with it.
     *
     * @throws TamperedCiphertextException if it was wrapped for another scope or modified
     * @throws IllegalStateException if its master key version is not in the ring
     */
    public byte[] unwrap(WrappedKey wrapped, String scope) throws TamperedCiphertextException {
        Objects.requireNonNull(wrapped, "wrapped");
        byte[] masterKey = ring.key(wrapped.version());
        try {
            byte[] dataKey = Aead.open(masterKey, wrapped.bytes(), aad(wrapped.version(), scope));
            if (dataKey.length != Aead.KEY_BYTES) {
                Arrays.fill(dataKey, (byte) 0);
                throw new TamperedCiphertextException("wrapped key does not contain a " + Aead.KEY_BYTES + "-byte key");
            }
            return dataKey;
        } finally {
            Arrays.fill(masterKey, (byte) 0);
        }
    }

    /**
     * Re-wraps {@code wrapped} under the current version, for key rotation. The key is always unwrapped,
     * so this also verifies it; if it is already under the current version it is returned unchanged, so
     * callers can skip the database update when {@code result.version() == wrapped.version()}.
     *
     * @throws TamperedCiphertextException if it does not unwrap for {@code scope}
     * @throws IllegalStateException if its master key version is not in the ring
     */
    public WrappedKey rewrap(WrappedKey wrapped, String scope) throws TamperedCiphertextException {
        byte[] dataKey = unwrap(wrapped, scope);
        try {
            if (wrapped.version() == ring.currentVersion()) {
                return wrapped;
            }
            return wrap(dataKey, scope);
        } finally {
            Arrays.fill(dataKey, (byte) 0);
        }
    }

    private static byte[] aad(int version, String scope) {
        Objects.requireNonNull(scope, "scope");
        return Aad.of(AAD_LABEL, Integer.toString(version), scope);
    }
}
