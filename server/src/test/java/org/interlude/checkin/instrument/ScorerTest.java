package org.interlude.checkin.instrument;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ScorerTest {

  @ParameterizedTest(name = "{0} total {1} -> {2}")
  @CsvSource({
    // PHQ-9 (Kroenke 2001): min, both sides of every cut point, max
    "phq9, 0, minimal, Minimal",
    "phq9, 4, minimal, Minimal",
    "phq9, 5, mild, Mild",
    "phq9, 9, mild, Mild",
    "phq9, 10, moderate, Moderate",
    "phq9, 14, moderate, Moderate",
    "phq9, 15, moderately_severe, Moderately severe",
    "phq9, 19, moderately_severe, Moderately severe",
    "phq9, 20, severe, Severe",
    "phq9, 27, severe, Severe",
    // GAD-7 (Spitzer 2006)
    "gad7, 0, minimal, Minimal",
    "gad7, 4, minimal, Minimal",
    "gad7, 5, mild, Mild",
    "gad7, 9, mild, Mild",
    "gad7, 10, moderate, Moderate",
    "gad7, 14, moderate, Moderate",
    "gad7, 15, severe, Severe",
    "gad7, 21, severe, Severe",
    // PCL-5: probable PTSD at 33 and above
    "pcl5, 0, below_threshold, Below the probable-PTSD cut-point",
    "pcl5, 31, below_threshold, Below the probable-PTSD cut-point",
    "pcl5, 32, below_threshold, Below the probable-PTSD cut-point",
    "pcl5, 33, probable_ptsd, Probable PTSD",
    "pcl5, 80, probable_ptsd, Probable PTSD",
  })
  void totalsFallInThePublishedBands(String instrument, int total, String bandId, String label) {
    ScoredResult result = Answers.score(instrument, Answers.summingTo(instrument, total));
    assertEquals(total, result.total());
    assertEquals(bandId, result.bandId());
    assertEquals(label, result.bandLabel());
    assertNull(result.percentage());
  }

  @ParameterizedTest(name = "WHO-5 raw {0} -> {1}% {2}")
  @CsvSource({
    "0, 0, likely_depression",
    "7, 28, likely_depression",
    "8, 32, poor_wellbeing",
    "12, 48, poor_wellbeing",
    "13, 52, adequate_wellbeing",
    "25, 100, adequate_wellbeing",
  })
  void who5IsMultipliedByFourAndBandedOnThePercentage(int raw, int percentage, String bandId) {
    ScoredResult result = Answers.score("who5", Answers.summingTo("who5", raw));
    assertEquals(raw, result.total());
    assertEquals(percentage, result.percentage());
    assertEquals(bandId, result.bandId());
  }

  @Test
  void who5BandsCoverEveryRawScoreExactlyOnce() {
    Scoring scoring = Answers.CATALOG.requireLatest("who5").scoring();
    for (int raw = 0; raw <= 25; raw++) {
      int p = raw * 4;
      String expected = p <= 28 ? "likely_depression" : p <= 50 ? "poor_wellbeing" : "adequate_wellbeing";
      assertEquals(expected, scoring.bandFor(raw).orElseThrow().id(), "raw " + raw);
    }
  }

  @Test
  void phq9DifficultyIsKeptButNotScored() {
    JsonObject answers = Answers.summingTo("phq9", 12).put("difficulty", 3);
    ScoredResult result = Answers.score("phq9", answers);
    assertEquals(12, result.total());
    assertEquals(3, result.item("difficulty").getAsInt());
    ScoredResult without = Answers.score("phq9", Answers.summingTo("phq9", 12));
    assertTrue(without.item("difficulty").isEmpty());
  }

  @Test
  void phq9ItemValuesAndItem9FlagAreReported() {
    ScoredResult result = Answers.score("phq9", Answers.phq9(2, 7));
    assertEquals(9, result.total());
    assertEquals(2, result.flag("phq9.item9").getAsInt());
    assertEquals(9, result.itemValues().size());
    assertEquals(List.of("q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "q9"),
        List.copyOf(result.itemValues().keySet()));
  }

  @Test
  void postDoseFlagsHoldYesNoAsOneZeroAndSymptomGrades() {
    JsonObject answers = Answers.quietPostDose().put("chestPain", true).put("unreal", 2).put("drove", true);
    ScoredResult result = Answers.score("postdose", answers);
    assertNull(result.total());
    assertNull(result.bandId());
    assertEquals(Map.of("postdose.unreal", 2, "postdose.chestPain", 1, "postdose.drove", 1), result.flags());
    assertEquals(1, result.item("homeSafely").getAsInt());
    assertEquals(0, result.item("urinaryPain").getAsInt());
  }

  @Test
  void pulseFlagsThoughts() {
    ScoredResult yes = Answers.score("pulse", new JsonObject().put("mood", 3).put("thoughts", true));
    assertEquals(1, yes.flag("pulse.thoughts").getAsInt());
    assertEquals(3, yes.item("mood").getAsInt());
    ScoredResult no = Answers.score("pulse", new JsonObject().put("mood", 10).put("thoughts", false));
    assertEquals(0, no.flag("pulse.thoughts").getAsInt());
  }

  @Test
  void freeTextIsReturnedApartFromTheResultAndNeverPrinted() {
    String secret = "I keep thinking about my brother";
    ScoringOutcome outcome = Scorer.score(Answers.CATALOG.requireLatest("journal"),
        new JsonObject().put("entry", secret));
    assertEquals(Map.of("entry", secret), outcome.freeText());
    assertTrue(outcome.result().itemValues().isEmpty());
    assertFalse(outcome.toString().contains("brother"));
    assertFalse(outcome.result().toJson().encode().contains("brother"));
  }

  @Test
  void resultToStringLeavesOutAnswers() {
    ScoredResult result = Answers.score("phq9", Answers.phq9(3, 0));
    assertFalse(result.toString().contains("item9"));
    assertFalse(result.toString().contains("q1="));
    assertTrue(result.toString().contains("total=3"));
  }

  @Test
  void resultsRoundTripThroughJson() {
    ScoredResult result = Answers.score("who5", Answers.summingTo("who5", 11));
    assertEquals(result, ScoredResult.fromJson(result.toJson()));
    ScoredResult unscored = Answers.score("postdose", Answers.quietPostDose().put("chestPain", true));
    assertEquals(unscored, ScoredResult.fromJson(unscored.toJson()));
  }

  @Test
  void integralNumbersWrittenWithAFractionAreAccepted() {
    JsonObject answers = new JsonObject("{\"mood\": 4.0, \"thoughts\": false}");
    assertEquals(4, Answers.score("pulse", answers).item("mood").getAsInt());
  }

  @Test
  void invalidAnswersAreNeverScored() {
    InvalidAnswersException e = assertThrows(InvalidAnswersException.class,
        () -> Answers.score("phq9", new JsonObject().put("q1", 1)));
    assertEquals(8, e.problems().size());
    assertTrue(e.problems().stream().allMatch(p -> p.code().equals(AnswerProblem.MISSING_ITEM)));
  }
}
