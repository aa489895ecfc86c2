package org.interlude.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.interlude.config.Secret;
import org.interlude.crypto.Aead;
import org.interlude.escalation.Severity;
import org.interlude.storage.DatabaseTarget;
import org.interlude.storage.Migrations;
import org.interlude.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The writer's one-flight commit trusts the last seq it remembers only as far as the database
 * agrees: two writers ("nodes", each with its own pool) on one conversation make each other's
 * guesses stale, a retried client message id meets the stored row, and every time the batch is
 * written again after locking, with gapless seqs and bodies sealed for the seq they got.
 */
class MessageWriterTest {
  static final Vertx vertx = Vertx.vertx();
  static DatabaseTarget owner;
  static Pool admin;
  static UUID clinic;
  static final SecureRandom random = new SecureRandom();

  @BeforeAll
  static void database() throws Exception {
    owner = TestPostgres.freshDatabase();
    Migrations.migrate(owner, TestPostgres.APP_ROLE);
    admin = pool();
    clinic = UUID.randomUUID();
    await(admin.preparedQuery("INSERT INTO clinic (id, name, country, time_zone, staffed_hours) VALUES ($1,$2,'US',$3,$4)")
        .execute(Tuple.of(clinic, "Writer clinic", "America/New_York", "Monday to Friday, 9:00 to 17:00")));
  }

  @AfterAll
  static void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static Pool pool() {
    return PgBuilder.pool().with(new PoolOptions().setMaxSize(4))
        .connectingTo(owner.as(TestPostgres.APP_ROLE, Secret.empty()).connectOptions()).using(vertx).build();
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  /** A client, a therapist and their conversation, with a fresh data key. */
  static Conversation conversation() throws Exception {
    UUID client = UUID.randomUUID();
    UUID therapist = UUID.randomUUID();
    for (UUID u : List.of(client, therapist)) {
      await(admin.preparedQuery("INSERT INTO app_user (id, clinic_id, username, display_name, roles)"
              + " VALUES ($1, $2, $3, 'Someone', $4)")
          .execute(Tuple.of(u, clinic, "u-" + u, new String[] {u == client ? "client" : "therapist"})));
    }
    UUID id = UUID.randomUUID();
    await(admin.preparedQuery("INSERT INTO conversation (id, clinic_id, client_id, dk_version, dk_wrapped)"
            + " VALUES ($1, $2, $3, 1, '\\x00'::bytea)")
        .execute(Tuple.of(id, clinic, client)));
    byte[] key = new byte[32];
    random.nextBytes(key);
    return new Conversation(id, clinic, client, key, Map.of(client, new Participant(client, "Client", "client"),
        therapist, new Participant(therapist, "Therapist", "therapist")), System.nanoTime());
  }

  static UUID therapistOf(Conversation c) {
    return c.participants().keySet().stream().filter(u -> !u.equals(c.clientId())).findFirst().orElseThrow();
  }

  static MessageWriter writer(Pool pool, MeterRegistry registry) {
    return new MessageWriter(pool, Clock.systemUTC(), 2, text -> null, registry);
  }

  static double commits(MeterRegistry r, String path) {
    return r.get("interlude.chat.batch.commits").tag("path", path).counter().count();
  }

  static double fallbacks(MeterRegistry r) {
    return r.get("interlude.chat.batch.fallbacks").counter().count();
  }

  /** Every stored row of the conversation, checked to be gapless from 1 and to open for its own seq. */
  static Map<UUID, Long> storedSeqs(Conversation c, Map<UUID, String> sent) throws Exception {
    Map<UUID, Long> seqs = new HashMap<>();
    long expected = 1;
    for (Row r : await(admin.preparedQuery("SELECT seq, client_msg_id, body FROM message WHERE conversation_id = $1"
        + " ORDER BY seq").execute(Tuple.of(c.id())))) {
      long seq = r.getLong("seq");
      UUID msgId = r.getUUID("client_msg_id");
      assertEquals(expected++, seq, "seqs are gapless");
      byte[] plain = Aead.open(c.dataKey(), r.getBuffer("body").getBytes(), MessageWriter.aad(c.id(), seq, msgId));
      assertEquals(sent.get(msgId), new String(plain, StandardCharsets.UTF_8), "body sealed for its own seq");
      assertFalse(seqs.containsKey(msgId));
      seqs.put(msgId, seq);
    }
    long lastSeq = await(admin.preparedQuery("SELECT last_seq FROM conversation WHERE id = $1")
        .execute(Tuple.of(c.id()))).iterator().next().getLong(0);
    assertEquals(expected - 1, lastSeq, "the counter matches the rows");
    return seqs;
  }

  @Test
  void steadySendsFromOneNodeCommitInOneFlight() throws Exception {
    Conversation c = conversation();
    MeterRegistry reg = new SimpleMeterRegistry();
    MessageWriter w = writer(pool(), reg);
    Map<UUID, String> sent = new HashMap<>();
    for (int i = 0; i < 20; i++) {
      UUID id = UUID.randomUUID();
      sent.put(id, "message " + i);
      StoredMessage m = await(w.write(c, id, c.clientId(), "message " + i));
      assertEquals(i + 1, m.seq());
    }
    assertEquals(1.0, commits(reg, "locked"), "only the first batch, before the lane knew the seq");
    assertEquals(19.0, commits(reg, "one_flight"));
    assertEquals(0.0, fallbacks(reg));
    assertEquals(20, storedSeqs(c, sent).size());
  }

  @Test
  void anotherNodesWriteMakesTheGuessStaleAndTheBatchIsWrittenAgainAfterLocking() throws Exception {
    Conversation c = conversation();
    MeterRegistry regA = new SimpleMeterRegistry();
    MeterRegistry regB = new SimpleMeterRegistry();
    MessageWriter a = writer(pool(), regA);
    MessageWriter b = writer(pool(), regB);
    Map<UUID, String> sent = new HashMap<>();
    UUID first = UUID.randomUUID();
    sent.put(first, "from a");
    assertEquals(1, await(a.write(c, first, c.clientId(), "from a")).seq());
    UUID second = UUID.randomUUID();
    sent.put(second, "from b");
    assertEquals(2, await(b.write(c, second, therapistOf(c), "from b")).seq());
    // a still believes the last seq is 1.
    UUID third = UUID.randomUUID();
    sent.put(third, "from a again");
    assertEquals(3, await(a.write(c, third, c.clientId(), "from a again")).seq());
    assertEquals(1.0, fallbacks(regA));
    assertEquals(2.0, commits(regA, "locked"));

    // Both nodes at once, many batches each: every stale guess falls back, nothing is lost.
    List<Future<StoredMessage>> all = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      UUID ida = UUID.randomUUID();
      UUID idb = UUID.randomUUID();
      sent.put(ida, "a " + i);
      sent.put(idb, "b " + i);
      all.add(a.write(c, ida, c.clientId(), "a " + i));
      all.add(b.write(c, idb, therapistOf(c), "b " + i));
    }
    await(Future.all(all));
    Map<UUID, Long> stored = storedSeqs(c, sent);
    assertEquals(603, stored.size());
    for (Future<StoredMessage> f : all) {
      assertEquals(stored.get(f.result().clientMsgId()), f.result().seq(), "the acknowledged seq is the stored one");
    }
    assertTrue(fallbacks(regA) + fallbacks(regB) > 1, "the two nodes made each other's guesses stale");
  }

  @Test
  void aRetriedClientMessageIdMeetsTheStoredRowAndGetsItsSeq() throws Exception {
    Conversation c = conversation();
    MeterRegistry reg = new SimpleMeterRegistry();
    MessageWriter w = writer(pool(), reg);
    UUID id = UUID.randomUUID();
    StoredMessage original = await(w.write(c, id, c.clientId(), "once"));
    UUID other = UUID.randomUUID();
    await(w.write(c, other, c.clientId(), "twice"));
    StoredMessage retried = await(w.write(c, id, c.clientId(), "once"));
    assertEquals(original.seq(), retried.seq());
    assertTrue(retried.duplicate());
    assertEquals(1.0, fallbacks(reg), "the one-flight insert met the stored client message id");
    // Someone else reusing that id is refused, and the lane still commits what follows.
    Throwable refused = w.write(c, id, therapistOf(c), "hijack").toCompletionStage().toCompletableFuture()
        .handle((ok, err) -> err).get(60, TimeUnit.SECONDS);
    assertTrue(refused != null && refused.getMessage().contains("clientMsgId"), String.valueOf(refused));
    UUID last = UUID.randomUUID();
    assertEquals(3, await(w.write(c, last, c.clientId(), "thrice")).seq());
    assertEquals(3, storedSeqs(c, Map.of(id, "once", other, "twice", last, "thrice")).size());
  }

  @Test
  void aFindingCommitsWithItsMessageOnEitherPath() throws Exception {
    Conversation c = conversation();
    MeterRegistry reg = new SimpleMeterRegistry();
    MessageWriter w = new MessageWriter(pool(), Clock.systemUTC(), 2,
        text -> text.startsWith("risky") ? new MessageScreen.Finding(Severity.HIGH, "test-rule", "test-v1") : null, reg);
    StoredMessage first = await(w.write(c, UUID.randomUUID(), c.clientId(), "risky first"));
    StoredMessage second = await(w.write(c, UUID.randomUUID(), c.clientId(), "risky second"));
    StoredMessage fromStaff = await(w.write(c, UUID.randomUUID(), therapistOf(c), "risky words from staff"));
    assertTrue(first.flagged() && second.flagged());
    assertFalse(fromStaff.flagged(), "only the client's own messages are screened");
    assertEquals(1.0, commits(reg, "locked"));
    assertEquals(2.0, commits(reg, "one_flight"));
    List<Long> flaggedSeqs = new ArrayList<>();
    for (Row r : await(admin.preparedQuery("SELECT seq, severity FROM chat_finding WHERE conversation_id = $1 ORDER BY seq")
        .execute(Tuple.of(c.id())))) {
      assertEquals("HIGH", r.getString("severity"));
      flaggedSeqs.add(r.getLong("seq"));
    }
    assertEquals(List.of(1L, 2L), flaggedSeqs);
    Row conv = await(admin.preparedQuery("SELECT last_seq, last_client_seq FROM conversation WHERE id = $1")
        .execute(Tuple.of(c.id()))).iterator().next();
    assertEquals(3L, conv.getLong("last_seq"));
    assertEquals(2L, conv.getLong("last_client_seq"), "the client's latest message, for the unread notice");
  }
}
