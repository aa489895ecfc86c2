package org.interlude.checkin.plan;

import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZonedDateTime;
import java.util.Objects;

/**
 * The client's quiet hours on their local wall clock: {@code [start, end)}. When {@code start} is
 * after {@code end} the window wraps midnight (the default 22:00–08:00); when they are equal there are
 * no quiet hours.
 *
 * @param start first local time inside quiet hours
 * @param end first local time after quiet hours
 */
public record QuietHours(LocalTime start, LocalTime end) {
  /** 22:00–08:00, the default. */
  public static final QuietHours DEFAULT = new QuietHours(LocalTime.of(22, 0), LocalTime.of(8, 0));
  /** No quiet hours. */
  public static final QuietHours NONE = new QuietHours(LocalTime.MIDNIGHT, LocalTime.MIDNIGHT);

  /** Checks both ends are present. */
  public QuietHours {
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(end, "end");
  }

  /** True when the window crosses midnight. */
  public boolean wrapsMidnight() {
    return start.isAfter(end);
  }

  /** True when local time {@code t} falls inside quiet hours. */
  public boolean contains(LocalTime t) {
    if (start.equals(end)) {
      return false;
    }
    return wrapsMidnight()
        ? !t.isBefore(start) || t.isBefore(end)
        : !t.isBefore(start) && t.isBefore(end);
  }

  /**
   * The local date-time at which the quiet hours containing {@code at} end: the same day's {@code end}
   * unless {@code at} lies in the evening part of a window that wraps midnight, then the next day's.
   * Only meaningful when {@link #contains(LocalTime) contains} {@code at}'s local time.
   */
  LocalDateTime endOf(ZonedDateTime at) {
    boolean eveningPart = wrapsMidnight() && !at.toLocalTime().isBefore(start);
    return (eveningPart ? at.toLocalDate().plusDays(1) : at.toLocalDate()).atTime(end);
  }
}
