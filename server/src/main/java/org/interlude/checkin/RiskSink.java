package org.interlude.checkin;

import io.vertx.core.Future;
import java.util.List;
import java.util.UUID;
import org.interlude.checkin.instrument.risk.RiskSignal;

/**
 * Where check-ins report risk: risky answers (the signals {@code CheckinRiskRules.evaluate} returns
 * for a committed result) and missed safety check-ins ({@code CheckinRiskRules.missedCheckin}). A node wires
 * {@link EscalationRiskSink} (signals become escalation triggers); {@link DatabaseRiskSink}, which
 * only records signals in {@code risk_signal}, is the default of {@link CheckinModule#create} for
 * tools and tests.
 *
 * <p>Contract:
 *
 * <ul>
 *   <li>{@link #signal} is called only after the result (or the missed state) is committed, and
 *       for a submitted result before the client is sent {@code checkin.accepted}. Its future
 *       completes once the signals are durably recorded (not once anyone was paged).
 *   <li>Delivery is at least once: a report that failed, timed out or whose node died is retried
 *       from the database until a call succeeds. Implementations must be idempotent on
 *       ({@code sourceObjectType}, {@code sourceObjectId}, {@link RiskSignal#ruleId()}).
 *   <li>Sources: {@code "checkin_result"} with the result id for answers, {@code "checkin_prompt"}
 *       with the prompt id for a missed check-in.
 *   <li>Signals carry scores and rule ids only, never free text. A signal with
 *       {@link RiskSignal.ClientAction#CALL_EMERGENCY_NUMBER_NOW} asks the engine to tell the client
 *       at once (crisis.info); check-ins also set {@code clientAction} on their own
 *       {@code checkin.accepted} frame so the client is told even if the engine is down.
 *   <li>Called from event-loop threads: never block.
 * </ul>
 */
public interface RiskSink {
  /** Records {@code signals} (non-empty, most severe first) raised by one source object. */
  Future<Void> signal(UUID clinicId, UUID clientId, List<RiskSignal> signals, String sourceObjectType,
      String sourceObjectId);

  /**
   * Whether a HIGH or CRITICAL signal fired for the client in the last 7 days (a missed safety
   * check-in is then HIGH instead of WATCH).
   */
  Future<Boolean> highInLast7Days(UUID clientId);
}
