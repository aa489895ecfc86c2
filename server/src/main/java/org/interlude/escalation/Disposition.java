package org.interlude.escalation;

import java.util.Locale;
import java.util.Optional;

/** How an incident ended; required to resolve it and kept in the timeline and audit trail. */
public enum Disposition {
  REACHED_CLIENT,
  SAFETY_PLAN_REVIEWED,
  EMERGENCY_SERVICES_CALLED,
  FALSE_ALARM;

  public String code() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Disposition> parse(String code) {
    for (Disposition d : values()) {
      if (d.code().equals(code)) {
        return Optional.of(d);
      }
    }
    return Optional.empty();
  }
}
