package org.interlude.escalation.screening;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.interlude.escalation.Severity;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs the labelled corpus through the bundled rules, prints the confusion matrix with precision
 * and recall per class, and holds the rules to the clinical targets:
 *
 * <ul>
 *   <li>every CRITICAL message screens HIGH or above (it pages), and at least 90% exactly CRITICAL;
 *   <li>at least 98% of HIGH messages screen HIGH or above;
 *   <li>at most 5% of NONE messages screen HIGH or above (false pages).
 * </ul>
 *
 * <p>The corpus holds synthetic messages written for this test, not client data, so printing the
 * misclassified ones is allowed here.
 */
class ChatScreenerCorpusTest {

  private static List<LabelledCorpus.Outcome> outcomes;

  @BeforeAll
  static void screenCorpus() {
    ChatScreener screener = new ChatScreener(ScreeningRules.bundled());
    outcomes = LabelledCorpus.screen(screener, LabelledCorpus.read("screening/corpus.tsv"));
    System.out.println(LabelledCorpus.report("Chat screening, tuning corpus screening/corpus.tsv", outcomes));
    System.out.println("Misclassified:");
    System.out.println(LabelledCorpus.misses(outcomes));
  }

  @Test
  void corpusIsLargeAndBalancedAsSpecified() {
    int[] counts = new int[Severity.values().length];
    for (LabelledCorpus.Outcome o : outcomes) {
      counts[o.example().label().ordinal()]++;
    }
    int total = outcomes.size();
    assertTrue(total >= 260, "corpus has " + total + " messages, need at least 260");
    assertTrue(counts[Severity.NONE.ordinal()] >= 0.35 * total, "about 40% NONE");
    for (Severity s : new Severity[] {Severity.WATCH, Severity.HIGH, Severity.CRITICAL}) {
      assertTrue(counts[s.ordinal()] >= 0.17 * total, "about 20% " + s);
    }
  }

  @Test
  void everyCriticalPagesAndNinetyPercentAreCritical() {
    int critical = 0;
    int exact = 0;
    StringBuilder missed = new StringBuilder();
    for (LabelledCorpus.Outcome o : outcomes) {
      if (o.example().label() != Severity.CRITICAL) {
        continue;
      }
      critical++;
      Severity got = o.screening().severity();
      if (got == Severity.CRITICAL) {
        exact++;
      }
      if (!got.atLeast(Severity.HIGH)) {
        missed.append("\n  line ").append(o.example().line()).append(": ").append(got).append(' ').append(o.example().text());
      }
    }
    assertTrue(missed.length() == 0, "CRITICAL messages that would not page:" + missed);
    double rate = exact / (double) critical;
    assertTrue(rate >= 0.90, "only " + LabelledCorpus.pct(rate) + " of CRITICAL messages screened exactly CRITICAL");
  }

  @Test
  void highMessagesPage() {
    int high = 0;
    int paged = 0;
    for (LabelledCorpus.Outcome o : outcomes) {
      if (o.example().label() == Severity.HIGH) {
        high++;
        if (o.screening().severity().atLeast(Severity.HIGH)) {
          paged++;
        }
      }
    }
    double rate = paged / (double) high;
    assertTrue(rate >= 0.98, "only " + LabelledCorpus.pct(rate) + " of HIGH messages screened HIGH or above");
  }

  @Test
  void ordinaryMessagesRarelyPage() {
    int none = 0;
    int paged = 0;
    for (LabelledCorpus.Outcome o : outcomes) {
      if (o.example().label() == Severity.NONE) {
        none++;
        if (o.screening().severity().atLeast(Severity.HIGH)) {
          paged++;
        }
      }
    }
    double rate = paged / (double) none;
    assertTrue(rate <= 0.05, LabelledCorpus.pct(rate) + " of NONE messages would page (limit 5%)");
  }
}
