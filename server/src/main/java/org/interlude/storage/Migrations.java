package org.interlude.storage;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Flyway migrations bundled under {@code db/migration}. Run over JDBC by the schema owner, on a
 * worker thread at start (blocking). The runtime uses the reactive pool only.
 */
public final class Migrations {
  private Migrations() {}

  private static Flyway flyway(DatabaseTarget owner, String appRole) {
    return Flyway.configure()
        .dataSource(owner.jdbcUrl(), owner.user(), owner.password().reveal())
        .locations("classpath:db/migration")
        .placeholders(java.util.Map.of("app_role", appRole))
        .failOnMissingLocations(true)
        .validateMigrationNaming(true)
        .cleanDisabled(true)
        .load();
  }

  /** Applies pending migrations; returns the schema version now in place. */
  public static String migrate(DatabaseTarget owner, String appRole) {
    MigrateResult r = flyway(owner, appRole).migrate();
    return r.targetSchemaVersion != null ? r.targetSchemaVersion : r.initialSchemaVersion;
  }

  /** The number of bundled migrations not yet applied (0 means the schema is current). */
  public static int pending(DatabaseTarget owner, String appRole) {
    return flyway(owner, appRole).info().pending().length;
  }

  /**
   * How many versioned migrations this build ships, read from {@code db/migration/INDEX} (so
   * readiness can compare without scanning the classpath on every probe). The index is kept by
   * hand beside the migrations; {@code MigrationsTest} fails the build when it misses one.
   */
  public static int bundledCount() {
    try (var in = Migrations.class.getResourceAsStream("/db/migration/INDEX")) {
      if (in == null) {
        throw new IllegalStateException("db/migration/INDEX missing from the build");
      }
      return (int) new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
          .lines().filter(l -> l.matches("V\\d+__.*\\.sql")).count();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Creates {@code database} on the server if it does not exist (embedded mode and tests). */
  public static void ensureDatabase(DatabaseTarget server, String database) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", server.user());
    if (!server.password().isEmpty()) {
      p.setProperty("password", server.password().reveal());
    }
    try (Connection c = DriverManager.getConnection(server.database("postgres").jdbcUrl(), p);
        Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery(
          "SELECT 1 FROM pg_database WHERE datname = '" + database.replace("'", "''") + "'")) {
        if (rs.next()) {
          return;
        }
      }
      s.execute("CREATE DATABASE \"" + database.replace("\"", "") + "\"");
    }
  }
}
