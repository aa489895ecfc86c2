package org.interlude.checkin;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.interlude.checkin.instrument.risk.RiskSignal;
import org.interlude.escalation.Severity;
import org.interlude.storage.PgErrors;

/**
 * The default {@link RiskSink}: appends each signal to the {@code risk_signal} table, once per
 * (source, rule) — a retried report inserts nothing new — and answers
 * {@link #highInLast7Days} from the same table. The escalation engine replaces or wraps it;
 * until then every signal is kept for the therapist's review.
 */
public final class DatabaseRiskSink implements RiskSink {
  private static final Duration WEEK = Duration.ofDays(7);

  private final Pool pool;
  private final Clock clock;

  public DatabaseRiskSink(Pool pool, Clock clock) {
    this.pool = pool;
    this.clock = clock;
  }

  @Override
  public Future<Void> signal(UUID clinicId, UUID clientId, List<RiskSignal> signals, String sourceObjectType,
      String sourceObjectId) {
    if (signals.isEmpty()) {
      return Future.succeededFuture();
    }
    OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    List<Tuple> rows = new ArrayList<>();
    for (RiskSignal s : signals) {
      rows.add(Tuple.from(new Object[] {UUID.randomUUID(), clinicId, clientId, s.severity().name(), s.ruleId(),
          s.reason(), s.clientAction().name().toLowerCase(Locale.ROOT), sourceObjectType, sourceObjectId, now}));
    }
    return pool.preparedQuery("INSERT INTO risk_signal (id, clinic_id, client_id, severity, rule_id, reason,"
            + " client_action, source_object_type, source_object_id, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)"
            + " ON CONFLICT (source_object_type, source_object_id, rule_id) DO NOTHING")
        .executeBatch(rows)
        .<Void>mapEmpty()
        .recover(PgErrors::recover);
  }

  @Override
  public Future<Boolean> highInLast7Days(UUID clientId) {
    OffsetDateTime since = OffsetDateTime.ofInstant(clock.instant().minus(WEEK), ZoneOffset.UTC);
    return pool.preparedQuery("SELECT EXISTS (SELECT 1 FROM risk_signal WHERE client_id = $1 AND created_at > $2"
            + " AND severity IN ($3, $4))")
        .execute(Tuple.of(clientId, since, Severity.HIGH.name(), Severity.CRITICAL.name()))
        .map(rows -> rows.iterator().next().getBoolean(0))
        .recover(PgErrors::recover);
  }
}
