package org.interlude.escalation;

import java.util.List;
import org.interlude.web.SocketHub;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Acts on the {@link Effects} of a committed change: nudges the staff consoles ("incident") and
 * the client's sockets ("incident.client") through the socket hub, so every node loads the new
 * state from PostgreSQL for its local sockets (this node's at once, from the committing thread:
 * {@link SocketHub#nudgeNow}); wakes the webhook dispatcher; counts and logs
 * (ids only). Called only after the transaction committed.
 */
final class Notifier {
  static final String STAFF_KIND = "incident";
  static final String CLIENT_KIND = "incident.client";
  private static final Logger log = LoggerFactory.getLogger(Notifier.class);

  private final SocketHub hub;
  private final WebhookDispatcher dispatcher;
  private final EscalationMetrics metrics;

  Notifier(SocketHub hub, WebhookDispatcher dispatcher, EscalationMetrics metrics) {
    this.hub = hub;
    this.dispatcher = dispatcher;
    this.metrics = metrics;
  }

  void apply(Effects fx) {
    if (fx.pages > 0) {
      metrics.pages.increment(fx.pages);
    }
    if (fx.coverageGaps > 0) {
      metrics.coverageGaps.increment(fx.coverageGaps);
      log.warn("escalation coverage gap: a level resolved to nobody, the next level was paged incidentId={} gaps={}",
          fx.incidentId, fx.coverageGaps);
    }
    if (fx.unanswered) {
      metrics.unanswered.increment();
      log.warn("escalation chain ran out without an acknowledgement incidentId={}", fx.incidentId);
    }
    if (!fx.staff.isEmpty()) {
      hub.nudgeNow(fx.staff, STAFF_KIND, fx.incidentId.toString());
    }
    if (fx.clientCrisisInfo) {
      hub.nudgeNow(List.of(fx.clientId), CLIENT_KIND, fx.incidentId + ":crisis");
    }
    if (fx.clientStatus) {
      hub.nudgeNow(List.of(fx.clientId), CLIENT_KIND, fx.incidentId + ":status");
    }
    if (fx.webhooks) {
      dispatcher.kick();
    }
  }
}
