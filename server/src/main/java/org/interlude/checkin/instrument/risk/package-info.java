/**
 * Risk rules over scored check-ins: a pure function from a {@link
 * org.interlude.checkin.instrument.ScoredResult} and its context to {@link
 * org.interlude.escalation.Severity severity}-graded signals that the escalation engine consumes.
 *
 * <p>Owns the default thresholds of the clinical reference (tunable per clinic through {@link
 * org.interlude.checkin.instrument.risk.RiskThresholds}) and the missed-check-in rule. Signal reasons
 * carry scores only, never free text or names.
 */
package org.interlude.checkin.instrument.risk;
