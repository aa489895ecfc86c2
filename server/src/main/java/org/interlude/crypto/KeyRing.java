package org.interlude.crypto;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Versioned AES-256 master keys. The highest version is current and wraps new data keys; every
 * version stays available to unwrap data keys wrapped under it, so rotation never strands data.
 *
 * <p><b>File format</b> (UTF-8 text, mode 0600): one key per line as {@code v<N>:<key>}, where
 * {@code N} is a positive decimal version without leading zeros and {@code key} is the standard
 * base64 encoding (with padding) of 32 random bytes. Blank lines and lines starting with {@code #}
 * are ignored; surrounding whitespace is ignored. Versions must be unique and need not be contiguous.
 * Example:
 * <pre>
 * # Interlude master key ring
 * v1:q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=
 * v2:ASNFZ4mrze8BI0VniavN7wEjRWeJq83vASNFZ4mrze8=
 * </pre>
 *
 * <p>Contract: instances are immutable and thread-safe; {@link #rotate(Path)} returns a new ring.
 * Key material never appears in {@link #toString()} or in exception messages, and this class does not
 * log. Master keys are only handed out inside this package ({@link DataKeys}), so code elsewhere
 * cannot encrypt directly under a master key. Rotation is an administrative, single-writer operation:
 * two processes must not rotate the same file at the same time.
 */
public final class KeyRing {

    /**
     * Result of {@link #loadOrCreate(Path, boolean)}.
     *
     * @param ring the loaded or created ring
     * @param createdDevelopmentKey true if the file did not exist and a new key was generated: the caller
     *     must warn loudly, since data encrypted under it is lost if the file is lost
     * @param permissionsTooOpen true if the file is readable or writable by group or others: the caller
     *     should warn, or refuse to start, since anyone who reads it can decrypt everything
     */
    public record Loaded(KeyRing ring, boolean createdDevelopmentKey, boolean permissionsTooOpen) {
        public Loaded {
            Objects.requireNonNull(ring, "ring");
        }
    }

    private static final Base64.Encoder ENCODER = Base64.getEncoder();
    private static final Base64.Decoder DECODER = Base64.getDecoder();

    private final NavigableMap<Integer, byte[]> keys;

    private KeyRing(NavigableMap<Integer, byte[]> keys) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("a key ring needs at least one key");
        }
        this.keys = Collections.unmodifiableNavigableMap(keys);
    }

    /**
     * Reads the key ring at {@code file}. If it does not exist and {@code allowCreate} is true, generates
     * version 1, writes it atomically with mode 0600 and flags the result as a development key; if it does
     * not exist and {@code allowCreate} is false, fails.
     *
     * @throws IOException if the file cannot be read or written, or is malformed (the message gives the
     *     line number, never the line)
     */
    public static Loaded loadOrCreate(Path file, boolean allowCreate) throws IOException {
        Objects.requireNonNull(file, "file");
        if (!Files.exists(file)) {
            if (!allowCreate) {
                throw new NoSuchFileException(file.toString(), null, "key ring file does not exist and creating one is not allowed");
            }
            TreeMap<Integer, byte[]> keys = new TreeMap<>();
            keys.put(1, Aead.newKey());
            KeyRing ring = new KeyRing(keys);
            byte[] content = ring.fileContent("created as a development key");
            try {
                if (SecureFiles.createAtomically(file, content, SecureFiles.OWNER_ONLY)) {
                    return new Loaded(ring, true, false);
                }
            } finally {
                Arrays.fill(content, (byte) 0);
            }
            // Another process created it first; its key is the one on disk, so use that.
        }
        return new Loaded(load(file), false, SecureFiles.isAccessibleByOthers(file));
    }

    /** Reads an existing key ring file; see the class documentation for the format. */
    public static KeyRing load(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        TreeMap<Integer, byte[]> keys = new TreeMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = file + " line " + (i + 1);
            int colon = line.indexOf(':');
            if (!line.startsWith("v") || colon < 2) {
                throw new IOException(where + ": expected v<version>:<base64 key>");
            }
            int version = parseVersion(line.substring(1, colon));
            if (version < 1) {
                throw new IOException(where + ": version must be a positive integer without leading zeros");
            }
            byte[] key = decodeKey(line.substring(colon + 1).strip());
            if (key == null) {
                throw new IOException(where + ": key must be base64 of exactly " + Aead.KEY_BYTES + " bytes");
            }
            if (keys.putIfAbsent(version, key) != null) {
                throw new IOException(where + ": duplicate version " + version);
            }
        }
        if (keys.isEmpty()) {
            throw new IOException(file + ": key ring file contains no keys");
        }
        return new KeyRing(keys);
    }

    /**
     * A ring holding one key, version 1, given as standard base64 of 32 bytes (e.g. from an environment
     * variable).
     *
     * @throws IllegalArgumentException if the text is not base64 of exactly 32 bytes; the message does
     *     not echo the input
     */
    public static KeyRing fromBase64(String base64Key) {
        Objects.requireNonNull(base64Key, "base64Key");
        byte[] key = decodeKey(base64Key.strip());
        if (key == null) {
            throw new IllegalArgumentException("master key must be base64 of exactly " + Aead.KEY_BYTES + " bytes");
        }
        TreeMap<Integer, byte[]> keys = new TreeMap<>();
        keys.put(1, key);
        return new KeyRing(keys);
    }

    /**
     * Adds version {@code current + 1} with a fresh random key, writes the whole ring atomically to
     * {@code file} (mode 0600) and returns the new ring. Existing versions are kept unchanged.
     *
     * @throws IOException if writing fails, or if {@code file} exists but no longer holds exactly this
     *     ring's keys (someone changed it since it was loaded; rotating would silently drop their keys)
     */
    public KeyRing rotate(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        if (Files.exists(file) && !sameKeys(load(file))) {
            throw new IOException(file + " no longer matches the loaded key ring; reload it before rotating");
        }
        TreeMap<Integer, byte[]> next = new TreeMap<>();
        keys.forEach((version, key) -> next.put(version, key.clone()));
        if (currentVersion() == Integer.MAX_VALUE) {
            throw new IllegalStateException("key ring version space exhausted");
        }
        next.put(currentVersion() + 1, Aead.newKey());
        KeyRing rotated = new KeyRing(next);
        rotated.write(file, "rotated to version " + rotated.currentVersion());
        return rotated;
    }

    /** The version that wraps new data keys: the highest one. */
    public int currentVersion() {
        return keys.lastKey();
    }

    /** All versions in ascending order. */
    public NavigableSet<Integer> versions() {
        return keys.navigableKeySet();
    }

    /** Whether {@code version} is in the ring. */
    public boolean contains(int version) {
        return keys.containsKey(version);
    }

    /**
     * A copy of the key for {@code version}; callers should wipe it after use.
     *
     * @throws IllegalStateException if the version is not in the ring, which means configuration lost a
     *     key (or a stored version number is corrupt), never that data was tampered with
     */
    byte[] key(int version) {
        byte[] key = keys.get(version);
        if (key == null) {
            throw new IllegalStateException("master key version " + version + " is not in the key ring (have " + versions() + ")");
        }
        return key.clone();
    }

    /** Shows versions only, never key material. */
    @Override
    public String toString() {
        return "KeyRing[versions=" + versions() + ", current=" + currentVersion() + "]";
    }

    private boolean sameKeys(KeyRing other) {
        if (!keys.keySet().equals(other.keys.keySet())) {
            return false;
        }
        boolean same = true;
        for (Map.Entry<Integer, byte[]> entry : keys.entrySet()) {
            same &= MessageDigest.isEqual(entry.getValue(), other.keys.get(entry.getKey()));
        }
        return same;
    }

    private void write(Path file, String event) throws IOException {
        byte[] bytes = fileContent(event);
        try {
            SecureFiles.writeAtomically(file, bytes, SecureFiles.OWNER_ONLY);
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    private byte[] fileContent(String event) {
        StringBuilder text = new StringBuilder()
                .append("# Interlude master key ring: ").append(event).append(" at ").append(Instant.now()).append('\n')
                .append("# Keep secret (mode 0600) and back it up: losing a version makes data wrapped under it unreadable.\n")
                .append("# Format: v<version>:<base64 of 32 bytes>; the highest version wraps new keys.\n");
        keys.forEach((version, key) -> text.append('v').append(version).append(':').append(ENCODER.encodeToString(key)).append('\n'));
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static int parseVersion(String digits) {
        if (digits.isEmpty() || digits.length() > 9 || digits.charAt(0) == '0') {
            return -1;
        }
        for (int i = 0; i < digits.length(); i++) {
            if (digits.charAt(i) < '0' || digits.charAt(i) > '9') {
                return -1;
            }
        }
        return Integer.parseInt(digits);
    }

    private static byte[] decodeKey(String base64) {
        try {
            byte[] key = DECODER.decode(base64);
            if (key.length != Aead.KEY_BYTES) {
                Arrays.fill(key, (byte) 0);
                return null;
            }
            return key;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
