package org.interlude.checkin;

import io.vertx.core.json.JsonObject;

/** Valid answers for the bundled instruments; tests change single items. */
final class TestAnswers {
  private TestAnswers() {}

  static JsonObject phq9(int item9, int eachOther) {
    JsonObject a = new JsonObject();
    for (int i = 1; i <= 8; i++) {
      a.put("q" + i, eachOther);
    }
    return a.put("q9", item9);
  }

  static JsonObject gad7(int each) {
    JsonObject a = new JsonObject();
    for (int i = 1; i <= 7; i++) {
      a.put("q" + i, each);
    }
    return a;
  }

  static JsonObject who5(int each) {
    JsonObject a = new JsonObject();
    for (int i = 1; i <= 5; i++) {
      a.put("q" + i, each);
    }
    return a;
  }

  static JsonObject pulse(int mood, boolean thoughts) {
    return new JsonObject().put("mood", mood).put("thoughts", thoughts);
  }

  static JsonObject postDose() {
    return new JsonObject()
        .put("homeSafely", true).put("withWhom", 1).put("nausea", 0).put("dizziness", 0)
        .put("unreal", 0).put("drowsiness", 0).put("anxiety", 0).put("chestPain", false)
        .put("urinaryPain", false).put("drove", false);
  }

  static JsonObject journal(String text) {
    return new JsonObject().put("entry", text);
  }

  /** Some valid answers to {@code instrumentId}. */
  static JsonObject valid(String instrumentId) {
    return switch (instrumentId) {
      case "phq9" -> phq9(0, 1);
      case "gad7" -> gad7(1);
      case "who5" -> who5(3);
      case "pulse" -> pulse(6, false);
      case "postdose" -> postDose();
      case "journal" -> journal("A calm week.");
      default -> throw new IllegalArgumentException(instrumentId);
    };
  }
}
