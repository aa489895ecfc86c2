package org.interlude.checkin.instrument;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scores answers to an instrument exactly as the instrument's file publishes: the sum of the scored
 * items (all of which are required, so a total is never prorated), the percentage where the
 * instrument has a multiplier, the band the banded score falls in, per-item values and the derived
 * flags. Answers are validated first; invalid answers are never scored.
 */
public final class Scorer {
  private Scorer() {}

  /**
   * Validates and scores {@code answers} (JSON {@code {"<itemId>": value, …}}) for {@code instrument}.
   *
   * @throws InvalidAnswersException carrying every problem when the answers are not valid
   */
  public static ScoringOutcome score(Instrument instrument, JsonObject answers) {
    List<AnswerProblem> problems = AnswerValidator.validate(instrument, answers);
    if (!problems.isEmpty()) {
      throw new InvalidAnswersException(instrument.id(), problems);
    }
    Map<String, Integer> values = new LinkedHashMap<>();
    Map<String, Integer> flags = new LinkedHashMap<>();
    Map<String, String> freeText = new LinkedHashMap<>();
    int sum = 0;
    for (Item item : instrument.items()) {
      Object raw = answers.getValue(item.id());
      if (raw == null || (raw instanceof String s && s.isBlank())) {
        continue;
      }
      if (item.type() == ItemType.TEXT) {
        freeText.put(item.id(), (String) raw);
        continue;
      }
      int value = item.type() == ItemType.BOOLEAN
          ? ((Boolean) raw ? 1 : 0)
          : AnswerValidator.integral(raw).orElseThrow();
      values.put(item.id(), value);
      if (item.flag() != null) {
        flags.put(item.flag(), value);
      }
      if (item.scored()) {
        sum += value;
      }
    }
    Scoring scoring = instrument.scoring();
    ScoredResult result;
    if (scoring == null) {
      result = new ScoredResult(instrument.id(), instrument.version(), null, null, null, null, values,
          flags);
    } else {
      Band band = scoring.bandFor(sum).orElseThrow(() -> new IllegalStateException(
          "no band for a valid total of " + instrument.id() + "; the loader checks coverage"));
      result = new ScoredResult(instrument.id(), instrument.version(), sum,
          scoring.percentageOf(sum), band.id(), band.label(), values, flags);
    }
    return new ScoringOutcome(result, freeText);
  }
}
