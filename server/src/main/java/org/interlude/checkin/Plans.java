package org.interlude.checkin;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.UUID;
import java.util.function.BiFunction;
import org.interlude.audit.AuditEvent;
import org.interlude.identity.Access;
import org.interlude.identity.Actor;
import org.interlude.identity.Role;
import org.interlude.storage.PgErrors;

/**
 * Each client's check-in plan: the default integration plan until a therapist adjusts it. Read by
 * anyone who may see the client; changed by therapists and on-call staff who may see the client.
 * A change is validated (steps, anchors, durations, quiet hours, instruments known to the catalog)
 * and applies to future occurrences only ({@link ClientPlan}); the client's pending prompts are
 * recomputed in the same transaction. A reset puts the client back on the default plan under the
 * same rule. Reads and changes are audited (ids only).
 */
public final class Plans {
  private final Deps d;

  Plans(Deps deps) {
    this.d = deps;
  }

  /** {@code {planId, custom, quietHours, steps, updatedAt?}}. */
  public Future<JsonObject> get(Actor actor, UUID clientId) {
    return d.access().client(actor, clientId)
        .compose(u -> d.pool().preparedQuery("SELECT plan, plan_updated_at FROM checkin_client WHERE client_id = $1")
            .execute(Tuple.of(clientId)).recover(PgErrors::recover))
        .compose(rows -> {
          JsonObject out;
          if (rows.size() == 0) {
            out = ClientPlan.defaults().toApi();
          } else {
            Row r = rows.iterator().next();
            Object plan = r.getValue("plan");
            out = ClientPlan.fromStorage(plan instanceof JsonObject j ? j : null).toApi();
            Instant at = Db.instant(r, "plan_updated_at");
            if (at != null) {
              out.put("updatedAt", at.toString());
            }
          }
          return d.audit().record(event(actor, clientId, "checkin_plan.read")).map(out);
        });
  }

  /** Replaces the client's plan and recomputes their pending prompts; answers the stored plan. */
  public Future<JsonObject> put(Actor actor, UUID clientId, JsonObject body) {
    return change(actor, clientId, "checkin_plan.update",
        (previous, now) -> ClientPlan.fromApi(body, d.catalog(), previous, now));
  }

  /**
   * Puts the client back on the default integration plan (with the default quiet hours) and
   * recomputes their pending prompts; answers the plan now in force ({@code custom} false).
   * Applies to future occurrences only, like {@link #put}: see {@link ClientPlan#reset}.
   */
  public Future<JsonObject> reset(Actor actor, UUID clientId) {
    return change(actor, clientId, "checkin_plan.reset", ClientPlan::reset);
  }

  /**
   * The one way a plan changes: under the client's row lock, {@code next} derives the new plan from
   * the one in force, which is stored, reconciled into the schedule and audited in one transaction.
   */
  private Future<JsonObject> change(Actor actor, UUID clientId, String action,
      BiFunction<ClientPlan, Instant, ClientPlan> next) {
    return Access.requireRole(actor, Role.THERAPIST, Role.ONCALL)
        .compose(v -> d.access().client(actor, clientId))
        .compose(u -> {
          Instant now = d.clock().instant();
          return d.audit().transaction(d.pool(), tx -> Materializer.lockClient(tx, clientId, now).compose(locked -> {
            ClientPlan plan = next.apply(locked.plan(), now);
            Materializer.Locked updated = new Materializer.Locked(locked.clientId(), locked.clinicId(), plan,
                locked.zone());
            return tx.preparedQuery("UPDATE checkin_client SET plan = $2, plan_updated_by = $3, plan_updated_at = $4"
                    + " WHERE client_id = $1")
                .execute(Tuple.of(clientId, plan.toStorage(), actor.userId(), Db.ts(now)))
                .compose(r -> d.materializer().reconcile(tx, updated, now))
                .compose(r -> d.audit().record(tx, event(actor, clientId, action)))
                .map(r -> plan.toApi().put("updatedAt", Db.micros(now).toString()));
          })).recover(PgErrors::recover);
        });
  }

  private static AuditEvent event(Actor actor, UUID clientId, String action) {
    return AuditEvent.of(action).clinic(actor.clinicId()).actor(actor.userId(), actor.auditRole()).subject(clientId)
        .object("checkin_plan", clientId).source(actor.sourceIp(), actor.correlationId()).build();
  }
}
