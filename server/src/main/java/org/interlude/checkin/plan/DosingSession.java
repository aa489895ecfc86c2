package org.interlude.checkin.plan;

import java.time.Instant;
import java.util.Objects;

/**
 * A scheduled dosing session the plan is relative to. Pass only sessions that are not cancelled: a
 * cancelled session simply has no occurrences.
 *
 * @param id stable id of the session; part of the occurrence keys, so moving a session keeps its
 *     occurrences' identities
 * @param start when dosing starts
 */
public record DosingSession(String id, Instant start) {
  /** Checks the id is non-blank and the start is present. */
  public DosingSession {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(start, "start");
    if (id.isBlank()) {
      throw new IllegalArgumentException("dosing session id must not be blank");
    }
  }
}
