package org.interlude.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PasswordPolicyTest {

    private final PasswordPolicy policy = new PasswordPolicy();

    @Test
    void acceptsReasonablePasswordsAndPassphrases() {
        assertEquals(Optional.empty(), policy.check("violet harbour lantern".toCharArray()));
        assertEquals(Optional.empty(), policy.check("Tz8#qP2!mW4x".toCharArray()));
        assertEquals(Optional.empty(), policy.check("k\u00e4se und brot am see".toCharArray()));
        assertEquals(Optional.empty(), policy.check("x".repeat(1023).concat("y").toCharArray()));
    }

    @Test
    void enforcesLengthInCharactersNotBytesOrUtf16Units() {
        assertEquals(Optional.of("Password must be at least 12 characters long."), policy.check("short pass!".toCharArray()));
        assertEquals(Optional.of("Password must be at most 1024 characters long."), policy.check("ab".repeat(513).toCharArray()));
        // Eleven emoji are 22 UTF-16 units but 11 characters: too short.
        assertTrue(policy.check("\uD83C\uDF3B".repeat(5).concat("\uD83C\uDF3C".repeat(6)).toCharArray()).isPresent());
        assertEquals(Optional.empty(), policy.check("\uD83C\uDF3B".repeat(6).concat("\uD83C\uDF3C".repeat(6)).toCharArray()));
    }

    @Test
    void minimumLengthIsConfigurableButNotBelowEight() {
        PasswordPolicy eight = new PasswordPolicy(8);
        assertEquals(Optional.empty(), eight.check("vx7-lamp".toCharArray()));
        assertEquals(Optional.of("Password must be at least 8 characters long."), eight.check("vx7-lam".toCharArray()));
        assertThrows(IllegalArgumentException.class, () -> new PasswordPolicy(7));
        assertThrows(IllegalArgumentException.class, () -> new PasswordPolicy(1025));
        assertEquals(16, new PasswordPolicy(16).minLength());
    }

    @Test
    void rejectsCommonPasswordsCaseInsensitively() {
        for (String common : List.of("password1234", "qwertyuiop12", "iloveyou1234", "PassWord1234", "QWERTYUIOP12",
                "Sunshine2024!", "football1234", "interlude123", "correcthorsebatterystaple", "123456789012")) {
            Optional<String> reason = policy.check(common.toCharArray());
            assertEquals(Optional.of("Password is too common and would be guessed quickly; choose a less predictable one."), reason, common);
        }
        // Lower minimum lengths make the shorter list entries matter.
        assertTrue(new PasswordPolicy(8).check("password".toCharArray()).isPresent());
        assertTrue(new PasswordPolicy(8).check("P@ssw0rd".toCharArray()).isPresent());
        assertTrue(new PasswordPolicy(8).check("sunshine".toCharArray()).isPresent());
    }

    @Test
    void rejectsOneRepeatedCharacter() {
        assertEquals(Optional.of("Password must not be a single character repeated."), policy.check("zzzzzzzzzzzzzzzz".toCharArray()));
        assertTrue(policy.check("\uD83D\uDD11".repeat(12).toCharArray()).isPresent());
        assertEquals(Optional.empty(), policy.check("zzzzzzzzzzzzzzzy".toCharArray()));
    }

    @Test
    void rejectsPasswordsContainingContextWords() {
        Optional<String> reason = policy.check("ada.lovelace-2024".toCharArray(), "Ada.Lovelace", "ada@example.org");
        assertEquals(Optional.of("Password must not contain your user name, e-mail address or other personal details."), reason);
        // Words shorter than four characters would reject too much.
        assertEquals(Optional.empty(), policy.check("violet harbour lantern".toCharArray(), "vio", null));
        assertEquals(Optional.empty(), policy.check("violet harbour lantern".toCharArray(), (String[]) null));
    }

    @Test
    void reasonsNeverEchoThePassword() {
        for (String password : List.of("password1234", "secret", "zzzzzzzzzzzzz", "mysecretAda123", "a".repeat(2000))) {
            Optional<String> reason = policy.check(password.toCharArray(), "mysecretAda");
            assertTrue(reason.isPresent(), password);
            assertFalse(reason.get().toLowerCase().contains(password.toLowerCase()), reason.get());
        }
    }

    @Test
    void bundledListIsSubstantialAndWellFormed() throws Exception {
        assertTrue(PasswordPolicy.commonPasswordCount() > 5_000, "list has " + PasswordPolicy.commonPasswordCount());
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(
                PasswordPolicy.class.getResourceAsStream("/crypto/common-passwords.txt"), StandardCharsets.UTF_8))) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.startsWith("# ")) {
                    continue;
                }
                assertTrue(line.length() >= 8, "line " + number + " shorter than 8");
                assertEquals(line.toLowerCase(), line, "line " + number + " not lower case");
                assertEquals(line.strip(), line, "line " + number + " has surrounding whitespace");
            }
        }
    }

    @Test
    void doesNotModifyCallersPassword() {
        char[] password = "Password1234".toCharArray();
        policy.check(password);
        assertEquals("Password1234", new String(password));
    }
}
