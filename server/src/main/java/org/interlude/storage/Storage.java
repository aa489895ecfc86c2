package org.interlude.storage;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.interlude.config.InterludeConfig;
import org.interlude.config.Secret;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the database for one node: starts the embedded server when no URL is configured, applies
 * migrations as the schema owner, and opens the reactive pools as the restricted application role
 * (which cannot UPDATE or DELETE audit rows): the main pool, and the small pool for
 * {@link Urgent} work (crisis reports and their alerts). {@link #readiness()} reports whether the
 * database is reachable and the schema current. {@link #close()} closes both pools, then stops an
 * embedded server last.
 */
public final class Storage {
  private static final Logger log = LoggerFactory.getLogger(Storage.class);
  public static final String EMBEDDED_DATABASE = "interlude";

  private final Vertx vertx;
  private final Pool pool;
  private final Pool urgentPool;
  private final EmbeddedDatabase embedded;
  private final DatabaseTarget app;
  private final int bundledMigrations;
  private volatile String lastUnreadyReason;

  private Storage(Vertx vertx, Pool pool, Pool urgentPool, EmbeddedDatabase embedded, DatabaseTarget app, int bundled) {
    this.vertx = vertx;
    this.pool = pool;
    this.urgentPool = urgentPool;
    this.embedded = embedded;
    this.app = app;
    this.bundledMigrations = bundled;
  }

  /**
   * Starts storage. Blocking steps (embedded server, JDBC migrations) run on a worker thread.
   */
  public static Future<Storage> start(Vertx vertx, InterludeConfig cfg) {
    InterludeConfig.Database db = cfg.database();
    AtomicReference<EmbeddedDatabase> started = new AtomicReference<>();
    return vertx.<Bootstrap>executeBlocking(() -> {
      DatabaseTarget owner;
      EmbeddedDatabase emb = null;
      if (db.embedded()) {
        Path dir = cfg.node().dataDir().resolve("pg");
        long t0 = System.nanoTime();
        emb = EmbeddedDatabase.start(dir, db.embeddedPort());
        started.set(emb);
        log.info("embedded PostgreSQL started port={} ms={}", emb.port(), (System.nanoTime() - t0) / 1_000_000);
        owner = DatabaseTarget.parse(emb.url("postgres"), EmbeddedDatabase.SUPERUSER, Secret.empty());
        Migrations.ensureDatabase(owner, EMBEDDED_DATABASE);
        owner = owner.database(EMBEDDED_DATABASE);
        ensureLoginRole(owner, db.appUser());
      } else {
        owner = DatabaseTarget.parse(db.url(), db.user(), db.password());
      }
      int bundled = Migrations.bundledCount();
      if (db.migrateOnStart()) {
        long t0 = System.nanoTime();
        String version = Migrations.migrate(owner, db.appUser());
        log.info("schema migrated version={} ms={}", version, (System.nanoTime() - t0) / 1_000_000);
      }
      return new Bootstrap(emb, owner.as(db.appUser(), db.appPassword()), bundled);
    }).map(b -> {
      Pool pool = pool(vertx, cfg, b, db.poolSize(), "interlude-" + cfg.node().id());
      Pool urgent = pool(vertx, cfg, b, db.urgentPoolSize(), "interlude-urgent-" + cfg.node().id());
      return new Storage(vertx, pool, urgent, b.embedded(), b.app(), b.bundled());
    }).recover(err -> {
      EmbeddedDatabase emb = started.get();
      if (emb == null) {
        return Future.failedFuture(err);
      }
      return vertx.executeBlocking(() -> {
        emb.close();
        return null;
      }).transform(ignored -> Future.failedFuture(err));
    });
  }

  private static Pool pool(Vertx vertx, InterludeConfig cfg, Bootstrap b, int size, String name) {
    InterludeConfig.Database db = cfg.database();
    return PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(size).setName(name).setShared(false)
            .setConnectionTimeout((int) db.connectTimeout().toMillis())
            .setConnectionTimeoutUnit(java.util.concurrent.TimeUnit.MILLISECONDS)
            // Bounded by time (connect_timeout), not by count: a reconnect wave of tens of
            // thousands of sockets queues a few queries each, and refusing them at a fixed
            // count only made clients retry into the same queue.
            .setMaxWaitQueueSize(-1))
        // pg_stat_activity then names the node behind each session: which node holds a lock
        // or a claimed escalation step is one query away. A node that stops in the middle of
        // a transaction (frozen, cut off) loses it after idle_in_transaction_timeout:
        // PostgreSQL ends the session and the row locks go, so the other nodes carry on.
        .connectingTo(b.app().connectOptions().addProperty("application_name", applicationName(cfg.node().id()))
            .addProperty("idle_in_transaction_session_timeout", String.valueOf(db.idleInTransactionTimeout().toMillis())))
        .using(vertx)
        .build();
  }

  /** {@code interlude <node id>}, within PostgreSQL's 63-byte limit for application names. */
  static String applicationName(String nodeId) {
    String name = "interlude " + nodeId;
    return name.length() <= 63 ? name : name.substring(0, 63);
  }

  private record Bootstrap(EmbeddedDatabase embedded, DatabaseTarget app, int bundled) {}

  /**
   * Prepares an embedded server that several nodes share ({@code scripts/cluster}): creates the
   * {@value #EMBEDDED_DATABASE} database and the application login role, and returns the
   * database's URL for {@code database.url}. Blocking.
   */
  public static String prepareShared(EmbeddedDatabase emb, String appUser) throws Exception {
    DatabaseTarget owner = DatabaseTarget.parse(emb.url("postgres"), EmbeddedDatabase.SUPERUSER, Secret.empty());
    Migrations.ensureDatabase(owner, EMBEDDED_DATABASE);
    ensureLoginRole(owner.database(EMBEDDED_DATABASE), appUser);
    return emb.url(EMBEDDED_DATABASE);
  }

  /**
   * The embedded server trusts loopback connections; the role only needs to exist and log in.
   * Grants come from the migrations.
   */
  private static void ensureLoginRole(DatabaseTarget owner, String role) throws Exception {
    Properties p = new Properties();
    p.setProperty("user", owner.user());
    try (Connection c = DriverManager.getConnection(owner.jdbcUrl(), p); Statement s = c.createStatement()) {
      s.execute("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" + role
          + "') THEN CREATE ROLE \"" + role + "\" LOGIN; END IF; END $$");
    }
  }

  public Pool pool() {
    return pool;
  }

  /** The small pool for {@link Urgent} work; use it only through {@link Urgent#run}. */
  public Pool urgentPool() {
    return urgentPool;
  }

  public Vertx vertx() {
    return vertx;
  }

  /** Where the runtime connects (without password). */
  public DatabaseTarget target() {
    return app;
  }

  /** The embedded server's port, or -1 for an external database. */
  public int embeddedPort() {
    return embedded == null ? -1 : embedded.port();
  }

  /**
   * Ready means: a query succeeds as the application role, and every bundled migration has been
   * applied successfully.
   */
  public Future<JsonObject> readiness() {
    return pool.preparedQuery(
            "SELECT count(*) FROM flyway_schema_history WHERE success AND version IS NOT NULL")
        .execute(Tuple.tuple())
        .map(rows -> {
          long applied = rows.iterator().next().getLong(0);
          boolean current = applied >= bundledMigrations;
          return new JsonObject()
              .put("database", "up")
              .put("migrations", current ? "applied" : "pending")
              .put("ready", current);
        })
        .otherwise(err -> {
          String reason = String.valueOf(err.getMessage());
          // Said once per distinct cause: a node that stays unready must tell its operator why
          // (a role without LOGIN, a wrong password, a missing table), not only that it waits.
          if (!reason.equals(lastUnreadyReason)) {
            lastUnreadyReason = reason;
            log.warn("database not ready: {}", reason);
          }
          boolean schemaMissing = reason.contains("flyway_schema_history");
          return new JsonObject()
              .put("database", schemaMissing ? "up" : "down")
              .put("migrations", schemaMissing ? "pending" : "unknown")
              .put("ready", false);
        });
  }

  /** Closes the pools, then stops the embedded server (if any) on a worker thread. */
  public Future<Void> close() {
    return Future.join(pool.close(), urgentPool.close()).transform(ignored -> {
      if (embedded == null) {
        return Future.succeededFuture();
      }
      return vertx.executeBlocking(() -> {
        embedded.close();
        return null;
      });
    });
  }
}
