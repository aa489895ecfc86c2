package org.interlude.escalation;

import java.util.Objects;
import java.util.UUID;
import org.interlude.checkin.instrument.risk.RiskSignal;

/**
 * One distress signal for one client, as the escalation engine receives it. {@code dedupKey}
 * makes the source idempotent: a repeated key joins nothing new and returns the incident it
 * joined the first time. {@code summary} is shown to authorised staff only and must hold rule
 * names and scores, never message text, answers or names.
 *
 * @param clinicId the client's clinic (checked against the client row)
 * @param clientId the client
 * @param kind where the signal came from
 * @param severity WATCH, HIGH or CRITICAL
 * @param ruleId the stable id of the rule that fired
 * @param summary a PHI-free line for the staff console
 * @param clientAction what the client must be told at once
 * @param sourceType the kind of object that raised it (e.g. "checkin_result"), or null
 * @param sourceId the id of that object, or null
 * @param dedupKey unique per client and source event
 * @param actorId the user who caused it (the client for the crisis button), or null for the system
 */
public record Trigger(
    UUID clinicId,
    UUID clientId,
    TriggerKind kind,
    Severity severity,
    String ruleId,
    String summary,
    RiskSignal.ClientAction clientAction,
    String sourceType,
    String sourceId,
    String dedupKey,
    UUID actorId) {

  public Trigger {
    Objects.requireNonNull(clinicId, "clinicId");
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(ruleId, "ruleId");
    Objects.requireNonNull(summary, "summary");
    Objects.requireNonNull(clientAction, "clientAction");
    Objects.requireNonNull(dedupKey, "dedupKey");
    if (severity == Severity.NONE) {
      throw new IllegalArgumentException("a trigger needs a severity above NONE");
    }
    if (summary.length() > 300 || ruleId.length() > 100 || dedupKey.length() > 300) {
      throw new IllegalArgumentException("trigger fields too long");
    }
  }

  static String clientActionCode(RiskSignal.ClientAction a) {
    return a == RiskSignal.ClientAction.CALL_EMERGENCY_NUMBER_NOW ? "call_emergency_number_now" : "none";
  }
}
