package org.interlude.checkin.plan;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalTime;
import java.util.Objects;

/**
 * When a plan step is due, before quiet hours are applied. Either relative to a dosing session
 * ({@link DoseDay}: a day offset and a local wall-clock time; {@link DoseOffset}: elapsed time from the
 * dose start) or {@link Weekly} (a day of the week and a local time, independent of dosing).
 *
 * <p>Times are minute-precise: seconds would only make the prompts look arbitrary to clients.
 */
public sealed interface StepAnchor permits StepAnchor.DoseDay, StepAnchor.DoseOffset, StepAnchor.Weekly {
  /** The two families of anchor. */
  enum Kind {
    /** Tied to each dosing session; one occurrence per session. */
    DOSE_RELATIVE,
    /** Repeats every week; one occurrence per matching local date. */
    WEEKLY
  }

  /** Most days (or the equivalent duration) an anchor may lie from the dose. */
  int MAX_DAYS = 366;

  /** Which family this anchor belongs to. */
  Kind kind();

  /**
   * {@code dayOffset} days from the client's local date of the dose start, at {@code localTime} on
   * the client's wall clock (D−2 at 10:00 is {@code doseDay(-2, 10:00)}).
   */
  static DoseDay doseDay(int dayOffset, LocalTime localTime) {
    return new DoseDay(dayOffset, localTime);
  }

  /** {@code offset} of elapsed time after the dose start (D0 +3 h is {@code afterDoseStart(3 h)}). */
  static DoseOffset afterDoseStart(Duration offset) {
    return new DoseOffset(offset);
  }

  /** Every {@code dayOfWeek} at {@code localTime} on the client's wall clock. */
  static Weekly weekly(DayOfWeek dayOfWeek, LocalTime localTime) {
    return new Weekly(dayOfWeek, localTime);
  }

  /**
   * A day offset from the dose's local date and a local time of day. Wall-clock based, so a 10:00
   * prompt stays at 10:00 local on both sides of a daylight-saving change.
   *
   * @param dayOffset days from the dose's local date (negative before it)
   * @param localTime the client's local time of day
   */
  record DoseDay(int dayOffset, LocalTime localTime) implements StepAnchor {
    /** Checks the offset is within {@value StepAnchor#MAX_DAYS} days and the time is whole minutes. */
    public DoseDay {
      if (Math.abs(dayOffset) > MAX_DAYS) {
        throw new IllegalArgumentException("dayOffset beyond " + MAX_DAYS + " days: " + dayOffset);
      }
      wholeMinutes(localTime);
    }

    @Override
    public Kind kind() {
      return Kind.DOSE_RELATIVE;
    }
  }

  /**
   * Elapsed time from the dose start. Elapsed rather than wall-clock because what it tracks (effects
   * wearing off) runs on physical time: D0 +3 h is three real hours even across a clock change.
   *
   * @param offset time after the dose start (negative before it), in whole minutes
   */
  record DoseOffset(Duration offset) implements StepAnchor {
    /** Checks the offset is whole minutes and within {@value StepAnchor#MAX_DAYS} days. */
    public DoseOffset {
      Objects.requireNonNull(offset, "offset");
      if (offset.toSecondsPart() != 0 || offset.toNanosPart() != 0) {
        throw new IllegalArgumentException("offset must be whole minutes: " + offset);
      }
      if (offset.abs().compareTo(Duration.ofDays(MAX_DAYS)) > 0) {
        throw new IllegalArgumentException("offset beyond " + MAX_DAYS + " days: " + offset);
      }
    }

    @Override
    public Kind kind() {
      return Kind.DOSE_RELATIVE;
    }
  }

  /**
   * A weekly prompt at a local time.
   *
   * @param dayOfWeek the day of the week in the client's zone
   * @param localTime the client's local time of day
   */
  record Weekly(DayOfWeek dayOfWeek, LocalTime localTime) implements StepAnchor {
    /** Checks the fields are present and the time is whole minutes. */
    public Weekly {
      Objects.requireNonNull(dayOfWeek, "dayOfWeek");
      wholeMinutes(localTime);
    }

    @Override
    public Kind kind() {
      return Kind.WEEKLY;
    }
  }

  private static void wholeMinutes(LocalTime time) {
    Objects.requireNonNull(time, "localTime");
    if (time.getSecond() != 0 || time.getNano() != 0) {
      throw new IllegalArgumentException("local time must be whole minutes: " + time);
    }
  }
}
