package org.interlude.escalation;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.UUID;

/**
 * One timeline entry of an incident, written in the transaction of the change it records. Holds
 * ids, levels, codes and (for notes) sealed text only.
 */
final class Timeline {
  private final UUID incidentId;
  private final Instant at;
  private final String kind;
  private UUID actorId;
  private UUID userId;
  private Long triggerId;
  private Integer level;
  private Integer round;
  private String severity;
  private String disposition;
  private JsonObject detail;
  private UUID noteId;
  private byte[] noteSealed;

  private Timeline(UUID incidentId, Instant at, String kind) {
    this.incidentId = incidentId;
    this.at = at;
    this.kind = kind;
  }

  static Timeline event(UUID incidentId, Instant at, String kind) {
    return new Timeline(incidentId, at, kind);
  }

  Timeline actor(UUID v) { actorId = v; return this; }
  Timeline user(UUID v) { userId = v; return this; }
  Timeline trigger(Long v) { triggerId = v; return this; }
  Timeline level(Integer v) { level = v; return this; }
  Timeline round(Integer v) { round = v; return this; }
  Timeline severity(Severity v) { severity = v == null ? null : v.name(); return this; }
  Timeline disposition(Disposition v) { disposition = v == null ? null : v.code(); return this; }
  Timeline detail(JsonObject v) { detail = v; return this; }
  Timeline note(UUID id, byte[] sealed) { noteId = id; noteSealed = sealed; return this; }

  Future<Void> write(SqlConnection tx) {
    return tx.preparedQuery("INSERT INTO incident_event (incident_id, at, kind, actor_id, user_id, trigger_id, level, round,"
            + " severity, disposition, detail, note_id, note_sealed) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)")
        .execute(Tuple.from(new Object[] {incidentId, Times.odt(at), kind, actorId, userId, triggerId, level, round,
            severity, disposition, detail, noteId, noteSealed == null ? null : io.vertx.core.buffer.Buffer.buffer(noteSealed)}))
        .mapEmpty();
  }
}
