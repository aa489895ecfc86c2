package org.interlude.crypto;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Argon2id password hashing (RFC 9106, version 0x13) in the PHC string format.
 *
 * <p>Stored form: {@code $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>}, salt and hash in
 * standard base64 without padding, a fresh 16-byte salt per hash and a 32-byte hash. This is the
 * format of the reference implementation and of libsodium, so hashes stay portable.
 *
 * <p>Contract:
 * <ul>
 *   <li>Passwords are NFKC-normalised and UTF-8 encoded before hashing (see {@code PasswordText}).
 *       The caller owns the {@code char[]} and should wipe it after the call; this class wipes every
 *       copy it makes.</li>
 *   <li>{@link #verify(String, char[])} compares in constant time and returns {@code false}, never
 *       throws, for malformed or unsupported stored strings and for passwords that are not valid
 *       Unicode. It accepts any stored parameters within the absolute bounds of
 *       {@link Argon2Params} (or weaker ones, for hashes from older configurations), so raising the
 *       configured cost does not lock anyone out; {@link #needsRehash(String)} then says to upgrade.</li>
 *   <li>{@link #verifyDummy(char[])} does the same work as verifying a hash made with the configured
 *       parameters and always returns {@code false}: callers run it for unknown user names so that
 *       response time does not reveal which accounts exist.</li>
 * </ul>
 * Every method is slow by design (tens to hundreds of milliseconds and {@code memoryKiB} of heap) and
 * must run on a worker thread, never on an event loop. Instances are immutable and thread-safe.
 */
public final class PasswordHasher {

    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 32;
    // Bounds for hashes read back from storage: wide enough for other Argon2 implementations'
    // output, narrow enough that a corrupted row cannot make the server allocate unbounded memory.
    private static final int MIN_STORED_SALT_BYTES = 8;
    private static final int MAX_STORED_SALT_BYTES = 64;
    private static final int MIN_STORED_HASH_BYTES = 16;
    private static final int MAX_STORED_HASH_BYTES = 64;
    private static final String PREFIX = "$argon2id$v=19$";

    private static final Base64.Encoder B64_ENCODER = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder B64_DECODER = Base64.getDecoder();

    private final Argon2Params params;

    /** A hasher producing hashes with {@code params}. */
    public PasswordHasher(Argon2Params params) {
        this.params = Objects.requireNonNull(params, "params");
    }

    /** The parameters new hashes are made with. */
    public Argon2Params params() {
        return params;
    }

    /**
     * Hashes {@code password} with a fresh random salt and the configured parameters.
     *
     * @return the PHC string to store
     * @throws IllegalArgumentException if the password contains an unpaired UTF-16 surrogate
     */
    public String hash(char[] password) {
        Objects.requireNonNull(password, "password");
        byte[] salt = RandomTokens.randomBytes(SALT_BYTES);
        byte[] passwordBytes = PasswordText.utf8(password);
        try {
            byte[] hash = argon2id(passwordBytes, salt, null, null,
                    params.memoryKiB(), params.iterations(), params.parallelism(), HASH_BYTES);
            return PREFIX + "m=" + params.memoryKiB() + ",t=" + params.iterations() + ",p=" + params.parallelism()
                    + "$" + B64_ENCODER.encodeToString(salt) + "$" + B64_ENCODER.encodeToString(hash);
        } finally {
            Arrays.fill(passwordBytes, (byte) 0);
        }
    }

    /**
     * Whether {@code password} matches the stored PHC string. Returns {@code false} for any malformed,
     * unsupported (not Argon2id version 19) or out-of-bounds stored string instead of throwing.
     */
    public boolean verify(String phc, char[] password) {
        Objects.requireNonNull(password, "password");
        Optional<Phc> parsed = Phc.parse(phc);
        if (parsed.isEmpty()) {
            return false;
        }
        Phc stored = parsed.get();
        byte[] passwordBytes;
        try {
            passwordBytes = PasswordText.utf8(password);
        } catch (IllegalArgumentException e) {
            return false;
        }
        try {
            byte[] computed = argon2id(passwordBytes, stored.salt(), null, null,
                    stored.memoryKiB(), stored.iterations(), stored.parallelism(), stored.hash().length);
            return MessageDigest.isEqual(computed, stored.hash());
        } finally {
            Arrays.fill(passwordBytes, (byte) 0);
        }
    }

    /**
     * Costs what {@link #verify(String, char[])} costs for a hash made with the configured parameters,
     * and always returns {@code false}. Use it when the user name is unknown.
     */
    public boolean verifyDummy(char[] password) {
        Objects.requireNonNull(password, "password");
        byte[] salt = RandomTokens.randomBytes(SALT_BYTES);
        byte[] unreachable = RandomTokens.randomBytes(HASH_BYTES);
        byte[] passwordBytes;
        try {
            passwordBytes = PasswordText.utf8(password);
        } catch (IllegalArgumentException e) {
            passwordBytes = new byte[0];
        }
        try {
            byte[] computed = argon2id(passwordBytes, salt, null, null,
                    params.memoryKiB(), params.iterations(), params.parallelism(), HASH_BYTES);
            // Compare like verify does so the dummy's cost is the same; the outcome is irrelevant.
            MessageDigest.isEqual(computed, unreachable);
            return false;
        } finally {
            Arrays.fill(passwordBytes, (byte) 0);
        }
    }

    /**
     * Whether the stored hash should be replaced by {@link #hash(char[])} at the next successful login:
     * when any of its cost parameters, its salt length or its hash length is below the configured
     * ones, or when it cannot be parsed at all.
     */
    public boolean needsRehash(String phc) {
        Optional<Phc> parsed = Phc.parse(phc);
        if (parsed.isEmpty()) {
            return true;
        }
        Phc stored = parsed.get();
        return stored.memoryKiB() < params.memoryKiB()
                || stored.iterations() < params.iterations()
                || stored.parallelism() < params.parallelism()
                || stored.salt().length < SALT_BYTES
                || stored.hash().length < HASH_BYTES;
    }

    /**
     * Raw Argon2id (version 0x13) as specified by RFC 9106, with the optional secret and associated
     * data, exposed to this package so the RFC's test vector can exercise the exact code path used
     * for passwords.
     */
    static byte[] argon2id(byte[] password, byte[] salt, byte[] secret, byte[] associatedData,
                           int memoryKiB, int iterations, int parallelism, int hashLength) {
        Argon2Parameters.Builder builder = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(memoryKiB)
                .withIterations(iterations)
                .withParallelism(parallelism)
                .withSalt(salt);
        if (secret != null) {
            builder.withSecret(secret);
        }
        if (associatedData != null) {
            builder.withAdditional(associatedData);
        }
        Argon2Parameters parameters = builder.build();
        try {
            Argon2BytesGenerator generator = new Argon2BytesGenerator();
            generator.init(parameters);
            byte[] out = new byte[hashLength];
            generator.generateBytes(password, out);
            return out;
        } finally {
            parameters.clear();
        }
    }

    /** A parsed, bounds-checked PHC string. */
    private record Phc(int memoryKiB, int iterations, int parallelism, byte[] salt, byte[] hash) {

        static Optional<Phc> parse(String phc) {
            if (phc == null || !phc.startsWith(PREFIX) || phc.length() > 512) {
                return Optional.empty();
            }
            String[] fields = phc.substring(PREFIX.length()).split("\\$", -1);
            if (fields.length != 3) {
                return Optional.empty();
            }
            String[] costs = fields[0].split(",", -1);
            if (costs.length != 3) {
                return Optional.empty();
            }
            int memory = parseCost(costs[0], "m=");
            int iterations = parseCost(costs[1], "t=");
            int parallelism = parseCost(costs[2], "p=");
            if (memory < 0 || iterations < 0 || parallelism < 0
                    || iterations < 1 || iterations > Argon2Params.MAX_ITERATIONS
                    || parallelism < 1 || parallelism > Argon2Params.MAX_PARALLELISM
                    // Argon2 itself requires at least 8 KiB per lane.
                    || memory < 8 * parallelism || memory > Argon2Params.MAX_MEMORY_KIB) {
                return Optional.empty();
            }
            byte[] salt = decode(fields[1]);
            byte[] hash = decode(fields[2]);
            if (salt == null || hash == null
                    || salt.length < MIN_STORED_SALT_BYTES || salt.length > MAX_STORED_SALT_BYTES
                    || hash.length < MIN_STORED_HASH_BYTES || hash.length > MAX_STORED_HASH_BYTES) {
                return Optional.empty();
            }
            return Optional.of(new Phc(memory, iterations, parallelism, salt, hash));
        }

        /** The decimal value after {@code key}, or -1 if absent, non-canonical or too large. */
        private static int parseCost(String field, String key) {
            if (!field.startsWith(key)) {
                return -1;
            }
            String digits = field.substring(key.length());
            if (digits.isEmpty() || digits.length() > 9 || (digits.length() > 1 && digits.charAt(0) == '0')) {
                return -1;
            }
            for (int i = 0; i < digits.length(); i++) {
                if (digits.charAt(i) < '0' || digits.charAt(i) > '9') {
                    return -1;
                }
            }
            return Integer.parseInt(digits);
        }

        /** Standard base64 without padding, as the PHC format requires, or null if not that. */
        private static byte[] decode(String text) {
            if (text.isEmpty() || text.indexOf('=') >= 0) {
                return null;
            }
            try {
                return B64_DECODER.decode(text);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
    }
}
