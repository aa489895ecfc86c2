package org.interlude.escalation;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.UUID;

/**
 * What a committed change means for the world outside the database, collected inside the
 * transaction and acted on only after it commits (never before: an alert about a change that
 * rolled back would be a lie, and a lost one is recovered from the database on reconnect).
 */
final class Effects {
  final UUID incidentId;
  final UUID clientId;
  /** Staff whose consoles show this incident (paged staff and the client's care team). */
  final Set<UUID> staff = new LinkedHashSet<>();
  /** Send crisis.info to the client's sockets. */
  boolean clientCrisisInfo;
  /** Send incident.status (acknowledged / unanswered) to the client's sockets. */
  boolean clientStatus;
  /** Pages written (for the metric). */
  int pages;
  /** Levels that resolved to nobody (for the metric). */
  int coverageGaps;
  /** The chain ran out without an acknowledgement. */
  boolean unanswered;
  /** Webhook deliveries were queued. */
  boolean webhooks;

  Effects(UUID incidentId, UUID clientId) {
    this.incidentId = incidentId;
    this.clientId = clientId;
  }
}
