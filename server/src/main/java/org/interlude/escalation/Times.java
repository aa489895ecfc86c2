package org.interlude.escalation;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/**
 * Instants as the database stores them: microsecond precision in UTC. Every instant the
 * escalation code writes goes through here, so a value read back compares equal to the one
 * written (a step scheduled at T is due when the clock reads T, not a nanosecond later).
 */
final class Times {
  private Times() {}

  static Instant micros(Instant t) {
    return t == null ? null : t.truncatedTo(ChronoUnit.MICROS);
  }

  static OffsetDateTime odt(Instant t) {
    return t == null ? null : OffsetDateTime.ofInstant(micros(t), ZoneOffset.UTC);
  }
}
