package org.interlude.crypto;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalLong;
import org.bouncycastle.crypto.digests.SHA1Digest;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * Time-based one-time passwords (RFC 6238 over RFC 4226): HMAC-SHA1, 30-second steps counted from the
 * Unix epoch, 6 digits by default. These are the settings every common authenticator app supports.
 *
 * <p>Contract:
 * <ul>
 *   <li>Secrets are Base32 (RFC 4648, upper case, no padding) of at least 16 random bytes;
 *       {@link #generateSecret()} makes 20, the RFC 4226 recommendation. A secret that is not valid
 *       Base32 or is shorter is a stored-data error and throws {@link IllegalArgumentException}.</li>
 *   <li>{@link #verify} accepts codes from {@code windowSteps} steps before to {@code windowSteps} steps
 *       after the current one, to absorb clock drift and typing time, and returns the time step that
 *       matched. A code is valid for its whole step, so callers must store the last accepted step per
 *       user and reject any code whose step is not greater: otherwise an observed code can be replayed.
 *       A code the user typed that is malformed is simply not matched (no exception).</li>
 *   <li>Candidate codes are compared in constant time and every step in the window is checked, so
 *       timing does not reveal which step, if any, was close.</li>
 * </ul>
 * All methods are stateless and thread-safe.
 */
public final class Totp {

    public static final int DEFAULT_DIGITS = 6;
    public static final long STEP_SECONDS = 30;
    /** Upper bound for {@code windowSteps}: a wider window would make guessing proportionally easier. */
    public static final int MAX_WINDOW_STEPS = 10;

    private static final int SECRET_BYTES = 20;
    private static final int MIN_SECRET_BYTES = 16;
    private static final int MIN_DIGITS = 6;
    private static final int MAX_DIGITS = 8;
    private static final int[] POWERS_OF_TEN = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000};

    private Totp() {
    }

    /** A new random secret: 20 bytes, Base32 encoded (32 characters). */
    public static String generateSecret() {
        return Base32.encode(RandomTokens.randomBytes(SECRET_BYTES));
    }

    /** The RFC 6238 time step containing {@code at}. */
    public static long timeStep(Instant at) {
        Objects.requireNonNull(at, "at");
        if (at.getEpochSecond() < 0) {
            throw new IllegalArgumentException("TOTP is undefined before the Unix epoch");
        }
        return at.getEpochSecond() / STEP_SECONDS;
    }

    /** The 6-digit code for {@code secret} at {@code at}. */
    public static String code(String secret, Instant at) {
        return code(secret, at, DEFAULT_DIGITS);
    }

    /** The code with {@code digits} digits (6 to 8) for {@code secret} at {@code at}. */
    public static String code(String secret, Instant at, int digits) {
        checkDigits(digits);
        byte[] key = decodeSecret(secret);
        try {
            return codeForStep(key, timeStep(at), digits);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    /** {@link #verify(String, String, Instant, int, int)} with 6 digits. */
    public static OptionalLong verify(String secret, String code, Instant at, int windowSteps) {
        return verify(secret, code, at, windowSteps, DEFAULT_DIGITS);
    }

    /**
     * The time step whose code equals {@code code}, searching {@code windowSteps} (0 to
     * {@link #MAX_WINDOW_STEPS}) steps either side of {@code at}; empty if none does or the code is not
     * {@code digits} decimal digits (ASCII spaces, as apps display "123 456", are ignored). If several
     * steps match, the earliest is returned.
     */
    public static OptionalLong verify(String secret, String code, Instant at, int windowSteps, int digits) {
        checkDigits(digits);
        if (windowSteps < 0 || windowSteps > MAX_WINDOW_STEPS) {
            throw new IllegalArgumentException("windowSteps must be between 0 and " + MAX_WINDOW_STEPS + ", was " + windowSteps);
        }
        byte[] key = decodeSecret(secret);
        try {
            long current = timeStep(at);
            String candidate = code == null ? "" : code.replace(" ", "");
            boolean wellFormed = candidate.length() == digits && candidate.chars().allMatch(c -> c >= '0' && c <= '9');
            byte[] typed = candidate.getBytes(StandardCharsets.US_ASCII);
            long matched = -1;
            for (long step = current - windowSteps; step <= current + windowSteps; step++) {
                if (step < 0) {
                    continue;
                }
                byte[] expected = codeForStep(key, step, digits).getBytes(StandardCharsets.US_ASCII);
                if (MessageDigest.isEqual(expected, typed) && wellFormed && matched < 0) {
                    matched = step;
                }
            }
            return matched < 0 ? OptionalLong.empty() : OptionalLong.of(matched);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    /**
     * The {@code otpauth://} key URI (the de-facto Key Uri Format of authenticator apps) to show as a QR
     * code: label {@code issuer:account}, with the issuer repeated as a parameter and the algorithm,
     * digits and period spelled out. Issuer and account must be non-empty and must not contain a colon,
     * which separates them in the label.
     */
    public static String otpauthUri(String issuer, String account, String secret) {
        checkLabelPart("issuer", issuer);
        checkLabelPart("account", account);
        decodeSecret(secret);
        return "otpauth://totp/" + percentEncode(issuer) + ":" + percentEncode(account)
                + "?secret=" + secret.toUpperCase(Locale.ROOT).replace("=", "")
                + "&issuer=" + percentEncode(issuer)
                + "&algorithm=SHA1&digits=" + DEFAULT_DIGITS + "&period=" + STEP_SECONDS;
    }

    /** RFC 4226 HOTP value of {@code counter}, zero-padded to {@code digits}. */
    static String codeForStep(byte[] key, long counter, int digits) {
        HMac mac = new HMac(new SHA1Digest());
        mac.init(new KeyParameter(key));
        byte[] message = new byte[8];
        for (int i = 7; i >= 0; i--) {
            message[i] = (byte) counter;
            counter >>>= 8;
        }
        mac.update(message, 0, message.length);
        byte[] hash = new byte[mac.getMacSize()];
        mac.doFinal(hash, 0);
        int offset = hash[hash.length - 1] & 0x0f;
        int binary = ((hash[offset] & 0x7f) << 24)
                | ((hash[offset + 1] & 0xff) << 16)
                | ((hash[offset + 2] & 0xff) << 8)
                | (hash[offset + 3] & 0xff);
        Arrays.fill(hash, (byte) 0);
        String value = Integer.toString(binary % POWERS_OF_TEN[digits]);
        return "0".repeat(digits - value.length()) + value;
    }

    private static byte[] decodeSecret(String secret) {
        Objects.requireNonNull(secret, "secret");
        byte[] key = Base32.decode(secret);
        if (key == null || key.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("TOTP secret must be Base32 of at least " + MIN_SECRET_BYTES + " bytes");
        }
        return key;
    }

    private static void checkDigits(int digits) {
        if (digits < MIN_DIGITS || digits > MAX_DIGITS) {
            throw new IllegalArgumentException("digits must be between " + MIN_DIGITS + " and " + MAX_DIGITS + ", was " + digits);
        }
    }

    private static void checkLabelPart(String name, String value) {
        Objects.requireNonNull(value, name);
        if (value.isBlank() || value.indexOf(':') >= 0) {
            throw new IllegalArgumentException(name + " must be non-empty and must not contain ':'");
        }
    }

    /** RFC 3986 percent-encoding of everything but unreserved characters (spaces become %20, not +). */
    private static String percentEncode(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >>> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }
}
