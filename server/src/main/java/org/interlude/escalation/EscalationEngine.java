package org.interlude.escalation;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.interlude.storage.PgErrors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The escalation state machine's driver, running on every node. The state lives in PostgreSQL
 * (the incident row's {@code next_step}, {@code next_step_at} and {@code step_token}), so any
 * node can take any step and a restart resumes exactly where the chain was.
 *
 * <p>Claim and fence: {@link #tick} reads the due incidents with their tokens, then runs
 * {@link #step} for each. A step is one transaction that first limits how long this node may
 * hold it ({@code idle_in_transaction_session_timeout} = {@code claim_timeout}: a node that is
 * paused or cut off mid-step loses its session, its work rolls back and the row is free again),
 * then claims the row with {@code SELECT … FOR NO KEY UPDATE SKIP LOCKED} (a row another node is
 * working on is skipped, not waited for), and checks the token and due time: a step whose token
 * has moved on (acknowledged, resolved, already taken by another node) is a no-op. The pages it
 * writes have unique idempotency keys, so even a lost lock cannot produce a second page for the
 * same step. Notifications leave only after the commit. The lock is FOR NO KEY UPDATE rather than
 * FOR UPDATE so the watchdog can still record an alarm (its foreign key takes KEY SHARE) on an
 * incident whose step is stuck.
 *
 * <p>Watchdog: {@link #watchdog} raises an alarm for every step overdue by more than
 * {@code watchdog_after}: an ERROR log with the incident id, the
 * {@code interlude_escalation_watchdog_alarms_total} metric and a {@code watchdog} timeline entry,
 * once per incident and step (the {@code watchdog_alarm} key), whichever node sees it first.
 */
public final class EscalationEngine {
  private static final Logger log = LoggerFactory.getLogger(EscalationEngine.class);
  private static final int BATCH = 50;

  /** What one call of {@link #step} did. */
  public enum StepResult {
    /** The step ran and committed. */
    DONE,
    /** Another transaction holds the incident: skipped, it will be due again if still needed. */
    BUSY,
    /** The token moved on or the step is not due: nothing to do. */
    STALE
  }

  private final Pool pool;
  private final Clock clock;
  private final Chain chain;
  private final Notifier notifier;
  private final EscalationMetrics metrics;
  /** Runs each step's transaction, so the step's audit rows lock the clinic's chain only at its end. */
  private final org.interlude.audit.AuditLog audit;
  private final Duration claimTimeout;
  private final Duration watchdogAfter;
  private final String nodeId;
  private final AtomicBoolean ticking = new AtomicBoolean();
  private volatile Function<UUID, Future<Void>> beforeCommit = id -> Future.succeededFuture();

  EscalationEngine(Pool pool, org.interlude.audit.AuditLog audit, Clock clock, Chain chain, Notifier notifier, EscalationMetrics metrics,
      Duration claimTimeout, Duration watchdogAfter, String nodeId) {
    this.pool = pool;
    this.audit = audit;
    this.clock = clock;
    this.chain = chain;
    this.notifier = notifier;
    this.metrics = metrics;
    this.claimTimeout = claimTimeout;
    this.watchdogAfter = watchdogAfter;
    this.nodeId = nodeId;
  }

  /**
   * Runs before a step commits, with the step's row lock held. Fencing tests use it to hold a
   * node in the middle of a step, as a SIGSTOP would; production never sets it.
   */
  void beforeCommit(Function<UUID, Future<Void>> hook) {
    this.beforeCommit = hook;
  }

  private record Due(UUID id, long token) {}

  /**
   * One pass: runs every step due now, oldest first. Returns how many steps ran. Overlapping
   * passes on one node are skipped (the next timer tick catches up).
   */
  public Future<Integer> tick() {
    if (!ticking.compareAndSet(false, true)) {
      return Future.succeededFuture(0);
    }
    Instant now = clock.instant();
    return pool.preparedQuery("SELECT id, step_token FROM incident WHERE next_step_at <= $1 ORDER BY next_step_at LIMIT "
            + BATCH).execute(Tuple.of(Times.odt(now)))
        .compose(rows -> {
          List<Due> due = new ArrayList<>();
          rows.forEach(r -> due.add(new Due(r.getUUID(0), r.getLong(1))));
          Future<Integer> f = Future.succeededFuture(0);
          for (Due d : due) {
            f = f.compose(n -> step(d.id(), d.token())
                .map(r -> r == StepResult.DONE ? n + 1 : n)
                .recover(err -> {
                  log.warn("escalation step failed incidentId={} type={}", d.id(),
                      PgErrors.map(err).getClass().getSimpleName());
                  return Future.succeededFuture(n);
                }));
          }
          return f;
        })
        .recover(err -> {
          log.warn("escalation pass failed type={}", PgErrors.map(err).getClass().getSimpleName());
          return Future.succeededFuture(0);
        })
        .andThen(ar -> ticking.set(false));
  }

  /**
   * Runs the step of {@code incidentId} that was due with {@code expectedToken}; a no-op unless
   * the incident still carries that token and the step is due.
   */
  public Future<StepResult> step(UUID incidentId, long expectedToken) {
    Instant now = Times.micros(clock.instant());
    Effects[] out = new Effects[1];
    return audit.transaction(pool, tx -> tx.query("SET LOCAL idle_in_transaction_session_timeout = "
                + Math.max(1, claimTimeout.toMillis())).execute()
            .compose(v -> tx.preparedQuery("SELECT " + IncidentRow.COLUMNS + " FROM incident WHERE id = $1"
                + " FOR NO KEY UPDATE SKIP LOCKED").execute(Tuple.of(incidentId)))
            .compose(rows -> {
              if (rows.size() == 0) {
                return Future.succeededFuture(StepResult.BUSY);
              }
              IncidentRow inc = IncidentRow.from(rows.iterator().next());
              if (inc.stepToken != expectedToken || inc.nextStepAt == null || inc.nextStepAt.isAfter(now)
                  || inc.state == IncidentState.RESOLVED) {
                return Future.succeededFuture(StepResult.STALE);
              }
              Effects fx = new Effects(inc.id, inc.clientId);
              Future<Void> work;
              if (IncidentRow.NEXT_ACK_TIMEOUT.equals(inc.nextStep) && inc.state == IncidentState.ACKNOWLEDGED) {
                work = chain.ackTimeout(tx, inc, now, fx);
              } else if (IncidentRow.NEXT_PAGE.equals(inc.nextStep) && inc.state == IncidentState.TRIGGERED) {
                work = chain.advance(tx, inc, now, fx);
              } else {
                // A schedule that does not fit the state cannot be acted on safely: drop it and
                // say so, rather than page someone about an incident in an unexpected state.
                log.error("escalation step does not match the incident state incidentId={} state={} step={}", inc.id,
                    inc.state.code(), inc.nextStep);
                inc.clearSchedule();
                inc.stepToken++;
                work = Future.succeededFuture();
              }
              return work.compose(v -> inc.save(tx, now))
                  .compose(v -> Chain.recipients(tx, inc, fx))
                  .compose(v -> beforeCommit.apply(inc.id))
                  .map(v -> {
                    out[0] = fx;
                    return StepResult.DONE;
                  });
            }))
        .recover(PgErrors::recover)
        .map(r -> {
          if (r == StepResult.DONE) {
            notifier.apply(out[0]);
          }
          return r;
        });
  }

  /**
   * One watchdog pass: alarms once for every step overdue by more than {@code watchdog_after}.
   * Returns how many new alarms this node raised. A database it cannot read is itself an alarm.
   */
  public Future<Integer> watchdog() {
    Instant now = Times.micros(clock.instant());
    return pool.preparedQuery("SELECT id, step_token, next_step_at FROM incident WHERE next_step_at < $1")
        .execute(Tuple.of(Times.odt(now.minus(watchdogAfter))))
        .compose(rows -> {
          metrics.overdue.set(rows.size());
          Future<Integer> f = Future.succeededFuture(0);
          for (Row r : rows) {
            UUID id = r.getUUID("id");
            long token = r.getLong("step_token");
            Instant due = IncidentRow.instant(r, "next_step_at");
            f = f.compose(n -> alarm(id, token, due, now).map(raised -> raised ? n + 1 : n));
          }
          return f;
        })
        .recover(err -> {
          log.error("escalation watchdog cannot read the incidents: escalation may be stalled type={}",
              PgErrors.map(err).getClass().getSimpleName());
          return Future.succeededFuture(0);
        });
  }

  private Future<Boolean> alarm(UUID incidentId, long token, Instant due, Instant now) {
    long overdueSeconds = Duration.between(due, now).toSeconds();
    return audit.transaction(pool, tx -> tx.query("SET LOCAL lock_timeout = 2000").execute()
            .compose(v -> tx.preparedQuery("INSERT INTO watchdog_alarm (incident_id, step_token, due_at, raised_at, node_id)"
                    + " VALUES ($1,$2,$3,$4,$5) ON CONFLICT DO NOTHING RETURNING incident_id")
                .execute(Tuple.of(incidentId, token, Times.odt(due), Times.odt(now), nodeId)))
            .compose(rows -> rows.size() == 0 ? Future.succeededFuture(false)
                : Timeline.event(incidentId, now, "watchdog")
                    .detail(new JsonObject().put("dueAt", due.toString()).put("overdueSeconds", overdueSeconds)
                        .put("nodeId", nodeId))
                    .write(tx).map(v -> true)))
        .map(raised -> {
          if (raised) {
            metrics.watchdogAlarms.increment();
            log.error("ESCALATION WATCHDOG: step overdue incidentId={} dueAt={} overdueSeconds={}", incidentId, due,
                overdueSeconds);
          }
          return raised;
        })
        .recover(err -> {
          log.error("ESCALATION WATCHDOG: step overdue and the alarm could not be recorded incidentId={} overdueSeconds={}"
              + " type={}", incidentId, overdueSeconds, PgErrors.map(err).getClass().getSimpleName());
          return Future.succeededFuture(false);
        });
  }
}
