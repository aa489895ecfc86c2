package org.interlude.escalation;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * An on-call rotation and the pure arithmetic of who holds it at an instant. Shifts start at
 * {@code handoffTime} on the wall clock of {@code zone} (so a 08:00 handoff stays at 08:00 across
 * daylight saving; a handoff inside a spring-forward gap happens when the clock jumps past it),
 * last {@code shiftDays} calendar days, and go to the members in order starting with position 0
 * on {@code startDate}. Before the first shift nobody is on call. An override covering the instant
 * replaces the member; among overlapping overrides the most recently created wins.
 *
 * @param members ordered, non-empty
 * @param overrides the rotation's overrides (any order)
 */
public record Rotation(
    UUID id,
    UUID clinicId,
    String name,
    ZoneId zone,
    LocalTime handoffTime,
    int shiftDays,
    LocalDate startDate,
    List<UUID> members,
    List<Override> overrides) {

  /** A time-bounded replacement of the rotation's member by {@code userId}. */
  public record Override(UUID id, UUID userId, Instant startsAt, Instant endsAt, Instant createdAt) {
    public boolean covers(Instant t) {
      return !t.isBefore(startsAt) && t.isBefore(endsAt);
    }
  }

  public Rotation {
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(handoffTime, "handoffTime");
    Objects.requireNonNull(startDate, "startDate");
    members = List.copyOf(members);
    overrides = List.copyOf(overrides);
    if (members.isEmpty()) {
      throw new IllegalArgumentException("a rotation needs at least one member");
    }
    if (shiftDays < 1) {
      throw new IllegalArgumentException("shiftDays must be at least 1");
    }
  }

  /** When the shift that starts on local date {@code d} begins. */
  private Instant handoffOn(LocalDate d) {
    return ZonedDateTime.of(d, handoffTime, zone).toInstant();
  }

  /** The scheduled member at {@code t}, ignoring overrides; empty before the first shift. */
  public Optional<UUID> scheduledAt(Instant t) {
    LocalDate d = t.atZone(zone).toLocalDate();
    if (t.isBefore(handoffOn(d))) {
      d = d.minusDays(1);
    }
    long dayIndex = ChronoUnit.DAYS.between(startDate, d);
    if (dayIndex < 0) {
      return Optional.empty();
    }
    long shift = dayIndex / shiftDays;
    return Optional.of(members.get((int) (shift % members.size())));
  }

  /** Who is on call at {@code t}: the newest override covering it, else the scheduled member. */
  public Optional<UUID> onCallAt(Instant t) {
    return overrides.stream().filter(o -> o.covers(t))
        .max(Comparator.comparing(Override::createdAt).thenComparing(o -> o.id().toString()))
        .map(Override::userId)
        .or(() -> scheduledAt(t));
  }

  /**
   * Every instant in {@code (from, to)} at which the answer of {@link #onCallAt} may change:
   * handoffs (including the very first shift) and override starts and ends.
   */
  public List<Instant> changesBetween(Instant from, Instant to) {
    List<Instant> out = new ArrayList<>();
    LocalDate first = from.atZone(zone).toLocalDate().minusDays(1);
    if (first.isBefore(startDate)) {
      first = startDate;
    }
    long offset = ChronoUnit.DAYS.between(startDate, first);
    LocalDate d = startDate.plusDays((offset / shiftDays) * shiftDays);
    for (; ; d = d.plusDays(shiftDays)) {
      Instant h = handoffOn(d);
      if (!h.isBefore(to)) {
        break;
      }
      if (h.isAfter(from)) {
        out.add(h);
      }
    }
    for (Override o : overrides) {
      for (Instant b : List.of(o.startsAt(), o.endsAt())) {
        if (b.isAfter(from) && b.isBefore(to)) {
          out.add(b);
        }
      }
    }
    return out;
  }
}
