package org.interlude.storage;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real PostgreSQL server (zonky's packaged binaries) whose data lives in a directory that is
 * kept across restarts. Durability is turned back on ({@code fsync}, {@code synchronous_commit},
 * {@code full_page_writes}): zonky's defaults trade them away for test speed, and a committed
 * clinical message must survive power loss. Listens on loopback only with trust authentication,
 * so it is for single-node use; clusters and production use an external server.
 *
 * <p>Blocking: {@link #start} and {@link #close} run processes and must not run on an event loop.
 */
public final class EmbeddedDatabase implements AutoCloseable {
  public static final String SUPERUSER = "postgres";
  private final EmbeddedPostgres postgres;

  private EmbeddedDatabase(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  /**
   * Starts (initialising on first use) the server in {@code dataDir}. {@code port} 0 picks a free
   * port.
   */
  public static EmbeddedDatabase start(Path dataDir, int port) throws IOException {
    return start(dataDir, port, true);
  }

  /**
   * As {@link #start(Path, int)}; {@code durable} false turns fsync off and is only for test
   * databases that are thrown away after the run.
   */
  public static EmbeddedDatabase start(Path dataDir, int port, boolean durable) throws IOException {
    String sync = durable ? "on" : "off";
    Files.createDirectories(dataDir);
    EmbeddedPostgres.Builder b = EmbeddedPostgres.builder()
        .setDataDirectory(dataDir)
        .setCleanDataDirectory(false)
        .setRegisterShutdownHook(false)
        .setPGStartupWait(Duration.ofSeconds(60))
        .setServerConfig("listen_addresses", "127.0.0.1")
        .setServerConfig("fsync", sync)
        .setServerConfig("synchronous_commit", sync)
        .setServerConfig("full_page_writes", sync)
        .setServerConfig("max_connections", "300")
        .setServerConfig("timezone", "UTC")
        .setOutputRedirector(ProcessBuilder.Redirect.DISCARD)
        .setErrorRedirector(ProcessBuilder.Redirect.DISCARD);
    if (port > 0) {
      b.setPort(port);
    }
    return new EmbeddedDatabase(b.start());
  }

  public int port() {
    return postgres.getPort();
  }

  /** The connection URL (postgresql:// form) for {@code database} as the superuser. */
  public String url(String database) {
    return "postgresql://127.0.0.1:" + port() + "/" + database;
  }

  /** Stops the server, waiting for it to flush and exit. */
  @Override
  public void close() throws IOException {
    postgres.close();
  }
}
