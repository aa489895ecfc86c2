package org.interlude.checkin.plan;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Computes the occurrences of a plan for one client: pure, deterministic, no clock of its own.
 *
 * <p>Rules:
 *
 * <ul>
 *   <li>Wall-clock anchors ({@link StepAnchor.DoseDay}, {@link StepAnchor.Weekly}) are resolved in the
 *       client's IANA zone, so a 10:00 prompt is at 10:00 local on both sides of a daylight-saving
 *       change. The dose's local date is the client's local date of the dose start.
 *   <li>A local time in a spring-forward gap (02:30 on 2026-03-08 in New York) moves forward by the
 *       length of the gap (to 03:30 EDT), as {@link ZonedDateTime#ofLocal} and RFC 5545 do: the
 *       time is read with the offset in force before the gap.
 *   <li>A local time in a fall-back overlap (01:30 on 2026-11-01 in New York) takes the earlier of the
 *       two instants (01:30 EDT), so a prompt is never an hour later than the client expects.
 *   <li>{@link StepAnchor.DoseOffset} is elapsed time from the dose start, not wall-clock.
 *   <li>Quiet hours delay {@link PromptPath#ROUTINE} prompts due inside them to the end of quiet
 *       hours (resolved with the same gap and overlap rules); {@link PromptPath#CRISIS_PATH} prompts
 *       are never delayed. Reminder and expiry are measured from the delayed due time.
 *   <li>A pre-dose step (nominal due time before the dose start) expires no later than the dose
 *       start; if quiet hours push it to or past the dose start it is dropped, since it can no longer
 *       be answered before dosing. A reminder that would fall at or after expiry is not sent.
 *   <li>The horizon {@code [from, to)} keeps every occurrence still open in it: due before {@code to}
 *       and expiring after {@code from}. So occurrences already due but unanswered are recomputed too
 *       when a session moves.
 * </ul>
 */
public final class OccurrenceCalculator {
  private OccurrenceCalculator() {}

  /**
   * The occurrences of {@code plan} for a client in {@code zone}, ordered by due time then key.
   *
   * @param plan the client's plan
   * @param sessions the client's dosing sessions that are not cancelled (cancelled ones produce none)
   * @param zone the client's IANA time zone
   * @param quietHours the client's quiet hours ({@link QuietHours#DEFAULT} unless configured)
   * @param from start of the horizon, inclusive (occurrences expiring after it are kept)
   * @param to end of the horizon, exclusive (occurrences due before it are kept)
   * @throws IllegalArgumentException when two sessions share an id or the horizon is reversed
   */
  public static List<Occurrence> compute(CheckinPlan plan, List<DosingSession> sessions, ZoneId zone,
      QuietHours quietHours, Instant from, Instant to) {
    Objects.requireNonNull(plan, "plan");
    Objects.requireNonNull(sessions, "sessions");
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(quietHours, "quietHours");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    if (to.isBefore(from)) {
      throw new IllegalArgumentException("horizon ends before it starts");
    }
    Set<String> sessionIds = new HashSet<>();
    for (DosingSession session : sessions) {
      if (!sessionIds.add(session.id())) {
        throw new IllegalArgumentException("two dosing sessions with id " + session.id());
      }
    }
    List<Occurrence> out = new ArrayList<>();
    for (PlanStep step : plan.steps()) {
      if (step.anchor() instanceof StepAnchor.Weekly weekly) {
        weekly(step, weekly, zone, quietHours, from, to, out);
      } else {
        for (DosingSession session : sessions) {
          doseRelative(step, session, zone, quietHours, from, to, out);
        }
      }
    }
    out.sort(Comparator.comparing(Occurrence::dueAt).thenComparing(Occurrence::occurrenceKey));
    return List.copyOf(out);
  }

  /**
   * The instant of local date-time {@code local} in {@code zone}: a time in a spring-forward gap moves
   * forward by the gap's length; a time in a fall-back overlap takes the earlier instant.
   */
  public static Instant resolveLocal(LocalDateTime local, ZoneId zone) {
    return ZonedDateTime.ofLocal(local, zone, null).withEarlierOffsetAtOverlap().toInstant();
  }

  private static void doseRelative(PlanStep step, DosingSession session, ZoneId zone,
      QuietHours quietHours, Instant from, Instant to, List<Occurrence> out) {
    Instant nominal;
    if (step.anchor() instanceof StepAnchor.DoseDay day) {
      LocalDate doseDate = LocalDate.ofInstant(session.start(), zone);
      nominal = resolveLocal(doseDate.plusDays(day.dayOffset()).atTime(day.localTime()), zone);
    } else if (step.anchor() instanceof StepAnchor.DoseOffset offset) {
      nominal = session.start().plus(offset.offset());
    } else {
      throw new IllegalStateException("not a dose-relative step: " + step.stepId());
    }
    Instant due = applyQuietHours(step, nominal, zone, quietHours);
    Instant expires = due.plus(step.expiresAfter());
    if (nominal.isBefore(session.start()) && expires.isAfter(session.start())) {
      expires = session.start();
    }
    add(step, step.stepId() + "@" + session.id(), session.id(), due, expires, from, to, out);
  }

  private static void weekly(PlanStep step, StepAnchor.Weekly weekly, ZoneId zone,
      QuietHours quietHours, Instant from, Instant to, List<Occurrence> out) {
    // Start early enough to catch an occurrence still open at 'from' (and one a day earlier, since
    // a quiet-hours delay can move a due time past midnight).
    LocalDate first = LocalDate.ofInstant(from.minus(step.expiresAfter()), zone).minusDays(1);
    LocalDate last = LocalDate.ofInstant(to, zone).plusDays(1);
    for (LocalDate date = first; !date.isAfter(last); date = date.plusDays(1)) {
      if (date.getDayOfWeek() != weekly.dayOfWeek()) {
        continue;
      }
      Instant nominal = resolveLocal(date.atTime(weekly.localTime()), zone);
      Instant due = applyQuietHours(step, nominal, zone, quietHours);
      add(step, step.stepId() + "@" + date, null, due, due.plus(step.expiresAfter()), from, to, out);
    }
  }

  private static Instant applyQuietHours(PlanStep step, Instant nominal, ZoneId zone, QuietHours quietHours) {
    if (!step.isRoutine()) {
      return nominal;
    }
    ZonedDateTime local = nominal.atZone(zone);
    if (!quietHours.contains(local.toLocalTime())) {
      return nominal;
    }
    return resolveLocal(quietHours.endOf(local), zone);
  }

  private static void add(PlanStep step, String key, String sessionId, Instant due, Instant expires,
      Instant from, Instant to, List<Occurrence> out) {
    if (!expires.isAfter(due)) {
      return;
    }
    if (!due.isBefore(to) || !expires.isAfter(from)) {
      return;
    }
    Duration reminderAfter = step.reminderAfter();
    Instant remind = reminderAfter == null ? null : due.plus(reminderAfter);
    if (remind != null && !remind.isBefore(expires)) {
      remind = null;
    }
    out.add(new Occurrence(key, step.stepId(), sessionId, due, remind, expires, step.instruments(),
        step.message()));
  }
}
