package org.interlude.crypto;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;
import org.bouncycastle.crypto.digests.SHA256Digest;

/**
 * Unguessable tokens (sessions, invitations, password resets) and the helpers to store and check them.
 *
 * <p>Contract:
 * <ul>
 *   <li>{@link #newToken()} returns 256 bits from {@link SecureRandom} as 43 characters of base64url
 *       without padding, safe in URLs, cookies and headers.</li>
 *   <li>Tokens are stored only as {@link #sha256Hex(String)}: a database leak then yields nothing that
 *       can be presented back to the server. A fast hash is enough because the input has 256 bits of
 *       entropy; passwords, which do not, go through {@link PasswordHasher} instead.</li>
 *   <li>{@link #constantTimeEquals(String, String)} compares without revealing, through timing, how
 *       many leading characters matched.</li>
 * </ul>
 * All methods are thread-safe.
 */
public final class RandomTokens {

    /** Entropy of a token, in bytes. */
    public static final int TOKEN_BYTES = 32;

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder URL_ENCODER = Base64.getUrlEncoder().withoutPadding();

    private RandomTokens() {
    }

    /** A fresh 256-bit token, base64url without padding (43 characters). */
    public static String newToken() {
        return URL_ENCODER.encodeToString(randomBytes(TOKEN_BYTES));
    }

    /** {@code length} bytes from the process-wide {@link SecureRandom}. */
    public static byte[] randomBytes(int length) {
        if (length < 0) {
            throw new IllegalArgumentException("length must not be negative");
        }
        byte[] bytes = new byte[length];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    /** Fills {@code bytes} from the process-wide {@link SecureRandom}; lets callers avoid an extra array. */
    static void fill(byte[] bytes) {
        RANDOM.nextBytes(bytes);
    }

    /** The process-wide generator, for key generation elsewhere in this package. */
    static SecureRandom secureRandom() {
        return RANDOM;
    }

    /** Lower-case hex SHA-256 of the UTF-8 encoding of {@code value} (64 characters). */
    public static String sha256Hex(String value) {
        Objects.requireNonNull(value, "value");
        byte[] input = value.getBytes(StandardCharsets.UTF_8);
        SHA256Digest digest = new SHA256Digest();
        digest.update(input, 0, input.length);
        byte[] out = new byte[digest.getDigestSize()];
        digest.doFinal(out, 0);
        return HexFormat.of().formatHex(out);
    }

    /**
     * Compares two strings in time that depends only on their lengths, never on where they differ.
     * Lengths are not secret for tokens and hashes, which have a fixed format. Null equals only null.
     */
    public static boolean constantTimeEquals(String a, String b) {
        if (a == null || b == null) {
            return a == b;
        }
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    /** Byte-array variant of {@link #constantTimeEquals(String, String)}. */
    public static boolean constantTimeEquals(byte[] a, byte[] b) {
        if (a == null || b == null) {
            return a == b;
        }
        return MessageDigest.isEqual(a, b);
    }
}
