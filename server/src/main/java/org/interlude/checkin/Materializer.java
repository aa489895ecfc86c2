package org.interlude.checkin;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.interlude.checkin.instrument.Instrument;
import org.interlude.checkin.instrument.InstrumentCatalog;
import org.interlude.checkin.plan.DosingSession;
import org.interlude.checkin.plan.Occurrence;
import org.interlude.checkin.plan.OccurrenceCalculator;
import org.interlude.storage.PgErrors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a client's upcoming prompts to {@code checkin_prompt}: the occurrences the
 * {@link OccurrenceCalculator} computes from the client's plan, sessions, zone and quiet hours,
 * one row per instrument, for those due within the horizon.
 *
 * <p>{@link #reconcile} is the only writer of schedules and always runs inside a transaction
 * that holds the client's {@code checkin_client} row lock, so session changes, plan changes and
 * the periodic materialiser on any node see and write a consistent schedule. Rules:
 *
 * <ul>
 *   <li>A new occurrence is inserted with {@code ON CONFLICT DO NOTHING}: whatever happened to the
 *       (client, step, occurrence, instrument) before (delivered, answered, missed) is never
 *       repeated.
 *   <li>A row still {@code pending} (never delivered) follows the plan: moved when its session
 *       moved (same key, new times), withdrawn ({@code cancelled}) when its session was cancelled,
 *       its step removed, or it is no longer open. A {@code cancelled} row that was never
 *       delivered comes back to {@code pending} when its occurrence reappears (a session
 *       reinstated) while still open.
 *   <li>Rows delivered, answered or missed are never changed here.
 *   <li>An occurrence of a step changed after it would have been due ({@link ClientPlan#effectiveFrom})
 *       does not exist: plan changes apply to future occurrences only.
 * </ul>
 */
final class Materializer {
  private static final Logger log = LoggerFactory.getLogger(Materializer.class);

  private final InstrumentCatalog catalog;
  private final Duration horizon;
  private final Duration every;

  Materializer(InstrumentCatalog catalog, Duration horizon, Duration every) {
    this.catalog = Objects.requireNonNull(catalog);
    this.horizon = horizon;
    this.every = every;
  }

  /** The client's clinic and plan, read under the client's row lock (created when missing). */
  record Locked(UUID clientId, UUID clinicId, ClientPlan plan, ZoneId zone) {}

  /**
   * Creates the client's {@code checkin_client} row if needed and locks it for the transaction.
   * Fails with NotFound when {@code clientId} is not a client.
   */
  static Future<Locked> lockClient(SqlConnection tx, UUID clientId, Instant now) {
    return tx.preparedQuery("INSERT INTO checkin_client (client_id, clinic_id, next_materialize_at)"
            + " SELECT id, clinic_id, $2 FROM app_user WHERE id = $1 AND 'client' = ANY(roles)"
            + " ON CONFLICT (client_id) DO NOTHING")
        .execute(Tuple.of(clientId, Db.ts(now)))
        .compose(v -> tx.preparedQuery("SELECT c.clinic_id, c.plan, u.time_zone, k.time_zone AS clinic_zone"
                + " FROM checkin_client c JOIN app_user u ON u.id = c.client_id JOIN clinic k ON k.id = c.clinic_id"
                + " WHERE c.client_id = $1 FOR UPDATE OF c")
            .execute(Tuple.of(clientId)))
        .recover(PgErrors::recover)
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(new org.interlude.storage.StorageException.NotFound("client"));
          }
          Row r = rows.iterator().next();
          Object plan = r.getValue("plan");
          ClientPlan cp = ClientPlan.fromStorage(plan instanceof JsonObject j ? j : null);
          return Future.succeededFuture(new Locked(clientId, r.getUUID("clinic_id"), cp,
              Db.zone(r.getString("time_zone"), r.getString("clinic_zone"))));
        });
  }

  /** Recomputes the client's schedule at {@code now}; see the class rules. Needs {@link #lockClient} first. */
  Future<Void> reconcile(SqlConnection tx, Locked client, Instant now) {
    Future<List<DosingSession>> sessions = tx.preparedQuery(
            "SELECT id, starts_at FROM dosing_session WHERE client_id = $1 AND status <> 'cancelled'")
        .execute(Tuple.of(client.clientId()))
        .map(rows -> {
          List<DosingSession> out = new ArrayList<>();
          for (Row r : rows) {
            out.add(new DosingSession(r.getUUID("id").toString(), Db.instant(r, "starts_at")));
          }
          return out;
        });
    Future<Map<String, Existing>> existing = sessions.compose(s -> tx.preparedQuery(
            "SELECT id, step_id, occurrence_key, instrument_id, state, due_at, remind_at, expires_at,"
                + " dosing_session_id, message, time_zone, position FROM checkin_prompt WHERE client_id = $1"
                + " AND expires_at > $2 AND (state = 'pending' OR (state = 'cancelled' AND delivered_at IS NULL))")
        .execute(Tuple.of(client.clientId(), Db.ts(now)))
        .map(rows -> {
          Map<String, Existing> out = new HashMap<>();
          for (Row r : rows) {
            Existing e = new Existing(r.getUUID("id"), r.getString("state"), Db.instant(r, "due_at"),
                Db.instant(r, "remind_at"), Db.instant(r, "expires_at"), r.getUUID("dosing_session_id"),
                r.getString("message"), r.getString("time_zone"), r.getInteger("position"));
            out.put(key(r.getString("step_id"), r.getString("occurrence_key"), r.getString("instrument_id")), e);
          }
          return out;
        }));
    return existing.compose(rows -> apply(tx, client, sessions.result(), rows, now)).recover(PgErrors::recover);
  }

  private record Existing(UUID id, String state, Instant due, Instant remind, Instant expires, UUID sessionId,
      String message, String zone, int position) {}

  private Future<Void> apply(SqlConnection tx, Locked client, List<DosingSession> sessions, Map<String, Existing> existing,
      Instant now) {
    Instant insertUntil = now.plus(horizon);
    Instant reach = insertUntil;
    for (Existing e : existing.values()) {
      if (!e.due().isBefore(reach)) {
        reach = e.due().plusSeconds(1);
      }
    }
    List<Occurrence> occurrences = OccurrenceCalculator.compute(client.plan().plan(), sessions, client.zone(),
        client.plan().quietHours(), now, reach.plus(Duration.ofDays(1)));
    String zoneId = client.zone().getId();
    List<Tuple> inserts = new ArrayList<>();
    List<Tuple> updates = new ArrayList<>();
    Map<String, Boolean> seen = new HashMap<>();
    for (Occurrence o : occurrences) {
      Instant effective = client.plan().effectiveFrom(o.stepId());
      if (effective != null && o.dueAt().isBefore(effective)) {
        continue;
      }
      UUID sessionId = o.dosingSessionId() == null ? null : UUID.fromString(o.dosingSessionId());
      for (int pos = 0; pos < o.instruments().size(); pos++) {
        String instrumentId = o.instruments().get(pos);
        String k = key(o.stepId(), o.occurrenceKey(), instrumentId);
        Existing e = existing.get(k);
        if (e != null) {
          seen.put(k, true);
          boolean same = e.state().equals("pending") && e.due().equals(Db.micros(o.dueAt()))
              && Objects.equals(e.remind(), o.remindAt() == null ? null : Db.micros(o.remindAt()))
              && e.expires().equals(Db.micros(o.expiresAt())) && Objects.equals(e.sessionId(), sessionId)
              && Objects.equals(e.message(), o.message()) && e.zone().equals(zoneId) && e.position() == pos;
          if (!same) {
            updates.add(Tuple.from(new Object[] {e.id(), Db.ts(o.dueAt()), Db.ts(o.remindAt()), Db.ts(o.expiresAt()),
                sessionId, o.message(), zoneId, pos}));
          }
        } else if (o.dueAt().isBefore(insertUntil)) {
          Optional<Instrument> instrument = catalog.latest(instrumentId);
          if (instrument.isEmpty()) {
            // Plans are validated against the catalog when saved; an instrument removed from a
            // later build must not stop the rest of the client's schedule.
            log.warn("plan step {} names an instrument missing from the catalog: {}", o.stepId(), instrumentId);
            continue;
          }
          inserts.add(Tuple.from(new Object[] {UUID.randomUUID(), client.clinicId(), client.clientId(), o.stepId(),
              o.occurrenceKey(), instrumentId, instrument.get().version(), pos, sessionId, o.message(),
              Db.ts(o.dueAt()), Db.ts(o.remindAt()), Db.ts(o.expiresAt()), zoneId, Db.ts(now)}));
        }
      }
    }
    List<Tuple> cancels = new ArrayList<>();
    existing.forEach((k, e) -> {
      if (!seen.containsKey(k) && e.state().equals("pending")) {
        cancels.add(Tuple.of(e.id(), Db.ts(now)));
      }
    });
    Future<?> f = Future.succeededFuture();
    if (!cancels.isEmpty()) {
      f = f.compose(v -> tx.preparedQuery("UPDATE checkin_prompt SET state = 'cancelled', cancelled_at = $2"
          + " WHERE id = $1 AND state = 'pending'").executeBatch(cancels));
    }
    if (!updates.isEmpty()) {
      f = f.compose(v -> tx.preparedQuery("UPDATE checkin_prompt SET state = 'pending', cancelled_at = NULL,"
          + " due_at = $2, remind_at = $3, expires_at = $4, dosing_session_id = $5, message = $6, time_zone = $7,"
          + " position = $8 WHERE id = $1 AND state IN ('pending', 'cancelled') AND delivered_at IS NULL")
          .executeBatch(updates));
    }
    if (!inserts.isEmpty()) {
      f = f.compose(v -> tx.preparedQuery("INSERT INTO checkin_prompt (id, clinic_id, client_id, step_id, occurrence_key,"
          + " instrument_id, instrument_version, position, dosing_session_id, message, due_at, remind_at, expires_at,"
          + " time_zone, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)"
          + " ON CONFLICT (client_id, step_id, occurrence_key, instrument_id) DO NOTHING").executeBatch(inserts));
    }
    return f.compose(v -> tx.preparedQuery("UPDATE checkin_client SET next_materialize_at = $2 WHERE client_id = $1")
        .execute(Tuple.of(client.clientId(), Db.ts(now.plus(every))))).mapEmpty();
  }

  private static String key(String stepId, String occurrenceKey, String instrumentId) {
    return stepId + '\u0000' + occurrenceKey + '\u0000' + instrumentId;
  }
}
