package org.interlude.checkin.plan;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One step of a check-in plan: which instruments to prompt for, when, how long until a reminder and
 * until the prompt expires, and whether quiet hours may delay it.
 *
 * <p>Reminder and expiry are elapsed durations from the (possibly quiet-hours-delayed) due time. A
 * step whose due time lies before the dose start is a pre-dose step: the calculator also ends it at
 * the dose start, since answers given after the dose would no longer be a baseline.
 *
 * @param stepId stable id, part of every occurrence key (for example {@code d-2.baseline}); never
 *     reuse an id for a different step, or the database's uniqueness would merge them
 * @param instruments ids of the instruments prompted together, in order
 * @param anchor when the step is due
 * @param reminderAfter time after the due time to remind the client, or {@code null} for no reminder
 * @param expiresAfter time after the due time at which the prompt closes
 * @param path whether quiet hours may delay the prompt
 * @param message text shown with the prompt (for example a no-driving reminder), or {@code null}
 */
public record PlanStep(
    String stepId,
    List<String> instruments,
    StepAnchor anchor,
    Duration reminderAfter,
    Duration expiresAfter,
    PromptPath path,
    String message) {

  private static final Pattern STEP_ID = Pattern.compile("[a-z0-9][a-z0-9.+_-]{0,63}");
  private static final Pattern INSTRUMENT_ID = Pattern.compile("[a-z][a-z0-9]{0,31}");
  /** Longest message shown with a prompt. */
  public static final int MAX_MESSAGE_LENGTH = 500;

  /** Validates the step; see the component descriptions for the rules. */
  public PlanStep {
    Objects.requireNonNull(stepId, "stepId");
    if (!STEP_ID.matcher(stepId).matches()) {
      throw new IllegalArgumentException("stepId must match " + STEP_ID.pattern() + ": " + stepId);
    }
    instruments = List.copyOf(instruments);
    if (instruments.isEmpty()) {
      throw new IllegalArgumentException(stepId + ": at least one instrument");
    }
    if (new HashSet<>(instruments).size() != instruments.size()) {
      throw new IllegalArgumentException(stepId + ": an instrument is listed twice");
    }
    for (String id : instruments) {
      if (!INSTRUMENT_ID.matcher(id).matches()) {
        throw new IllegalArgumentException(stepId + ": not an instrument id: " + id);
      }
    }
    Objects.requireNonNull(anchor, "anchor");
    Objects.requireNonNull(expiresAfter, "expiresAfter");
    Objects.requireNonNull(path, "path");
    if (expiresAfter.isNegative() || expiresAfter.isZero()) {
      throw new IllegalArgumentException(stepId + ": expiresAfter must be positive");
    }
    if (reminderAfter != null
        && (reminderAfter.isNegative() || reminderAfter.isZero() || reminderAfter.compareTo(expiresAfter) >= 0)) {
      throw new IllegalArgumentException(stepId + ": reminderAfter must be positive and before expiry");
    }
    if (message != null && (message.isBlank() || message.length() > MAX_MESSAGE_LENGTH)) {
      throw new IllegalArgumentException(stepId + ": message must be non-blank and at most "
          + MAX_MESSAGE_LENGTH + " characters");
    }
  }

  /** True when quiet hours may delay this step. */
  public boolean isRoutine() {
    return path == PromptPath.ROUTINE;
  }
}
