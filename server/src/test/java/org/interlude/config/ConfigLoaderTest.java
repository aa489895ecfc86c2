package org.interlude.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir Path dir;

  private Path yaml(String text) throws Exception {
    Path p = dir.resolve("c.yaml");
    Files.writeString(p, text);
    return p;
  }

  private ConfigException fails(String text, Map<String, String> env) throws Exception {
    Path p = yaml(text);
    return assertThrows(ConfigException.class, () -> ConfigLoader.load(p, env));
  }

  @Test
  void shippedSampleConfigPassesValidation() {
    Path sample = Path.of("..", "config", "interlude.yaml");
    InterludeConfig c = ConfigLoader.load(sample, Map.of());
    assertEquals(8443, c.http().port());
    assertTrue(c.database().embedded());
    assertEquals(Duration.ofMinutes(15), c.identity().staffIdleTimeout());
  }

  @Test
  void portOutOfRangeNamesKeyAndValue() throws Exception {
    ConfigException e = fails("http:\n  port: 70000\n", Map.of());
    assertEquals("http.port: must be 1-65535, got 70000", e.problems().get(0));
  }

  @Test
  void environmentOverridesYamlAndIsValidatedToo() throws Exception {
    Path p = yaml("http:\n  port: 9000\n");
    assertEquals(9100, ConfigLoader.load(p, Map.of("INTERLUDE_HTTP_PORT", "9100")).http().port());
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigLoader.load(p, Map.of("INTERLUDE_HTTP_PORT", "abc")));
    assertEquals("http.port: must be a whole number, got \"abc\"", e.problems().get(0));
    assertEquals(12, ConfigLoader.load(p, Map.of("INTERLUDE_DATABASE_POOL_SIZE", "12")).database().poolSize());
  }

  @Test
  void unknownKeysAreReportedNotIgnored() throws Exception {
    ConfigException e = fails("http:\n  prot: 8443\n", Map.of());
    assertTrue(e.problems().get(0).startsWith("http.prot: unknown key"), e.getMessage());
  }

  @Test
  void everyProblemIsListed() throws Exception {
    ConfigException e = fails("http:\n  port: 0\ndatabase:\n  pool_size: 0\nidentity:\n  staff_idle_timeout: soon\n", Map.of());
    assertEquals(3, e.problems().size(), e.getMessage());
    assertTrue(e.problems().contains("identity.staff_idle_timeout: must be a duration such as 30s, 15m or 12h, got \"soon\""));
  }

  @Test
  void securityMinimumsCannotBeLowered() throws Exception {
    ConfigException e = fails("identity:\n  argon2:\n    memory_kib: 1024\n  password_min_length: 6\n", Map.of());
    assertTrue(e.problems().contains("identity.argon2.memory_kib: must be 19456-4194304, got 1024"), e.getMessage());
    assertTrue(e.problems().contains("identity.password_min_length: must be 12-128, got 6"), e.getMessage());
  }

  @Test
  void httpOriginsMustBeHttps() throws Exception {
    ConfigException e = fails("http:\n  allowed_origins: [\"http://example.org\"]\n", Map.of());
    assertEquals("http.allowed_origins: must be an https:// URL, got \"http://example.org\"", e.problems().get(0));
  }

  @Test
  void secretsNeverPrint() throws Exception {
    Path p = yaml("database:\n  password: hunter2-very-secret\n");
    InterludeConfig c = ConfigLoader.load(p, Map.of("INTERLUDE_ADMIN_PASSWORD", "admin-secret-value"));
    String printed = c.toString();
    assertFalse(printed.contains("hunter2"), printed);
    assertFalse(printed.contains("admin-secret-value"), printed);
    assertTrue(printed.contains("[REDACTED]"));
    assertEquals("hunter2-very-secret", c.database().password().reveal());
  }

  @Test
  void invalidYamlIsAConfigErrorWithTheLine() throws Exception {
    ConfigException e = fails("http:\n  port: [1\n", Map.of());
    assertTrue(e.getMessage().contains("invalid YAML"), e.getMessage());
  }

  @Test
  void missingFileIsNamed() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigLoader.load(dir.resolve("nope.yaml"), Map.of()));
    assertTrue(e.getMessage().contains("file not found"));
  }

  @Test
  void defaultClusterNameMustNotBeHazelcastDefault() throws Exception {
    ConfigException e = fails("cluster:\n  name: dev\n", Map.of());
    assertTrue(e.getMessage().contains("cluster.name"));
  }
}
