package org.interlude.checkin;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import org.interlude.audit.AuditEvent;
import org.interlude.identity.Access;
import org.interlude.identity.Actor;
import org.interlude.identity.Denied;
import org.interlude.identity.InvalidInput;
import org.interlude.identity.Role;
import org.interlude.storage.PgErrors;

/**
 * Dosing sessions: listed by anyone who may see the client ({@link Access#client}), recorded and
 * changed by therapists and on-call staff who may see the client (care team, break-glass, an open
 * incident). Every change recomputes the client's pending prompts in the same transaction (see
 * {@link Materializer}): moving a session moves its pending prompts under the same occurrence
 * keys, cancelling withdraws them, reinstating brings back those still open; prompts already
 * delivered, answered or missed are never touched. Every read and change is audited (ids only).
 */
public final class DosingSessions {
  /** The routes a dose may be given by. */
  public static final Set<String> ROUTES = Set.of("sublingual", "intranasal", "intramuscular", "intravenous");
  /** The states of a session. */
  public static final Set<String> STATUSES = Set.of("scheduled", "completed", "cancelled");
  /** How far from now a session may be placed (recording a past one is allowed). */
  static final Duration MAX_DISTANCE = Duration.ofDays(366);

  private final Deps d;

  DosingSessions(Deps deps) {
    this.d = deps;
  }

  /** {@code [{id, startsAt, route, status}]}, oldest first. */
  public Future<JsonArray> list(Actor actor, UUID clientId) {
    return d.access().client(actor, clientId)
        .compose(u -> d.pool().preparedQuery("SELECT id, starts_at, route, status FROM dosing_session"
                + " WHERE client_id = $1 ORDER BY starts_at, id")
            .execute(Tuple.of(clientId)).recover(PgErrors::recover))
        .compose(rows -> {
          JsonArray out = new JsonArray();
          for (Row r : rows) {
            out.add(json(r));
          }
          return audit(actor, clientId, null, "dosing_session.list").map(out);
        });
  }

  /** Records a scheduled session and materialises its prompts. */
  public Future<JsonObject> create(Actor actor, UUID clientId, Instant startsAt, String route) {
    return Access.requireRole(actor, Role.THERAPIST, Role.ONCALL)
        .compose(v -> d.access().client(actor, clientId))
        .compose(u -> {
          Instant now = d.clock().instant();
          checkStart(startsAt, now);
          checkRoute(route);
          UUID id = UUID.randomUUID();
          return d.audit().transaction(d.pool(), tx -> Materializer.lockClient(tx, clientId, now)
              .compose(locked -> tx.preparedQuery("INSERT INTO dosing_session (id, clinic_id, client_id, starts_at, route,"
                      + " status, created_by, created_at, updated_by, updated_at)"
                      + " VALUES ($1,$2,$3,$4,$5,'scheduled',$6,$7,$6,$7) RETURNING id, starts_at, route, status")
                  .execute(Tuple.from(new Object[] {id, locked.clinicId(), clientId, Db.ts(startsAt), route,
                      actor.userId(), Db.ts(now)}))
                  .compose(rows -> d.materializer().reconcile(tx, locked, now).map(json(rows.iterator().next()))))
              .compose(out -> d.audit().record(tx, event(actor, clientId, id, "dosing_session.create")).map(out)))
              .recover(PgErrors::recover);
        });
  }

  /**
   * Changes start, route and/or status (null: unchanged) and recomputes the client's pending
   * prompts. NotFound for a session of a client the actor may not see.
   */
  public Future<JsonObject> update(Actor actor, UUID sessionId, Instant startsAt, String route, String status) {
    return Access.requireRole(actor, Role.THERAPIST, Role.ONCALL)
        .compose(v -> d.pool().preparedQuery("SELECT client_id FROM dosing_session WHERE id = $1 AND clinic_id = $2")
            .execute(Tuple.of(sessionId, actor.clinicId())).recover(PgErrors::recover))
        .compose(rows -> rows.size() == 0
            ? Future.failedFuture(Denied.notFound("dosing session"))
            : Future.succeededFuture(rows.iterator().next().getUUID("client_id")))
        .compose(clientId -> d.access().client(actor, clientId).compose(u -> {
          Instant now = d.clock().instant();
          if (startsAt != null) {
            checkStart(startsAt, now);
          }
          if (route != null) {
            checkRoute(route);
          }
          if (status != null && !STATUSES.contains(status)) {
            throw new InvalidInput("invalid_status", "status", "status must be scheduled, completed or cancelled");
          }
          String action = "cancelled".equals(status) ? "dosing_session.cancel" : "dosing_session.update";
          return d.audit().transaction(d.pool(), tx -> Materializer.lockClient(tx, clientId, now)
              .compose(locked -> tx.preparedQuery("UPDATE dosing_session SET starts_at = COALESCE($2, starts_at),"
                      + " route = COALESCE($3, route), status = COALESCE($4, status), updated_by = $5, updated_at = $6"
                      + " WHERE id = $1 RETURNING id, starts_at, route, status")
                  .execute(Tuple.from(new Object[] {sessionId, Db.ts(startsAt), route, status, actor.userId(),
                      Db.ts(now)}))
                  .compose(rows -> d.materializer().reconcile(tx, locked, now).map(json(rows.iterator().next()))))
              .compose(out -> d.audit().record(tx, event(actor, clientId, sessionId, action)).map(out)))
              .recover(PgErrors::recover);
        }));
  }

  private static void checkStart(Instant startsAt, Instant now) {
    if (startsAt == null) {
      throw new InvalidInput("invalid_start", "startsAt", "startsAt is required");
    }
    if (Duration.between(now, startsAt).abs().compareTo(MAX_DISTANCE) > 0) {
      throw new InvalidInput("invalid_start", "startsAt", "startsAt must be within a year of today");
    }
  }

  private static void checkRoute(String route) {
    if (route == null || !ROUTES.contains(route)) {
      throw new InvalidInput("invalid_route", "route", "route must be sublingual, intranasal, intramuscular or intravenous");
    }
  }

  static JsonObject json(Row r) {
    return new JsonObject().put("id", r.getUUID("id").toString())
        .put("startsAt", Db.instant(r, "starts_at").toString())
        .put("route", r.getString("route"))
        .put("status", r.getString("status"));
  }

  private Future<Void> audit(Actor actor, UUID clientId, UUID sessionId, String action) {
    return d.audit().record(event(actor, clientId, sessionId, action));
  }

  private static AuditEvent event(Actor actor, UUID clientId, UUID sessionId, String action) {
    return AuditEvent.of(action).clinic(actor.clinicId()).actor(actor.userId(), actor.auditRole()).subject(clientId)
        .object("dosing_session", sessionId).source(actor.sourceIp(), actor.correlationId()).build();
  }
}
