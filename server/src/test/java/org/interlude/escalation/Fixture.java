package org.interlude.escalation;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.interlude.audit.AuditLog;
import org.interlude.cluster.Addresses;
import org.interlude.cluster.Bus;
import org.interlude.cluster.UserNudge;
import org.interlude.config.InterludeConfig;
import org.interlude.config.Secret;
import org.interlude.crypto.DataKeys;
import org.interlude.crypto.KeyRing;
import org.interlude.identity.Actor;
import org.interlude.identity.Role;
import org.interlude.storage.DatabaseTarget;
import org.interlude.storage.Migrations;
import org.interlude.testing.TestPostgres;
import org.interlude.web.FrameSchemas;
import org.interlude.web.Frames;
import org.interlude.web.SocketHub;

/**
 * One escalation world for a test: a fresh migrated database, a Vert.x instance, a controllable
 * clock and a demo-like clinic (client Alex with therapist Sam; client Jordan; on-call Casey and
 * Robin; therapist Terry outside Alex's care team; an admin; and a second clinic with its own
 * on-call Olivia). {@link #node()} builds an escalation "node" (its own pool and module) so tests
 * can run several against one database. Nudges published on the bus are captured.
 */
final class Fixture implements AutoCloseable {
  static final Instant START = Instant.parse("2026-03-10T21:00:00Z");

  final DatabaseTarget owner;
  final Vertx vertx;
  final MutableClock clock = new MutableClock(START);
  final Bus bus;
  final SocketHub hub;
  final DataKeys dataKeys;
  /** The master key ring file behind {@link #dataKeys}, for rotation tests. */
  final java.nio.file.Path ringFile;
  final List<UserNudge> nudges = new CopyOnWriteArrayList<>();
  final List<Node> nodes = new ArrayList<>();
  /** For setup and inspection, independent of the nodes (which tests stop and start). */
  final Pool db;

  UUID clinic;
  UUID otherClinic;
  UUID alex;
  UUID jordan;
  UUID sam;
  UUID terry;
  UUID casey;
  UUID robin;
  UUID admin;
  UUID olivia;
  UUID otherClient;

  /** One escalation node: its own pool and module over the shared database. */
  final class Node {
    final Pool pool;
    final EscalationModule module;
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final String id;
    boolean closed;

    Node(String nodeId, Duration claimTimeout, int webhookMaxAttempts) {
      id = nodeId;
      pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(6).setShared(false))
          .connectingTo(owner.as(TestPostgres.APP_ROLE, Secret.empty()).connectOptions()).using(vertx).build();
      Frames frames = new Frames(FrameSchemas.load());
      module = EscalationModule.create(new EscalationModule.Deps(vertx, pool,
          new org.interlude.storage.Urgent(((io.vertx.core.internal.VertxInternal) vertx).createEventLoopContext(), pool), clock,
          new AuditLog(pool, nodeId, clock), dataKeys, nodes.isEmpty() ? hub : new SocketHub(vertx, bus, "test-node"), frames, registry,
          new InterludeConfig.Escalation(Duration.ofSeconds(1), Duration.ofSeconds(30), claimTimeout,
              Duration.ofSeconds(3), webhookMaxAttempts),
          URI.create("https://interlude.example.org"), nodeId));
    }

    EscalationService service() {
      return module.service();
    }

    EscalationEngine engine() {
      return module.engine();
    }

    /** Stops the node as a crash or restart would: timers, webhook client and pool go. */
    void close() {
      if (!closed) {
        closed = true;
        await(module.stop());
        await(pool.close());
      }
    }
  }

  Fixture() {
    owner = TestPostgres.freshDatabase();
    Migrations.migrate(owner, TestPostgres.APP_ROLE);
    vertx = Vertx.vertx();
    bus = new Bus(vertx);
    hub = new SocketHub(vertx, bus, "test-node");
    bus.subscribe(Addresses.USER_NUDGE, nudges::add);
    try {
      ringFile = java.nio.file.Files.createTempDirectory("interlude-esc-keys").resolve("master.keyring");
      dataKeys = new DataKeys(KeyRing.loadOrCreate(ringFile, true).ring());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    db = PgBuilder.pool().with(new PoolOptions().setMaxSize(2).setShared(false))
        .connectingTo(owner.as(TestPostgres.APP_ROLE, Secret.empty()).connectOptions()).using(vertx).build();
    seedPeople();
    node();
  }

  Node node() {
    return node("node-" + (nodes.size() + 1), Duration.ofSeconds(10), 5);
  }

  Node node(String id, Duration claimTimeout, int webhookMaxAttempts) {
    Node n = new Node(id, claimTimeout, webhookMaxAttempts);
    nodes.add(n);
    return n;
  }

  static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Runs SQL as the application role (setup and inspection). */
  RowSet<Row> sql(String query, Object... params) {
    return await(db.preparedQuery(query).execute(Tuple.from(params)));
  }

  long count(String query, Object... params) {
    return sql(query, params).iterator().next().getLong(0);
  }

  private void seedPeople() {
    clinic = UUID.randomUUID();
    otherClinic = UUID.randomUUID();
    sql("INSERT INTO clinic (id, name, country, time_zone, staffed_hours) VALUES ($1, 'Test Clinic', 'US',"
        + " 'America/New_York', 'Monday to Friday, 9:00 to 17:00 (Eastern)'), ($2, 'Other Clinic', 'GB', 'Europe/London',"
        + " 'Weekdays 9 to 5')", clinic, otherClinic);
    alex = user(clinic, "alex", "Alex Morgan", Role.CLIENT);
    jordan = user(clinic, "jordan", "Jordan Lee", Role.CLIENT);
    sam = user(clinic, "sam", "Dr. Sam Rivera", Role.THERAPIST);
    terry = user(clinic, "terry", "Terry Outside", Role.THERAPIST);
    casey = user(clinic, "casey", "Casey Kim", Role.ONCALL);
    robin = user(clinic, "robin", "Robin Park", Role.ONCALL);
    admin = user(clinic, "admin1", "Ada Admin", Role.ADMIN);
    olivia = user(otherClinic, "olivia", "Olivia Other", Role.ONCALL, Role.THERAPIST);
    otherClient = user(otherClinic, "otherclient", "Other Client", Role.CLIENT);
    sql("INSERT INTO care_team (client_id, therapist_id) VALUES ($1, $2)", alex, sam);
    sql("INSERT INTO care_team (client_id, therapist_id) VALUES ($1, $2)", otherClient, olivia);
  }

  /** A new client of the clinic with Sam as their therapist. */
  UUID newClient() {
    UUID id = user(clinic, "client-" + UUID.randomUUID().toString().substring(0, 8), "Client " + nodes.size(), Role.CLIENT);
    sql("INSERT INTO care_team (client_id, therapist_id) VALUES ($1, $2)", id, sam);
    return id;
  }

  private UUID user(UUID clinicId, String username, String name, Role... roles) {
    UUID id = UUID.randomUUID();
    sql("INSERT INTO app_user (id, clinic_id, username, display_name, roles) VALUES ($1,$2,$3,$4,$5)", id, clinicId,
        username, name, EnumSet.copyOf(List.of(roles)).stream().map(Role::code).sorted().toArray(String[]::new));
    return id;
  }

  /** The demo set-up: Casey primary, Robin backup, Sam last; 2 min / 15 min waits, 1 repeat, 60 min ack timeout. */
  void seedDemoPolicy() {
    await(db.withTransaction(tx -> OnCallSchedules.seedDemo(tx, clinic, "America/New_York", casey, robin,
        sam, clock)));
  }

  Actor actor(UUID userId) {
    var row = sql("SELECT clinic_id, username, roles FROM app_user WHERE id = $1", userId).iterator().next();
    Set<Role> roles = EnumSet.noneOf(Role.class);
    for (String r : row.getArrayOfStrings("roles")) {
      roles.add(Role.parse(r).orElseThrow());
    }
    return new Actor(userId, row.getUUID("clinic_id"), row.getString("username"), roles, "session-hash", "127.0.0.1",
        "test");
  }

  /** Pages of the incident in order: "user@level/reason". */
  List<String> pages(UUID incidentId) {
    List<String> out = new ArrayList<>();
    for (Row r : sql("SELECT user_id, level, reason FROM page WHERE incident_id = $1 ORDER BY paged_at, idempotency_key",
        incidentId)) {
      out.add(name(r.getUUID("user_id")) + "@" + r.getInteger("level") + "/" + r.getString("reason"));
    }
    return out;
  }

  List<String> timeline(UUID incidentId) {
    List<String> out = new ArrayList<>();
    for (Row r : sql("SELECT kind FROM incident_event WHERE incident_id = $1 ORDER BY id", incidentId)) {
      out.add(r.getString(0));
    }
    return out;
  }

  String name(UUID id) {
    if (id.equals(casey)) return "casey";
    if (id.equals(robin)) return "robin";
    if (id.equals(sam)) return "sam";
    if (id.equals(terry)) return "terry";
    if (id.equals(olivia)) return "olivia";
    return id.toString();
  }

  JsonObject incidentRow(UUID id) {
    Row r = sql("SELECT state, severity, next_step, next_step_at, step_token, level, round FROM incident WHERE id = $1", id)
        .iterator().next();
    return new JsonObject().put("state", r.getString("state")).put("severity", r.getString("severity"))
        .put("nextStep", r.getString("next_step"))
        .put("nextStepAt", r.getOffsetDateTime("next_step_at") == null ? null : r.getOffsetDateTime("next_step_at").toInstant().toString())
        .put("token", r.getLong("step_token")).put("level", r.getInteger("level")).put("round", r.getInteger("round"));
  }

  /** Nudges of {@code kind} for {@code user} whose object id ends with {@code suffix}, seen so far. */
  long nudgesFor(UUID user, String kind, String suffix) {
    return nudges.stream().filter(n -> n.kind().equals(kind) && n.userIds().contains(user)
        && n.objectId().endsWith(suffix)).count();
  }

  /** Nudges of {@code kind} for {@code user} seen so far. */
  long nudgesFor(UUID user, String kind) {
    return nudges.stream().filter(n -> n.kind().equals(kind) && n.userIds().contains(user)).count();
  }

  @Override
  public void close() {
    for (Node n : nodes) {
      try {
        n.close();
      } catch (RuntimeException ignored) {
        // The test already failed or finished; the database is thrown away.
      }
    }
    await(db.close());
    await(vertx.close());
  }
}
