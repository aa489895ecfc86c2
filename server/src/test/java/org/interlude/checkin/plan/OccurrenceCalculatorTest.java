package org.interlude.checkin.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OccurrenceCalculatorTest {
  private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
  private static final CheckinPlan PLAN = DefaultPlans.integration();

  private static Instant ny(String localDateTime) {
    return ZonedDateTime.of(LocalDateTime.parse(localDateTime), NEW_YORK).toInstant();
  }

  private static Instant utc(String instant) {
    return Instant.parse(instant);
  }

  private static Map<String, Occurrence> byStep(List<Occurrence> occurrences) {
    return occurrences.stream().collect(Collectors.toMap(Occurrence::stepId, Function.identity()));
  }

  private static List<Occurrence> compute(CheckinPlan plan, List<DosingSession> sessions, QuietHours quiet) {
    return OccurrenceCalculator.compute(plan, sessions, NEW_YORK, quiet, utc("2026-01-01T00:00:00Z"),
        utc("2027-01-01T00:00:00Z"));
  }

  private static CheckinPlan single(PlanStep step) {
    return new CheckinPlan("test", List.of(step));
  }

  private static PlanStep step(String id, StepAnchor anchor, PromptPath path) {
    return new PlanStep(id, List.of("pulse"), anchor, Duration.ofHours(4), Duration.ofHours(24), path, null);
  }

  @Test
  void defaultPlanOnAnOrdinaryWeek() {
    DosingSession dose = new DosingSession("s1", ny("2026-05-12T09:00"));
    List<Occurrence> occurrences = compute(PLAN, List.of(dose), QuietHours.DEFAULT);
    assertEquals(List.of("d-2.baseline", "d0.postdose", "d+1.postdose-pulse", "d+2.pulse-journal",
        "d+3.pulse", "d+4.pulse", "d+5.pulse", "d+6.pulse", "d+7.followup"),
        occurrences.stream().map(Occurrence::stepId).toList());
    Map<String, Occurrence> steps = byStep(occurrences);

    Occurrence baseline = steps.get("d-2.baseline");
    assertEquals("d-2.baseline@s1", baseline.occurrenceKey());
    assertEquals("s1", baseline.dosingSessionId());
    assertEquals(ny("2026-05-10T10:00"), baseline.dueAt());
    assertEquals(ny("2026-05-11T10:00"), baseline.remindAt());
    assertEquals(dose.start(), baseline.expiresAt(), "a baseline closes at the dose start");
    assertEquals(List.of("phq9", "gad7", "who5"), baseline.instruments());
    assertEquals(DefaultPlans.RIDE_HOME_MESSAGE, baseline.message());

    Occurrence postDose = steps.get("d0.postdose");
    assertEquals(ny("2026-05-12T12:00"), postDose.dueAt());
    assertEquals(ny("2026-05-12T13:00"), postDose.remindAt());
    assertEquals(ny("2026-05-13T00:00"), postDose.expiresAt());
    assertEquals(DefaultPlans.NO_DRIVING_MESSAGE, postDose.message());

    Occurrence dayOne = steps.get("d+1.postdose-pulse");
    assertEquals(List.of("postdose", "pulse"), dayOne.instruments());
    assertEquals(ny("2026-05-13T10:00"), dayOne.dueAt());
    assertEquals(ny("2026-05-13T14:00"), dayOne.remindAt());
    assertEquals(ny("2026-05-14T10:00"), dayOne.expiresAt());

    assertEquals(List.of("pulse", "journal"), steps.get("d+2.pulse-journal").instruments());
    for (int day = 3; day <= 6; day++) {
      Occurrence pulse = steps.get("d+" + day + ".pulse");
      assertEquals(ny("2026-05-" + (12 + day) + "T10:00"), pulse.dueAt());
      assertEquals(Duration.ofHours(24), Duration.between(pulse.dueAt(), pulse.expiresAt()));
    }

    Occurrence followUp = steps.get("d+7.followup");
    assertEquals(ny("2026-05-19T10:00"), followUp.dueAt());
    assertEquals(ny("2026-05-21T10:00"), followUp.remindAt());
    assertEquals(ny("2026-05-23T10:00"), followUp.expiresAt());
  }

  @Test
  void dailyPromptsStayAtTenLocalAcrossSpringForward() {
    DosingSession dose = new DosingSession("s1", ny("2026-03-05T10:00"));
    Map<String, Occurrence> steps = byStep(compute(PLAN, List.of(dose), QuietHours.DEFAULT));
    assertEquals(utc("2026-03-07T15:00:00Z"), steps.get("d+2.pulse-journal").dueAt(), "10:00 EST");
    assertEquals(utc("2026-03-08T14:00:00Z"), steps.get("d+3.pulse").dueAt(), "10:00 EDT");
    assertEquals(utc("2026-03-09T14:00:00Z"), steps.get("d+4.pulse").dueAt(), "10:00 EDT");
    assertEquals(LocalTime.of(10, 0), steps.get("d+3.pulse").dueAt().atZone(NEW_YORK).toLocalTime());
  }

  @Test
  void dailyPromptsStayAtTenLocalAcrossFallBack() {
    DosingSession dose = new DosingSession("s1", ny("2026-10-29T10:00"));
    Map<String, Occurrence> steps = byStep(compute(PLAN, List.of(dose), QuietHours.DEFAULT));
    assertEquals(utc("2026-10-31T14:00:00Z"), steps.get("d+2.pulse-journal").dueAt(), "10:00 EDT");
    assertEquals(utc("2026-11-01T15:00:00Z"), steps.get("d+3.pulse").dueAt(), "10:00 EST");
    assertEquals(utc("2026-11-05T15:00:00Z"), steps.get("d+7.followup").dueAt(), "10:00 EST");
  }

  @Test
  void doseOffsetIsElapsedTimeAcrossSpringForward() {
    // 00:30 EST on 2026-03-08; three real hours later the wall clock reads 04:30 EDT.
    DosingSession dose = new DosingSession("s1", ny("2026-03-08T00:30"));
    Occurrence postDose = byStep(compute(PLAN, List.of(dose), QuietHours.DEFAULT)).get("d0.postdose");
    assertEquals(utc("2026-03-08T08:30:00Z"), postDose.dueAt());
    assertEquals(LocalTime.of(4, 30), postDose.dueAt().atZone(NEW_YORK).toLocalTime());
    assertEquals(Duration.ofHours(3), Duration.between(dose.start(), postDose.dueAt()));
  }

  @Test
  void doseOffsetIsElapsedTimeAcrossFallBack() {
    // 00:30 EDT on 2026-11-01; three real hours later the wall clock reads 02:30 EST.
    DosingSession dose = new DosingSession("s1", ny("2026-11-01T00:30"));
    Occurrence postDose = byStep(compute(PLAN, List.of(dose), QuietHours.DEFAULT)).get("d0.postdose");
    assertEquals(utc("2026-11-01T07:30:00Z"), postDose.dueAt());
    assertEquals(LocalTime.of(2, 30), postDose.dueAt().atZone(NEW_YORK).toLocalTime());
  }

  @Test
  void localTimeInTheSpringForwardGapMovesForward() {
    CheckinPlan plan = single(step("d0.early", StepAnchor.doseDay(0, LocalTime.of(2, 30)), PromptPath.ROUTINE));
    DosingSession dose = new DosingSession("s1", ny("2026-03-08T12:00"));
    Occurrence early = compute(plan, List.of(dose), QuietHours.NONE).get(0);
    assertEquals(utc("2026-03-08T07:30:00Z"), early.dueAt());
    assertEquals(LocalTime.of(3, 30), early.dueAt().atZone(NEW_YORK).toLocalTime());
    assertEquals(early.dueAt(), OccurrenceCalculator.resolveLocal(LocalDateTime.parse("2026-03-08T02:30"), NEW_YORK));
  }

  @Test
  void localTimeInTheFallBackOverlapTakesTheEarlierInstant() {
    CheckinPlan plan = single(step("d0.early", StepAnchor.doseDay(0, LocalTime.of(1, 30)), PromptPath.ROUTINE));
    DosingSession dose = new DosingSession("s1", ny("2026-11-01T12:00"));
    Occurrence early = compute(plan, List.of(dose), QuietHours.NONE).get(0);
    assertEquals(utc("2026-11-01T05:30:00Z"), early.dueAt(), "01:30 EDT, not 01:30 EST");
  }

  @ParameterizedTest(name = "routine due {0} local -> {1}")
  @CsvSource({
    "21:59, 2026-05-12T21:59",
    "22:00, 2026-05-13T08:00",
    "23:30, 2026-05-13T08:00",
    "00:00, 2026-05-12T08:00",
    "07:59, 2026-05-12T08:00",
    "08:00, 2026-05-12T08:00",
  })
  void quietHoursWrappingMidnightDelayRoutinePrompts(LocalTime time, String expectedLocal) {
    CheckinPlan plan = single(step("d0.routine", StepAnchor.doseDay(0, time), PromptPath.ROUTINE));
    DosingSession dose = new DosingSession("s1", ny("2026-05-12T00:00"));
    Occurrence occurrence = compute(plan, List.of(dose), QuietHours.DEFAULT).get(0);
    assertEquals(ny(expectedLocal), occurrence.dueAt());
    assertEquals(occurrence.dueAt().plus(Duration.ofHours(4)), occurrence.remindAt());
    assertEquals(occurrence.dueAt().plus(Duration.ofHours(24)), occurrence.expiresAt());
  }

  @ParameterizedTest(name = "crisis-path due {0} local is not delayed")
  @CsvSource({"22:00", "23:30", "03:00", "07:59"})
  void quietHoursNeverDelayCrisisPathPrompts(LocalTime time) {
    CheckinPlan plan = single(step("d0.crisis", StepAnchor.doseDay(0, time), PromptPath.CRISIS_PATH));
    DosingSession dose = new DosingSession("s1", ny("2026-05-12T00:00"));
    Occurrence occurrence = compute(plan, List.of(dose), QuietHours.DEFAULT).get(0);
    assertEquals(ny("2026-05-12T" + time), occurrence.dueAt());
  }

  @Test
  void eveningDosePostDoseCheckIsNotDelayedButTheNextMorningsIs() {
    DosingSession dose = new DosingSession("s1", ny("2026-05-12T20:00"));
    Map<String, Occurrence> steps = byStep(compute(PLAN, List.of(dose), QuietHours.DEFAULT));
    assertEquals(ny("2026-05-12T23:00"), steps.get("d0.postdose").dueAt());
    QuietHours lateMornings = new QuietHours(LocalTime.of(22, 0), LocalTime.of(11, 0));
    Occurrence dayOne = byStep(compute(PLAN, List.of(dose), lateMornings)).get("d+1.postdose-pulse");
    assertEquals(ny("2026-05-13T11:00"), dayOne.dueAt());
    assertEquals(ny("2026-05-13T15:00"), dayOne.remindAt());
    assertEquals(ny("2026-05-14T11:00"), dayOne.expiresAt());
  }

  @ParameterizedTest(name = "non-wrapping 13:00-15:00, due {0} -> {1}")
  @CsvSource({"12:59, 12:59", "13:00, 15:00", "14:59, 15:00", "15:00, 15:00"})
  void quietHoursWithinOneDay(LocalTime time, LocalTime expected) {
    CheckinPlan plan = single(step("d0.routine", StepAnchor.doseDay(0, time), PromptPath.ROUTINE));
    DosingSession dose = new DosingSession("s1", ny("2026-05-12T00:00"));
    QuietHours siesta = new QuietHours(LocalTime.of(13, 0), LocalTime.of(15, 0));
    assertEquals(ny("2026-05-12T" + expected), compute(plan, List.of(dose), siesta).get(0).dueAt());
  }

  @Test
  void quietHoursEndingInsideTheSpringForwardGapMoveForward() {
    CheckinPlan plan = single(step("d0.routine", StepAnchor.doseDay(0, LocalTime.of(1, 0)), PromptPath.ROUTINE));
    DosingSession dose = new DosingSession("s1", ny("2026-03-08T12:00"));
    QuietHours untilTwoThirty = new QuietHours(LocalTime.of(0, 0), LocalTime.of(2, 30));
    assertEquals(utc("2026-03-08T07:30:00Z"), compute(plan, List.of(dose), untilTwoThirty).get(0).dueAt());
  }

  @Test
  void preDoseStepPushedPastTheDoseByQuietHoursIsDropped() {
    CheckinPlan plan = single(step("d0.pre", StepAnchor.doseDay(0, LocalTime.of(7, 0)), PromptPath.ROUTINE));
    DosingSession early = new DosingSession("s1", ny("2026-05-12T07:45"));
    assertEquals(List.of(), compute(plan, List.of(early), QuietHours.DEFAULT));
    DosingSession later = new DosingSession("s2", ny("2026-05-12T09:00"));
    Occurrence kept = compute(plan, List.of(later), QuietHours.DEFAULT).get(0);
    assertEquals(ny("2026-05-12T08:00"), kept.dueAt());
    assertEquals(later.start(), kept.expiresAt());
    assertNull(kept.remindAt(), "a reminder at or after expiry is not sent");
  }

  @Test
  void reminderAfterAClampedExpiryIsDropped() {
    PlanStep dayBefore = new PlanStep("d-1.check", List.of("pulse"), StepAnchor.doseDay(-1, LocalTime.of(10, 0)),
        Duration.ofHours(24), Duration.ofHours(48), PromptPath.ROUTINE, null);
    DosingSession dose = new DosingSession("s1", ny("2026-05-12T09:00"));
    Occurrence occurrence = compute(single(dayBefore), List.of(dose), QuietHours.DEFAULT).get(0);
    assertEquals(ny("2026-05-11T10:00"), occurrence.dueAt());
    assertEquals(dose.start(), occurrence.expiresAt());
    assertNull(occurrence.remindAt());
  }

  @Test
  void movingASessionKeepsTheKeysAndChangesTheTimes() {
    DosingSession original = new DosingSession("s1", ny("2026-05-12T09:00"));
    DosingSession moved = new DosingSession("s1", ny("2026-05-14T13:00"));
    List<Occurrence> before = compute(PLAN, List.of(original), QuietHours.DEFAULT);
    List<Occurrence> after = compute(PLAN, List.of(moved), QuietHours.DEFAULT);
    assertEquals(before.stream().map(Occurrence::occurrenceKey).toList(),
        after.stream().map(Occurrence::occurrenceKey).toList());
    for (int i = 0; i < before.size(); i++) {
      assertNotEquals(before.get(i).dueAt(), after.get(i).dueAt(), before.get(i).occurrenceKey());
    }
    assertEquals(ny("2026-05-14T16:00"), byStep(after).get("d0.postdose").dueAt());
    assertEquals(ny("2026-05-12T10:00"), byStep(after).get("d-2.baseline").dueAt());
  }

  @Test
  void cancellingASessionRemovesOnlyItsOccurrences() {
    DosingSession first = new DosingSession("s1", ny("2026-05-12T09:00"));
    DosingSession second = new DosingSession("s2", ny("2026-05-26T09:00"));
    List<Occurrence> both = compute(PLAN, List.of(first, second), QuietHours.DEFAULT);
    assertEquals(2 * PLAN.steps().size(), both.size());
    List<Occurrence> afterCancel = compute(PLAN, List.of(second), QuietHours.DEFAULT);
    assertEquals(PLAN.steps().size(), afterCancel.size());
    assertTrue(afterCancel.stream().allMatch(o -> o.occurrenceKey().endsWith("@s2")));
    assertEquals(List.of(), compute(PLAN, List.of(), QuietHours.DEFAULT));
  }

  @Test
  void keysAreDeterministicAndUnique() {
    DosingSession first = new DosingSession("s1", ny("2026-05-12T09:00"));
    DosingSession second = new DosingSession("s2", ny("2026-05-19T09:00"));
    List<Occurrence> a = compute(PLAN, List.of(first, second), QuietHours.DEFAULT);
    List<Occurrence> b = compute(PLAN, List.of(second, first), QuietHours.DEFAULT);
    assertEquals(a, b);
    assertEquals(a.size(), a.stream().map(Occurrence::occurrenceKey).distinct().count());
  }

  @Test
  void horizonKeepsOccurrencesStillOpenAndDropsExpiredOnes() {
    DosingSession dose = new DosingSession("s1", ny("2026-05-12T09:00"));
    // At 2026-05-14 12:00 local: D+1 (expires 05-14 10:00) is gone, D+2 (due 05-14 10:00) is open.
    List<Occurrence> open = OccurrenceCalculator.compute(PLAN, List.of(dose), NEW_YORK, QuietHours.DEFAULT,
        ny("2026-05-14T12:00"), ny("2026-05-16T10:00"));
    assertEquals(List.of("d+2.pulse-journal", "d+3.pulse"), open.stream().map(Occurrence::stepId).toList(),
        "due exactly at the horizon end is left for the next window");
  }

  @Test
  void weeklyStepsAreKeyedByLocalDateAndStayAtLocalTimeAcrossDst() {
    PlanStep weekly = new PlanStep("weekly.who5", List.of("who5"),
        StepAnchor.weekly(DayOfWeek.SUNDAY, LocalTime.of(9, 0)), Duration.ofDays(1), Duration.ofDays(3),
        PromptPath.ROUTINE, null);
    List<Occurrence> occurrences = OccurrenceCalculator.compute(single(weekly), List.of(), NEW_YORK,
        QuietHours.DEFAULT, ny("2026-03-01T12:00"), ny("2026-03-16T00:00"));
    assertEquals(List.of("weekly.who5@2026-03-01", "weekly.who5@2026-03-08", "weekly.who5@2026-03-15"),
        occurrences.stream().map(Occurrence::occurrenceKey).toList(),
        "the 03-01 prompt is still open at the horizon start");
    assertEquals(utc("2026-03-01T14:00:00Z"), occurrences.get(0).dueAt());
    assertEquals(utc("2026-03-08T13:00:00Z"), occurrences.get(1).dueAt());
    assertNull(occurrences.get(0).dosingSessionId());
  }

  @Test
  void weeklyStepInQuietHoursIsDelayed() {
    PlanStep weekly = new PlanStep("weekly.pulse", List.of("pulse"),
        StepAnchor.weekly(DayOfWeek.FRIDAY, LocalTime.of(23, 0)), null, Duration.ofDays(1),
        PromptPath.ROUTINE, null);
    List<Occurrence> occurrences = OccurrenceCalculator.compute(single(weekly), List.of(), NEW_YORK,
        QuietHours.DEFAULT, ny("2026-05-11T00:00"), ny("2026-05-18T00:00"));
    assertEquals(1, occurrences.size());
    assertEquals("weekly.pulse@2026-05-15", occurrences.get(0).occurrenceKey());
    assertEquals(ny("2026-05-16T08:00"), occurrences.get(0).dueAt());
    assertNull(occurrences.get(0).remindAt());
  }

  @Test
  void doseDayIsTheClientsLocalDate() {
    // 23:30 local on 05-12 is already 05-13 in UTC; D+1 must be 05-13 local, not 05-14.
    DosingSession dose = new DosingSession("s1", ny("2026-05-12T23:30"));
    assertEquals(ny("2026-05-13T10:00"), byStep(compute(PLAN, List.of(dose), QuietHours.DEFAULT))
        .get("d+1.postdose-pulse").dueAt());
  }

  @Test
  void invalidInputsAreRejected() {
    DosingSession dose = new DosingSession("s1", ny("2026-05-12T09:00"));
    assertThrows(IllegalArgumentException.class, () -> compute(PLAN, List.of(dose, dose), QuietHours.DEFAULT));
    assertThrows(IllegalArgumentException.class, () -> OccurrenceCalculator.compute(PLAN, List.of(dose),
        NEW_YORK, QuietHours.DEFAULT, utc("2026-02-01T00:00:00Z"), utc("2026-01-01T00:00:00Z")));
  }
}
