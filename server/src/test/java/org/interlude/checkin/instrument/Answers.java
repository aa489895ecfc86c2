package org.interlude.checkin.instrument;

import io.vertx.core.json.JsonObject;

/** Test helpers that build answer sets. */
final class Answers {
  static final InstrumentCatalog CATALOG = InstrumentCatalog.loadBundled();

  private Answers() {}

  /** Answers to every scored item of {@code instrumentId} whose values sum to {@code total}. */
  static JsonObject summingTo(String instrumentId, int total) {
    Instrument instrument = CATALOG.requireLatest(instrumentId);
    JsonObject answers = new JsonObject();
    int remaining = total;
    for (Item item : instrument.scoredItems()) {
      int value = Math.min(remaining, item.highestValue());
      answers.put(item.id(), value);
      remaining -= value;
    }
    if (remaining != 0) {
      throw new IllegalArgumentException(total + " is beyond the maximum of " + instrumentId);
    }
    return answers;
  }

  /** PHQ-9 answers with item 9 = {@code item9} and the other items summing to {@code rest}. */
  static JsonObject phq9(int item9, int rest) {
    JsonObject answers = summingTo("phq9", rest);
    if (answers.getInteger("q9") != 0) {
      throw new IllegalArgumentException("rest must fit items 1-8 (at most 24)");
    }
    return answers.put("q9", item9);
  }

  /** A complete post-dose check with no symptoms; tests change single items. */
  static JsonObject quietPostDose() {
    return new JsonObject()
        .put("homeSafely", true).put("withWhom", 1).put("nausea", 0).put("dizziness", 0)
        .put("unreal", 0).put("drowsiness", 0).put("anxiety", 0).put("chestPain", false)
        .put("urinaryPain", false).put("drove", false);
  }

  /** Scores {@code answers} against the latest version of {@code instrumentId}. */
  static ScoredResult score(String instrumentId, JsonObject answers) {
    return Scorer.score(CATALOG.requireLatest(instrumentId), answers).result();
  }
}
