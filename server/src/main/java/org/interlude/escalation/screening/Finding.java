package org.interlude.escalation.screening;

import java.util.Objects;
import org.interlude.escalation.Severity;

/**
 * One reason behind a screening: which rule fired, how severe it is and where in the message.
 *
 * <p>Offsets are UTF-16 indexes into the exact string passed to {@link ChatScreener#screen}, so a
 * staff view can highlight {@code text.substring(start, end)}. The cue describes the rule-file
 * patterns that matched (for example {@code ideation "kill myself" + negation "never"}); it is
 * rule text, never the client's text.
 *
 * @param severity severity of this finding alone
 * @param ruleId stable id of the rule, as written in the rule files (e.g. {@code watch.negated})
 * @param start first character of the matched span in the message (inclusive)
 * @param end end of the matched span (exclusive), {@code >= start}
 * @param cue the patterns that matched, as written in the rule files
 */
public record Finding(Severity severity, String ruleId, int start, int end, String cue) {

  /** Validates the fields. */
  public Finding {
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(ruleId, "ruleId");
    Objects.requireNonNull(cue, "cue");
    if (start < 0 || end < start) {
      throw new IllegalArgumentException("bad span " + start + ".." + end);
    }
  }
}
