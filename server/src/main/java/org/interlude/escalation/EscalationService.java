package org.interlude.escalation;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.interlude.audit.AuditEvent;
import org.interlude.audit.AuditLog;
import org.interlude.checkin.instrument.risk.CheckinRiskRules;
import org.interlude.checkin.instrument.risk.RiskSignal;
import org.interlude.crypto.DataKeys;
import org.interlude.identity.Actor;
import org.interlude.identity.Denied;
import org.interlude.identity.InvalidInput;
import org.interlude.storage.Flight;
import org.interlude.storage.PgErrors;
import org.interlude.storage.StorageException;
import org.interlude.storage.Urgent;

/**
 * Incidents: the one open episode per client that every distress trigger joins, and what staff
 * do with it. Contract:
 *
 * <ul>
 *   <li>{@link #trigger} commits the trigger, the timeline entry and (for HIGH and CRITICAL) the
 *       first page in one transaction, and only then notifies anyone. A repeated dedup key
 *       changes nothing. WATCH triggers open or join an incident that never pages (the care
 *       team's review queue) until a HIGH or CRITICAL trigger raises it. Triggers run on the
 *       urgent event loop and pool ({@link Urgent}), so they never queue behind chat traffic.
 *   <li>{@link #acknowledge} stops paging at once: the step token changes, so any step computed
 *       before is a no-op, pending page webhooks are cancelled, and only the policy's
 *       "acknowledged but not resolved" timer remains. {@link #resolve} needs a disposition and a
 *       note and cancels everything, including that timer.
 *   <li>Every change writes its timeline entry and audit row in its own transaction.
 *   <li>Staff methods authorise through the visibility rule of {@link IncidentViews}: a
 *       forbidden incident is reported exactly like a missing one.
 * </ul>
 */
public final class EscalationService {
  static final String CRISIS_RULE = "client.crisisButton";
  private static final int MAX_NOTE = 4000;

  private final Pool pool;
  private final Urgent urgent;
  private final Clock clock;
  private final DataKeys dataKeys;
  private final AuditLog audit;
  private final Chain chain;
  private final Webhooks webhooks;
  private final Notifier notifier;
  private final IncidentViews views;

  EscalationService(Pool pool, Urgent urgent, Clock clock, DataKeys dataKeys, AuditLog audit, Chain chain,
      Webhooks webhooks, Notifier notifier, IncidentViews views) {
    this.pool = pool;
    this.urgent = urgent;
    this.clock = clock;
    this.dataKeys = dataKeys;
    this.audit = audit;
    this.chain = chain;
    this.webhooks = webhooks;
    this.notifier = notifier;
    this.views = views;
  }

  public IncidentViews views() {
    return views;
  }

  // ---- triggers ----

  /** One trigger; see {@link #trigger(List, boolean)}. The client is sent crisis.info when it pages. */
  public Future<TriggerOutcome> trigger(Trigger t) {
    return trigger(List.of(t), true);
  }

  /**
   * Joins {@code triggers} (all for one client) to the client's open incident, opening one when
   * there is none, in one transaction; then notifies staff, the client (crisis.info for HIGH and
   * CRITICAL, when {@code tellClient}) and the webhook dispatcher.
   */
  public Future<TriggerOutcome> trigger(List<Trigger> triggers, boolean tellClient) {
    if (triggers.isEmpty()) {
      return Future.failedFuture(new IllegalArgumentException("no triggers"));
    }
    UUID client = triggers.get(0).clientId();
    UUID clinic = triggers.get(0).clinicId();
    for (Trigger t : triggers) {
      if (!t.clientId().equals(client) || !t.clinicId().equals(clinic)) {
        return Future.failedFuture(new IllegalArgumentException("triggers of one call must name one client"));
      }
    }
    List<Trigger> sorted = new ArrayList<>(triggers);
    sorted.sort(Comparator.comparing(Trigger::severity).reversed());
    // Every trigger may page: it runs on the urgent loop and pool, never behind chat traffic.
    return urgent.run(p -> triggerOnce(p, sorted, tellClient)
        // Two first triggers for one client can race to open the incident; the loser retries and joins.
        .recover(err -> err instanceof StorageException.Duplicate d && d.constraint().equals("incident_one_open")
            ? triggerOnce(p, sorted, tellClient) : Future.failedFuture(err)))
        .map(r -> {
          if (r.effects() != null) {
            notifier.apply(r.effects());
          }
          return r.outcome();
        });
  }

  private record Result(TriggerOutcome outcome, Effects effects) {}

  /**
   * One attempt of {@link #trigger}. It makes few round trips on purpose: a crisis report waits
   * for each one behind the node's chat load, so statements that do not need an earlier one's
   * answer are sent together ({@link Flight}). The checks and the lock on the client's open
   * incident go out in one flight; a new incident's row, the trigger and its timeline entry in
   * the next; then the policy snapshot's reads, the pages, and the save with the recipients.
   */
  private Future<Result> triggerOnce(Pool db, List<Trigger> triggers, boolean tellClient) {
    Trigger first = triggers.get(0);
    Instant now = Times.micros(clock.instant());
    return audit.transaction(db, tx -> {
      Future<RowSet<Row>> client = tx.preparedQuery("SELECT 1 FROM app_user WHERE id = $1 AND clinic_id = $2"
          + " AND 'client' = ANY(roles)").execute(Tuple.of(first.clientId(), first.clinicId()));
      Future<RowSet<Row>> seen = tx.preparedQuery("SELECT dedup_key, incident_id FROM incident_trigger WHERE client_id = $1"
              + " AND dedup_key = ANY($2)")
          .execute(Tuple.of(first.clientId(), (Object) triggers.stream().map(Trigger::dedupKey).toArray(String[]::new)));
      // Locked even when every trigger turns out to be a repeat: that only holds the lock until
      // this transaction ends, and saves a round trip for every new trigger.
      Future<RowSet<Row>> open = tx.preparedQuery("SELECT " + IncidentRow.COLUMNS + " FROM incident WHERE client_id = $1"
          + " AND clinic_id = $2 AND state <> 'resolved' FOR NO KEY UPDATE").execute(Tuple.of(first.clientId(), first.clinicId()));
      return Flight.all(client, seen, open).compose(v -> {
        if (client.result().size() == 0) {
          return Future.failedFuture(Denied.notFound("client"));
        }
        Map<String, UUID> known = new HashMap<>();
        seen.result().forEach(r -> known.put(r.getString("dedup_key"), r.getUUID("incident_id")));
        List<Trigger> fresh = triggers.stream().filter(t -> !known.containsKey(t.dedupKey())).toList();
        if (fresh.isEmpty()) {
          UUID incident = known.get(first.dedupKey());
          return tx.preparedQuery("SELECT severity FROM incident WHERE id = $1").execute(Tuple.of(incident))
              .map(r -> new Result(new TriggerOutcome(incident, false, true,
                  Severity.valueOf(r.iterator().next().getString(0))), null));
        }
        RowSet<Row> rows = open.result();
        return joinOrOpen(tx, fresh, tellClient, now, rows.size() > 0 ? IncidentRow.from(rows.iterator().next()) : null);
      });
    }).recover(PgErrors::recover);
  }

  /** Joins {@code fresh} to the locked open incident {@code existing}, or opens one when it is null. */
  private Future<Result> joinOrOpen(SqlConnection tx, List<Trigger> fresh, boolean tellClient, Instant now,
      IncidentRow existing) {
    boolean opened = existing == null;
    IncidentRow inc = opened ? newIncident(fresh.get(0), now) : existing;
    List<Future<?>> writes = new ArrayList<>();
    // Not waited for: the trigger rows below follow it on the connection, and a second node
    // opening the same client's incident makes it fail first (incident_one_open), which is
    // the error Flight.all reports and trigger() retries on.
    writes.add(opened ? insertIncident(tx, inc) : Future.succeededFuture());
    Effects fx = new Effects(inc.id, inc.clientId);
    Severity before = opened ? Severity.NONE : inc.severity;
    boolean[] anyNewPaging = {false};
    Future<Void> f = Future.succeededFuture();
    for (Trigger t : fresh) {
      f = f.compose(v -> insertTrigger(tx, inc, t, now)).compose(id -> {
        if (id == null) {
          // A concurrent call committed the same dedup key first: nothing new here.
          return Future.succeededFuture();
        }
        anyNewPaging[0] |= t.severity().pages();
        writes.add(Timeline.event(inc.id, now, "trigger").trigger(id).severity(t.severity()).actor(t.actorId()).write(tx));
        if (inc.decisiveTrigger == null) {
          inc.decisiveTrigger = id;
        } else if (t.severity().compareTo(inc.severity) > 0) {
          Severity from = inc.severity;
          inc.decisiveTrigger = id;
          inc.severity = t.severity();
          writes.add(Timeline.event(inc.id, now, "severity_raised").trigger(id).severity(t.severity())
              .detail(new JsonObject().put("from", from.name())).write(tx));
        }
        return audit.record(tx, AuditEvent.of("incident.trigger").clinic(inc.clinicId)
            .actor(t.actorId(), t.actorId() == null ? "system" : "client").subject(inc.clientId)
            .object("incident", inc.id).build());
      });
    }
    Future<Void> done = f.compose(v -> page(tx, inc, before, anyNewPaging[0], now, fx))
        .compose(v -> Flight.all(inc.save(tx, now), Chain.recipients(tx, inc, fx)));
    // The writes list is complete once done has succeeded (every write is added before the step after it).
    return done.transform(ar -> {
      List<Future<?>> all = new ArrayList<>(writes);
      all.add(ar.succeeded() ? Future.succeededFuture() : Future.failedFuture(ar.cause()));
      return Flight.all(all);
    }).map(v -> {
      fx.clientCrisisInfo = tellClient && anyNewPaging[0];
      return new Result(new TriggerOutcome(inc.id, opened, false, inc.severity), fx);
    });
  }

  private IncidentRow newIncident(Trigger t, Instant now) {
    IncidentRow inc = new IncidentRow();
    inc.id = UUID.randomUUID();
    inc.clinicId = t.clinicId();
    inc.clientId = t.clientId();
    inc.state = IncidentState.TRIGGERED;
    inc.severity = t.severity();
    inc.openedAt = now;
    byte[] dk = dataKeys.newDataKey();
    try {
      inc.dataKey = dataKeys.wrap(dk, Notes.scope(inc.id));
    } finally {
      java.util.Arrays.fill(dk, (byte) 0);
    }
    return inc;
  }

  private static Future<Void> insertIncident(SqlConnection tx, IncidentRow inc) {
    return tx.preparedQuery("INSERT INTO incident (id, clinic_id, client_id, state, severity, opened_at, dk_version,"
            + " dk_wrapped, updated_at) VALUES ($1,$2,$3,'triggered',$4,$5,$6,$7,$5)")
        .execute(Tuple.from(new Object[] {inc.id, inc.clinicId, inc.clientId, inc.severity.name(), Times.odt(inc.openedAt),
            inc.dataKey.version(), Buffer.buffer(inc.dataKey.bytes())}))
        .mapEmpty();
  }

  private static Future<Long> insertTrigger(SqlConnection tx, IncidentRow inc, Trigger t, Instant now) {
    return tx.preparedQuery("INSERT INTO incident_trigger (incident_id, client_id, dedup_key, kind, severity, rule_id, summary,"
            + " client_action, source_type, source_id, at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)"
            + " ON CONFLICT (client_id, dedup_key) DO NOTHING RETURNING id")
        .execute(Tuple.from(new Object[] {inc.id, inc.clientId, t.dedupKey(), t.kind().code(), t.severity().name(),
            t.ruleId(), t.summary(), Trigger.clientActionCode(t.clientAction()), t.sourceType(), t.sourceId(),
            Times.odt(now)}))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getLong(0));
  }

  /** Decides what the triggers mean for paging, after they joined the incident. */
  private Future<Void> page(SqlConnection tx, IncidentRow inc, Severity before, boolean anyNewPaging, Instant now, Effects fx) {
    if (!inc.severity.pages() || !anyNewPaging && inc.severity == before) {
      return Future.succeededFuture();
    }
    if (!inc.paging()) {
      // New, WATCH-only or reopened: this run starts paging now, even when a therapist had
      // acknowledged the WATCH review item, because nobody acknowledged this distress yet.
      inc.state = IncidentState.TRIGGERED;
      inc.acknowledgedBy = null;
      inc.acknowledgedAt = null;
      return chain.start(tx, inc, now, fx);
    }
    if (inc.state == IncidentState.TRIGGERED && inc.nextStep == null && anyNewPaging) {
      // The chain ran out unanswered and the client signals again: page the chain again.
      inc.level = 0;
      inc.round = 0;
      inc.unansweredAt = null;
      return chain.advance(tx, inc, now, fx);
    }
    if (inc.state == IncidentState.TRIGGERED && IncidentRow.NEXT_PAGE.equals(inc.nextStep) && inc.severity != before
        && inc.lastPageAt != null && inc.level > 0) {
      // Raised to CRITICAL while waiting on a level: that level now has the shorter wait.
      Duration wait = inc.snapshot.levels().get(Math.min(inc.level - 1, inc.snapshot.levels().size() - 1)).wait(inc.severity);
      Instant sooner = inc.lastPageAt.plus(wait);
      if (sooner.isBefore(inc.nextStepAt)) {
        inc.schedule(IncidentRow.NEXT_PAGE, sooner.isBefore(now) ? now : sooner);
        inc.stepToken++;
      }
    }
    // Acknowledged: the acknowledger sees the new trigger on their console; nothing pages.
    return Future.succeededFuture();
  }

  /**
   * The client's "I need help now" button: a CRITICAL trigger, idempotent by
   * {@code clientReportId}, committed before this returns. The answer is the {@code crisis.info}
   * frame that confirms it to the client.
   */
  public Future<JsonObject> crisisReport(Actor client, UUID clientReportId) {
    if (!client.isClient()) {
      return Future.failedFuture(Denied.notFound("resource"));
    }
    Trigger t = new Trigger(client.clinicId(), client.userId(), TriggerKind.CRISIS_BUTTON, Severity.CRITICAL, CRISIS_RULE,
        "Crisis button pressed", RiskSignal.ClientAction.NONE, "crisis_report", clientReportId.toString(),
        "crisis:" + clientReportId, client.userId());
    return trigger(List.of(t), false)
        .compose(o -> urgent.run(p -> views.crisisInfo(p, client.userId(), o.incidentId())))
        .map(info -> info.orElseThrow(() -> new IllegalStateException("a CRITICAL incident has crisis information")));
  }

  /**
   * A chat screening result for a committed message (called by the chat service after commit).
   * NONE does nothing; WATCH goes to the care team's review queue (a WATCH incident, or the
   * open incident's timeline) and never pages; HIGH and CRITICAL page. Idempotent per message.
   */
  public Future<Void> chatFinding(UUID clinicId, UUID clientId, String conversationId, long seq, Severity severity,
      String ruleId) {
    Objects.requireNonNull(severity, "severity");
    if (severity == Severity.NONE) {
      return Future.succeededFuture();
    }
    String rule = ruleId == null || ruleId.isBlank() ? "chat.screening" : ruleId;
    Trigger t = new Trigger(clinicId, clientId, TriggerKind.CHAT, severity, rule,
        "Chat message #" + seq + " flagged by screening rule " + rule, RiskSignal.ClientAction.NONE, "chat_message",
        conversationId + ":" + seq, "chat:" + conversationId + ":" + seq, null);
    return trigger(t).mapEmpty();
  }

  /**
   * Check-in risk signals for one result (or a missed check-in), all joined in one transaction;
   * the {@code RiskSink} adapter of the check-in service calls this. Idempotent per source
   * object and rule.
   */
  public Future<Void> checkinSignals(UUID clinicId, UUID clientId, List<RiskSignal> signals, String sourceType,
      String sourceId) {
    if (signals.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Trigger> triggers = new ArrayList<>();
    for (RiskSignal s : signals) {
      boolean missed = s.ruleId().equals(CheckinRiskRules.MISSED_CHECKIN)
          || s.ruleId().equals(CheckinRiskRules.MISSED_CHECKIN_AFTER_HIGH);
      String summary = s.reason().length() > 300 ? s.reason().substring(0, 300) : s.reason();
      triggers.add(new Trigger(clinicId, clientId, missed ? TriggerKind.MISSED_CHECKIN : TriggerKind.CHECKIN, s.severity(),
          s.ruleId(), summary, s.clientAction(), sourceType, sourceId,
          "checkin:" + sourceType + ":" + sourceId + ":" + s.ruleId(), null));
    }
    return trigger(triggers, true).mapEmpty();
  }

  /** Whether a HIGH or CRITICAL trigger was recorded for the client in the last 7 days. */
  public Future<Boolean> highInLast7Days(UUID clientId) {
    return pool.preparedQuery("SELECT EXISTS (SELECT 1 FROM incident_trigger WHERE client_id = $1 AND at > $2"
            + " AND severity IN ('HIGH', 'CRITICAL'))")
        .execute(Tuple.of(clientId, Times.odt(clock.instant().minus(Duration.ofDays(7)))))
        .map(rows -> rows.iterator().next().getBoolean(0))
        .recover(PgErrors::recover);
  }

  // ---- staff actions ----

  /** Locks the incident when {@code a} may see it; NotFound otherwise. */
  private Future<IncidentRow> lockVisible(SqlConnection tx, Actor a, UUID incidentId, Instant now) {
    if (!IncidentViews.clinical(a)) {
      return Future.failedFuture(Denied.notFound("incident"));
    }
    Object[] p = IncidentViews.visibleParams(a, now);
    return tx.preparedQuery("SELECT " + IncidentRow.COLUMNS + " FROM incident i WHERE i.id = $5 AND "
            + IncidentViews.visible("i", 1, 2, 3, 4) + " FOR NO KEY UPDATE OF i")
        .execute(Tuple.from(new Object[] {p[0], p[1], p[2], p[3], incidentId}))
        .compose(rows -> rows.size() == 0 ? Future.failedFuture(Denied.notFound("incident"))
            : Future.succeededFuture(IncidentRow.from(rows.iterator().next())));
  }

  private Future<Void> audited(SqlConnection tx, Actor a, String action, IncidentRow inc) {
    return audit.record(tx, AuditEvent.of(action).clinic(inc.clinicId).actor(a.userId(), a.auditRole())
        .subject(inc.clientId).object("incident", inc.id).source(a.sourceIp(), a.correlationId()).build());
  }

  private Future<JsonObject> afterCommit(Actor a, UUID incidentId, Effects fx) {
    if (fx != null) {
      notifier.apply(fx);
    }
    return views.summaryFor(pool, a, incidentId).map(s -> s.orElseThrow(() -> Denied.notFound("incident")));
  }

  /**
   * Acknowledges: paging stops now. Acknowledging an acknowledged incident changes nothing; a
   * resolved one is a conflict. The client is told who has seen their report.
   */
  public Future<JsonObject> acknowledge(Actor a, UUID incidentId) {
    Instant now = Times.micros(clock.instant());
    return audit.transaction(pool, tx -> lockVisible(tx, a, incidentId, now).compose(inc -> {
          if (inc.state == IncidentState.RESOLVED) {
            return Future.failedFuture(new StorageException.Conflict("the incident is resolved", null));
          }
          if (inc.state == IncidentState.ACKNOWLEDGED) {
            return Future.succeededFuture((Effects) null);
          }
          Effects fx = new Effects(inc.id, inc.clientId);
          inc.state = IncidentState.ACKNOWLEDGED;
          inc.acknowledgedBy = a.userId();
          inc.acknowledgedAt = now;
          inc.unansweredAt = null;
          inc.stepToken++;
          if (inc.paging() && !inc.snapshot.ackTimeout().isZero()) {
            inc.schedule(IncidentRow.NEXT_ACK_TIMEOUT, now.plus(inc.snapshot.ackTimeout()));
          } else {
            inc.clearSchedule();
          }
          fx.clientStatus = inc.paging();
          return Timeline.event(inc.id, now, "acknowledged").actor(a.userId()).write(tx)
              .compose(v -> Chain.grantAccess(tx, inc, a.userId(), now))
              .compose(v -> webhooks.cancelPendingPages(tx, inc.id, now))
              .compose(v -> inc.paging()
                  ? webhooks.enqueue(tx, inc, "acknowledged", inc.id + ":acknowledged:" + inc.stepToken, null, a.userId(),
                      null, now)
                  : Future.succeededFuture(false))
              .compose(queued -> {
                fx.webhooks = queued;
                return inc.save(tx, now);
              })
              .compose(v -> audited(tx, a, "incident.ack", inc))
              .compose(v -> Chain.recipients(tx, inc, fx))
              .map(v -> fx);
        }))
        .recover(PgErrors::recover)
        .compose(fx -> afterCommit(a, incidentId, fx));
  }

  /**
   * Resolves with a disposition and a note (both required: 400 naming the field). Cancels every
   * scheduled step, including the acknowledgement timeout, and removes the incident's access
   * grants. Resolving a resolved incident is a conflict.
   */
  public Future<JsonObject> resolve(Actor a, UUID incidentId, String disposition, String note) {
    Disposition d = Disposition.parse(disposition).orElse(null);
    if (d == null) {
      return Future.failedFuture(new InvalidInput("invalid_disposition", "disposition",
          "choose reached_client, safety_plan_reviewed, emergency_services_called or false_alarm"));
    }
    String text;
    try {
      text = checkNote(note);
    } catch (InvalidInput e) {
      return Future.failedFuture(e);
    }
    Instant now = Times.micros(clock.instant());
    return audit.transaction(pool, tx -> lockVisible(tx, a, incidentId, now).compose(inc -> {
          if (inc.state == IncidentState.RESOLVED) {
            return Future.failedFuture(new StorageException.Conflict("the incident is already resolved", null));
          }
          Effects fx = new Effects(inc.id, inc.clientId);
          UUID noteId = UUID.randomUUID();
          byte[] sealed = Notes.seal(dataKeys, inc.dataKey, inc.id, noteId, text);
          boolean wasPaging = inc.paging();
          inc.state = IncidentState.RESOLVED;
          inc.resolvedBy = a.userId();
          inc.resolvedAt = now;
          inc.disposition = d.code();
          inc.clearSchedule();
          inc.stepToken++;
          return Chain.recipients(tx, inc, fx)
              .compose(v -> Timeline.event(inc.id, now, "resolved").actor(a.userId()).disposition(d).note(noteId, sealed)
                  .write(tx))
              .compose(v -> tx.preparedQuery("DELETE FROM incident_access WHERE incident_id = $1").execute(Tuple.of(inc.id)))
              .compose(v -> webhooks.cancelPendingPages(tx, inc.id, now))
              .compose(v -> wasPaging
                  ? webhooks.enqueue(tx, inc, "resolved", inc.id + ":resolved:" + inc.stepToken, null, a.userId(), null, now)
                  : Future.succeededFuture(false))
              .compose(queued -> {
                fx.webhooks = queued;
                return inc.save(tx, now);
              })
              .compose(v -> audited(tx, a, "incident.resolve", inc))
              .map(v -> fx);
        }))
        .recover(PgErrors::recover)
        .compose(fx -> afterCommit(a, incidentId, fx));
  }

  private static String checkNote(String note) {
    String text = note == null ? "" : java.text.Normalizer.normalize(note.strip(), java.text.Normalizer.Form.NFC);
    if (text.isEmpty()) {
      throw new InvalidInput("note_required", "note", "write a note");
    }
    if (text.length() > MAX_NOTE) {
      throw new InvalidInput("note_too_long", "note", "a note has at most " + MAX_NOTE + " characters");
    }
    return text;
  }

  /** Adds a note (sealed) to the timeline. */
  public Future<JsonObject> addNote(Actor a, UUID incidentId, String note) {
    String text;
    try {
      text = checkNote(note);
    } catch (InvalidInput e) {
      return Future.failedFuture(e);
    }
    Instant now = Times.micros(clock.instant());
    return audit.transaction(pool, tx -> lockVisible(tx, a, incidentId, now).compose(inc -> {
          UUID noteId = UUID.randomUUID();
          byte[] sealed = Notes.seal(dataKeys, inc.dataKey, inc.id, noteId, text);
          return Timeline.event(inc.id, now, "note").actor(a.userId()).note(noteId, sealed).write(tx)
              .compose(v -> audited(tx, a, "incident.note", inc))
              .map(v -> (Effects) null);
        }))
        .recover(PgErrors::recover)
        .compose(fx -> afterCommit(a, incidentId, fx));
  }

  /**
   * Reopens a resolved incident as a new run: triggered again, and (for HIGH and CRITICAL) paged
   * from the first level with a fresh snapshot of the policy. A conflict when the client has
   * another open incident by now.
   */
  public Future<JsonObject> reopen(Actor a, UUID incidentId) {
    Instant now = Times.micros(clock.instant());
    return audit.transaction(pool, tx -> lockVisible(tx, a, incidentId, now).compose(inc -> {
          if (inc.state != IncidentState.RESOLVED) {
            return Future.failedFuture(new StorageException.Conflict("only a resolved incident can be reopened", null));
          }
          Effects fx = new Effects(inc.id, inc.clientId);
          inc.state = IncidentState.TRIGGERED;
          inc.resolvedBy = null;
          inc.resolvedAt = null;
          inc.disposition = null;
          inc.acknowledgedBy = null;
          inc.acknowledgedAt = null;
          inc.unansweredAt = null;
          inc.snapshot = null;
          inc.level = 0;
          inc.round = 0;
          inc.lastPageAt = null;
          inc.stepToken++;
          // Claim the client's one open slot before paging anyone.
          return inc.save(tx, now)
              .compose(v -> Timeline.event(inc.id, now, "reopened").actor(a.userId()).write(tx))
              .compose(v -> Chain.grantAccess(tx, inc, a.userId(), now))
              .compose(v -> inc.severity.pages() ? chain.start(tx, inc, now, fx) : Future.succeededFuture())
              .compose(v -> inc.save(tx, now))
              .compose(v -> audited(tx, a, "incident.reopen", inc))
              .compose(v -> Chain.recipients(tx, inc, fx))
              .map(v -> fx);
        }))
        .recover(err -> {
          Throwable m = PgErrors.map(err);
          if (m instanceof StorageException.Duplicate) {
            return Future.failedFuture(new StorageException.Conflict("the client has another open incident", m));
          }
          return Future.failedFuture(m);
        })
        .compose(fx -> afterCommit(a, incidentId, fx));
  }

  /** Incidents the actor may see ({@code openOnly}: not resolved), audited as a read. */
  public Future<JsonArray> list(Actor a, boolean openOnly) {
    return views.list(a, openOnly).compose(list -> audit.record(AuditEvent.of("incident.list").clinic(a.clinicId())
            .actor(a.userId(), a.auditRole()).source(a.sourceIp(), a.correlationId()).build()).map(v -> list))
        .recover(PgErrors::recover);
  }

  /** One incident with its timeline, audited as a read of the client's record. */
  public Future<JsonObject> get(Actor a, UUID incidentId) {
    return views.detail(a, incidentId).compose(d -> audit.record(AuditEvent.of("incident.view").clinic(a.clinicId())
            .actor(a.userId(), a.auditRole()).subject(UUID.fromString(d.getJsonObject("incident").getString("clientId")))
            .object("incident", incidentId).source(a.sourceIp(), a.correlationId()).build()).map(v -> d))
        .recover(PgErrors::recover);
  }
}
