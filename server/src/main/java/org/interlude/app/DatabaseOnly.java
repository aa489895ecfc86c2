package org.interlude.app;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.interlude.storage.EmbeddedDatabase;
import org.interlude.storage.Storage;

/**
 * Runs only the embedded PostgreSQL, for a local cluster whose nodes share it
 * ({@code scripts/cluster}): {@code DatabaseOnly DATA_DIR PORT [APP_USER]}. Durable (fsync on)
 * like a single node's database. Prints {@code database postgresql://127.0.0.1:PORT/interlude}
 * once it accepts connections, and stops the server cleanly on SIGTERM. Development only: it
 * trusts every loopback connection.
 */
public final class DatabaseOnly {
  private DatabaseOnly() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2 || args.length > 3) {
      System.err.println("usage: DatabaseOnly DATA_DIR PORT [APP_USER]");
      System.exit(Main.EXIT_CONFIG);
    }
    int port;
    try {
      port = Integer.parseInt(args[1]);
    } catch (NumberFormatException e) {
      System.err.println("PORT must be a number, got " + args[1]);
      System.exit(Main.EXIT_CONFIG);
      return;
    }
    String appUser = args.length == 3 ? args[2] : "interlude_app";
    EmbeddedDatabase db = EmbeddedDatabase.start(Path.of(args[0]).toAbsolutePath().normalize(), port);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        db.close();
        System.out.println("database stopped");
      } catch (Exception e) {
        System.err.println("database did not stop cleanly: " + e);
      } finally {
        stopped.countDown();
      }
    }, "database-stop"));
    String url = Storage.prepareShared(db, appUser);
    System.out.println("database " + url);
    System.out.flush();
    stopped.await();
  }
}
