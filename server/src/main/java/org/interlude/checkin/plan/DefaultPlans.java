package org.interlude.checkin.plan;

import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;

/**
 * The plans Interlude ships. Product judgment built on the trial timepoints of 4 h, 24 h, 48 h and
 * 7 days after a dose; clinics may assign other plans.
 */
public final class DefaultPlans {
  /** Id of {@link #integration()}. */
  public static final String INTEGRATION_PLAN_ID = "integration.v1";
  /** Local time of the day-anchored prompts: late enough not to wake anyone, early enough to act on. */
  public static final LocalTime DAILY_TIME = LocalTime.of(10, 0);

  /** Message with the D−2 baseline. */
  public static final String RIDE_HOME_MESSAGE =
      "Your dosing session is in two days. Please confirm who will drive you home afterwards: you must"
          + " not drive until the next day after sleep.";
  /** Message with the D0 post-dose check. */
  public static final String NO_DRIVING_MESSAGE =
      "Reminder: do not drive until tomorrow after sleep.";

  private DefaultPlans() {}

  /**
   * The default integration plan, D0 being the dosing day:
   *
   * <table>
   *   <caption>Steps</caption>
   *   <tr><th>step id</th><th>when (client's local time)</th><th>instruments</th><th>reminder</th>
   *       <th>expiry</th><th>path</th></tr>
   *   <tr><td>d-2.baseline</td><td>D−2 10:00</td><td>PHQ-9, GAD-7, WHO-5 + ride-home note</td>
   *       <td>24 h</td><td>48 h, and never after the dose start</td><td>routine</td></tr>
   *   <tr><td>d0.postdose</td><td>dose start + 3 h (elapsed)</td><td>post-dose check + no-driving
   *       note</td><td>1 h</td><td>12 h</td><td>crisis path (an evening dose must not wait for
   *       the morning)</td></tr>
   *   <tr><td>d+1.postdose-pulse</td><td>D+1 10:00</td><td>post-dose check, safety pulse</td>
   *       <td>4 h</td><td>24 h</td><td>routine</td></tr>
   *   <tr><td>d+2.pulse-journal</td><td>D+2 10:00</td><td>safety pulse, journal</td><td>4 h</td>
   *       <td>24 h</td><td>routine</td></tr>
   *   <tr><td>d+3.pulse … d+6.pulse</td><td>D+3 … D+6 10:00</td><td>safety pulse</td><td>4 h</td>
   *       <td>24 h</td><td>routine</td></tr>
   *   <tr><td>d+7.followup</td><td>D+7 10:00</td><td>PHQ-9, GAD-7, WHO-5</td><td>2 days</td>
   *       <td>4 days (as Greenspace)</td><td>routine</td></tr>
   * </table>
   *
   * <p>Daily prompts expire after 24 h so one is never open at the same time as the next day's. The
   * baseline reminds after a day and closes at the dose, since a "baseline" answered after dosing
   * would measure something else.
   */
  public static CheckinPlan integration() {
    Duration dailyReminder = Duration.ofHours(4);
    Duration daily = Duration.ofHours(24);
    List<String> questionnaires = List.of("phq9", "gad7", "who5");
    List<PlanStep> steps = new ArrayList<>();
    steps.add(new PlanStep("d-2.baseline", questionnaires, StepAnchor.doseDay(-2, DAILY_TIME),
        Duration.ofHours(24), Duration.ofHours(48), PromptPath.ROUTINE, RIDE_HOME_MESSAGE));
    steps.add(new PlanStep("d0.postdose", List.of("postdose"),
        StepAnchor.afterDoseStart(Duration.ofHours(3)), Duration.ofHours(1), Duration.ofHours(12),
        PromptPath.CRISIS_PATH, NO_DRIVING_MESSAGE));
    steps.add(new PlanStep("d+1.postdose-pulse", List.of("postdose", "pulse"),
        StepAnchor.doseDay(1, DAILY_TIME), dailyReminder, daily, PromptPath.ROUTINE, null));
    steps.add(new PlanStep("d+2.pulse-journal", List.of("pulse", "journal"),
        StepAnchor.doseDay(2, DAILY_TIME), dailyReminder, daily, PromptPath.ROUTINE, null));
    for (int day = 3; day <= 6; day++) {
      steps.add(new PlanStep("d+" + day + ".pulse", List.of("pulse"),
          StepAnchor.doseDay(day, DAILY_TIME), dailyReminder, daily, PromptPath.ROUTINE, null));
    }
    steps.add(new PlanStep("d+7.followup", questionnaires, StepAnchor.doseDay(7, DAILY_TIME),
        Duration.ofDays(2), Duration.ofDays(4), PromptPath.ROUTINE, null));
    return new CheckinPlan(INTEGRATION_PLAN_ID, steps);
  }
}
