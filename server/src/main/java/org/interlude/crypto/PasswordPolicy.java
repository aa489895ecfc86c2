package org.interlude.crypto;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Rules for choosing a password, following NIST SP 800-63B: a minimum length, a generous maximum, no
 * composition rules, and a block list of passwords attackers try first.
 *
 * <p>A password is rejected when it (after the same Unicode normalisation as {@link PasswordHasher}):
 * <ul>
 *   <li>has fewer than {@link #minLength()} characters (code points; default 12, never below 8) or more
 *       than {@link #MAX_LENGTH};</li>
 *   <li>is one character repeated;</li>
 *   <li>contains one of the caller's context words of at least 4 characters, case-insensitively (pass
 *       the user name, e-mail address, name of the clinic);</li>
 *   <li>is, case-insensitively, in the bundled list {@code crypto/common-passwords.txt}.</li>
 * </ul>
 * {@link #check} returns the reason as a sentence that is safe to show to the user: it never contains
 * the password. The list is loaded once, on first use; a missing list is an error rather than a silently
 * weaker policy. Instances are immutable and thread-safe.
 */
public final class PasswordPolicy {

    public static final int DEFAULT_MIN_LENGTH = 12;
    public static final int LOWEST_MIN_LENGTH = 8;
    public static final int MAX_LENGTH = 1024;
    private static final int MIN_CONTEXT_WORD_LENGTH = 4;
    private static final String LIST_RESOURCE = "/crypto/common-passwords.txt";

    private final int minLength;

    /** A policy with the default minimum length of 12. */
    public PasswordPolicy() {
        this(DEFAULT_MIN_LENGTH);
    }

    /**
     * A policy with the given minimum length.
     *
     * @throws IllegalArgumentException if {@code minLength} is below 8 or above {@link #MAX_LENGTH}
     */
    public PasswordPolicy(int minLength) {
        if (minLength < LOWEST_MIN_LENGTH || minLength > MAX_LENGTH) {
            throw new IllegalArgumentException("minLength must be between " + LOWEST_MIN_LENGTH + " and " + MAX_LENGTH + ", was " + minLength);
        }
        this.minLength = minLength;
    }

    public int minLength() {
        return minLength;
    }

    /**
     * Why {@code password} is not acceptable, or empty if it is.
     *
     * @param contextWords words the password must not contain, such as the user name; null entries and
     *     words shorter than 4 characters are ignored
     */
    public Optional<String> check(char[] password, String... contextWords) {
        Objects.requireNonNull(password, "password");
        CharSequence text = PasswordText.normalized(password);
        int length = Character.codePointCount(text, 0, text.length());
        if (length < minLength) {
            return Optional.of("Password must be at least " + minLength + " characters long.");
        }
        if (length > MAX_LENGTH) {
            return Optional.of("Password must be at most " + MAX_LENGTH + " characters long.");
        }
        if (isOneRepeatedCharacter(text)) {
            return Optional.of("Password must not be a single character repeated.");
        }
        // Case-insensitive matching needs an immutable lower-case copy of the password; it becomes
        // unreachable when this method returns.
        String lower = text.toString().toLowerCase(Locale.ROOT);
        if (contextWords != null) {
            for (String word : contextWords) {
                if (word == null) {
                    continue;
                }
                String contextWord = PasswordText.normalized(word.strip().toCharArray()).toString().toLowerCase(Locale.ROOT);
                if (contextWord.codePointCount(0, contextWord.length()) >= MIN_CONTEXT_WORD_LENGTH && lower.contains(contextWord)) {
                    return Optional.of("Password must not contain your user name, e-mail address or other personal details.");
                }
            }
        }
        if (CommonPasswords.SET.contains(lower)) {
            return Optional.of("Password is too common and would be guessed quickly; choose a less predictable one.");
        }
        return Optional.empty();
    }

    /** Number of passwords in the bundled block list. */
    public static int commonPasswordCount() {
        return CommonPasswords.SET.size();
    }

    private static boolean isOneRepeatedCharacter(CharSequence text) {
        int first = Character.codePointAt(text, 0);
        for (int i = Character.charCount(first); i < text.length(); ) {
            int codePoint = Character.codePointAt(text, i);
            if (codePoint != first) {
                return false;
            }
            i += Character.charCount(codePoint);
        }
        return true;
    }

    /** Lazily loaded so that merely referencing the policy costs nothing. */
    private static final class CommonPasswords {
        static final Set<String> SET = load();

        private static Set<String> load() {
            InputStream in = PasswordPolicy.class.getResourceAsStream(LIST_RESOURCE);
            if (in == null) {
                throw new IllegalStateException("common-password list " + LIST_RESOURCE + " is missing from the classpath");
            }
            Set<String> passwords = new HashSet<>(32_768);
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    String entry = line.strip();
                    if (!entry.isEmpty() && !entry.startsWith("#")) {
                        passwords.add(entry.toLowerCase(Locale.ROOT));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read common-password list " + LIST_RESOURCE, e);
            }
            return Set.copyOf(passwords);
        }
    }
}
