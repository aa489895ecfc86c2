package org.interlude.escalation;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.interlude.crypto.WrappedKey;

/**
 * The working copy of one incident row inside a transaction that holds the row's lock. Fields
 * are changed in memory by the service or the engine and written back once with {@link #save}.
 * Never shared across transactions or threads.
 */
final class IncidentRow {
  static final String COLUMNS = "id, clinic_id, client_id, state, severity, opened_at, decisive_trigger, policy_snapshot,"
      + " level, round, next_step, next_step_at, last_page_at, step_token, unanswered_at, acknowledged_by,"
      + " acknowledged_at, resolved_by, resolved_at, disposition, dk_version, dk_wrapped";

  static final String NEXT_PAGE = "page";
  static final String NEXT_ACK_TIMEOUT = "ack_timeout";

  UUID id;
  UUID clinicId;
  UUID clientId;
  IncidentState state;
  Severity severity;
  Instant openedAt;
  Long decisiveTrigger;
  PolicySnapshot snapshot;
  int level;
  int round;
  String nextStep;
  Instant nextStepAt;
  Instant lastPageAt;
  long stepToken;
  Instant unansweredAt;
  UUID acknowledgedBy;
  Instant acknowledgedAt;
  UUID resolvedBy;
  Instant resolvedAt;
  String disposition;
  WrappedKey dataKey;

  static IncidentRow from(Row r) {
    IncidentRow i = new IncidentRow();
    i.id = r.getUUID("id");
    i.clinicId = r.getUUID("clinic_id");
    i.clientId = r.getUUID("client_id");
    i.state = IncidentState.fromCode(r.getString("state"));
    i.severity = Severity.valueOf(r.getString("severity"));
    i.openedAt = instant(r, "opened_at");
    i.decisiveTrigger = r.getLong("decisive_trigger");
    Object snap = r.getValue("policy_snapshot");
    i.snapshot = snap instanceof JsonObject j ? PolicySnapshot.fromJson(j) : null;
    i.level = r.getInteger("level");
    i.round = r.getInteger("round");
    i.nextStep = r.getString("next_step");
    i.nextStepAt = instant(r, "next_step_at");
    i.lastPageAt = instant(r, "last_page_at");
    i.stepToken = r.getLong("step_token");
    i.unansweredAt = instant(r, "unanswered_at");
    i.acknowledgedBy = r.getUUID("acknowledged_by");
    i.acknowledgedAt = instant(r, "acknowledged_at");
    i.resolvedBy = r.getUUID("resolved_by");
    i.resolvedAt = instant(r, "resolved_at");
    i.disposition = r.getString("disposition");
    i.dataKey = new WrappedKey(r.getInteger("dk_version"), r.getBuffer("dk_wrapped").getBytes());
    return i;
  }

  static Instant instant(Row r, String column) {
    OffsetDateTime t = r.getOffsetDateTime(column);
    return t == null ? null : t.toInstant();
  }

  /** Whether the escalation chain has started for the current run (paging has begun). */
  boolean paging() {
    return snapshot != null;
  }

  /** Nothing is scheduled any more. */
  void clearSchedule() {
    nextStep = null;
    nextStepAt = null;
  }

  void schedule(String step, Instant at) {
    nextStep = step;
    nextStepAt = at;
  }

  /** Writes every mutable field back; the caller holds the row lock. */
  Future<Void> save(SqlConnection tx, Instant now) {
    return tx.preparedQuery("UPDATE incident SET state = $2, severity = $3, decisive_trigger = $4, policy_snapshot = $5,"
            + " level = $6, round = $7, next_step = $8, next_step_at = $9, last_page_at = $10, step_token = $11,"
            + " unanswered_at = $12, acknowledged_by = $13, acknowledged_at = $14, resolved_by = $15, resolved_at = $16,"
            + " disposition = $17, updated_at = $18 WHERE id = $1")
        .execute(Tuple.from(new Object[] {id, state.code(), severity.name(), decisiveTrigger,
            snapshot == null ? null : snapshot.toJson(), level, round, nextStep, Times.odt(nextStepAt),
            Times.odt(lastPageAt), stepToken, Times.odt(unansweredAt), acknowledgedBy, Times.odt(acknowledgedAt),
            resolvedBy, Times.odt(resolvedAt), disposition, Times.odt(now)}))
        .mapEmpty();
  }
}
