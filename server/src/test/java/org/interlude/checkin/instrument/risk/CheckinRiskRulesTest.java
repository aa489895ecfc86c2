package org.interlude.checkin.instrument.risk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.interlude.checkin.instrument.InstrumentCatalog;
import org.interlude.checkin.instrument.ScoredResult;
import org.interlude.checkin.instrument.Scorer;
import org.interlude.escalation.Severity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CheckinRiskRulesTest {
  private static final InstrumentCatalog CATALOG = InstrumentCatalog.loadBundled();
  private static final CheckinRiskRules RULES = CheckinRiskRules.withDefaults();

  private static ScoredResult score(String id, JsonObject answers) {
    return Scorer.score(CATALOG.requireLatest(id), answers).result();
  }

  /** PHQ-9 with item 9 = {@code item9} and items 1–8 summing to {@code rest}. */
  private static ScoredResult phq9(int item9, int rest) {
    JsonObject answers = new JsonObject();
    int remaining = rest;
    for (int i = 1; i <= 8; i++) {
      int v = Math.min(3, remaining);
      answers.put("q" + i, v);
      remaining -= v;
    }
    return score("phq9", answers.put("q9", item9));
  }

  private static ScoredResult postDose(Map<String, Object> changes) {
    JsonObject answers = new JsonObject()
        .put("homeSafely", true).put("withWhom", 1).put("nausea", 0).put("dizziness", 0)
        .put("unreal", 0).put("drowsiness", 0).put("anxiety", 0).put("chestPain", false)
        .put("urinaryPain", false).put("drove", false);
    changes.forEach(answers::put);
    return score("postdose", answers);
  }

  private static ScoredResult pulse(boolean thoughts) {
    return score("pulse", new JsonObject().put("mood", 5).put("thoughts", thoughts));
  }

  private static List<String> ruleIds(List<RiskSignal> signals) {
    return signals.stream().map(RiskSignal::ruleId).toList();
  }

  @ParameterizedTest(name = "item 9 = {0}, previous {1} -> {2} {3}")
  @CsvSource(nullValues = "none", value = {
    "0, none, none, none",
    "0, 2, none, none",
    "1, none, HIGH, phq9.item9.newOrRising",
    "1, 0, HIGH, phq9.item9.newOrRising",
    "1, 1, WATCH, phq9.item9.persisting",
    "1, 2, WATCH, phq9.item9.persisting",
    "1, 3, WATCH, phq9.item9.persisting",
    "2, none, HIGH, phq9.item9.high",
    "2, 2, HIGH, phq9.item9.high",
    "2, 3, HIGH, phq9.item9.high",
    "3, none, HIGH, phq9.item9.high",
    "3, 0, HIGH, phq9.item9.high",
  })
  void item9Routing(int item9, Integer previousItem9, Severity severity, String ruleId) {
    ScoredResult previous = previousItem9 == null ? null : phq9(previousItem9, 0);
    List<RiskSignal> signals = RULES.evaluate(phq9(item9, 0), RiskContext.none().withPrevious(previous));
    if (severity == null) {
      assertEquals(List.of(), signals);
      return;
    }
    assertEquals(1, signals.size(), signals::toString);
    assertEquals(severity, signals.get(0).severity());
    assertEquals(ruleId, signals.get(0).ruleId());
    assertTrue(signals.get(0).reason().startsWith("PHQ-9 item 9 = " + item9), signals.get(0).reason());
  }

  @Test
  void item9RisingFromOneToTwoUnderATunedHighThresholdIsHigh() {
    CheckinRiskRules strict = new CheckinRiskRules(new RiskThresholds(3, 1, 20, 15, 5, 15, 7, 24, 1,
        Set.of("pulse", "postdose")));
    List<RiskSignal> rising = strict.evaluate(phq9(2, 0), RiskContext.none().withPrevious(phq9(1, 0)));
    assertEquals(List.of(CheckinRiskRules.PHQ9_ITEM9_NEW_OR_RISING), ruleIds(rising));
    assertTrue(rising.get(0).reason().contains("rising (previous 1)"));
    List<RiskSignal> stable = strict.evaluate(phq9(2, 0), RiskContext.none().withPrevious(phq9(2, 0)));
    assertEquals(Severity.WATCH, stable.get(0).severity());
  }

  @Test
  void item9ReasonExplainsNewness() {
    assertEquals("PHQ-9 item 9 = 1, new (no previous PHQ-9)",
        RULES.evaluate(phq9(1, 0), RiskContext.none()).get(0).reason());
    assertEquals("PHQ-9 item 9 = 2", RULES.evaluate(phq9(2, 0), RiskContext.none()).get(0).reason());
  }

  @ParameterizedTest(name = "PHQ-9 total {0} -> {1}")
  @CsvSource(nullValues = "none", value = {
    "0, none, none",
    "14, none, none",
    "15, WATCH, phq9.total.watch",
    "19, WATCH, phq9.total.watch",
    "20, HIGH, phq9.total.high",
    "24, HIGH, phq9.total.high",
  })
  void phq9Totals(int total, Severity severity, String ruleId) {
    List<RiskSignal> signals = RULES.evaluate(phq9(0, total), RiskContext.none());
    if (severity == null) {
      assertEquals(List.of(), signals);
    } else {
      assertEquals(List.of(new RiskSignal(severity, ruleId, "PHQ-9 total = " + total)), signals);
    }
  }

  @Test
  void phq9SevereWithItem9ReportsBothMostSevereFirst() {
    List<RiskSignal> signals = RULES.evaluate(phq9(1, 14), RiskContext.none().withPrevious(phq9(0, 3)));
    assertEquals(List.of(CheckinRiskRules.PHQ9_ITEM9_NEW_OR_RISING, CheckinRiskRules.PHQ9_TOTAL_WATCH,
        CheckinRiskRules.PHQ9_RISE), ruleIds(signals));
    assertEquals("PHQ-9 total rose by 12 (3 to 15)", signals.get(2).reason());
  }

  @ParameterizedTest(name = "PHQ-9 {0} -> {1}: rise rule {2}")
  @CsvSource({"5, 9, false", "5, 10, true", "10, 14, false", "2, 12, true", "12, 2, false"})
  void phq9RiseOfFiveIsWatch(int before, int now, boolean fires) {
    List<RiskSignal> signals = RULES.evaluate(phq9(0, now), RiskContext.none().withPrevious(phq9(0, before)));
    assertEquals(fires, ruleIds(signals).contains(CheckinRiskRules.PHQ9_RISE), signals::toString);
    signals.stream().filter(s -> s.ruleId().equals(CheckinRiskRules.PHQ9_RISE))
        .forEach(s -> assertEquals(Severity.WATCH, s.severity()));
  }

  @ParameterizedTest(name = "GAD-7 {0} -> watch {1}")
  @CsvSource({"0, false", "14, false", "15, true", "21, true"})
  void gad7SevereIsWatch(int total, boolean fires) {
    JsonObject answers = new JsonObject();
    int remaining = total;
    for (int i = 1; i <= 7; i++) {
      int v = Math.min(3, remaining);
      answers.put("q" + i, v);
      remaining -= v;
    }
    List<RiskSignal> signals = RULES.evaluate(score("gad7", answers), RiskContext.none());
    assertEquals(fires ? List.of(new RiskSignal(Severity.WATCH, CheckinRiskRules.GAD7_TOTAL_WATCH,
        "GAD-7 total = " + total)) : List.of(), signals);
  }

  @ParameterizedTest(name = "WHO-5 raw {0} -> watch {1}")
  @CsvSource({"0, true", "7, true", "8, false", "12, false", "25, false"})
  void who5LowIsWatch(int raw, boolean fires) {
    JsonObject answers = new JsonObject();
    int remaining = raw;
    for (int i = 1; i <= 5; i++) {
      int v = Math.min(5, remaining);
      answers.put("q" + i, v);
      remaining -= v;
    }
    List<RiskSignal> signals = RULES.evaluate(score("who5", answers), RiskContext.none());
    assertEquals(fires ? List.of(new RiskSignal(Severity.WATCH, CheckinRiskRules.WHO5_LOW,
        "WHO-5 raw = " + raw + " (" + raw * 4 + " of 100)")) : List.of(), signals);
  }

  @Test
  void pulseYesIsHighAndNoIsNothing() {
    assertEquals(List.of(new RiskSignal(Severity.HIGH, CheckinRiskRules.PULSE_THOUGHTS,
        "Safety pulse: thoughts of being better off dead or of self-harm = yes")),
        RULES.evaluate(pulse(true), RiskContext.none()));
    assertEquals(List.of(), RULES.evaluate(pulse(false), RiskContext.none()));
  }

  @Test
  void chestPainIsCriticalAndTellsTheClientToCallTheEmergencyNumber() {
    List<RiskSignal> signals = RULES.evaluate(postDose(Map.of("chestPain", true)),
        new RiskContext(null, false, 3.0, true, false));
    assertEquals(1, signals.size());
    RiskSignal signal = signals.get(0);
    assertEquals(Severity.CRITICAL, signal.severity());
    assertEquals(CheckinRiskRules.POSTDOSE_CHEST_PAIN, signal.ruleId());
    assertEquals(RiskSignal.ClientAction.CALL_EMERGENCY_NUMBER_NOW, signal.clientAction());
    assertTrue(signal.reason().contains("emergency number"));
  }

  @ParameterizedTest(name = "unreal {0} at {1} h (later report {2}) -> {3}")
  @CsvSource(nullValues = "none", value = {
    "0, 30.0, false, false",
    "0, 30.0, true, false",
    "1, 3.0, false, false",
    "3, 24.0, false, false",
    "1, 24.5, false, true",
    "2, 30.0, false, true",
    "1, none, false, false",
    "2, 20.0, true, true",
  })
  void dissociationBeyond24HoursIsHigh(int unreal, Double hours, boolean laterReport, boolean fires) {
    List<RiskSignal> signals = RULES.evaluate(postDose(Map.of("unreal", unreal)),
        new RiskContext(null, false, hours, false, laterReport));
    assertEquals(fires ? List.of(CheckinRiskRules.POSTDOSE_DISSOCIATION) : List.of(), ruleIds(signals));
    signals.forEach(s -> assertEquals(Severity.HIGH, s.severity()));
  }

  @Test
  void dissociationReasonStatesGradeAndHours() {
    RiskSignal signal = RULES.evaluate(postDose(Map.of("unreal", 2)),
        new RiskContext(null, false, 30.7, false, false)).get(0);
    assertEquals("Post-dose: still feeling unreal = grade 2 of 3, 30 h after the dose", signal.reason());
  }

  @ParameterizedTest(name = "drove {0} on dosing day {1} -> {2}")
  @CsvSource({"true, true, true", "true, false, false", "false, true, false"})
  void drivingOnADosingDayIsHigh(boolean drove, boolean dosingDay, boolean fires) {
    List<RiskSignal> signals = RULES.evaluate(postDose(Map.of("drove", drove)),
        new RiskContext(null, false, 3.0, dosingDay, false));
    assertEquals(fires ? List.of(new RiskSignal(Severity.HIGH, CheckinRiskRules.POSTDOSE_DROVE,
        "Post-dose: drove on a dosing day = yes")) : List.of(), signals);
  }

  @Test
  void severalPostDoseSignalsComeMostSevereFirst() {
    List<RiskSignal> signals = RULES.evaluate(
        postDose(Map.of("drove", true, "chestPain", true, "unreal", 1)),
        new RiskContext(null, false, 26.0, true, false));
    assertEquals(List.of(Severity.CRITICAL, Severity.HIGH, Severity.HIGH),
        signals.stream().map(RiskSignal::severity).toList());
  }

  @Test
  void quietPostDoseRaisesNothing() {
    assertEquals(List.of(), RULES.evaluate(postDose(Map.of()), new RiskContext(null, true, 3.0, true, false)));
  }

  @ParameterizedTest(name = "missed {0}, HIGH in 7 days {1} -> {2}")
  @CsvSource(nullValues = "none", value = {
    "pulse, false, WATCH, checkin.missed",
    "pulse, true, HIGH, checkin.missedAfterHigh",
    "postdose, false, WATCH, checkin.missed",
    "postdose, true, HIGH, checkin.missedAfterHigh",
    "phq9, false, none, none",
    "phq9, true, none, none",
    "journal, true, none, none",
  })
  void missedCheckins(String instrumentId, boolean highInLast7Days, Severity severity, String ruleId) {
    var signal = RULES.missedCheckin(instrumentId, highInLast7Days);
    if (severity == null) {
      assertTrue(signal.isEmpty());
      return;
    }
    assertEquals(severity, signal.orElseThrow().severity());
    assertEquals(ruleId, signal.orElseThrow().ruleId());
    assertTrue(signal.orElseThrow().reason().contains(instrumentId));
    assertEquals(signal, RULES.missedCheckin(instrumentId, new RiskContext(null, highInLast7Days, null, false, false)));
  }

  @Test
  void tunedThresholdsApply() {
    CheckinRiskRules tuned = new CheckinRiskRules(new RiskThresholds(2, 1, 18, 12, 3, 10, 10, 12, 2,
        Set.of("pulse")));
    assertEquals(List.of(CheckinRiskRules.PHQ9_TOTAL_WATCH), ruleIds(tuned.evaluate(phq9(0, 12), RiskContext.none())));
    assertEquals(List.of(CheckinRiskRules.PHQ9_TOTAL_HIGH), ruleIds(tuned.evaluate(phq9(0, 18), RiskContext.none())));
    assertEquals(List.of(), ruleIds(tuned.evaluate(postDose(Map.of("unreal", 1)),
        new RiskContext(null, false, 13.0, false, false))));
    assertEquals(List.of(CheckinRiskRules.POSTDOSE_DISSOCIATION), ruleIds(tuned.evaluate(postDose(Map.of("unreal", 2)),
        new RiskContext(null, false, 13.0, false, false))));
    assertTrue(tuned.missedCheckin("postdose", true).isEmpty());
  }

  @Test
  void thresholdsOutsideTheInstrumentRangeAreRejected() {
    assertThrows(IllegalArgumentException.class,
        () -> new RiskThresholds(4, 1, 20, 15, 5, 15, 7, 24, 1, Set.of()));
    assertThrows(IllegalArgumentException.class,
        () -> new RiskThresholds(2, 1, 14, 15, 5, 15, 7, 24, 1, Set.of()));
    assertThrows(IllegalArgumentException.class,
        () -> new RiskThresholds(2, 1, 20, 15, 5, 22, 7, 24, 1, Set.of()));
  }

  @Test
  void previousOfAnotherInstrumentIsRejected() {
    assertThrows(IllegalArgumentException.class,
        () -> RULES.evaluate(phq9(1, 0), RiskContext.none().withPrevious(pulse(false))));
  }

  @Test
  void instrumentsWithoutRulesRaiseNothing() {
    JsonObject pcl = new JsonObject();
    for (int i = 1; i <= 20; i++) {
      pcl.put("q" + i, 4);
    }
    assertEquals(List.of(), RULES.evaluate(score("pcl5", pcl), RiskContext.none()));
    assertEquals(List.of(), RULES.evaluate(score("journal", new JsonObject().put("entry", "x")), RiskContext.none()));
  }
}
