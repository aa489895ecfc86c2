package org.interlude.chat;

import io.micrometer.core.instrument.Counter;
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
 * <p>Per batch, in one transaction: assign the next gapless seqs, encrypt each body with the
 * conversation's data key and associated data binding conversation, seq and client message id,
 * insert all rows, advance the conversations' counters. A promise completes only after the
 * commit; on failure every send of the batch fails and nothing was acknowledged.
 *
 * <p>Usually that transaction is one statement in one round trip: the lane remembers each
 * conversation's last seq from its previous commit and sends the guarded counter update and the
 * inserts as a single statement (between BEGIN and COMMIT, in the same flight, when screening
 * found something to record with them). The database refuses it when the guess was stale (another node wrote) or a client
 * message id is already stored (a retry), and the batch is then written the careful way, in two
 * round trips: lock the conversations in id order (so concurrent batches on other nodes cannot
 * deadlock) and look up stored client message ids, then write. Either way the database, not the
 * cache, decides: the cache only saves a round trip when it is right.
 */
public final class MessageWriter {
  static final int MAX_BATCH = 512;
  /** Conversations whose last seq a lane remembers (about 100 bytes each). */
  static final int KNOWN_SEQS_PER_LANE = 50_000;
  /** Tries of the locked path when PostgreSQL picks its transaction as a deadlock victim. */
  static final int LOCKED_ATTEMPTS = 3;

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
  private final Counter fastFallbacks;
  private final Counter oneFlight;
  private final Counter locked;

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
    this.fastFallbacks = Counter.builder("interlude.chat.batch.fallbacks")
        .description("batches whose one-flight commit found a stale last seq or a stored client message id,"
            + " and were written again after locking")
        .register(registry);
    this.oneFlight = Counter.builder("interlude.chat.batch.commits").tag("path", "one_flight")
        .description("batches committed, by path").register(registry);
    this.locked = Counter.builder("interlude.chat.batch.commits").tag("path", "locked")
        .description("batches committed, by path").register(registry);
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
    /**
     * The last seq this lane committed per conversation, most recently used last. Only the batch
     * in flight touches it (one at a time per lane), and the lane's lock orders one batch's
     * writes before the next batch's reads. A conversation's sends from this node all go
     * through this lane, so the guess is wrong only when another node wrote meanwhile.
     */
    private final LinkedHashMap<UUID, Long> knownSeq = new LinkedHashMap<>(1024, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<UUID, Long> eldest) {
        return size() > KNOWN_SEQS_PER_LANE;
      }
    };

    /** The last seq of each conversation, or null unless the lane knows them all. */
    Map<UUID, Long> knownSeqs(java.util.Collection<UUID> convIds) {
      Map<UUID, Long> out = new HashMap<>();
      for (UUID id : convIds) {
        Long seq = knownSeq.get(id);
        if (seq == null) {
          return null;
        }
        out.put(id, seq);
      }
      return out;
    }

    void remember(Map<UUID, Long> lastSeqs) {
      knownSeq.putAll(lastSeqs);
    }

    void forget(java.util.Collection<UUID> convIds) {
      convIds.forEach(knownSeq::remove);
    }

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
      pool.getConnection().compose(conn -> commit(conn, batch, this)
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

  /**
   * Advances the counters of the conversations in $1 to $3, and the client's latest message to
   * $4 at $5 where given, and inserts the rows $6 to $10 sent at $5. {@code last_seq} becomes
   * NULL, which the column refuses (23502), unless it still holds the expected seq $2: PostgreSQL
   * re-evaluates that against the newest row after waiting for a concurrent writer, so a stale
   * guess fails instead of writing over another node's seqs. Both parts run to completion (data-
   * modifying WITH clauses always do) or the statement fails as a whole.
   *
   * <p>The one-row join on {@code advanced} (it never filters) makes the counter update finish,
   * holding every conversation's row lock, before the first row is inserted. Without it
   * PostgreSQL ran the unreferenced update last, after the inserts: a node inserting seqs for a
   * conversation that another node had locked and was writing the same seqs into deadlocked
   * with it, and when the other node's transaction was the one aborted its senders were refused
   * (found by the cluster fault tests).
   */
  private static final String ADVANCE_AND_INSERT = "WITH advanced AS (UPDATE conversation AS cv"
      + " SET last_seq = CASE WHEN cv.last_seq = v.e THEN v.s END,"
      + " last_client_seq = COALESCE(v.cs, cv.last_client_seq),"
      + " last_client_at = CASE WHEN v.cs IS NULL THEN cv.last_client_at ELSE $5 END"
      + " FROM unnest($1::uuid[], $2::int8[], $3::int8[], $4::int8[]) AS v(id, e, s, cs) WHERE cv.id = v.id"
      + " RETURNING cv.id)"
      + " INSERT INTO message (conversation_id, seq, client_msg_id, sender_id, sent_at, body)"
      + " SELECT c, s, id, sender, $5, body"
      + " FROM unnest($6::uuid[], $7::int8[], $8::uuid[], $9::uuid[], $10::bytea[]) AS t(c, s, id, sender, body),"
      + " (SELECT count(*) FROM advanced) AS locked_first";

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

  /** What one batch will write, worked out in memory from the conversations' last seqs. */
  private record Plan(List<Object> results, List<Object[]> rows, List<Object[]> findings, Map<UUID, Long> expected,
      Map<UUID, Long> lastSeq, Map<UUID, Long> lastClient) {}

  /**
   * Per request, in order: its {@link StoredMessage}, or the error that refused it alone. Tries the
   * one-flight path when the lane knows every conversation's last seq, and falls back to locking
   * and reading them when that guess was wrong (another node wrote, or a retried client message id
   * is already stored).
   */
  private Future<List<Object>> commit(SqlConnection conn, List<Request> batch, Lane lane) {
    TreeSet<UUID> convIds = new TreeSet<>();
    for (Request r : batch) {
      convIds.add(r.conversation().id());
    }
    Instant at = clock.instant().truncatedTo(ChronoUnit.MICROS);
    Map<UUID, Long> cached = lane.knownSeqs(convIds);
    Future<Plan> written;
    if (cached == null) {
      written = lockedCommit(conn, batch, convIds, at, LOCKED_ATTEMPTS).onSuccess(x -> locked.increment());
    } else {
      written = write(conn, plan(batch, cached, Map.of(), at), at, true).onSuccess(x -> oneFlight.increment())
          .recover(err -> {
            if (!guessWasWrong(err)) {
              return Future.failedFuture(err);
            }
            fastFallbacks.increment();
            return lockedCommit(conn, batch, convIds, at, LOCKED_ATTEMPTS).onSuccess(x -> locked.increment());
          });
    }
    return written.transform(ar -> {
      if (ar.failed()) {
        lane.forget(convIds);
        return Future.failedFuture(ar.cause());
      }
      lane.remember(ar.result().lastSeq());
      return Future.succeededFuture(ar.result().results());
    });
  }

  /**
   * The errors of the one-flight path that mean only that the lane's guess was stale: the
   * conversation's seq moved (the counter update's not-null check), the client message id or seq
   * is already stored, the conversation is gone, or the counter updates of two nodes deadlocked.
   */
  private static boolean guessWasWrong(Throwable err) {
    if (err instanceof io.vertx.pgclient.PgException pe) {
      String state = pe.getSqlState();
      return "23502".equals(state) || "23505".equals(state) || "23503".equals(state) || "40P01".equals(state);
    }
    return false;
  }

  /**
   * Two flights: BEGIN, the conversation locks (in id order, so concurrent batches on other nodes
   * cannot deadlock) and the duplicate check go out together, then the writes and COMMIT.
   * PostgreSQL runs pipelined statements in order, so the duplicate check reads after the locks
   * are held and cannot miss a row another node committed for these conversations.
   */
  private Future<Plan> lockedCommit(SqlConnection conn, List<Request> batch, TreeSet<UUID> convIds, Instant at,
      int attempts) {
    return lockedCommit(conn, batch, convIds, at).recover(err -> {
      // A deadlock victim's batch is simply written again: its senders should not see an error
      // for a lock order they did not choose.
      if (attempts > 1 && err instanceof io.vertx.pgclient.PgException pe
          && ("40P01".equals(pe.getSqlState()) || "40001".equals(pe.getSqlState()))) {
        return conn.query("ROLLBACK").execute().compose(x -> lockedCommit(conn, batch, convIds, at, attempts - 1));
      }
      return Future.failedFuture(err);
    });
  }

  private Future<Plan> lockedCommit(SqlConnection conn, List<Request> batch, TreeSet<UUID> convIds, Instant at) {
    UUID[] keyConv = new UUID[batch.size()];
    UUID[] keyMsg = new UUID[batch.size()];
    for (int i = 0; i < batch.size(); i++) {
      keyConv[i] = batch.get(i).conversation().id();
      keyMsg[i] = batch.get(i).clientMsgId();
    }
    Future<RowSet<Row>> begun = conn.query("BEGIN").execute();
    Future<RowSet<Row>> lockedF = conn.preparedQuery(
            "SELECT id, last_seq FROM conversation WHERE id = ANY($1) ORDER BY id FOR UPDATE")
        .execute(Tuple.tuple().addArrayOfUUID(convIds.toArray(UUID[]::new)));
    Future<RowSet<Row>> existingF = conn.preparedQuery("SELECT m.conversation_id, m.client_msg_id,"
            + " m.seq, m.sent_at, m.sender_id FROM message m"
            + " JOIN unnest($1::uuid[], $2::uuid[]) AS k(c, id) ON m.conversation_id = k.c AND m.client_msg_id = k.id")
        .execute(Tuple.from(new Object[] {keyConv, keyMsg}));
    return Future.all(begun, lockedF, existingF).compose(both -> {
      Map<UUID, Long> lastSeq = new HashMap<>();
      for (Row r : lockedF.result()) {
        lastSeq.put(r.getUUID("id"), r.getLong("last_seq"));
      }
      if (!lastSeq.keySet().containsAll(convIds)) {
        return Future.failedFuture(new IllegalStateException("conversation vanished during send"));
      }
      Map<Key, StoredMessage> known = new HashMap<>();
      for (Row r : existingF.result()) {
        Key k = new Key(r.getUUID("conversation_id"), r.getUUID("client_msg_id"));
        known.put(k, new StoredMessage(k.conversationId(), r.getLong("seq"),
            r.getOffsetDateTime("sent_at").toInstant(), k.clientMsgId(), r.getUUID("sender_id"), null, true, false));
      }
      return write(conn, plan(batch, lastSeq, known, at), at, false);
    });
  }

  /**
   * Assigns the next gapless seqs after {@code lastSeq}, seals each new body with associated data
   * binding conversation, seq and client message id, and screens client messages. {@code known}
   * are the rows already stored for these client message ids: a retry gets the stored message.
   */
  private Plan plan(List<Request> batch, Map<UUID, Long> lastSeq, Map<Key, StoredMessage> known, Instant at) {
    Map<UUID, Long> expected = new HashMap<>(lastSeq);
    Map<UUID, Long> next = new HashMap<>(lastSeq);
    List<Object> results = new ArrayList<>(batch.size());
    Map<Key, StoredMessage> fresh = new LinkedHashMap<>();
    List<Object[]> rows = new ArrayList<>();
    List<Object[]> findings = new ArrayList<>();
    Map<UUID, Long> lastClient = new HashMap<>();
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
      long seq = next.get(k.conversationId()) + 1;
      next.put(k.conversationId(), seq);
      byte[] sealed = Aead.seal(r.conversation().dataKey(), r.text().getBytes(StandardCharsets.UTF_8),
          aad(k.conversationId(), seq, k.clientMsgId()));
      boolean flagged = false;
      if (r.senderId().equals(r.conversation().clientId())) {
        lastClient.put(k.conversationId(), seq);
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
    return new Plan(results, rows, findings, expected, next, lastClient);
  }

  /**
   * Writes a plan in one flight. Alone (not inside the locked path's transaction) and without
   * findings, that is a single statement, so its own transaction: one command per batch instead
   * of four. Otherwise BEGIN (unless already in one), the same statement, the findings and
   * COMMIT are pipelined.
   */
  private Future<Plan> write(SqlConnection conn, Plan plan, Instant at, boolean begin) {
    List<Object[]> rows = plan.rows();
    if (rows.isEmpty()) {
      return begin ? Future.succeededFuture(plan) : conn.query("COMMIT").execute().map(x -> plan);
    }
    OffsetDateTime atUtc = OffsetDateTime.ofInstant(at, ZoneOffset.UTC);
    int n = rows.size();
    UUID[] c = new UUID[n];
    Long[] s = new Long[n];
    UUID[] id = new UUID[n];
    UUID[] sender = new UUID[n];
    Buffer[] body = new Buffer[n];
    for (int i = 0; i < n; i++) {
      Object[] row = rows.get(i);
      c[i] = (UUID) row[0];
      s[i] = (Long) row[1];
      id[i] = (UUID) row[2];
      sender[i] = (UUID) row[3];
      body[i] = (Buffer) row[4];
    }
    // In id order, like the locked path, so two nodes' counter updates rarely wait on each other
    // in opposite orders (and when they do, the deadlock is a stale guess: written again).
    TreeSet<UUID> touched = new TreeSet<>(plan.lastSeq().keySet());
    int m = touched.size();
    UUID[] updIds = new UUID[m];
    Long[] updExpected = new Long[m];
    Long[] updSeq = new Long[m];
    Long[] updClientSeq = new Long[m];
    int i = 0;
    for (UUID conv : touched) {
      updIds[i] = conv;
      updExpected[i] = plan.expected().get(conv);
      updSeq[i] = plan.lastSeq().get(conv);
      updClientSeq[i] = plan.lastClient().get(conv);
      i++;
    }
    Tuple params = Tuple.from(new Object[] {updIds, updExpected, updSeq, updClientSeq, atUtc, c, s, id, sender, body});
    if (begin && plan.findings().isEmpty()) {
      return conn.preparedQuery(ADVANCE_AND_INSERT).execute(params).map(x -> plan);
    }
    List<Future<?>> flight = new ArrayList<>();
    if (begin) {
      flight.add(conn.query("BEGIN").execute());
    }
    flight.add(conn.preparedQuery(ADVANCE_AND_INSERT).execute(params));
    flight.add(insertFindings(conn, plan.findings(), atUtc));
    // After a failed statement PostgreSQL answers COMMIT with a rollback and no error, so the
    // batch counts as committed only when every statement before COMMIT succeeded too. The
    // first failure is the one that explains the others (they fail as "transaction aborted").
    flight.add(conn.query("COMMIT").execute());
    return Future.join(flight).transform(ar -> {
      for (Future<?> f : flight) {
        if (f.failed()) {
          return Future.failedFuture(f.cause());
        }
      }
      return Future.succeededFuture(plan);
    });
  }
}
