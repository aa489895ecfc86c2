package org.interlude.browser;

import java.util.Map;
import org.interlude.app.Server;
import org.interlude.app.StartOptions;
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
  private Server server;

  private DemoNode(Map<String, String> env) {
    this.env = env;
  }

  public static DemoNode start() {
    return start(Map.of());
  }

  /** Starts with extra INTERLUDE_* settings (e.g. a short idle timeout). */
  public static DemoNode start(Map<String, String> overrides) {
    Map<String, String> env = TestServers.env(TestPostgres.freshDatabase());
    env.putAll(overrides);
    DemoNode node = new DemoNode(env);
    node.up();
    return node;
  }

  public String baseUrl() {
    // The allowed origin is the public URL, https://localhost:<port>, so browsers use that name.
    return env.get("INTERLUDE_HTTP_PUBLIC_URL");
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
