package org.interlude.escalation.screening;

import java.util.List;
import java.util.Objects;
import org.interlude.escalation.Severity;

/**
 * The result of screening one message.
 *
 * <p>{@code severity} is the highest severity of all findings; {@code ruleId} is the id of the
 * decisive finding (highest severity, then the rule written first in the rule files), or {@code
 * "none"} when the severity is {@link Severity#NONE}. {@code findings} lists every reason in
 * reading order, including NONE findings that record why risk-like words were dismissed (for
 * example a ketamine-session description). Contains no message text.
 *
 * @param severity the message severity
 * @param ruleId the decisive rule id, or {@link #NO_RULE}
 * @param findings all findings, in order of their start offset; immutable
 */
public record Screening(Severity severity, String ruleId, List<Finding> findings) {

  /** Rule id reported when nothing raised the severity above NONE. */
  public static final String NO_RULE = "none";

  /** Validates the fields and freezes the list. */
  public Screening {
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(ruleId, "ruleId");
    findings = List.copyOf(findings);
  }

  /** True when this screening should page on-call staff. */
  public boolean pages() {
    return severity.pages();
  }
}
