package org.interlude.checkin;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import org.interlude.storage.PgErrors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable prompt scheduler. Every node runs one; they coordinate only through PostgreSQL.
 *
 * <p>Each {@link #tick} (every {@code checkin.poll_interval}) drains, claim after claim of at most
 * {@code checkin.batch_size} rows ({@code FOR UPDATE SKIP LOCKED}, so nodes never wait on each
 * other or take the same row):
 *
 * <ol>
 *   <li><b>deliver</b>: pending prompts that are due become {@code delivered} in one committed
 *       statement, then the client's sockets on every node are nudged ({@code checkin.prompt},
 *       ids only, one nudge per client and claim). The state change is what makes delivery
 *       exactly once: a row leaves {@code pending} once, whatever the number of nodes, restarts or
 *       skew between their clocks.
 *   <li><b>remind</b>: delivered, unanswered prompts whose reminder time passed get
 *       {@code reminded_at} and are nudged again.
 *   <li><b>expire</b>: open prompts whose expiry passed become {@code missed}; a missed safety
 *       check-in is reported to the {@link RiskSink} (WATCH, HIGH within 7 days of a HIGH).
 *   <li><b>retry</b>: work owed after a commit (a nudge, a risk report) whose lease ran out (the node
 *       that owed it died or stalled) is re-claimed under a new fencing token and done again.
 *   <li><b>materialise</b>: clients whose horizon is due for extension are recomputed
 *       ({@link Materializer}).
 * </ol>
 *
 * <p>Leases: a claim stamps the rows with this node's id, a token from {@code checkin_lease_token}
 * and an expiry on the database's clock (so nodes whose clocks disagree still agree on leases).
 * Confirming the owed work ({@code nudge_pending}/{@code signal_pending} back to false) only
 * matches rows still carrying this node's token, so a node that lost its lease cannot act on a row
 * another node took over. Due, reminder and expiry times are compared with the injected clock.
 *
 * <p>Nudges and prompt frames are idempotent (clients de-duplicate by {@code promptId}); risk
 * reports are idempotent in the sink. Ticks never overlap on one node; nothing here blocks the
 * event loop.
 */
public final class Scheduler {
  private static final Logger log = LoggerFactory.getLogger(Scheduler.class);
  /** Kind of the nudges that carry prompt ids. */
  public static final String PROMPT_KIND = "checkin.prompt";
  private static final int MAX_BATCHES_PER_STEP = 1000;
  private static final int IDS_PER_NUDGE = 50;
  private static final int MATERIALIZE_BATCH = 100;

  /** Publishes "these objects changed for these users" (SocketHub.nudge in a node). */
  @FunctionalInterface
  public interface Nudger {
    void nudge(Set<UUID> userIds, String kind, String objectId);
  }

  /** What one tick did, for tests and logs. */
  public record Stats(int delivered, int reminded, int missed, int retried, int materialized) {}

  private final Vertx vertx;
  private final Deps d;
  private final RiskReports risk;
  private final Nudger nudger;
  private final String[] safetyInstruments;
  private long timer = -1;
  private volatile Future<Stats> running;
  private volatile boolean stopped;

  Scheduler(Vertx vertx, Deps deps, RiskReports risk, Nudger nudger) {
    this.vertx = vertx;
    this.d = deps;
    this.risk = risk;
    this.nudger = nudger;
    this.safetyInstruments = deps.rules().thresholds().safetyCheckins().toArray(new String[0]);
  }

  /** Starts polling every {@code checkin.poll_interval}. */
  public void start() {
    timer = vertx.setPeriodic(d.settings().pollInterval().toMillis(), t -> {
      if (stopped || (running != null && !running.isComplete())) {
        return;
      }
      running = tick().onFailure(err -> log.warn("check-in scheduler tick failed: {}", err.getClass().getSimpleName()));
    });
  }

  /** Stops polling and completes when the tick under way (if any) has finished. */
  public Future<Void> stop() {
    stopped = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    Future<Stats> r = running;
    return r == null ? Future.succeededFuture() : r.<Void>mapEmpty().otherwiseEmpty();
  }

  /** One full pass at the clock's current instant; see the class comment. */
  public Future<Stats> tick() {
    Instant now = Db.micros(d.clock().instant());
    int[] counts = new int[5];
    return step("deliver", () -> drain(() -> deliverBatch(now)), n -> counts[0] = n)
        .compose(v -> step("remind", () -> drain(() -> remindBatch(now)), n -> counts[1] = n))
        .compose(v -> step("expire", () -> drain(() -> expireBatch(now)), n -> counts[2] = n))
        .compose(v -> step("retry", () -> drain(this::retryBatch).compose(n -> risk.retryResults(d.settings().batchSize())
            .map(m -> n + m)), n -> counts[3] = n))
        .compose(v -> step("materialize", () -> materialize(now), n -> counts[4] = n))
        .map(v -> new Stats(counts[0], counts[1], counts[2], counts[3], counts[4]));
  }

  // A failing step (database briefly away) must not keep the later steps from running.
  private static Future<Void> step(String name, Supplier<Future<Integer>> work, java.util.function.IntConsumer count) {
    Future<Integer> f;
    try {
      f = work.get();
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    return f.map(n -> {
      count.accept(n);
      return (Void) null;
    }).recover(err -> {
      log.warn("check-in scheduler step {} failed: {}", name, err.getClass().getSimpleName());
      return Future.succeededFuture();
    });
  }

  private Future<Integer> drain(Supplier<Future<Integer>> batch) {
    Promise<Integer> done = Promise.promise();
    drainLoop(batch, 0, 0, done);
    return done.future();
  }

  private void drainLoop(Supplier<Future<Integer>> batch, int total, int rounds, Promise<Integer> done) {
    batch.get().onComplete(ar -> {
      if (ar.failed()) {
        done.fail(ar.cause());
      } else if (ar.result() < d.settings().batchSize() || rounds + 1 >= MAX_BATCHES_PER_STEP || stopped) {
        done.complete(total + ar.result());
      } else {
        // Continue from the event loop rather than the completing callback, keeping stacks flat.
        vertx.runOnContext(x -> drainLoop(batch, total + ar.result(), rounds + 1, done));
      }
    });
  }

  private static final String LEASE = "lease_owner = $3, lease_token = tok.t,"
      + " lease_until = clock_timestamp() + $4::bigint * interval '1 millisecond'";

  private Future<Integer> deliverBatch(Instant now) {
    return claim("WITH tok AS (SELECT nextval('checkin_lease_token') AS t),"
        + " due AS (SELECT id FROM checkin_prompt WHERE state = 'pending' AND due_at <= $1 AND expires_at > $1"
        + " ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED)"
        + " UPDATE checkin_prompt p SET state = 'delivered', delivered_at = $1,"
        // A reminder whose time already passed (the prompt is late) is this delivery itself.
        + " reminded_at = CASE WHEN p.remind_at <= $1 THEN $1 END, nudge_pending = true, " + LEASE
        + " FROM due, tok WHERE p.id = due.id RETURNING p.id, p.client_id, p.lease_token", now)
        .compose(rows -> nudgeAndConfirm(rows).map(rows.size()));
  }

  private Future<Integer> remindBatch(Instant now) {
    return claim("WITH tok AS (SELECT nextval('checkin_lease_token') AS t),"
        + " due AS (SELECT id FROM checkin_prompt WHERE state = 'delivered' AND reminded_at IS NULL"
        + " AND remind_at IS NOT NULL AND remind_at <= $1 AND expires_at > $1"
        + " ORDER BY remind_at LIMIT $2 FOR UPDATE SKIP LOCKED)"
        + " UPDATE checkin_prompt p SET reminded_at = $1, nudge_pending = true, " + LEASE
        + " FROM due, tok WHERE p.id = due.id RETURNING p.id, p.client_id, p.lease_token", now)
        .compose(rows -> nudgeAndConfirm(rows).map(rows.size()));
  }

  private Future<Integer> expireBatch(Instant now) {
    return d.pool().preparedQuery("WITH tok AS (SELECT nextval('checkin_lease_token') AS t),"
            + " due AS (SELECT id FROM checkin_prompt WHERE state IN ('pending', 'delivered') AND expires_at <= $1"
            + " ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED)"
            + " UPDATE checkin_prompt p SET state = 'missed', missed_at = $1, nudge_pending = false,"
            + " signal_pending = (p.instrument_id = ANY($5::text[])), " + LEASE
            + " FROM due, tok WHERE p.id = due.id"
            + " RETURNING p.id, p.clinic_id, p.client_id, p.instrument_id, p.signal_pending, p.lease_token")
        .execute(Tuple.of(Db.ts(now), d.settings().batchSize(), d.nodeId(), d.settings().lease().toMillis(),
            safetyInstruments))
        .recover(PgErrors::recover)
        .compose(rows -> {
          List<RiskReports.Owed> owed = new ArrayList<>();
          for (Row r : rows) {
            if (r.getBoolean("signal_pending")) {
              owed.add(owedPrompt(r));
            }
          }
          return Db.forEachLimited(owed, 16, risk::reportMissed).map(rows.size());
        });
  }

  private Future<Integer> retryBatch() {
    return d.pool().preparedQuery("WITH tok AS (SELECT nextval('checkin_lease_token') AS t),"
            + " owed AS (SELECT id FROM checkin_prompt WHERE (nudge_pending OR signal_pending)"
            + " AND lease_until < clock_timestamp() ORDER BY lease_until LIMIT $1 FOR UPDATE SKIP LOCKED)"
            + " UPDATE checkin_prompt p SET lease_owner = $2, lease_token = tok.t,"
            + " lease_until = clock_timestamp() + $3::bigint * interval '1 millisecond' FROM owed, tok WHERE p.id = owed.id"
            + " RETURNING p.id, p.clinic_id, p.client_id, p.instrument_id, p.state, p.nudge_pending, p.signal_pending,"
            + " p.lease_token")
        .execute(Tuple.of(d.settings().batchSize(), d.nodeId(), d.settings().lease().toMillis()))
        .recover(PgErrors::recover)
        .compose(rows -> {
          List<Row> nudges = new ArrayList<>();
          List<RiskReports.Owed> reports = new ArrayList<>();
          for (Row r : rows) {
            if (r.getBoolean("nudge_pending")) {
              nudges.add(r);
            }
            if (r.getBoolean("signal_pending")) {
              reports.add(owedPrompt(r));
            }
          }
          if (!rows.iterator().hasNext()) {
            return Future.succeededFuture(0);
          }
          log.info("check-in scheduler took over owed work nudges={} reports={}", nudges.size(), reports.size());
          return nudgeAndConfirm(nudges)
              .compose(v -> Db.forEachLimited(reports, 16, risk::reportMissed))
              .map(rows.size());
        });
  }

  private Future<Integer> materialize(Instant now) {
    return d.pool().preparedQuery("UPDATE checkin_client c SET next_materialize_at = $3 WHERE c.client_id IN"
            + " (SELECT client_id FROM checkin_client WHERE next_materialize_at <= $1 ORDER BY next_materialize_at"
            + " LIMIT $2 FOR UPDATE SKIP LOCKED) RETURNING c.client_id")
        .execute(Tuple.of(Db.ts(now), MATERIALIZE_BATCH, Db.ts(now.plus(d.settings().materializeEvery()))))
        .recover(PgErrors::recover)
        .compose(rows -> {
          List<UUID> clients = new ArrayList<>();
          rows.forEach(r -> clients.add(r.getUUID("client_id")));
          return Db.forEachLimited(clients, 4, id -> d.pool().withTransaction(tx -> Materializer.lockClient(tx, id, now)
                  .compose(locked -> d.materializer().reconcile(tx, locked, now)))
              .recover(err -> {
                // One client's failure must not stop the others; it is retried at its next time.
                log.warn("materialising a client's check-ins failed clientId={} cause={}", id, err.getClass().getSimpleName());
                return Future.succeededFuture();
              })).map(clients.size());
        });
  }

  private Future<RowSet<Row>> claim(String sql, Instant now) {
    return d.pool().preparedQuery(sql)
        .execute(Tuple.of(Db.ts(now), d.settings().batchSize(), d.nodeId(), d.settings().lease().toMillis()))
        .recover(PgErrors::recover);
  }

  /**
   * Nudges each client's sockets with the ids of their claimed prompts, then confirms the nudges
   * under the claim's token (rows another node took over in the meantime are left to it).
   */
  private Future<Void> nudgeAndConfirm(Iterable<Row> rows) {
    Map<UUID, List<String>> byClient = new LinkedHashMap<>();
    Map<Long, List<UUID>> byToken = new LinkedHashMap<>();
    for (Row r : rows) {
      UUID id = r.getUUID("id");
      // Claims of delivery and reminder return no state; a taken-over row is pushed only while open.
      boolean open = r.getColumnIndex("state") < 0 || "delivered".equals(r.getString("state"));
      if (open) {
        byClient.computeIfAbsent(r.getUUID("client_id"), k -> new ArrayList<>()).add(id.toString());
      }
      byToken.computeIfAbsent(r.getLong("lease_token"), k -> new ArrayList<>()).add(id);
    }
    byClient.forEach((client, ids) -> {
      for (int i = 0; i < ids.size(); i += IDS_PER_NUDGE) {
        nudger.nudge(Set.of(client), PROMPT_KIND, String.join(",", ids.subList(i, Math.min(ids.size(), i + IDS_PER_NUDGE))));
      }
    });
    List<Future<?>> confirms = new ArrayList<>();
    byToken.forEach((token, ids) -> confirms.add(d.pool().preparedQuery("UPDATE checkin_prompt SET nudge_pending = false"
            + " WHERE id = ANY($1) AND lease_token = $2 AND nudge_pending")
        .execute(Tuple.of(ids.toArray(new UUID[0]), token))));
    return Future.all(confirms).<Void>mapEmpty().recover(PgErrors::recover);
  }

  private static RiskReports.Owed owedPrompt(Row r) {
    return new RiskReports.Owed(r.getUUID("id"), r.getUUID("clinic_id"), r.getUUID("client_id"),
        r.getString("instrument_id"), r.getLong("lease_token"));
  }
}
