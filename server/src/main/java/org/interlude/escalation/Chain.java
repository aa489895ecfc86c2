package org.interlude.escalation;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.interlude.audit.AuditEvent;
import org.interlude.audit.AuditLog;
import org.interlude.storage.Flight;

/**
 * The escalation steps, executed inside a transaction that holds the incident's row lock: start a
 * run (snapshot the policy and page the first level), page the due level (recording coverage
 * gaps and moving on at once past levels that resolve to nobody), end the chain as unanswered,
 * and re-trigger an acknowledged incident whose acknowledgement timed out.
 *
 * <p>Every step consumes the incident's current {@code step_token} and increments it. Each page
 * row's idempotency key is {@code <incident>:<consumed token>:<user>} and unique in the database,
 * so even two nodes that both believe they own the same step cannot both page for it: the second
 * transaction fails and sends nothing. Timeline, page, access and webhook outbox rows are written
 * in the same transaction; nothing leaves the node until it commits.
 */
final class Chain {
  private final OnCallSchedules schedules;
  private final Webhooks webhooks;
  private final AuditLog audit;
  private final String nodeId;

  Chain(OnCallSchedules schedules, Webhooks webhooks, AuditLog audit, String nodeId) {
    this.schedules = schedules;
    this.webhooks = webhooks;
    this.audit = audit;
    this.nodeId = nodeId;
  }

  /** Starts a run: freezes the chain for this incident and pages its first level now. */
  Future<Void> start(SqlConnection tx, IncidentRow inc, Instant now, Effects fx) {
    return schedules.snapshot(tx, inc.clinicId, inc.clientId, now).compose(snap -> {
      inc.snapshot = snap;
      inc.level = 0;
      inc.round = 0;
      inc.unansweredAt = null;
      Future<Void> f = Future.succeededFuture();
      if (snap.policyId() == null) {
        fx.coverageGaps++;
        f = Timeline.event(inc.id, now, "coverage_gap").detail(new JsonObject().put("reason", "no_default_policy"))
            .write(tx).compose(v -> noticeAdmins(tx, inc, now));
      }
      // The snapshot was just resolved against the clinic's enabled staff in this transaction:
      // checking them again would cost a round trip on the crisis path and find the same people.
      return f.compose(v -> advance(tx, inc, now, fx, false));
    });
  }

  /** The due {@code page} step: pages the current level (or the next non-empty one) and schedules the next. */
  Future<Void> advance(SqlConnection tx, IncidentRow inc, Instant now, Effects fx) {
    return advance(tx, inc, now, fx, true);
  }

  /** {@code recheck}: whether the level's people must be checked as still enabled before paging. */
  private Future<Void> advance(SqlConnection tx, IncidentRow inc, Instant now, Effects fx, boolean recheck) {
    long token = inc.stepToken;
    inc.stepToken++;
    return advanceFrom(tx, inc, token, now, fx, 0, recheck);
  }

  private Future<Void> advanceFrom(SqlConnection tx, IncidentRow inc, long token, Instant now, Effects fx, int emptyInARow,
      boolean recheck) {
    List<PolicySnapshot.Level> levels = inc.snapshot.levels();
    if (emptyInARow >= levels.size()) {
      // Every level resolved to nobody: repeating the chain would page nobody again.
      return unanswered(tx, inc, token, now, fx);
    }
    if (inc.level >= levels.size()) {
      if (inc.round < inc.snapshot.repeat()) {
        inc.round++;
        inc.level = 0;
        return advanceFrom(tx, inc, token, now, fx, emptyInARow, recheck);
      }
      return unanswered(tx, inc, token, now, fx);
    }
    int current = inc.level;
    PolicySnapshot.Level level = levels.get(current);
    Future<List<UUID>> paged = recheck ? enabled(tx, level.userIds()) : Future.succeededFuture(level.userIds());
    return paged.compose(users -> {
      if (users.isEmpty()) {
        inc.level = current + 1;
        fx.coverageGaps++;
        return Timeline.event(inc.id, now, "coverage_gap").level(current).round(inc.round).write(tx)
            .compose(v -> noticeAdmins(tx, inc, now))
            .compose(v -> advanceFrom(tx, inc, token, now, fx, emptyInARow + 1, recheck));
      }
      return pageAll(tx, inc, users, current, "escalation", token, now, fx).map(v -> {
        inc.level = current + 1;
        inc.lastPageAt = now;
        inc.schedule(IncidentRow.NEXT_PAGE, now.plus(level.wait(inc.severity)));
        return null;
      });
    });
  }

  /**
   * The due {@code ack_timeout} step: the acknowledged incident was not resolved in time. It is
   * triggered again, the acknowledger is paged again, and if they still do not acknowledge, the
   * level after theirs is paged when their wait runs out.
   */
  Future<Void> ackTimeout(SqlConnection tx, IncidentRow inc, Instant now, Effects fx) {
    long token = inc.stepToken;
    inc.stepToken++;
    UUID acknowledger = inc.acknowledgedBy;
    int ackLevel = inc.snapshot.levelOf(acknowledger);
    List<PolicySnapshot.Level> levels = inc.snapshot.levels();
    inc.state = IncidentState.TRIGGERED;
    inc.unansweredAt = null;
    int next = ackLevel >= 0 ? ackLevel + 1 : inc.level;
    PolicySnapshot.Level waitLevel = levels.get(Math.max(0, Math.min(ackLevel >= 0 ? ackLevel : inc.level - 1,
        levels.size() - 1)));
    return Timeline.event(inc.id, now, "ack_timeout").user(acknowledger)
        .detail(new JsonObject().put("ackTimeoutSeconds", inc.snapshot.ackTimeout().toSeconds())).write(tx)
        .compose(v -> audit.record(tx, system("incident.ack_timeout", inc)))
        .compose(v -> enabled(tx, List.of(acknowledger)))
        .compose(users -> {
          inc.level = next;
          if (users.isEmpty()) {
            return advanceFrom(tx, inc, token, now, fx, 0, true);
          }
          return pageAll(tx, inc, users, ackLevel >= 0 ? ackLevel : null, "ack_timeout", token, now, fx).map(v -> {
            inc.lastPageAt = now;
            inc.schedule(IncidentRow.NEXT_PAGE, now.plus(waitLevel.wait(inc.severity)));
            return null;
          });
        });
  }

  private Future<Void> unanswered(SqlConnection tx, IncidentRow inc, long token, Instant now, Effects fx) {
    inc.clearSchedule();
    inc.unansweredAt = now;
    fx.unanswered = true;
    if (inc.acknowledgedAt == null) {
      // The client was told a clinician had been notified; now they must hear that nobody
      // answered, and be sent to the crisis line or emergency number directly.
      fx.clientStatus = true;
    }
    return Timeline.event(inc.id, now, "unanswered").round(inc.round).write(tx)
        .compose(v -> webhooks.enqueue(tx, inc, "unanswered", inc.id + ":unanswered:" + token, null, null, null, now))
        .compose(queued -> {
          fx.webhooks |= queued;
          return audit.record(tx, system("incident.unanswered", inc));
        });
  }

  /**
   * Pages {@code users}: a page row, the access grant, the timeline entry and the webhook
   * deliveries for each. None of these statements needs another's result, so they all go out
   * at once on the transaction's connection; PostgreSQL runs them in order, and the first one
   * that fails (a page key already taken by another node's run of this step) aborts the rest
   * and is the error this returns.
   */
  private Future<Void> pageAll(SqlConnection tx, IncidentRow inc, List<UUID> users, Integer level, String reason, long token,
      Instant now, Effects fx) {
    List<Future<?>> writes = new ArrayList<>();
    for (UUID user : users) {
      UUID pageId = UUID.randomUUID();
      String key = inc.id + ":" + token + ":" + user;
      writes.add(tx.preparedQuery("INSERT INTO page (id, incident_id, user_id, level, round, reason, step_token,"
              + " idempotency_key, node_id, paged_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)")
          .execute(Tuple.from(new Object[] {pageId, inc.id, user, level, inc.round, reason, token, key, nodeId,
              Times.odt(now)})));
      writes.add(grantAccess(tx, inc, user, now));
      writes.add(Timeline.event(inc.id, now, "page").user(user).level(level).round(inc.round).severity(inc.severity)
          .detail(new JsonObject().put("reason", reason)).write(tx));
      writes.add(webhooks.enqueue(tx, inc, "page", key, pageId, user, level, now).map(queued -> {
        fx.webhooks |= queued;
        return null;
      }));
      writes.add(audit.record(tx, AuditEvent.of("incident.page").clinic(inc.clinicId).actor(null, "system")
          .subject(inc.clientId).object("page", pageId).build()));
    }
    return Flight.all(writes).map(v -> {
      fx.pages += users.size();
      return null;
    });
  }

  /** Lets a paged (or joining) staff member see the client while the incident is open. */
  static Future<Void> grantAccess(SqlConnection tx, IncidentRow inc, UUID staff, Instant now) {
    return tx.preparedQuery("INSERT INTO incident_access (client_id, staff_id, incident_id, granted_at) VALUES ($1,$2,$3,$4)"
            + " ON CONFLICT DO NOTHING").execute(Tuple.of(inc.clientId, staff, inc.id, Times.odt(now))).mapEmpty();
  }

  /** The users of {@code ids} that are still enabled, in the given order. */
  private static Future<List<UUID>> enabled(SqlConnection tx, List<UUID> ids) {
    if (ids.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return tx.preparedQuery("SELECT id FROM app_user WHERE id = ANY($1) AND disabled_at IS NULL")
        .execute(Tuple.of(ids.toArray(UUID[]::new)))
        .map(rows -> {
          Set<UUID> ok = new HashSet<>();
          rows.forEach(r -> ok.add(r.getUUID(0)));
          List<UUID> out = new ArrayList<>();
          for (UUID id : ids) {
            if (ok.contains(id)) {
              out.add(id);
            }
          }
          return out;
        });
  }

  /** A notice (no PHI: no client, only the incident id) to the clinic's admins about a coverage gap. */
  private static Future<Void> noticeAdmins(SqlConnection tx, IncidentRow inc, Instant now) {
    return tx.preparedQuery("INSERT INTO staff_notice (clinic_id, user_id, kind, object_id, created_at)"
            + " SELECT $1, id, 'coverage_gap', $2, $3 FROM app_user WHERE clinic_id = $1 AND 'admin' = ANY(roles)"
            + " AND disabled_at IS NULL").execute(Tuple.of(inc.clinicId, inc.id.toString(), Times.odt(now))).mapEmpty();
  }

  /** Who shows this incident on their console: everyone paged for it and the client's care team. */
  static Future<Void> recipients(SqlConnection tx, IncidentRow inc, Effects fx) {
    return tx.preparedQuery("SELECT user_id FROM page WHERE incident_id = $1"
            + " UNION SELECT therapist_id FROM care_team WHERE client_id = $2")
        .execute(Tuple.of(inc.id, inc.clientId))
        .map(rows -> {
          rows.forEach(r -> fx.staff.add(r.getUUID(0)));
          return null;
        });
  }

  static AuditEvent system(String action, IncidentRow inc) {
    return AuditEvent.of(action).clinic(inc.clinicId).actor(null, "system").subject(inc.clientId)
        .object("incident", inc.id).build();
  }
}
