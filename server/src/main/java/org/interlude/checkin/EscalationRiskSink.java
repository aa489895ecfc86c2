package org.interlude.checkin;

import io.vertx.core.Future;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.interlude.checkin.instrument.risk.RiskSignal;
import org.interlude.escalation.EscalationService;

/**
 * The {@link RiskSink} of a node: check-in signals become escalation triggers (one episode per
 * client; HIGH and CRITICAL page, WATCH goes to the review queue, CRITICAL post-dose signals tell
 * the client to call the emergency number). The escalation service is idempotent per source and
 * rule, as the sink contract requires, and answers "a HIGH in the last 7 days" from its own
 * triggers.
 */
public final class EscalationRiskSink implements RiskSink {
  private final EscalationService escalation;

  public EscalationRiskSink(EscalationService escalation) {
    this.escalation = Objects.requireNonNull(escalation, "escalation");
  }

  @Override
  public Future<Void> signal(UUID clinicId, UUID clientId, List<RiskSignal> signals, String sourceObjectType,
      String sourceObjectId) {
    return escalation.checkinSignals(clinicId, clientId, signals, sourceObjectType, sourceObjectId);
  }

  @Override
  public Future<Boolean> highInLast7Days(UUID clientId) {
    return escalation.highInLast7Days(clientId);
  }
}
