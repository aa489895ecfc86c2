/**
 * Distress escalation: incidents (one open episode per client that every trigger joins), on-call
 * rotations, overrides and escalation policies, the persisted escalation state machine that pages
 * on-call staff level by level until someone acknowledges (and its watchdog), the signed webhook
 * outbox for pagers, and the loop back to the client (crisis lines at once, who has seen the
 * report, or that nobody answered). Chat screening lives in {@code screening}.
 *
 * <p>Entry points for other features: {@link org.interlude.escalation.EscalationService#trigger},
 * {@link org.interlude.escalation.EscalationService#chatFinding},
 * {@link org.interlude.escalation.EscalationService#checkinSignals} and
 * {@link org.interlude.escalation.EscalationService#highInLast7Days}; wiring is
 * {@link org.interlude.escalation.EscalationModule#start}.
 */
package org.interlude.escalation;
