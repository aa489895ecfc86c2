package org.interlude.crypto;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Arrays;

/**
 * The one place that turns a typed password into the exact text that is checked and hashed.
 *
 * <p>Passwords are NFKC-normalised (NIST SP 800-63B 5.1.1.2) so that the same password typed on
 * keyboards or devices that produce different Unicode compositions ("é" as one or two code points,
 * full-width digits) still verifies. Changing this normalisation would invalidate stored hashes.
 */
final class PasswordText {

    private PasswordText() {
    }

    /**
     * The NFKC form of {@code password}. Already-normalised input (all ASCII, for instance) is only
     * wrapped, so no immutable {@link String} copy of the password is created in the common case.
     */
    static CharSequence normalized(char[] password) {
        CharBuffer wrapped = CharBuffer.wrap(password);
        if (Normalizer.isNormalized(wrapped, Normalizer.Form.NFKC)) {
            return wrapped;
        }
        return Normalizer.normalize(wrapped, Normalizer.Form.NFKC);
    }

    /**
     * UTF-8 of the normalised password; the caller must wipe the result after use.
     *
     * @throws IllegalArgumentException if the password contains an unpaired surrogate, which has no
     *     UTF-8 encoding and would otherwise be silently replaced, making different passwords equal
     */
    static byte[] utf8(char[] password) {
        CharsetEncoder encoder = StandardCharsets.UTF_8.newEncoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer encoded;
        try {
            encoded = encoder.encode(CharBuffer.wrap(normalized(password)));
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("password is not valid Unicode text");
        }
        byte[] result = Arrays.copyOf(encoded.array(), encoded.limit());
        Arrays.fill(encoded.array(), (byte) 0);
        return result;
    }

    /** Number of Unicode code points of the normalised password, which is what a user perceives as length. */
    static int codePointLength(char[] password) {
        CharSequence text = normalized(password);
        return Character.codePointCount(text, 0, text.length());
    }
}
