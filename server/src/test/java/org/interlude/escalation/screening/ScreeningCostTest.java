package org.interlude.escalation.screening;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Measures what screening costs per message over the corpus and prints mean, median, p99 and max
 * microseconds after warm-up. A measurement, not a timed assertion: build machines vary too much
 * for a time limit to mean anything, and a flaky limit would teach people to ignore this test.
 */
class ScreeningCostTest {

  private static final int WARM_UP_ROUNDS = 200;
  private static final int MEASURED_ROUNDS = 50;

  @Test
  void printCostPerMessage() {
    ChatScreener screener = new ChatScreener(ScreeningRules.bundled());
    List<LabelledCorpus.Example> corpus = LabelledCorpus.read("screening/corpus.tsv");
    String[] messages = corpus.stream().map(LabelledCorpus.Example::text).toArray(String[]::new);

    long sink = 0;
    for (int r = 0; r < WARM_UP_ROUNDS; r++) {
      for (String m : messages) {
        sink += screener.screen(m).findings().size();
      }
    }
    long[] nanos = new long[messages.length * MEASURED_ROUNDS];
    int i = 0;
    long totalChars = 0;
    for (int r = 0; r < MEASURED_ROUNDS; r++) {
      for (String m : messages) {
        long t0 = System.nanoTime();
        sink += screener.screen(m).findings().size();
        nanos[i++] = System.nanoTime() - t0;
        totalChars += m.length();
      }
    }
    Arrays.sort(nanos);
    double mean = Arrays.stream(nanos).average().orElse(0) / 1000.0;
    double p50 = nanos[nanos.length / 2] / 1000.0;
    double p99 = nanos[(int) Math.floor(nanos.length * 0.99)] / 1000.0;
    double max = nanos[nanos.length - 1] / 1000.0;

    String longMessage = "I had a long day at work and the session brought up a lot about my dad. ".repeat(7);
    for (int r = 0; r < 2000; r++) {
      sink += screener.screen(longMessage).findings().size();
    }
    long t0 = System.nanoTime();
    for (int r = 0; r < 2000; r++) {
      sink += screener.screen(longMessage).findings().size();
    }
    double longMean = (System.nanoTime() - t0) / 2000.0 / 1000.0;

    System.out.printf(
        "Screening cost over %d corpus messages x %d rounds (mean length %.0f chars), single thread:%n"
            + "  mean %.1f us, median %.1f us, p99 %.1f us, max %.1f us%n"
            + "  a %d-character message: mean %.1f us%n",
        messages.length, MEASURED_ROUNDS, totalChars / (double) nanos.length, mean, p50, p99, max,
        longMessage.length(), longMean);
    assertEquals(messages.length * MEASURED_ROUNDS, nanos.length);
    if (sink == 42) {
      System.out.println(); // keeps the JIT from discarding the work
    }
  }
}
