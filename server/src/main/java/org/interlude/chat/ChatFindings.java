package org.interlude.chat;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import org.interlude.escalation.Severity;
import org.interlude.storage.PgErrors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands committed chat screening findings to the escalation engine. Runs right after each commit
 * and on a timer on every node; rows are claimed with {@code FOR UPDATE SKIP LOCKED} and marked
 * handled only after the sink succeeded, so a crash or a failing sink retries rather than loses.
 * The sink must be idempotent per (conversation, seq).
 */
public final class ChatFindings {
  private static final Logger log = LoggerFactory.getLogger(ChatFindings.class);

  /** Where findings go (the escalation engine). */
  @FunctionalInterface
  public interface Sink {
    Future<Void> finding(UUID clinicId, UUID clientId, String conversationId, long seq, Severity severity, String ruleId);
  }

  private final Pool pool;
  private final Clock clock;
  private final Sink sink;

  public ChatFindings(Pool pool, Clock clock, Sink sink) {
    this.pool = pool;
    this.clock = clock;
    this.sink = sink;
  }

  /** Processes up to {@code limit} unhandled findings; returns how many were handed over. */
  public Future<Integer> drain(int limit) {
    return pool.withTransaction(tx -> tx.preparedQuery("SELECT conversation_id, seq, clinic_id, client_id, severity, rule_id"
            + " FROM chat_finding WHERE handled_at IS NULL ORDER BY created_at LIMIT $1 FOR UPDATE SKIP LOCKED")
        .execute(Tuple.of(limit))
        .compose(rows -> {
          Future<Integer> f = Future.succeededFuture(0);
          for (Row r : rows) {
            UUID conv = r.getUUID("conversation_id");
            long seq = r.getLong("seq");
            f = f.compose(n -> sink.finding(r.getUUID("clinic_id"), r.getUUID("client_id"), conv.toString(), seq,
                    Severity.valueOf(r.getString("severity")), r.getString("rule_id"))
                .compose(v -> tx.preparedQuery("UPDATE chat_finding SET handled_at = $3 WHERE conversation_id = $1 AND seq = $2")
                    .execute(Tuple.of(conv, seq, OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC))))
                .map(v -> n + 1));
          }
          return f;
        }))
        .recover(err -> {
          log.warn("handing chat findings to escalation failed (will retry): {}", err.getClass().getSimpleName());
          return PgErrors.recover(err);
        });
  }
}
