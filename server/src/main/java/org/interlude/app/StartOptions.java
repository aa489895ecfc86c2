package org.interlude.app;

/**
 * How the process was asked to start, beyond configuration: {@code demo} seeds the demo clinic
 * (insecure by design, announced loudly).
 */
public record StartOptions(boolean demo) {
  public static StartOptions defaults() {
    return new StartOptions(false);
  }
}
