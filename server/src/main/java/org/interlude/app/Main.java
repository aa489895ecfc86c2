package org.interlude.app;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.interlude.config.ConfigException;
import org.interlude.config.ConfigLoader;
import org.interlude.config.InterludeConfig;

/**
 * Process entry point of a server node: {@code interlude-server [--config PATH] [--demo]}.
 * Exit codes: 0 after a clean shutdown, 1 when start-up fails, 2 for invalid configuration or
 * arguments (the message names the key and the reason). SIGTERM drains gracefully.
 */
public final class Main {
  public static final int EXIT_CONFIG = 2;

  private Main() {}

  public static void main(String[] args) {
    int code = run(args, System.out, System.err);
    if (code != 0) {
      System.exit(code);
    }
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    Path configPath = null;
    boolean demo = false;
    List<String> rest = new ArrayList<>(List.of(args));
    for (int i = 0; i < rest.size(); i++) {
      String a = rest.get(i);
      switch (a) {
        case "--config" -> {
          if (i + 1 >= rest.size()) {
            err.println("--config needs a path");
            return EXIT_CONFIG;
          }
          configPath = Path.of(rest.get(++i));
        }
        case "--demo" -> demo = true;
        case "--help", "-h" -> {
          out.println("usage: interlude-server [--config PATH] [--demo]");
          return 0;
        }
        default -> {
          err.println("unknown argument: " + a + " (try --help)");
          return EXIT_CONFIG;
        }
      }
    }
    InterludeConfig cfg;
    try {
      if (configPath == null && Files.exists(Path.of("config/interlude.yaml"))) {
        configPath = Path.of("config/interlude.yaml");
      }
      cfg = configPath == null ? ConfigLoader.defaults(System.getenv()) : ConfigLoader.load(configPath, System.getenv());
    } catch (ConfigException e) {
      err.println("invalid configuration" + (configPath == null ? "" : " (" + configPath + ")") + ":");
      for (String p : e.problems()) {
        err.println("  " + p);
      }
      return EXIT_CONFIG;
    }

    long t0 = System.nanoTime();
    Server server;
    try {
      server = Server.start(cfg, new StartOptions(demo)).toCompletionStage().toCompletableFuture().get();
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      err.println("Interlude failed to start: " + cause);
      return 1;
    }
    CompletableFuture<Void> stopped = new CompletableFuture<>();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        server.stop().toCompletionStage().toCompletableFuture()
            .get(cfg.shutdown().grace().toMillis() + 10_000, TimeUnit.MILLISECONDS);
        out.println("Interlude stopped cleanly");
      } catch (Exception e) {
        err.println("Interlude shutdown did not finish cleanly: " + e);
      } finally {
        stopped.complete(null);
      }
    }, "interlude-shutdown"));
    if (demo) {
      out.println("WARNING: demo mode is INSECURE. Demo Clinic users client, client2, therapist, oncall, oncall2 and"
          + " admin all have the password '" + DemoClinic.PASSWORD + "'. Use it on this machine only.");
    }
    String firstAdmin = server.features().initialAdminPassword();
    if (firstAdmin != null) {
      out.println("Created the first administrator '" + cfg.admin().username() + "' with password: " + firstAdmin);
      out.println("This password is shown only once. Sign in and change it.");
    }
    out.printf("Interlude is ready at %s (node %s, started in %d ms)%n",
        publicUrl(cfg, server), cfg.node().id(), (System.nanoTime() - t0) / 1_000_000);
    out.flush();
    stopped.join();
    return 0;
  }

  private static String publicUrl(InterludeConfig cfg, Server server) {
    String url = cfg.http().publicUrl().toString();
    return url.endsWith("/") ? url : url + "/";
  }
}
