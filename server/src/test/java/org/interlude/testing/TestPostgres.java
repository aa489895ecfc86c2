package org.interlude.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.interlude.config.Secret;
import org.interlude.storage.DatabaseTarget;
import org.interlude.storage.EmbeddedDatabase;

/**
 * One real PostgreSQL server per test JVM (started on first use, stopped at JVM exit), handing out
 * a fresh, empty database per request so test classes never see each other's rows. fsync is off
 * here only: these databases are thrown away.
 */
public final class TestPostgres {
  public static final String APP_ROLE = "interlude_app";
  private static EmbeddedDatabase server;
  private static final AtomicInteger counter = new AtomicInteger();

  private TestPostgres() {}

  public static synchronized EmbeddedDatabase server() {
    if (server == null) {
      try {
        Path dir = Files.createTempDirectory("interlude-test-pg");
        server = EmbeddedDatabase.start(dir, 0, false);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
          try {
            server.close();
          } catch (IOException ignored) {
            // The JVM is exiting; the temp directory goes with the machine.
          }
        }));
        exec("postgres", "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" + APP_ROLE
            + "') THEN CREATE ROLE " + APP_ROLE + " LOGIN; END IF; END $$");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return server;
  }

  /** Creates a new empty database and returns its owner (superuser) target. */
  public static DatabaseTarget freshDatabase() {
    EmbeddedDatabase s = server();
    String name = "t" + ProcessHandle.current().pid() + "_" + counter.incrementAndGet();
    exec("postgres", "CREATE DATABASE " + name);
    return DatabaseTarget.parse(s.url(name), EmbeddedDatabase.SUPERUSER, Secret.empty());
  }

  public static void exec(String database, String sql) {
    EmbeddedDatabase s = server();
    Properties p = new Properties();
    p.setProperty("user", EmbeddedDatabase.SUPERUSER);
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + s.port() + "/" + database, p);
        Statement st = c.createStatement()) {
      st.execute(sql);
    } catch (Exception e) {
      throw new IllegalStateException("test database setup failed: " + e.getMessage(), e);
    }
  }
}
