package org.interlude.escalation.screening;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.interlude.escalation.Severity;
import org.junit.jupiter.api.Test;

/**
 * Screens the held-out messages ({@code screening/holdout.tsv}), which the rules are not tuned
 * against, and prints the same report as the corpus test: an estimate of how the rules do on
 * phrasing they have not seen.
 *
 * <p>The tuning targets are not asserted here, because tuning until this file passes would turn it
 * into a second tuning corpus. Only the safety floor is asserted: no held-out CRITICAL or HIGH
 * message may be screened NONE, i.e. disappear without even reaching the therapist's queue.
 */
class ChatScreenerHoldoutTest {

  @Test
  void heldOutMessagesNeverVanish() {
    ChatScreener screener = new ChatScreener(ScreeningRules.bundled());
    List<LabelledCorpus.Outcome> outcomes =
        LabelledCorpus.screen(screener, LabelledCorpus.read("screening/holdout.tsv"));
    System.out.println(LabelledCorpus.report("Chat screening, held-out set screening/holdout.tsv", outcomes));
    System.out.println("Misclassified:");
    System.out.println(LabelledCorpus.misses(outcomes));

    StringBuilder vanished = new StringBuilder();
    for (LabelledCorpus.Outcome o : outcomes) {
      if (o.example().label().atLeast(Severity.HIGH) && o.screening().severity() == Severity.NONE) {
        vanished.append("\n  line ").append(o.example().line()).append(": ").append(o.example().text());
      }
    }
    assertTrue(vanished.length() == 0, "held-out risk messages screened NONE:" + vanished);
  }
}
