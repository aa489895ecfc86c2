package org.interlude.checkin;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.interlude.audit.AuditLog;
import org.interlude.checkin.instrument.risk.RiskSignal;
import org.interlude.config.InterludeConfig;
import org.interlude.config.Secret;
import org.interlude.crypto.DataKeys;
import org.interlude.crypto.KeyRing;
import org.interlude.crypto.RandomTokens;
import org.interlude.identity.Access;
import org.interlude.identity.Actor;
import org.interlude.identity.IdentityStore;
import org.interlude.identity.Role;
import org.interlude.storage.DatabaseTarget;
import org.interlude.storage.Migrations;
import org.interlude.testing.TestPostgres;

/**
 * A migrated test database with pools as the application role, clinics and users made directly in
 * SQL, and check-in modules on it that tests drive with their own clock, sink and nudger.
 */
final class CheckinDb implements AutoCloseable {
  final Vertx vertx = Vertx.vertx();
  final DatabaseTarget owner;
  final DataKeys dataKeys = new DataKeys(KeyRing.fromBase64(Base64.getEncoder().encodeToString(RandomTokens.randomBytes(32))));
  private final List<Pool> pools = new ArrayList<>();
  final Pool pool;

  CheckinDb() {
    owner = TestPostgres.freshDatabase();
    Migrations.migrate(owner, TestPostgres.APP_ROLE);
    pool = newPool();
  }

  /** Another pool (another "node") on the same database, as the application role. */
  Pool newPool() {
    Pool p = PgBuilder.pool().with(new PoolOptions().setMaxSize(8))
        .connectingTo(owner.as(TestPostgres.APP_ROLE, Secret.empty()).connectOptions()).using(vertx).build();
    pools.add(p);
    return p;
  }

  static InterludeConfig.Checkin settings(Duration lease) {
    return new InterludeConfig.Checkin(Duration.ofSeconds(1), 100, Duration.ofDays(8), Duration.ofMinutes(30), lease,
        Duration.ofSeconds(5));
  }

  /** A module on {@code pool} for node {@code nodeId}, not polling (tests call tick). */
  CheckinModule module(Pool p, String nodeId, Clock clock, RiskSink sink, Scheduler.Nudger nudger, Duration lease) {
    return CheckinModule.create(vertx, settings(lease), nodeId, p, clock, dataKeys, new AuditLog(p, nodeId, clock),
        new Access(p, clock), new IdentityStore(p), sink, nudger);
  }

  CheckinModule module(Clock clock, RiskSink sink, Scheduler.Nudger nudger) {
    return module(pool, "node-a", clock, sink, nudger, Duration.ofSeconds(30));
  }

  UUID clinic(String zone) {
    UUID id = UUID.randomUUID();
    await(pool.preparedQuery("INSERT INTO clinic (id, name, country, time_zone, staffed_hours) VALUES ($1,$2,'US',$3,$4)")
        .execute(Tuple.of(id, "Clinic " + id, zone, "Monday to Friday, 9:00 to 17:00")));
    return id;
  }

  UUID user(UUID clinicId, Role role, String zone) {
    UUID id = UUID.randomUUID();
    await(pool.preparedQuery("INSERT INTO app_user (id, clinic_id, username, display_name, roles, time_zone)"
            + " VALUES ($1,$2,$3,$4,$5,$6)")
        .execute(Tuple.of(id, clinicId, role.code() + "-" + id, "Test " + role.code(), new String[] {role.code()}, zone)));
    return id;
  }

  void careTeam(UUID client, UUID therapist) {
    await(pool.preparedQuery("INSERT INTO care_team (client_id, therapist_id) VALUES ($1,$2)").execute(Tuple.of(client, therapist)));
  }

  static Actor actor(UUID userId, UUID clinicId, Role role) {
    return new Actor(userId, clinicId, role.code(), EnumSet.of(role), "session-" + userId, "127.0.0.1", "test");
  }

  RowSet<Row> query(String sql, Object... args) {
    return await(pool.preparedQuery(sql).execute(Tuple.from(args)));
  }

  /** The client's prompts, ordered by due time, step and position. */
  List<Row> prompts(UUID clientId) {
    List<Row> out = new ArrayList<>();
    query("SELECT * FROM checkin_prompt WHERE client_id = $1 ORDER BY due_at, step_id, position", clientId).forEach(out::add);
    return out;
  }

  static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new AssertionError(e.getCause());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** The failure of {@code f}, which must fail. */
  static Throwable failure(Future<?> f) {
    try {
      f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("expected a failure");
  }

  @Override
  public void close() {
    for (Pool p : pools) {
      await(p.close());
    }
    await(vertx.close());
  }

  /** A clock the test moves. */
  static final class MutableClock extends Clock {
    private volatile Instant now;

    MutableClock(Instant start) {
      this.now = start;
    }

    void set(Instant t) {
      now = t;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  /** Records nudges. */
  static final class Nudges implements Scheduler.Nudger {
    record Nudge(Set<UUID> users, String kind, List<String> ids) {}

    final List<Nudge> all = new CopyOnWriteArrayList<>();

    @Override
    public void nudge(Set<UUID> userIds, String kind, String objectId) {
      all.add(new Nudge(Set.copyOf(userIds), kind, List.of(objectId.split(","))));
    }

    List<String> promptIds() {
      List<String> out = new ArrayList<>();
      for (Nudge n : all) {
        if (n.kind().equals(Scheduler.PROMPT_KIND)) {
          out.addAll(n.ids());
        }
      }
      return out;
    }

    void clear() {
      all.clear();
    }
  }

  /** A sink that records calls; it can be told to fail and what to answer about recent HIGHs. */
  static final class RecordingSink implements RiskSink {
    record Call(UUID clinicId, UUID clientId, List<RiskSignal> signals, String sourceType, String sourceId) {}

    final List<Call> calls = new CopyOnWriteArrayList<>();
    volatile boolean high;
    volatile boolean failing;

    @Override
    public Future<Void> signal(UUID clinicId, UUID clientId, List<RiskSignal> signals, String sourceObjectType,
        String sourceObjectId) {
      if (failing) {
        return Future.failedFuture(new IllegalStateException("sink down"));
      }
      calls.add(new Call(clinicId, clientId, List.copyOf(signals), sourceObjectType, sourceObjectId));
      return Future.succeededFuture();
    }

    @Override
    public Future<Boolean> highInLast7Days(UUID clientId) {
      return failing ? Future.failedFuture(new IllegalStateException("sink down")) : Future.succeededFuture(high);
    }
  }
}
