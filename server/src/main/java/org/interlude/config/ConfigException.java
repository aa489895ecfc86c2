package org.interlude.config;

import java.util.List;

/**
 * Thrown when configuration is invalid. Carries every problem found, each naming its key and the
 * reason (for example {@code http.port: must be 1-65535, got 70000}), so an operator can fix them
 * all in one go. Never contains secret values.
 */
public final class ConfigException extends RuntimeException {
  private final List<String> problems;

  public ConfigException(List<String> problems) {
    super(String.join("\n", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
