package org.interlude.browser;

import java.util.Map;
import org.interlude.app.Server;
import org.interlude.app.StartOptions;
import org.interlude.storage.DatabaseTarget;
import org.interlude.testing.TestPostgres;
import org.interlude.testing.TestServers;

/**
 * One server node with the demo clinic, in the test JVM, on free ports and a fresh database.
 * It can be stopped and started again on the same port, database and data directory (so the
 * TLS certificate and key ring, and hence every stored message, survive the restart).
 */
public final class DemoNode implements AutoCloseable {
  public static final String PASSWORD = "interlude-demo";

  private final Map<String, String> env;
  private final String database;
  private Server server;

  private DemoNode(Map<String, String> env, String database) {
    this.env = env;
    this.database = database;
  }

  public static DemoNode start() {
    return start(Map.of());
  }

  /** Starts with extra INTERLUDE_* settings (e.g. a short idle timeout). */
  public static DemoNode start(Map<String, String> overrides) {
    DatabaseTarget db = TestPostgres.freshDatabase();
    Map<String, String> env = TestServers.env(db);
    env.putAll(overrides);
    DemoNode node = new DemoNode(env, db.database());
    node.up();
    return node;
  }

  public String baseUrl() {
    // The allowed origin is the public URL, https://localhost:<port>, so browsers use that name.
    return env.get("INTERLUDE_HTTP_PUBLIC_URL");
  }

  /** Runs SQL on the node's database as its owner (to set up what no API offers, e.g. clinic policy). */
  public void sql(String statement) {
    TestPostgres.exec(database, statement);
  }

  public void up() {
    if (server == null) {
      server = TestServers.start(env, new StartOptions(true));
    }
  }

  public void down() {
    Server s = server;
    server = null;
    TestServers.stop(s);
  }

  @Override
  public void close() {
    down();
  }
}
