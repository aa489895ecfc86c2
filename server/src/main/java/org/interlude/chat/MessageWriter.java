package org.interlude.chat;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.interlude.crypto.Aead;
import org.interlude.identity.InvalidInput;
import org.interlude.storage.PgErrors;

/**
 * Group commit for chat messages. Sends are spread over a few lanes by conversation; each lane
 * runs one transaction at a time and takes everything that queued meanwhile into the next, so a
 * burst costs a handful of round trips instead of one transaction per message, and one
 * conversation's messages always commit in the order they arrived on this node.
 *
 * <p>Per batch, in one transaction of two round trips: lock the conversations (in id order, so concurrent batches
 * on other nodes cannot deadlock), find client message ids already stored (idempotent retries,
 * also across nodes), assign the next gapless seqs, encrypt each body with the conversation's
 * data key and associated data binding conversation, seq and client message id, insert all rows,
 * advance the conversations' counters. A promise completes only after the commit; on failure
 * every send of the batch fails and nothing was acknowledged.
 */
public final class MessageWriter {
  static final int MAX_BATCH = 512;

  /** One send waiting for its commit. */
  record Request(Conversation conversation, UUID clientMsgId, UUID senderId, String text, Promise<StoredMessage> done,
      long queuedNanos) {}

  private final Pool pool;
  private final Clock clock;
  private final Lane[] lanes;
  private final MessageScreen screen;
  private final Timer waited;
  private final Timer committed;
  private final DistributionSummary batchSize;

  /**
   * @param screen screens each new client message; a finding commits with the message
   * @param registry where the time a send waits for its batch, the batch's transaction time and
   *     the batch sizes are published (where chat latency goes, without reading any content)
   */
  public MessageWriter(Pool pool, Clock clock, int laneCount, MessageScreen screen, MeterRegistry registry) {
    this.pool = pool;
    this.clock = clock;
    this.screen = screen;
    this.waited = Timer.builder("interlude.chat.send.wait").description("time a send waits for its batch to start")
        .publishPercentiles(0.5, 0.99).register(registry);
    this.committed = Timer.builder("interlude.chat.batch.commit").description("one batch's transaction, begin to commit")
        .publishPercentiles(0.5, 0.99).register(registry);
    this.batchSize = DistributionSummary.builder("interlude.chat.batch.size").description("messages per batch")
        .publishPercentiles(0.5, 0.99).register(registry);
    this.lanes = new Lane[laneCount];
    for (int i = 0; i < laneCount; i++) {
      lanes[i] = new Lane();
    }
  }

  public Future<StoredMessage> write(Conversation c, UUID clientMsgId, UUID senderId, String text) {
    Promise<StoredMessage> p = Promise.promise();
    lanes[Math.floorMod(c.id().hashCode(), lanes.length)].add(new Request(c, clientMsgId, senderId, text, p,
        System.nanoTime()));
    return p.future();
  }

  /** Completes when every lane is idle (in-flight batches committed or failed). */
  public Future<Void> drain() {
    List<Future<Void>> all = new ArrayList<>();
    for (Lane l : lanes) {
      all.add(l.idle());
    }
    return Future.all(all).mapEmpty();
  }

  static byte[] aad(UUID conversationId, long seq, UUID clientMsgId) {
    return org.interlude.crypto.Aad.of("interlude/msg/v1", conversationId.toString(), Long.toString(seq),
        clientMsgId.toString());
  }

  private final class Lane {
    private final ArrayDeque<Request> queue = new ArrayDeque<>();
    private final List<Promise<Void>> idleWaiters = new ArrayList<>();
    private boolean busy;

    void add(Request r) {
      List<Request> batch;
      synchronized (this) {
        queue.add(r);
        if (busy) {
          return;
        }
        busy = true;
        batch = take();
      }
      run(batch);
    }

    synchronized Future<Void> idle() {
      if (!busy) {
        return Future.succeededFuture();
      }
      Promise<Void> p = Promise.promise();
      idleWaiters.add(p);
      return p.future();
    }

    private List<Request> take() {
      List<Request> batch = new ArrayList<>(Math.min(queue.size(), MAX_BATCH));
      while (!queue.isEmpty() && batch.size() < MAX_BATCH) {
        batch.add(queue.poll());
      }
      return batch;
    }

    private void run(List<Request> batch) {
      long started = System.nanoTime();
      for (Request r : batch) {
        waited.record(started - r.queuedNanos(), TimeUnit.NANOSECONDS);
      }
      batchSize.record(batch.size());
      pool.getConnection().compose(conn -> commit(conn, batch)
          // Whatever went wrong, the connection goes back to the pool outside any transaction.
          .recover(err -> conn.query("ROLLBACK").execute().transform(x -> Future.<List<Object>>failedFuture(err)))
          .eventually(() -> conn.close())).onComplete(ar -> {
        committed.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        if (ar.succeeded()) {
          for (int i = 0; i < batch.size(); i++) {
            Object result = ar.result().get(i);
            if (result instanceof StoredMessage m) {
              batch.get(i).done().complete(m);
            } else {
              batch.get(i).done().fail((Throwable) result);
            }
          }
        } else {
          Throwable err = PgErrors.map(ar.cause());
          for (Request r : batch) {
            r.done().tryFail(err);
          }
        }
        List<Request> next;
        List<Promise<Void>> waiters = List.of();
        synchronized (this) {
          if (queue.isEmpty()) {
            busy = false;
            waiters = new ArrayList<>(idleWaiters);
            idleWaiters.clear();
            next = null;
          } else {
            next = take();
          }
        }
        waiters.forEach(Promise::complete);
        if (next != null) {
          run(next);
        }
      });
    }
  }

  private record Key(UUID conversationId, UUID clientMsgId) {}

  private static Future<Void> insertFindings(SqlConnection conn, List<Object[]> findings, OffsetDateTime at) {
    if (findings.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Tuple> rows = new ArrayList<>();
    for (Object[] f : findings) {
      rows.add(Tuple.from(new Object[] {f[0], f[1], f[2], f[3], f[4], f[5], f[6], at}));
    }
    return conn.preparedQuery("INSERT INTO chat_finding (conversation_id, seq, clinic_id, client_id, severity, rule_id,"
        + " rules_version, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)").executeBatch(rows).mapEmpty();
  }

  /** Per request, in order: its {@link StoredMessage}, or the error that refused it alone. */
  private Future<List<Object>> commit(SqlConnection conn, List<Request> batch) {
    TreeSet<UUID> convIds = new TreeSet<>();
    Map<UUID, Conversation> convs = new HashMap<>();
    UUID[] keyConv = new UUID[batch.size()];
    UUID[] keyMsg = new UUID[batch.size()];
    for (int i = 0; i < batch.size(); i++) {
      Request r = batch.get(i);
      convIds.add(r.conversation().id());
      convs.put(r.conversation().id(), r.conversation());
      keyConv[i] = r.conversation().id();
      keyMsg[i] = r.clientMsgId();
    }
    Instant at = clock.instant().truncatedTo(ChronoUnit.MICROS);
    OffsetDateTime atUtc = OffsetDateTime.ofInstant(at, ZoneOffset.UTC);
    // The transaction is two flights on one connection: BEGIN, the locks and the duplicate
    // check go out together, then the writes and COMMIT. PostgreSQL runs pipelined statements in
    // order, so the duplicate check reads after the locks are held and cannot miss a row another
    // node committed for these conversations. Each round trip saved is a wait for the database
    // to be scheduled, which on a busy machine was most of a batch's time.
    Future<RowSet<Row>> begun = conn.query("BEGIN").execute();
    Future<RowSet<Row>> lockedF = conn.preparedQuery(
            "SELECT id, last_seq FROM conversation WHERE id = ANY($1) ORDER BY id FOR UPDATE")
        .execute(Tuple.tuple().addArrayOfUUID(convIds.toArray(UUID[]::new)));
    Future<RowSet<Row>> existingF = conn.preparedQuery("SELECT m.conversation_id, m.client_msg_id,"
            + " m.seq, m.sent_at, m.sender_id FROM message m"
            + " JOIN unnest($1::uuid[], $2::uuid[]) AS k(c, id) ON m.conversation_id = k.c AND m.client_msg_id = k.id")
        .execute(Tuple.from(new Object[] {keyConv, keyMsg}));
    return Future.all(begun, lockedF, existingF)
        .compose(both -> {
          Map<UUID, Long> lastSeq = new HashMap<>();
          for (Row r : lockedF.result()) {
            lastSeq.put(r.getUUID("id"), r.getLong("last_seq"));
          }
          RowSet<Row> existingRows = existingF.result();
          Map<Key, StoredMessage> known = new HashMap<>();
          for (Row r : existingRows) {
            Key k = new Key(r.getUUID("conversation_id"), r.getUUID("client_msg_id"));
            known.put(k, new StoredMessage(k.conversationId(), r.getLong("seq"),
                r.getOffsetDateTime("sent_at").toInstant(), k.clientMsgId(), r.getUUID("sender_id"), null, true, false));
          }
          List<Object> results = new ArrayList<>(batch.size());
          Map<Key, StoredMessage> fresh = new LinkedHashMap<>();
          List<Object[]> rows = new ArrayList<>();
          List<Object[]> findings = new ArrayList<>();
          Map<UUID, long[]> lastClient = new HashMap<>();
          for (Request r : batch) {
            Key k = new Key(r.conversation().id(), r.clientMsgId());
            StoredMessage prior = known.get(k);
            if (prior == null) {
              prior = fresh.get(k);
              if (prior != null) {
                prior = new StoredMessage(prior.conversationId(), prior.seq(), prior.at(), prior.clientMsgId(),
                    prior.senderId(), prior.text(), true, false);
              }
            }
            if (prior != null) {
              // A client message id is the sender's; someone else reusing it is refused alone.
              results.add(prior.senderId().equals(r.senderId()) ? prior
                  : new InvalidInput("client_msg_id_reused", "clientMsgId",
                      "this clientMsgId was already used by someone else; generate a new one"));
              continue;
            }
            Long last = lastSeq.get(k.conversationId());
            if (last == null) {
              return Future.failedFuture(new IllegalStateException("conversation vanished during send"));
            }
            long seq = last + 1;
            lastSeq.put(k.conversationId(), seq);
            byte[] sealed = Aead.seal(r.conversation().dataKey(), r.text().getBytes(StandardCharsets.UTF_8),
                aad(k.conversationId(), seq, k.clientMsgId()));
            boolean flagged = false;
            if (r.senderId().equals(r.conversation().clientId())) {
              lastClient.put(k.conversationId(), new long[] {seq});
              MessageScreen.Finding f = screen.screen(r.text());
              if (f != null && f.severity() != org.interlude.escalation.Severity.NONE) {
                flagged = true;
                findings.add(new Object[] {k.conversationId(), seq, r.conversation().clinicId(),
                    r.conversation().clientId(), f.severity().name(), f.ruleId(), f.rulesVersion()});
              }
            }
            StoredMessage m = new StoredMessage(k.conversationId(), seq, at, k.clientMsgId(), r.senderId(), r.text(),
                false, flagged);
            fresh.put(k, m);
            results.add(m);
            rows.add(new Object[] {k.conversationId(), seq, k.clientMsgId(), r.senderId(), Buffer.buffer(sealed)});
          }
          if (rows.isEmpty()) {
            return conn.query("COMMIT").execute().map(x -> results);
          }
          int n = rows.size();
          UUID[] c = new UUID[n];
          Long[] s = new Long[n];
          UUID[] id = new UUID[n];
          UUID[] sender = new UUID[n];
          OffsetDateTime[] when = new OffsetDateTime[n];
          Buffer[] body = new Buffer[n];
          for (int i = 0; i < n; i++) {
            Object[] row = rows.get(i);
            c[i] = (UUID) row[0];
            s[i] = (Long) row[1];
            id[i] = (UUID) row[2];
            sender[i] = (UUID) row[3];
            when[i] = atUtc;
            body[i] = (Buffer) row[4];
          }
          List<UUID> updIds = new ArrayList<>();
          List<Long> updSeq = new ArrayList<>();
          List<Long> updClientSeq = new ArrayList<>();
          for (UUID conv : convIds) {
            updIds.add(conv);
            updSeq.add(lastSeq.get(conv));
            long[] lc = lastClient.get(conv);
            updClientSeq.add(lc == null ? null : lc[0]);
          }
          // Pipelined as well: if one fails the transaction is aborted, the others fail with
          // it, and the batch is refused as a whole (nothing of it was acknowledged).
          Future<?> inserted = conn.preparedQuery("INSERT INTO message (conversation_id, seq, client_msg_id,"
                  + " sender_id, sent_at, body)"
                  + " SELECT * FROM unnest($1::uuid[], $2::int8[], $3::uuid[], $4::uuid[], $5::timestamptz[], $6::bytea[])")
              .execute(Tuple.from(new Object[] {c, s, id, sender, when, body}));
          Future<?> advanced = conn.preparedQuery("UPDATE conversation AS cv SET last_seq = v.s,"
                  + " last_client_seq = COALESCE(v.cs, cv.last_client_seq),"
                  + " last_client_at = CASE WHEN v.cs IS NULL THEN cv.last_client_at ELSE $4 END"
                  + " FROM unnest($1::uuid[], $2::int8[], $3::int8[]) AS v(id, s, cs) WHERE cv.id = v.id")
              .execute(Tuple.of(updIds.toArray(UUID[]::new), updSeq.toArray(Long[]::new),
                  updClientSeq.toArray(Long[]::new), atUtc));
          Future<?> flagged = insertFindings(conn, findings, atUtc);
          // After a failed statement PostgreSQL answers COMMIT with a rollback and no error, so
          // the batch counts as committed only when every statement before COMMIT succeeded too.
          Future<?> done = conn.query("COMMIT").execute();
          return Future.join(List.of(inserted, advanced, flagged, done)).transform(ar -> {
            for (Future<?> f : List.of(inserted, advanced, flagged, done)) {
              if (f.failed()) {
                return Future.failedFuture(f.cause());
              }
            }
            return Future.succeededFuture(results);
          });
        });
  }
}
