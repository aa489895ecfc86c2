package org.interlude.app;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.micrometer.VertxPrometheusOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.interlude.cluster.ClusterNode;
import org.interlude.config.InterludeConfig;
import org.interlude.crypto.TlsCertificates;
import org.interlude.storage.Storage;
import org.interlude.storage.Urgent;
import org.interlude.web.HealthRoutes;
import org.interlude.web.RequestLog;
import org.interlude.web.SecurityHeaders;
import org.interlude.web.TlsSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root of one node. {@link #start} brings the node up in order: TLS material,
 * the HTTPS listener (live at once, ready only later), the management listener, storage
 * (embedded server, migrations, pool), then the features. {@link #stop} drains in reverse:
 * readiness goes false, listeners stop accepting, WebSockets close with 1001, in-flight writes
 * finish, the pool closes, and an embedded database stops last.
 */
public final class Server {
  private static final Logger log = LoggerFactory.getLogger(Server.class);

  private final InterludeConfig cfg;
  private final StartOptions options;
  private final Vertx vertx;
  private final PrometheusMeterRegistry registry;
  private final Router router;
  private final ClusterNode cluster;
  private final EventLoops loops;
  private HttpServer http;
  private HttpServer management;
  private volatile Storage storage;
  private volatile Features features;
  private volatile boolean draining;
  private volatile boolean started;

  private Server(InterludeConfig cfg, StartOptions options, PrometheusMeterRegistry registry, Vertx vertx,
      ClusterNode cluster) {
    this.cfg = cfg;
    this.options = options;
    this.registry = registry;
    this.vertx = vertx;
    this.cluster = cluster;
    this.router = Router.router(vertx);
    this.loops = EventLoops.of(vertx);
  }

  /**
   * Starts a node; the future completes when it is fully ready or fails with the cause. With
   * {@code cluster.enabled} Vert.x is clustered first (Hazelcast join, mutual-TLS event bus), so
   * every feature publishes on the cluster bus from its first event.
   */
  public static Future<Server> start(InterludeConfig cfg, StartOptions options) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // Heap, GC pauses, threads and CPU next to the Vert.x figures: capacity planning and the
    // benchmark read them from /metrics.
    new io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics().bindTo(registry);
    new io.micrometer.core.instrument.binder.jvm.JvmGcMetrics().bindTo(registry);
    new io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics().bindTo(registry);
    new io.micrometer.core.instrument.binder.system.ProcessorMetrics().bindTo(registry);
    VertxOptions vertxOptions = new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions()
        .setEnabled(true)
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true)));
    if (!cfg.cluster().enabled()) {
      Vertx vertx = Vertx.builder().with(vertxOptions).withMetrics(new MicrometerMetricsFactory(registry)).build();
      return start(new Server(cfg, options, registry, vertx, null));
    }
    boolean openSsl = TlsSettings.useOpenSsl(cfg.tls().engine());
    io.vertx.core.Promise<Server> result = io.vertx.core.Promise.promise();
    ClusterNode.start(vertxOptions, new MicrometerMetricsFactory(registry), cfg,
            (eb, cert, key) -> TlsSettings.apply(eb, cert, key, openSsl))
        .onComplete(ar -> {
          if (ar.succeeded()) {
            start(new Server(cfg, options, registry, ar.result().vertx(), ar.result())).onComplete(result);
          } else {
            result.fail(ar.cause());
          }
        });
    return result.future();
  }

  /**
   * Starts the server; on failure stops what started and fails with the cause. The answer is a
   * promise without a Vert.x context: a failed start closes Vert.x, and a result routed through
   * one of its (then terminated) event loops would never arrive, leaving Main waiting forever
   * (a taken HTTP port used to hang the process instead of exiting with an error).
   */
  private static Future<Server> start(Server s) {
    io.vertx.core.Promise<Server> result = io.vertx.core.Promise.promise();
    s.startAll().onComplete(ar -> {
      if (ar.succeeded()) {
        result.complete(s);
      } else {
        s.stop().onComplete(ignored -> result.fail(ar.cause()));
      }
    });
    return result.future();
  }

  private Future<Void> startAll() {
    EventLoopProbe.start(vertx, registry, Duration.ofMillis(20));
    return vertx.executeBlocking(this::tlsFiles)
        .compose(this::listen)
        .compose(v -> listenManagement())
        .compose(v -> Storage.start(vertx, cfg))
        .compose(st -> {
          this.storage = st;
          return awaitSchema(st, true);
        })
        .compose(v -> Features.start(vertx, cfg, options, storage, router, registry, cluster,
            new Urgent(loops.urgent, storage.urgentPool())))
        .map(f -> {
          this.features = f;
          this.started = true;
          return null;
        });
  }

  /**
   * Features need the current schema. With migrations applied at start this returns at once;
   * with {@code database.migrate_on_start: false} the node stays live but not ready, and waits
   * until an operator has applied them.
   */
  private Future<Void> awaitSchema(Storage st, boolean first) {
    if (draining) {
      return Future.failedFuture("shutting down before the schema was current");
    }
    return st.readiness().compose(state -> {
      if (state.getBoolean("ready", false)) {
        return Future.succeededFuture();
      }
      if (first) {
        log.warn(cfg.database().migrateOnStart()
            ? "waiting for the database to become usable by the application role (see the database warning)"
            : "waiting for database migrations to be applied (database.migrate_on_start is false)");
      }
      return vertx.timer(500).compose(t -> awaitSchema(st, false));
    });
  }

  private TlsFiles tlsFiles() throws Exception {
    if (!cfg.tls().selfSigned()) {
      return new TlsFiles(Path.of(cfg.tls().certFile()), Path.of(cfg.tls().keyFile()));
    }
    String host = cfg.http().publicUrl().getHost();
    TlsCertificates.SelfSignedFiles made = TlsCertificates.loadOrCreateSelfSigned(
        cfg.node().dataDir().resolve("tls"), List.of(host));
    if (made.created()) {
      log.warn("generated a self-signed TLS certificate in {}: browsers will warn; configure tls.cert_file for production",
          made.certificate().getParent());
    }
    return new TlsFiles(made.certificate(), made.privateKey());
  }

  private record TlsFiles(Path cert, Path key) {}

  private Future<Void> listen(TlsFiles tls) {
    boolean openSsl = TlsSettings.useOpenSsl(cfg.tls().engine());
    HttpServerOptions o = TlsSettings.apply(new HttpServerOptions(), tls.cert(), tls.key(), openSsl)
        .setHost(cfg.http().host())
        .setPort(cfg.http().port())
        .setUseAlpn(true)
        .setCompressionSupported(true)
        .setPerMessageWebSocketCompressionSupported(false)
        .setPerFrameWebSocketCompressionSupported(false)
        // Frames up to 4x the limit are read so they can be answered with a too_large error
        // frame; beyond that the connection closes (1009) to protect memory.
        .setMaxWebSocketFrameSize(4 * cfg.chat().maxFrameBytes())
        .setMaxWebSocketMessageSize(4 * cfg.chat().maxFrameBytes())
        .addWebSocketSubProtocol("interlude.v1");
    router.route().order(-100).handler(new SecurityHeaders());
    router.route().order(-99).handler(new RequestLog());
    HealthRoutes.install(router, cfg.node().id(), this::readiness);
    router.route("/api/*").order(-10).handler(ctx -> {
      if (started && !draining) {
        ctx.next();
      } else {
        ctx.response().setStatusCode(503).putHeader("Retry-After", "2");
        ctx.json(new JsonObject().put("error", "unavailable").put("message", draining ? "server is shutting down" : "server is starting"));
      }
    });
    // The page itself must be revalidated after a deploy (it names the hashed assets); the hashed
    // assets may be cached for long.
    router.route().order(999).handler(ctx -> {
      String path = ctx.normalizedPath();
      if (path.equals("/") || path.equals("/index.html")) {
        ctx.addHeadersEndHandler(v -> ctx.response().headers().set("Cache-Control", "no-cache"));
      }
      ctx.next();
    });
    router.route().order(1000).handler(StaticHandler.create("webroot")
        .setCachingEnabled(true)
        .setMaxAgeSeconds(3600)
        .setIndexPage("index.html"));
    http = vertx.createHttpServer(o).requestHandler(router);
    // Listening from a chosen loop's context puts every connection on that loop (EventLoops).
    io.vertx.core.Promise<io.vertx.core.http.HttpServer> listening = io.vertx.core.Promise.promise();
    loops.listener.runOnContext(v -> http.listen().onComplete(listening));
    return listening.future().map(srv -> {
      log.info("HTTPS listening port={} engine={}", srv.actualPort(), openSsl ? "openssl" : "jdk");
      return null;
    });
  }

  private Future<Void> listenManagement() {
    if (!cfg.management().enabled()) {
      return Future.succeededFuture();
    }
    Router m = Router.router(vertx);
    m.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
    HealthRoutes.install(m, cfg.node().id(), this::readiness);
    management = vertx.createHttpServer(new HttpServerOptions()
        .setHost(cfg.management().host()).setPort(cfg.management().port())).requestHandler(m);
    return management.listen().mapEmpty();
  }

  /** Ready: started, not draining, database up with the schema current (and cluster joined). */
  public Future<JsonObject> readiness() {
    if (draining) {
      return Future.succeededFuture(new JsonObject().put("ready", false).put("draining", true));
    }
    Storage st = storage;
    if (st == null) {
      return Future.succeededFuture(new JsonObject().put("ready", false).put("database", "starting"));
    }
    return st.readiness().map(state -> {
      boolean ok = state.getBoolean("ready", false) && started;
      Features f = features;
      if (f != null) {
        JsonObject extra = f.readiness();
        state.mergeIn(extra);
        ok = ok && extra.getBoolean("ready", true);
      }
      if (cluster != null) {
        JsonObject joined = cluster.readiness();
        state.mergeIn(joined);
        ok = ok && joined.getBoolean("ready", false);
      }
      return state.put("ready", ok);
    });
  }

  /**
   * Drains and stops. Safe to call more than once and on a partly started node.
   */
  public Future<Void> stop() {
    if (draining && http == null) {
      return Future.succeededFuture();
    }
    draining = true;
    long graceMs = cfg.shutdown().grace().toMillis();
    Future<Void> f = Future.succeededFuture();
    Features feat = features;
    long delayMs = cfg.shutdown().drainDelay().toMillis();
    if (feat != null && delayMs > 0) {
      // Not ready but still serving: the balancer's health checks take this node out first, so
      // the browsers whose sockets close next reconnect to other nodes, not back to this one.
      log.info("draining: not ready, serving for {} ms more before closing sockets", delayMs);
      f = f.compose(v -> vertx.timer(delayMs)).mapEmpty();
    }
    if (feat != null) {
      // Close WebSockets with 1001 and let in-flight writes commit before the listener goes.
      f = f.compose(v -> feat.stop(graceMs).otherwiseEmpty());
    }
    if (http != null) {
      HttpServer h = http;
      http = null;
      f = f.compose(v -> h.shutdown(graceMs, TimeUnit.MILLISECONDS).otherwiseEmpty());
    }
    if (management != null) {
      HttpServer m = management;
      management = null;
      f = f.compose(v -> m.close().otherwiseEmpty());
    }
    Storage st = storage;
    if (st != null) {
      f = f.compose(v -> st.close().onFailure(err -> log.error("storage did not stop cleanly", err)).otherwiseEmpty());
    }
    // Vert.x is closed from a plain thread: a completion callback scheduled on one of its own
    // (now terminated) event loops would never run, and the caller would wait forever.
    java.util.concurrent.CompletableFuture<Void> closed = new java.util.concurrent.CompletableFuture<>();
    f.onComplete(ar -> new Thread(() -> {
      try {
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        log.warn("vert.x did not close cleanly: {}", e.getClass().getSimpleName());
      } finally {
        closed.complete(null);
      }
    }, "interlude-close").start());
    return Future.fromCompletionStage(closed);
  }

  public int httpPort() {
    return http == null ? -1 : http.actualPort();
  }

  public Vertx vertx() {
    return vertx;
  }

  /** This node's cluster membership, or null for a single node. */
  public ClusterNode cluster() {
    return cluster;
  }

  public Storage storage() {
    return storage;
  }

  public Features features() {
    return features;
  }

  public InterludeConfig config() {
    return cfg;
  }
}
