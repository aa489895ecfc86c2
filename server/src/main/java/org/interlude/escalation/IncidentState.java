package org.interlude.escalation;

import java.util.Locale;

/**
 * The life of an incident: {@code triggered → acknowledged → resolved}, with two ways back: an
 * acknowledgement that is not followed by a resolution within the policy's acknowledgement
 * timeout re-triggers the incident, and staff may reopen a resolved one.
 */
public enum IncidentState {
  TRIGGERED,
  ACKNOWLEDGED,
  RESOLVED;

  public String code() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static IncidentState fromCode(String code) {
    return valueOf(code.toUpperCase(Locale.ROOT));
  }
}
