package org.interlude.checkin;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.interlude.checkin.instrument.risk.RiskSignal;
import org.interlude.escalation.Severity;
import org.interlude.storage.PgErrors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports owed risk signals to the {@link RiskSink}, at least once and fenced.
 *
 * <p>A result with signals, or a missed safety prompt, is committed with {@code signal_pending}
 * and a lease (owner, token from {@code checkin_lease_token}, expiry on the database clock). The
 * node holding the lease calls the sink and then clears {@code signal_pending} only if the row
 * still carries its token. If the node dies or stalls, the lease runs out and any node re-claims
 * the row with a new, larger token and reports again; the stale node's confirmation then matches
 * nothing. The sink is idempotent per (source, rule), so a repeated report never doubles a signal.
 */
final class RiskReports {
  private static final Logger log = LoggerFactory.getLogger(RiskReports.class);

  private final Deps d;

  RiskReports(Deps deps) {
    this.d = deps;
  }

  /** A row whose report this node owes under {@code token}. */
  record Owed(UUID id, UUID clinicId, UUID clientId, String instrumentId, long token) {}

  static JsonArray toJson(List<RiskSignal> signals) {
    JsonArray out = new JsonArray();
    for (RiskSignal s : signals) {
      out.add(new JsonObject().put("severity", s.severity().name()).put("ruleId", s.ruleId()).put("reason", s.reason())
          .put("clientAction", s.clientAction().name()));
    }
    return out;
  }

  static List<RiskSignal> fromJson(JsonArray json) {
    List<RiskSignal> out = new ArrayList<>();
    if (json == null) {
      return out;
    }
    for (int i = 0; i < json.size(); i++) {
      JsonObject s = json.getJsonObject(i);
      out.add(new RiskSignal(Severity.valueOf(s.getString("severity")), s.getString("ruleId"), s.getString("reason"),
          RiskSignal.ClientAction.valueOf(s.getString("clientAction", "NONE"))));
    }
    return out;
  }

  /** The client action of the given signals (the most urgent one wins). */
  static RiskSignal.ClientAction clientAction(List<RiskSignal> signals) {
    for (RiskSignal s : signals) {
      if (s.clientAction() == RiskSignal.ClientAction.CALL_EMERGENCY_NUMBER_NOW) {
        return s.clientAction();
      }
    }
    return RiskSignal.ClientAction.NONE;
  }

  static String code(RiskSignal.ClientAction a) {
    return a.name().toLowerCase(Locale.ROOT);
  }

  /**
   * Reports a result's signals under the lease this node took when it committed the result (or
   * re-claimed it), within the configured timeout; clears the debt on success. Never fails: a
   * failed report stays owed and is retried after the lease.
   */
  Future<Boolean> reportResult(Owed owed, List<RiskSignal> signals) {
    long timeoutMs = d.settings().riskTimeout().toMillis();
    return d.riskSink().signal(owed.clinicId(), owed.clientId(), signals, "checkin_result", owed.id().toString())
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .compose(v -> d.pool().preparedQuery("UPDATE checkin_result SET signal_pending = false,"
                + " signalled_at = clock_timestamp() WHERE id = $1 AND lease_token = $2 AND signal_pending")
            .execute(Tuple.of(owed.id(), owed.token())).recover(PgErrors::recover))
        .map(rows -> true)
        .otherwise(err -> {
          log.warn("risk report of a check-in result failed; it stays owed resultId={} cause={}", owed.id(),
              err.getClass().getSimpleName());
          return false;
        });
  }

  /**
   * Takes a fresh lease on a result whose report is still owed (e.g. a repeated submission that
   * arrived while the first report was under way) and reports it. Nothing when nothing is owed.
   */
  Future<Boolean> reclaimAndReportResult(UUID resultId) {
    return d.pool().preparedQuery("UPDATE checkin_result SET lease_owner = $2,"
            + " lease_token = nextval('checkin_lease_token'),"
            + " lease_until = clock_timestamp() + $3::bigint * interval '1 millisecond'"
            + " WHERE id = $1 AND signal_pending RETURNING id, clinic_id, client_id, instrument_id, lease_token, signals")
        .execute(Tuple.of(resultId, d.nodeId(), d.settings().lease().toMillis()))
        .recover(PgErrors::recover)
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture(true);
          }
          Row r = rows.iterator().next();
          return reportResult(owedResult(r), fromJson((JsonArray) r.getValue("signals")));
        });
  }

  /** Re-claims up to {@code limit} results whose reports are owed and whose lease ran out; reports them. */
  Future<Integer> retryResults(int limit) {
    return d.pool().preparedQuery("WITH tok AS (SELECT nextval('checkin_lease_token') AS t),"
            + " owed AS (SELECT id FROM checkin_result WHERE signal_pending AND lease_until < clock_timestamp()"
            + " ORDER BY lease_until LIMIT $1 FOR UPDATE SKIP LOCKED)"
            + " UPDATE checkin_result r SET lease_owner = $2, lease_token = tok.t,"
            + " lease_until = clock_timestamp() + $3::bigint * interval '1 millisecond' FROM owed, tok WHERE r.id = owed.id"
            + " RETURNING r.id, r.clinic_id, r.client_id, r.instrument_id, r.lease_token, r.signals")
        .execute(Tuple.of(limit, d.nodeId(), d.settings().lease().toMillis()))
        .recover(PgErrors::recover)
        .compose(rows -> {
          List<Row> list = new ArrayList<>();
          rows.forEach(list::add);
          return Db.forEachLimited(list, 8, r -> reportResult(owedResult(r), fromJson((JsonArray) r.getValue("signals"))))
              .map(list.size());
        });
  }

  /**
   * Reports a missed safety prompt: WATCH, or HIGH when a HIGH fired for the client in the last
   * 7 days (asked of the sink). Never fails; a failed report stays owed.
   */
  Future<Boolean> reportMissed(Owed owed) {
    long timeoutMs = d.settings().riskTimeout().toMillis();
    return d.riskSink().highInLast7Days(owed.clientId())
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .compose(high -> {
          Optional<RiskSignal> signal = d.rules().missedCheckin(owed.instrumentId(), high);
          return signal.isEmpty()
              ? Future.<Void>succeededFuture()
              : d.riskSink().signal(owed.clinicId(), owed.clientId(), List.of(signal.get()), "checkin_prompt",
                  owed.id().toString()).timeout(timeoutMs, TimeUnit.MILLISECONDS);
        })
        .compose(v -> d.pool().preparedQuery("UPDATE checkin_prompt SET signal_pending = false,"
                + " signalled_at = clock_timestamp() WHERE id = $1 AND lease_token = $2 AND signal_pending")
            .execute(Tuple.of(owed.id(), owed.token())).recover(PgErrors::recover))
        .map(rows -> true)
        .otherwise(err -> {
          log.warn("risk report of a missed check-in failed; it stays owed promptId={} cause={}", owed.id(),
              err.getClass().getSimpleName());
          return false;
        });
  }

  static Owed owedResult(Row r) {
    return new Owed(r.getUUID("id"), r.getUUID("clinic_id"), r.getUUID("client_id"), r.getString("instrument_id"),
        r.getLong("lease_token"));
  }
}
