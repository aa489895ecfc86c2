package org.interlude.checkin.instrument.risk;

import java.util.Objects;
import org.interlude.escalation.Severity;

/**
 * One risk signal raised by a check-in rule.
 *
 * @param severity how urgent it is; never {@link Severity#NONE}
 * @param ruleId stable id of the rule that fired (the constants of {@link CheckinRiskRules}), for
 *     deduplication and audit
 * @param reason short text for staff with no PHI beyond scores, for example "PHQ-9 item 9 = 2"
 * @param clientAction what the client must be told at once, independent of staff response
 */
public record RiskSignal(Severity severity, String ruleId, String reason, ClientAction clientAction) {

  /** What the client must be told at once when the signal fires. */
  public enum ClientAction {
    /** Nothing beyond the usual crisis-line notice. */
    NONE,
    /** Tell the client immediately to call the local emergency number (911, 999, 000…). */
    CALL_EMERGENCY_NUMBER_NOW
  }

  /** Checks the fields; a signal of severity NONE would be noise. */
  public RiskSignal {
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(ruleId, "ruleId");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(clientAction, "clientAction");
    if (severity == Severity.NONE) {
      throw new IllegalArgumentException("a signal needs a severity above NONE");
    }
  }

  /** A signal that needs no immediate client action. */
  public RiskSignal(Severity severity, String ruleId, String reason) {
    this(severity, ruleId, reason, ClientAction.NONE);
  }
}
