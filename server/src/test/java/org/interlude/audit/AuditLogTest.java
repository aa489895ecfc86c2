package org.interlude.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.interlude.config.Secret;
import org.interlude.storage.DatabaseTarget;
import org.interlude.storage.Migrations;
import org.interlude.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Grouped appends keep the chain whole: many concurrent appends from two "nodes" (two logs on
 * two pools) to two chains, mixed with appends inside callers' transactions, leave every chain
 * gapless, in hash order, and verifiable; each append completes only once its row is committed.
 */
class AuditLogTest {
  static final Vertx vertx = Vertx.vertx();
  static DatabaseTarget owner;
  static final List<Pool> pools = new ArrayList<>();

  @BeforeAll
  static void database() {
    owner = TestPostgres.freshDatabase();
    Migrations.migrate(owner, TestPostgres.APP_ROLE);
  }

  @AfterAll
  static void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static Pool pool() {
    Pool p = PgBuilder.pool().with(new PoolOptions().setMaxSize(6))
        .connectingTo(owner.as(TestPostgres.APP_ROLE, Secret.empty()).connectOptions()).using(vertx).build();
    pools.add(p);
    return p;
  }

  static UUID clinic(Pool p, String name) throws Exception {
    UUID clinic = UUID.randomUUID();
    await(p.preparedQuery("INSERT INTO clinic (id, name, country, time_zone, staffed_hours) VALUES ($1,$2,'US',$3,$4)")
        .execute(Tuple.of(clinic, name, "America/New_York", "Monday to Friday, 9:00 to 17:00")));
    return clinic;
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @Test
  void concurrentAppendsFromTwoNodesKeepEveryChainGaplessAndVerifiable() throws Exception {
    Pool a = pool();
    Pool b = pool();
    UUID clinic = clinic(a, "Audit clinic");
    AuditLog nodeA = new AuditLog(a, "node-a", Clock.systemUTC());
    AuditLog nodeB = new AuditLog(b, "node-b", Clock.systemUTC());
    List<Future<Void>> all = new ArrayList<>();
    int perNode = 300;
    for (int i = 0; i < perNode; i++) {
      UUID chain = i % 3 == 0 ? null : clinic;
      all.add(nodeA.record(AuditEvent.of("chat.sync").clinic(chain).object("conversation", "a-" + i).build()));
      all.add(nodeB.record(AuditEvent.of("chat.sync").clinic(chain).object("conversation", "b-" + i).build()));
      if (i % 50 == 0) {
        int n = i;
        all.add(a.withTransaction(tx -> nodeA.record(tx, AuditEvent.of("login").clinic(clinic)
            .object("user", "in-tx-" + n).build())));
      }
    }
    await(Future.all(all));

    int expectedClinic = 0;
    int expectedZero = 0;
    for (int i = 0; i < perNode; i++) {
      if (i % 3 == 0) {
        expectedZero += 2;
      } else {
        expectedClinic += 2;
      }
    }
    expectedClinic += perNode / 50;
    List<Long> seqs = new ArrayList<>();
    for (Row r : await(a.preparedQuery("SELECT chain_seq FROM audit_log WHERE chain = $1 ORDER BY chain_seq")
        .execute(Tuple.of(clinic)))) {
      seqs.add(r.getLong(0));
    }
    assertEquals(expectedClinic, seqs.size(), "every append committed once");
    for (int i = 0; i < seqs.size(); i++) {
      assertEquals(i + 1, seqs.get(i), "gapless chain");
    }
    long zero = await(a.preparedQuery("SELECT count(*) FROM audit_log WHERE chain = $1 AND action = 'chat.sync'")
        .execute(Tuple.of(AuditLog.NO_CLINIC))).iterator().next().getLong(0);
    assertEquals(expectedZero, zero, "appends without a clinic went to the zero chain, once each");
    JsonObject verified = await(nodeA.verify(clinic));
    assertTrue(verified.getBoolean("ok"), verified.encode());
    // The zero chain is shared with the other test of this class, so at least ours are there.
    assertTrue(verified.getLong("rows") >= expectedClinic + expectedZero, verified.encode());
  }

  @Test
  void anAppendThatCannotCommitFailsAndItsChainKeepsAnswering() throws Exception {
    Pool p = pool();
    AuditLog log = new AuditLog(p, "node-c", Clock.systemUTC());
    UUID poisoned = UUID.randomUUID();
    // A row already holding seq 1 of a chain whose head does not exist yet: the next append to
    // that chain collides with it, and that whole batch must fail, not be reported as done.
    await(p.preparedQuery("INSERT INTO audit_log (chain, chain_seq, at, action, outcome, node_id, prev_hash, hash)"
        + " VALUES ($1, 1, now(), 'planted', 'success', 'test', $2, $2)").execute(Tuple.of(poisoned, AuditLog.GENESIS)));
    for (int attempt = 0; attempt < 2; attempt++) {
      Throwable failed = log.record(AuditEvent.of("login").clinic(poisoned).build())
          .toCompletionStage().toCompletableFuture().handle((v, err) -> err).get(30, TimeUnit.SECONDS);
      assertTrue(failed instanceof org.interlude.storage.StorageException.Duplicate, String.valueOf(failed));
    }
    await(log.record(AuditEvent.of("login").object("user", "after-failure").build()));
    assertEquals(1L, await(p.preparedQuery("SELECT count(*) FROM audit_log WHERE object_id = 'after-failure'")
        .execute()).iterator().next().getLong(0));
  }

  /**
   * A transaction run through {@link AuditLog#transaction} that records early and then keeps
   * working does not hold the clinic's chain meanwhile: another node's append to the same chain
   * commits while the first is still open (with the head locked at record time, as a plain
   * {@code record(tx, e)} does, it would wait for that commit). Its rows are written before the
   * commit, the chain stays gapless and verifiable, and a body that fails leaves no row.
   */
  @Test
  void rowsOfATransactionAreWrittenAtItsEndSoTheChainIsNotHeldMeanwhile() throws Exception {
    Pool a = pool();
    Pool b = pool();
    UUID clinic = clinic(a, "Deferred clinic");
    AuditLog nodeA = new AuditLog(a, "node-a", Clock.systemUTC());
    AuditLog nodeB = new AuditLog(b, "node-b", Clock.systemUTC());
    await(nodeB.record(AuditEvent.of("login").clinic(clinic).object("user", "first").build()));

    io.vertx.core.Promise<Void> release = io.vertx.core.Promise.promise();
    io.vertx.core.Promise<Void> recorded = io.vertx.core.Promise.promise();
    Future<String> slow = nodeA.transaction(a, tx -> nodeA.record(tx, AuditEvent.of("incident.trigger").clinic(clinic)
            .object("incident", "slow").build())
        .compose(v -> {
          recorded.complete();
          return release.future();
        })
        .compose(v -> nodeA.record(tx, AuditEvent.of("incident.page").clinic(clinic).object("incident", "slow").build()))
        .map("done"));
    await(recorded.future());
    // The first transaction is open and has recorded; the other node's append must not wait for it.
    Future<Void> other = nodeB.record(AuditEvent.of("chat.sync").clinic(clinic).object("conversation", "other").build());
    other.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertEquals(0L, await(a.preparedQuery("SELECT count(*) FROM audit_log WHERE object_id = 'slow'")
        .execute()).iterator().next().getLong(0), "nothing of the open transaction is visible yet");
    release.complete();
    assertEquals("done", await(slow));

    Future<Void> failing = nodeA.transaction(a, tx -> nodeA.record(tx, AuditEvent.of("incident.trigger").clinic(clinic)
        .object("incident", "rolled-back").build()).compose(v -> Future.<Void>failedFuture(new IllegalStateException("no"))));
    Throwable err = failing.toCompletionStage().toCompletableFuture().handle((v, e) -> e).get(30, TimeUnit.SECONDS);
    assertTrue(err != null && String.valueOf(err.getMessage()).contains("no"), String.valueOf(err));

    List<String> order = new ArrayList<>();
    List<Long> seqs = new ArrayList<>();
    for (Row r : await(a.preparedQuery("SELECT chain_seq, object_id, action FROM audit_log WHERE chain = $1"
        + " ORDER BY chain_seq").execute(Tuple.of(clinic)))) {
      seqs.add(r.getLong(0));
      order.add(r.getString(1) + ":" + r.getString(2));
    }
    assertEquals(List.of("first:login", "other:chat.sync", "slow:incident.trigger", "slow:incident.page"), order,
        "the open transaction's rows follow the append that committed while it was open; the rolled-back one left none");
    assertEquals(List.of(1L, 2L, 3L, 4L), seqs);
    JsonObject verified = await(nodeA.verify(clinic));
    assertTrue(verified.getBoolean("ok"), verified.encode());
  }
}
