package org.interlude.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.interlude.app.Server;
import org.interlude.app.StartOptions;
import org.interlude.config.ConfigLoader;
import org.interlude.config.InterludeConfig;
import org.interlude.storage.DatabaseTarget;

/** Starts real server nodes in the test JVM against a test database, on free ports. */
public final class TestServers {
  private TestServers() {}

  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Whether something accepts connections on {@code port} of 127.0.0.1 right now. */
  public static boolean listening(int port) {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * A base port, chosen at random among {@code first}, {@code first + step}, ... below
   * {@code limit}, such that {@code base + offset} is free for every offset. Tests that start
   * processes on fixed derived ports pick their ranges below Linux's ephemeral range (32768+), so
   * that no outgoing connection can take one of those ports while the processes (re)start.
   */
  public static int freeBase(int first, int limit, int step, int... offsets) {
    int choices = (limit - first) / step;
    for (int attempt = 0; attempt < 100; attempt++) {
      int base = first + step * (int) (Math.random() * choices);
      boolean free = true;
      for (int off : offsets) {
        if (listening(base + off)) {
          free = false;
          break;
        }
      }
      if (free) {
        return base;
      }
    }
    throw new IllegalStateException("no free port range from " + first + " to " + limit);
  }

  /** Environment-style overrides (INTERLUDE_*) for a node using {@code db} and a temp data dir. */
  public static Map<String, String> env(DatabaseTarget db) {
    try {
      Path data = Files.createTempDirectory("interlude-node");
      int port = freePort();
      Map<String, String> env = new HashMap<>();
      env.put("INTERLUDE_NODE_DATA_DIR", data.toString());
      env.put("INTERLUDE_HTTP_HOST", "127.0.0.1");
      env.put("INTERLUDE_HTTP_PORT", String.valueOf(port));
      env.put("INTERLUDE_HTTP_PUBLIC_URL", "https://localhost:" + port);
      env.put("INTERLUDE_MANAGEMENT_PORT", String.valueOf(freePort()));
      env.put("INTERLUDE_DATABASE_URL", "postgresql://" + db.host() + ":" + db.port() + "/" + db.database());
      env.put("INTERLUDE_DATABASE_USER", db.user());
      env.put("INTERLUDE_DATABASE_POOL_SIZE", "8");
      env.put("INTERLUDE_ADMIN_PASSWORD", "first-boot-secret-for-tests-7");
      env.put("INTERLUDE_SHUTDOWN_GRACE", "5s");
      return env;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Server start(Map<String, String> env) {
    return start(env, StartOptions.defaults());
  }

  public static Server start(Map<String, String> env, StartOptions options) {
    InterludeConfig cfg = ConfigLoader.defaults(env);
    try {
      return Server.start(cfg, options).toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("server did not start: " + e, e);
    }
  }

  /** Starts without waiting: for tests that observe a node before it is ready. */
  public static io.vertx.core.Future<Server> startAsync(Map<String, String> env) {
    return Server.start(ConfigLoader.defaults(env), StartOptions.defaults());
  }

  public static void stop(Server s) {
    if (s == null) {
      return;
    }
    try {
      s.stop().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("server did not stop: " + e, e);
    }
  }
}
