package org.interlude.checkin.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.LocalTime;
import java.util.List;
import org.interlude.checkin.instrument.InstrumentCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PlanModelTest {

  @Test
  void defaultPlanUsesOnlyBundledInstruments() {
    InstrumentCatalog catalog = InstrumentCatalog.loadBundled();
    CheckinPlan plan = DefaultPlans.integration();
    assertTrue(catalog.ids().containsAll(plan.instrumentIds()), plan.instrumentIds().toString());
    assertEquals(DefaultPlans.INTEGRATION_PLAN_ID, plan.planId());
  }

  @Test
  void defaultPlanFollowsTheReference() {
    CheckinPlan plan = DefaultPlans.integration();
    assertEquals(9, plan.steps().size());
    PlanStep postDose = plan.step("d0.postdose").orElseThrow();
    assertEquals(StepAnchor.afterDoseStart(Duration.ofHours(3)), postDose.anchor());
    assertEquals(PromptPath.CRISIS_PATH, postDose.path());
    assertEquals(Duration.ofHours(12), postDose.expiresAfter());
    assertTrue(postDose.message().contains("do not drive"));
    PlanStep baseline = plan.step("d-2.baseline").orElseThrow();
    assertEquals(StepAnchor.doseDay(-2, LocalTime.of(10, 0)), baseline.anchor());
    assertEquals(List.of("phq9", "gad7", "who5"), baseline.instruments());
    assertTrue(baseline.message().contains("drive you home"));
    PlanStep followUp = plan.step("d+7.followup").orElseThrow();
    assertEquals(Duration.ofDays(2), followUp.reminderAfter());
    assertEquals(Duration.ofDays(4), followUp.expiresAfter());
    for (int day = 3; day <= 6; day++) {
      PlanStep pulse = plan.step("d+" + day + ".pulse").orElseThrow();
      assertEquals(List.of("pulse"), pulse.instruments());
      assertEquals(Duration.ofHours(4), pulse.reminderAfter());
      assertEquals(Duration.ofHours(24), pulse.expiresAfter());
      assertTrue(pulse.isRoutine());
    }
    assertEquals(StepAnchor.Kind.DOSE_RELATIVE, baseline.anchor().kind());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(nullValues = "none", value = {
    "bad id, Has Space, pulse, PT4H, PT24H, none",
    "at sign, a@b, pulse, PT4H, PT24H, none",
    "no instrument, ok, '', PT4H, PT24H, none",
    "reminder after expiry, ok, pulse, PT25H, PT24H, none",
    "reminder equal expiry, ok, pulse, PT24H, PT24H, none",
    "zero expiry, ok, pulse, none, PT0S, none",
    "blank message, ok, pulse, PT4H, PT24H, ' '",
  })
  void invalidStepsAreRejected(String name, String id, String instrument, Duration reminder,
      Duration expiry, String message) {
    List<String> instruments = instrument.isEmpty() ? List.of() : List.of(instrument);
    assertThrows(IllegalArgumentException.class, () -> new PlanStep(id, instruments,
        StepAnchor.doseDay(1, LocalTime.NOON), reminder, expiry, PromptPath.ROUTINE, message));
  }

  @Test
  void anchorsRejectSecondsAndFarOffsets() {
    assertThrows(IllegalArgumentException.class, () -> StepAnchor.doseDay(1, LocalTime.of(9, 0, 30)));
    assertThrows(IllegalArgumentException.class, () -> StepAnchor.doseDay(400, LocalTime.NOON));
    assertThrows(IllegalArgumentException.class, () -> StepAnchor.afterDoseStart(Duration.ofSeconds(90)));
    assertEquals(StepAnchor.Kind.WEEKLY, StepAnchor.weekly(java.time.DayOfWeek.MONDAY, LocalTime.NOON).kind());
  }

  @Test
  void duplicateStepIdsAreRejected() {
    PlanStep step = new PlanStep("a", List.of("pulse"), StepAnchor.doseDay(1, LocalTime.NOON), null,
        Duration.ofHours(1), PromptPath.ROUTINE, null);
    assertThrows(IllegalArgumentException.class, () -> new CheckinPlan("p", List.of(step, step)));
    assertThrows(IllegalArgumentException.class, () -> new CheckinPlan("p", List.of()));
  }

  @ParameterizedTest(name = "{0}-{1} contains {2}: {3}")
  @CsvSource({
    "22:00, 08:00, 22:00, true",
    "22:00, 08:00, 21:59, false",
    "22:00, 08:00, 00:00, true",
    "22:00, 08:00, 07:59, true",
    "22:00, 08:00, 08:00, false",
    "13:00, 15:00, 13:00, true",
    "13:00, 15:00, 15:00, false",
    "00:00, 00:00, 03:00, false",
  })
  void quietHoursContainment(LocalTime start, LocalTime end, LocalTime t, boolean inside) {
    assertEquals(inside, new QuietHours(start, end).contains(t));
  }

  @Test
  void defaultQuietHoursWrapMidnight() {
    assertTrue(QuietHours.DEFAULT.wrapsMidnight());
    assertFalse(QuietHours.NONE.wrapsMidnight());
  }
}
