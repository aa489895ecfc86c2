package org.interlude.storage;

import io.vertx.pgclient.PgConnectOptions;
import java.net.URI;
import java.util.Locale;
import org.interlude.config.Secret;

/**
 * Where a database lives and who connects: parsed once from a {@code postgresql://host:port/db}
 * URL and reused for both the JDBC connection Flyway needs and the reactive pool. The password
 * is a {@link Secret} and never appears in {@link #toString()} or {@link #jdbcUrl()}.
 */
public record DatabaseTarget(String host, int port, String database, String user, Secret password) {

  public static DatabaseTarget parse(String url, String user, Secret password) {
    URI u = URI.create(url.replaceFirst("^postgres(ql)?://", "postgresql://"));
    String db = u.getPath() == null || u.getPath().length() <= 1 ? "postgres" : u.getPath().substring(1);
    String host = u.getHost() == null ? "127.0.0.1" : u.getHost();
    int port = u.getPort() == -1 ? 5432 : u.getPort();
    return new DatabaseTarget(host, port, db, user, password);
  }

  public DatabaseTarget as(String otherUser, Secret otherPassword) {
    return new DatabaseTarget(host, port, database, otherUser, otherPassword);
  }

  public DatabaseTarget database(String otherDatabase) {
    return new DatabaseTarget(host, port, otherDatabase, user, password);
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database;
  }

  public PgConnectOptions connectOptions() {
    PgConnectOptions o = new PgConnectOptions()
        .setHost(host)
        .setPort(port)
        .setDatabase(database)
        .setUser(user)
        .setCachePreparedStatements(true)
        .setPipeliningLimit(256);
    if (!password.isEmpty()) {
      o.setPassword(password.reveal());
    }
    return o;
  }

  @Override
  public String toString() {
    return "postgresql://" + user + "@" + host + ":" + port + "/" + database.toLowerCase(Locale.ROOT);
  }
}
