package org.interlude.checkin.plan;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One concrete prompt computed from a plan step.
 *
 * <p>The {@link #occurrenceKey()} is deterministic: {@code <stepId>@<dosingSessionId>} for
 * dose-relative steps and {@code <stepId>@<local date>} (ISO, for example {@code 2026-03-09}) for
 * weekly ones. With the database's unique (client, step, occurrence) constraint each prompt fires
 * exactly once; recomputing after a session moves yields the same keys with new times, so the
 * scheduler updates pending rows instead of adding new ones.
 *
 * @param occurrenceKey deterministic identity of this occurrence for the client
 * @param stepId the plan step it comes from
 * @param dosingSessionId the dosing session it is relative to, or {@code null} for weekly steps
 * @param dueAt when to prompt (after any quiet-hours delay)
 * @param remindAt when to remind if still unanswered, or {@code null} for no reminder (none is sent
 *     when it would fall at or after expiry)
 * @param expiresAt when the prompt closes
 * @param instruments ids of the instruments to prompt for
 * @param message text shown with the prompt, or {@code null}
 */
public record Occurrence(
    String occurrenceKey,
    String stepId,
    String dosingSessionId,
    Instant dueAt,
    Instant remindAt,
    Instant expiresAt,
    List<String> instruments,
    String message) {

  /** Copies the instrument list and checks the times are in order. */
  public Occurrence {
    Objects.requireNonNull(occurrenceKey, "occurrenceKey");
    Objects.requireNonNull(stepId, "stepId");
    Objects.requireNonNull(dueAt, "dueAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
    instruments = List.copyOf(instruments);
    if (!expiresAt.isAfter(dueAt)) {
      throw new IllegalArgumentException(occurrenceKey + ": expires at or before it is due");
    }
    if (remindAt != null && (!remindAt.isAfter(dueAt) || !remindAt.isBefore(expiresAt))) {
      throw new IllegalArgumentException(occurrenceKey + ": reminder outside the open window");
    }
  }
}
