package org.interlude.checkin.instrument.risk;

import org.interlude.checkin.instrument.ScoredResult;

/**
 * What the rules need to know beyond the result itself. The caller (the check-in service) assembles
 * it from stored results, incidents and dosing sessions.
 *
 * @param previous the client's previous result of the same instrument, or {@code null} when this is
 *     the first
 * @param highInLast7Days whether a HIGH (or higher) signal fired for this client in the last 7 days
 * @param hoursSinceLastDose hours from the start of the last dosing session to when this result was
 *     answered, or {@code null} when the client has had no dosing session
 * @param dosingDay whether the result was answered on a dosing day (the client's local date of a
 *     dosing session)
 * @param unrealReportedBeyond24h whether "still feeling unreal" was reported in a post-dose check
 *     answered more than the dissociation threshold (24 h) after the same dose
 */
public record RiskContext(
    ScoredResult previous,
    boolean highInLast7Days,
    Double hoursSinceLastDose,
    boolean dosingDay,
    boolean unrealReportedBeyond24h) {

  /** A context with nothing known: no previous result, no recent HIGH, no dosing session. */
  public static RiskContext none() {
    return new RiskContext(null, false, null, false, false);
  }

  /** This context with {@code previous} as the previous result. */
  public RiskContext withPrevious(ScoredResult previous) {
    return new RiskContext(previous, highInLast7Days, hoursSinceLastDose, dosingDay,
        unrealReportedBeyond24h);
  }
}
