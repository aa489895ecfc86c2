package org.interlude.crypto;

/**
 * Argon2id cost parameters.
 *
 * <p>The lower bounds are OWASP's minimum recommendation for Argon2id (19 MiB, 2 passes, 1 lane);
 * nothing weaker can be configured. The upper bounds keep a misconfiguration, or a corrupted stored
 * hash, from exhausting the server's memory or CPU. Out-of-range values throw
 * {@link IllegalArgumentException} naming the offending field.
 *
 * @param memoryKiB memory cost in KiB, 19456 to 1048576 (1 GiB)
 * @param iterations number of passes, 2 to 100
 * @param parallelism number of lanes, 1 to 64
 */
public record Argon2Params(int memoryKiB, int iterations, int parallelism) {

    public static final int MIN_MEMORY_KIB = 19_456;
    public static final int MAX_MEMORY_KIB = 1_048_576;
    public static final int MIN_ITERATIONS = 2;
    public static final int MAX_ITERATIONS = 100;
    public static final int MIN_PARALLELISM = 1;
    public static final int MAX_PARALLELISM = 64;

    /** OWASP's recommended minimum: m=19456, t=2, p=1. */
    public static final Argon2Params DEFAULT = new Argon2Params(MIN_MEMORY_KIB, MIN_ITERATIONS, MIN_PARALLELISM);

    public Argon2Params {
        requireRange("memoryKiB", memoryKiB, MIN_MEMORY_KIB, MAX_MEMORY_KIB);
        requireRange("iterations", iterations, MIN_ITERATIONS, MAX_ITERATIONS);
        requireRange("parallelism", parallelism, MIN_PARALLELISM, MAX_PARALLELISM);
    }

    private static void requireRange(String field, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(
                    "Argon2 " + field + " must be between " + min + " and " + max + ", was " + value);
        }
    }
}
