package org.interlude.checkin.instrument;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AnswerValidatorTest {

  private static List<AnswerProblem> validate(String instrumentId, JsonObject answers) {
    return AnswerValidator.validate(Answers.CATALOG.requireLatest(instrumentId), answers);
  }

  static Stream<Arguments> singleProblems() {
    return Stream.of(
        Arguments.of("phq9", (UnaryOperator<JsonObject>) a -> a.put("q10", 1), "q10", AnswerProblem.UNKNOWN_ITEM),
        Arguments.of("phq9", (UnaryOperator<JsonObject>) a -> { a.remove("q9"); return a; }, "q9", AnswerProblem.MISSING_ITEM),
        Arguments.of("phq9", (UnaryOperator<JsonObject>) a -> a.putNull("q3"), "q3", AnswerProblem.MISSING_ITEM),
        Arguments.of("phq9", (UnaryOperator<JsonObject>) a -> a.put("q2", "2"), "q2", AnswerProblem.WRONG_TYPE),
        Arguments.of("phq9", (UnaryOperator<JsonObject>) a -> a.put("q2", true), "q2", AnswerProblem.WRONG_TYPE),
        Arguments.of("phq9", (UnaryOperator<JsonObject>) a -> a.put("q2", 1.5), "q2", AnswerProblem.WRONG_TYPE),
        Arguments.of("phq9", (UnaryOperator<JsonObject>) a -> a.put("q4", 4), "q4", AnswerProblem.NOT_AN_OPTION),
        Arguments.of("phq9", (UnaryOperator<JsonObject>) a -> a.put("q4", -1), "q4", AnswerProblem.NOT_AN_OPTION),
        Arguments.of("phq9", (UnaryOperator<JsonObject>) a -> a.put("q4", 1e12), "q4", AnswerProblem.OUT_OF_RANGE),
        Arguments.of("phq9", (UnaryOperator<JsonObject>) a -> a.put("difficulty", 7), "difficulty", AnswerProblem.NOT_AN_OPTION),
        Arguments.of("phq9", (UnaryOperator<JsonObject>) a -> a.put("q1", new JsonArray().add(1).add(2)), "q1", AnswerProblem.WRONG_COUNT),
        Arguments.of("phq9", (UnaryOperator<JsonObject>) a -> a.put("q1", new JsonObject()), "q1", AnswerProblem.WRONG_TYPE),
        Arguments.of("pulse", (UnaryOperator<JsonObject>) a -> a.put("mood", 11), "mood", AnswerProblem.OUT_OF_RANGE),
        Arguments.of("pulse", (UnaryOperator<JsonObject>) a -> a.put("mood", -1), "mood", AnswerProblem.OUT_OF_RANGE),
        Arguments.of("pulse", (UnaryOperator<JsonObject>) a -> a.put("thoughts", "yes"), "thoughts", AnswerProblem.WRONG_TYPE),
        Arguments.of("pulse", (UnaryOperator<JsonObject>) a -> a.put("thoughts", 1), "thoughts", AnswerProblem.WRONG_TYPE),
        Arguments.of("journal", (UnaryOperator<JsonObject>) a -> a.put("entry", "x".repeat(4001)), "entry", AnswerProblem.TOO_LONG),
        Arguments.of("journal", (UnaryOperator<JsonObject>) a -> a.put("entry", "   "), "entry", AnswerProblem.MISSING_ITEM),
        Arguments.of("journal", (UnaryOperator<JsonObject>) a -> a.put("entry", 42), "entry", AnswerProblem.WRONG_TYPE),
        Arguments.of("postdose", (UnaryOperator<JsonObject>) a -> a.put("withWhom", 4), "withWhom", AnswerProblem.NOT_AN_OPTION),
        Arguments.of("postdose", (UnaryOperator<JsonObject>) a -> a.put("chestPain", "no"), "chestPain", AnswerProblem.WRONG_TYPE));
  }

  private static JsonObject valid(String instrumentId) {
    return switch (instrumentId) {
      case "phq9" -> Answers.summingTo("phq9", 6);
      case "pulse" -> new JsonObject().put("mood", 5).put("thoughts", false);
      case "journal" -> new JsonObject().put("entry", "A calm week.");
      case "postdose" -> Answers.quietPostDose();
      default -> throw new IllegalArgumentException(instrumentId);
    };
  }

  @ParameterizedTest(name = "{0}: {3} on {2}")
  @MethodSource("singleProblems")
  void eachProblemHasItsCodeAndNamesTheItem(String instrumentId, UnaryOperator<JsonObject> change,
      String itemId, String code) {
    assertTrue(validate(instrumentId, valid(instrumentId)).isEmpty(), "baseline must be valid");
    List<AnswerProblem> problems = validate(instrumentId, change.apply(valid(instrumentId)));
    assertEquals(1, problems.size(), problems::toString);
    assertEquals(itemId, problems.get(0).itemId());
    assertEquals(code, problems.get(0).code());
    assertFalse(problems.get(0).message().isBlank());
  }

  @Test
  void textExactlyAtTheLimitIsAccepted() {
    assertTrue(validate("journal", new JsonObject().put("entry", "x".repeat(4000))).isEmpty());
  }

  @Test
  void allProblemsAreReportedInItemOrderWithUnknownKeysLast() {
    JsonObject answers = new JsonObject().put("zzz", 1).put("mood", "high").put("aaa", 2);
    List<AnswerProblem> problems = validate("pulse", answers);
    assertEquals(List.of("mood", "thoughts", "aaa", "zzz"), problems.stream().map(AnswerProblem::itemId).toList());
    assertEquals(List.of(AnswerProblem.WRONG_TYPE, AnswerProblem.MISSING_ITEM, AnswerProblem.UNKNOWN_ITEM,
        AnswerProblem.UNKNOWN_ITEM), problems.stream().map(AnswerProblem::code).toList());
  }

  @Test
  void optionalItemsMayBeLeftOut() {
    assertTrue(validate("phq9", Answers.summingTo("phq9", 3)).isEmpty());
    assertTrue(validate("phq9", Answers.summingTo("phq9", 3).putNull("difficulty")).isEmpty());
  }

  @Test
  void messagesNeverRepeatSubmittedText() {
    String secret = "my secret plan";
    List<AnswerProblem> problems = validate("pulse", new JsonObject().put("mood", secret).put("thoughts", secret));
    assertEquals(2, problems.size());
    assertTrue(problems.stream().noneMatch(p -> p.message().contains("secret")));
    List<AnswerProblem> tooLong = validate("journal", new JsonObject().put("entry", secret.repeat(400)));
    assertTrue(tooLong.stream().noneMatch(p -> p.message().contains("secret")));
  }

  @Test
  void hostileItemIdsAreShortened() {
    List<AnswerProblem> problems = validate("pulse", valid("pulse").put("k".repeat(500), 1));
    assertEquals(AnswerProblem.MAX_ITEM_ID_LENGTH, problems.get(0).itemId().length());
  }
}
