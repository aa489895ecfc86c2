package org.interlude.audit;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.HexFormat;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.interlude.storage.PgErrors;

/**
 * The append-only, hash-chained audit log. Each clinic has its own chain (events without a
 * clinic share the zero chain). A row's hash is SHA-256 over the previous row's hash and the
 * row's canonical content, so editing, removing or reordering any row breaks the chain at that
 * row, which {@link #verify} names. Appends to one chain are serialised by a row lock on the
 * chain's head, inside the caller's transaction when one is given, so an audited change and its
 * audit row commit together (written just before the commit when the transaction runs through
 * {@link #transaction}, so the head is held briefly); standalone appends from one node are
 * grouped per chain.
 */
public final class AuditLog {
  public static final UUID NO_CLINIC = new UUID(0, 0);
  static final String GENESIS = "0".repeat(64);

  private final Pool pool;
  private final String nodeId;
  private final Clock clock;

  public AuditLog(Pool pool, String nodeId, Clock clock) {
    this.pool = pool;
    this.nodeId = nodeId;
    this.clock = clock;
  }

  /**
   * Appends in a transaction of its own, completing after the commit. Appends to the same chain
   * from this node are grouped: while one transaction holds the chain's head, later events queue
   * and go together in the next one (one lock, one commit for many rows), because every staff
   * read of a conversation is audited and a reconnect wave of staff would otherwise wait in line
   * for one commit each.
   */
  public Future<Void> record(AuditEvent e) {
    UUID chain = e.clinicId() == null ? NO_CLINIC : e.clinicId();
    Pending p = new Pending(e, clock.instant().truncatedTo(ChronoUnit.MICROS), Promise.promise());
    List<Pending> batch;
    synchronized (queues) {
      ChainQueue q = queues.computeIfAbsent(chain, k -> new ChainQueue());
      q.waiting.add(p);
      if (q.busy) {
        return p.done().future();
      }
      q.busy = true;
      batch = q.take();
    }
    append(chain, batch);
    return p.done().future();
  }

  private static final int MAX_BATCH = 256;

  private record Pending(AuditEvent event, Instant at, Promise<Void> done) {}

  private static final class ChainQueue {
    final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    boolean busy;

    List<Pending> take() {
      List<Pending> out = new ArrayList<>(Math.min(waiting.size(), MAX_BATCH));
      while (!waiting.isEmpty() && out.size() < MAX_BATCH) {
        out.add(waiting.poll());
      }
      return out;
    }
  }

  private final Map<UUID, ChainQueue> queues = new HashMap<>();

  private void append(UUID chain, List<Pending> batch) {
    pool.withTransaction(tx -> appendAll(tx, chain, batch)).onComplete(ar -> {
      for (Pending p : batch) {
        if (ar.succeeded()) {
          p.done().complete();
        } else {
          p.done().fail(PgErrors.map(ar.cause()));
        }
      }
      List<Pending> next;
      synchronized (queues) {
        ChainQueue q = queues.get(chain);
        if (q.waiting.isEmpty()) {
          queues.remove(chain);
          return;
        }
        next = q.take();
      }
      append(chain, next);
    });
  }

  private Future<Void> appendAll(SqlConnection tx, UUID chain, List<Pending> batch) {
    List<Deferred> rows = new ArrayList<>(batch.size());
    for (Pending p : batch) {
      rows.add(new Deferred(chain, p.at(), p.event()));
    }
    return appendNow(tx, rows);
  }

  /** An event recorded in a transaction run by {@link #transaction}, appended just before its commit. */
  private record Deferred(UUID chain, Instant at, AuditEvent event) {}

  /** Audit rows of the transactions running through {@link #transaction}, by their connection. */
  private final Map<SqlConnection, List<Deferred>> deferred = new ConcurrentHashMap<>();

  /**
   * Appends {@code events} to their chains in {@code tx}: per chain (in a fixed order, so two
   * transactions touching two chains cannot deadlock) one round trip that creates and locks the
   * head, and one that inserts the rows and advances the head.
   */
  private Future<Void> appendNow(SqlConnection tx, List<Deferred> events) {
    Map<UUID, List<Deferred>> byChain = new TreeMap<>();
    for (Deferred d : events) {
      byChain.computeIfAbsent(d.chain(), k -> new ArrayList<>()).add(d);
    }
    Future<Void> f = Future.succeededFuture();
    for (Map.Entry<UUID, List<Deferred>> e : byChain.entrySet()) {
      f = f.compose(v -> appendChain(tx, e.getKey(), e.getValue()));
    }
    return f;
  }

  private Future<Void> appendChain(SqlConnection tx, UUID chain, List<Deferred> events) {
    return lockHead(tx, chain).compose(head -> {
      long seq = head.seq();
      String prev = head.hash();
      List<Tuple> rows = new ArrayList<>(events.size());
      for (Deferred d : events) {
        seq++;
        String hash = hash(prev, canonical(chain, seq, d.at(), d.event(), nodeId));
        rows.add(row(chain, seq, d.at(), d.event(), prev, hash));
        prev = hash;
      }
      // Sent together: the connection runs them in order, and the head is ours until commit.
      Future<Void> inserted = insertRows(tx, rows);
      Future<?> advanced = tx.preparedQuery("UPDATE audit_head SET last_seq = $2, last_hash = $3 WHERE chain = $1")
          .execute(Tuple.of(chain, seq, prev));
      return Future.all(inserted, advanced).mapEmpty();
    });
  }

  private record Head(long seq, String hash) {}

  /** Creates the chain's head when missing, then locks it: appends to one chain are serialised. */
  private static Future<Head> lockHead(SqlConnection tx, UUID chain) {
    // Both in one flight: the connection runs them in order.
    Future<?> created = tx.preparedQuery("INSERT INTO audit_head (chain, last_seq, last_hash) VALUES ($1, 0, $2)"
        + " ON CONFLICT (chain) DO NOTHING").execute(Tuple.of(chain, GENESIS));
    Future<io.vertx.sqlclient.RowSet<Row>> locked = tx.preparedQuery(
        "SELECT last_seq, last_hash FROM audit_head WHERE chain = $1 FOR UPDATE").execute(Tuple.of(chain));
    return Future.all(created, locked).map(v -> {
      Row head = locked.result().iterator().next();
      return new Head(head.getLong("last_seq"), head.getString("last_hash"));
    });
  }

  private Tuple row(UUID chain, long seq, Instant at, AuditEvent e, String prev, String hash) {
    return Tuple.from(new Object[] {chain, seq, OffsetDateTime.ofInstant(at, ZoneOffset.UTC), e.actorId(),
        e.actorRole(), e.clinicId(), e.subjectClient(), e.objectType(), e.objectId(), e.action(),
        e.outcome().code(), e.sourceIp(), nodeId, e.correlationId(), prev, hash});
  }

  private static Future<Void> insertRows(SqlConnection tx, List<Tuple> rows) {
    return tx.preparedQuery("INSERT INTO audit_log (chain, chain_seq, at, actor_id, actor_role, clinic_id, subject_client,"
            + " object_type, object_id, action, outcome, source_ip, node_id, correlation_id, prev_hash, hash)"
            + " VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16)")
        .executeBatch(rows).mapEmpty();
  }

  /**
   * Appends inside the caller's transaction (the audited change and its row commit together).
   * Inside {@link #transaction} the row is written just before the commit; otherwise at once,
   * and the chain's head then stays locked for the rest of the caller's transaction.
   */
  public Future<Void> record(SqlConnection tx, AuditEvent e) {
    UUID chain = e.clinicId() == null ? NO_CLINIC : e.clinicId();
    Deferred d = new Deferred(chain, clock.instant().truncatedTo(ChronoUnit.MICROS), e);
    List<Deferred> later = deferred.get(tx);
    if (later != null) {
      later.add(d);
      return Future.succeededFuture();
    }
    return appendNow(tx, List.of(d));
  }

  /**
   * Runs {@code body} in a transaction whose audit rows ({@link #record(SqlConnection, AuditEvent)})
   * are appended after the body succeeded and just before the commit, all in two round trips per
   * chain. The chain's head (one lock per clinic) is then held for those round trips and the
   * commit only, not for the whole transaction: a transaction that records early and goes on
   * paging, saving and looking up recipients no longer makes every other audited change of the
   * clinic (a crisis report, an acknowledgement) wait for it. A body that fails rolls back with
   * its audit rows unwritten, as before.
   */
  public <T> Future<T> transaction(Pool pool, Function<SqlConnection, Future<T>> body) {
    return pool.withTransaction(tx -> {
      deferred.put(tx, java.util.Collections.synchronizedList(new ArrayList<>()));
      Future<T> f;
      try {
        f = body.apply(tx);
      } catch (RuntimeException err) {
        f = Future.failedFuture(err);
      }
      return f.transform(ar -> {
        List<Deferred> rows = deferred.remove(tx);
        if (ar.failed()) {
          return Future.failedFuture(ar.cause());
        }
        List<Deferred> copy;
        synchronized (rows) {
          copy = List.copyOf(rows);
        }
        return copy.isEmpty() ? Future.succeededFuture(ar.result()) : appendNow(tx, copy).map(ar.result());
      });
    });
  }

  /**
   * Walks the clinic's chain (and the chain of events without a clinic) in order and recomputes each hash. Answers {@code {ok:true, rows:N}} or
   * {@code {ok:false, rows:N, firstBroken:{id, chain, chainSeq, reason}}} naming the first row
   * (lowest id) where the chain breaks.
   */
  public Future<JsonObject> verify(UUID clinicId) {
    Tuple chains = Tuple.tuple().addArrayOfUUID(new UUID[] {clinicId, NO_CLINIC});
    return pool.preparedQuery("SELECT id, chain, chain_seq, at, actor_id, actor_role, clinic_id, subject_client, object_type,"
            + " object_id, action, outcome, source_ip, node_id, correlation_id, prev_hash, hash"
            + " FROM audit_log WHERE chain = ANY($1) ORDER BY chain, chain_seq").execute(chains)
        .compose(rows -> pool.preparedQuery("SELECT chain, last_seq, last_hash FROM audit_head WHERE chain = ANY($1)")
            .execute(chains).map(heads -> {
          java.util.Map<UUID, String> lastHash = new java.util.HashMap<>();
          java.util.Map<UUID, Long> lastSeq = new java.util.HashMap<>();
          JsonObject broken = null;
          long count = 0;
          for (Row r : rows) {
            count++;
            UUID chain = r.getUUID("chain");
            long seq = r.getLong("chain_seq");
            String expectedPrev = lastHash.getOrDefault(chain, GENESIS);
            long expectedSeq = lastSeq.getOrDefault(chain, 0L) + 1;
            AuditEvent e = new AuditEvent(r.getUUID("clinic_id"), r.getUUID("actor_id"), r.getString("actor_role"),
                r.getUUID("subject_client"), r.getString("object_type"), r.getString("object_id"),
                r.getString("action"), AuditEvent.Outcome.valueOf(r.getString("outcome").toUpperCase(java.util.Locale.ROOT)),
                r.getString("source_ip"), r.getString("correlation_id"));
            Instant at = r.getOffsetDateTime("at").toInstant();
            String recomputed = hash(r.getString("prev_hash"), canonical(chain, seq, at, e, r.getString("node_id")));
            String reason = null;
            if (seq != expectedSeq) {
              reason = "sequence gap: expected " + expectedSeq + ", found " + seq + " (a row was removed)";
            } else if (!r.getString("prev_hash").equals(expectedPrev)) {
              reason = "previous-hash link does not match the row before";
            } else if (!recomputed.equals(r.getString("hash"))) {
              reason = "content does not match its hash (the row was edited)";
            }
            if (reason != null && (broken == null || r.getLong("id") < broken.getLong("id"))) {
              broken = new JsonObject().put("id", r.getLong("id")).put("chain", chain.toString())
                  .put("chainSeq", seq).put("reason", reason);
            }
            lastHash.put(chain, r.getString("hash"));
            lastSeq.put(chain, seq);
          }
          for (Row h : heads) {
            UUID chain = h.getUUID("chain");
            long headSeq = h.getLong("last_seq");
            if (broken == null && lastSeq.getOrDefault(chain, 0L) != headSeq) {
              broken = new JsonObject().put("id", -1).put("chain", chain.toString()).put("chainSeq", headSeq)
                  .put("reason", "the newest rows of the chain are missing (head is at " + headSeq + ")");
            }
          }
          JsonObject out = new JsonObject().put("ok", broken == null).put("rows", count);
          if (broken != null) {
            out.put("firstBroken", broken);
          }
          return out;
        }));
  }

  static String canonical(UUID chain, long seq, Instant at, AuditEvent e, String node) {
    StringBuilder b = new StringBuilder(256);
    append(b, chain);
    append(b, seq);
    append(b, at.toString());
    append(b, e.actorId());
    append(b, e.actorRole());
    append(b, e.clinicId());
    append(b, e.subjectClient());
    append(b, e.objectType());
    append(b, e.objectId());
    append(b, e.action());
    append(b, e.outcome().code());
    append(b, e.sourceIp());
    append(b, node);
    append(b, e.correlationId());
    return b.toString();
  }

  // Length-prefixed fields so that no two different rows share a canonical form.
  private static void append(StringBuilder b, Object v) {
    if (v == null) {
      b.append("-1:;");
      return;
    }
    String s = v.toString();
    b.append(s.length()).append(':').append(s).append(';');
  }

  static String hash(String prev, String canonical) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update(prev.getBytes(StandardCharsets.UTF_8));
      d.update((byte) '\n');
      d.update(canonical.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
