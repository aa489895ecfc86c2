package org.interlude.bench;

/** Progress lines on stderr, stamped with the seconds since the run began. */
final class Progress {
  private final long start = System.nanoTime();

  void say(String line) {
    System.err.printf("[bench %5.0fs] %s%n", (System.nanoTime() - start) / 1e9, line);
  }
}
