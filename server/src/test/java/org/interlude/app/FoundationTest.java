package org.interlude.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.interlude.storage.DatabaseTarget;
import org.interlude.storage.Migrations;
import org.interlude.testing.Https;
import org.interlude.testing.ServerProcess;
import org.interlude.testing.TestPostgres;
import org.interlude.testing.TestServers;
import org.interlude.testing.TestSession;
import org.interlude.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The production skeleton: TLS policy, headers, health, metrics, migrations, restart, SIGTERM. */
@org.junit.jupiter.api.extension.ExtendWith(org.interlude.testing.PostgresExtension.class)
class FoundationTest {
  static Server server;
  static int port;
  static Map<String, String> env;

  @BeforeAll
  static void start(DatabaseTarget db) {
    env = TestServers.env(db);
    server = TestServers.start(env);
    port = server.httpPort();
  }

  @AfterAll
  static void stop() {
    TestServers.stop(server);
  }

  private static void assertSecurityHeaders(HttpResponse<?> r) {
    var h = r.headers();
    assertEquals("max-age=31536000; includeSubDomains", h.firstValue("Strict-Transport-Security").orElse(null), r.uri().toString());
    String csp = h.firstValue("Content-Security-Policy").orElse("");
    assertTrue(csp.startsWith("default-src 'self'"), csp);
    assertTrue(csp.contains("frame-ancestors 'none'"), csp);
    assertFalse(csp.contains("unsafe-inline"), csp);
    assertEquals("nosniff", h.firstValue("X-Content-Type-Options").orElse(null));
    assertEquals("no-referrer", h.firstValue("Referrer-Policy").orElse(null));
  }

  @Test
  void securityHeadersOnEveryKindOfResponse() {
    for (String path : List.of("/health/live", "/health/ready", "/", "/no/such/page", "/api/nothing-here")) {
      assertSecurityHeaders(Https.get(port, path));
    }
  }

  @Test
  void liveAndReadyAnswerJson() {
    HttpResponse<String> live = Https.get(port, "/health/live");
    assertEquals(200, live.statusCode());
    assertEquals("up", new JsonObject(live.body()).getString("status"));
    HttpResponse<String> ready = Https.get(port, "/health/ready");
    assertEquals(200, ready.statusCode(), ready.body());
    JsonObject body = new JsonObject(ready.body());
    assertEquals("applied", body.getString("migrations"));
    assertEquals("up", body.getString("database"));
  }

  @Test
  void servesTheWebClient() {
    HttpResponse<String> r = Https.get(port, "/");
    assertEquals(200, r.statusCode());
    assertTrue(r.body().contains("<title>Interlude</title>"), r.body());
  }

  private static SSLSocket handshake(String protocol) throws Exception {
    SSLContext ctx = Https.trustAll();
    // Prove the client really offers the old protocol, so a refusal is the server's doing.
    assertTrue(Arrays.asList(ctx.getSupportedSSLParameters().getProtocols()).contains(protocol), protocol);
    SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port);
    s.setSoTimeout(10_000);
    s.setEnabledProtocols(new String[] {protocol});
    s.startHandshake();
    return s;
  }

  @Test
  void tls10And11AreRefused() {
    for (String p : List.of("TLSv1", "TLSv1.1")) {
      Exception e = assertThrows(Exception.class, () -> handshake(p).close(), p + " must be refused");
      assertTrue(e instanceof SSLHandshakeException || e instanceof java.net.SocketException
          || e instanceof java.io.EOFException, p + ": " + e);
    }
  }

  @Test
  void tls12And13AreAcceptedWithForwardSecretAead() throws Exception {
    for (String p : List.of("TLSv1.2", "TLSv1.3")) {
      try (SSLSocket s = handshake(p)) {
        assertEquals(p, s.getSession().getProtocol());
        String suite = s.getSession().getCipherSuite();
        assertTrue(suite.startsWith("TLS_AES_") || suite.startsWith("TLS_CHACHA20_") || suite.startsWith("TLS_ECDHE_"), suite);
        assertTrue(suite.contains("GCM") || suite.contains("CHACHA20"), suite);
      }
    }
  }

  @Test
  void metricsOnLoopbackManagementPort() throws Exception {
    int mport = Integer.parseInt(env.get("INTERLUDE_MANAGEMENT_PORT"));
    HttpResponse<String> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + mport + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    assertTrue(r.body().contains("vertx_http_server"), "vert.x metrics exported");
    assertTrue(r.body().contains("jvm_memory_used_bytes{area=\"heap\""), "heap in use exported");
    assertTrue(r.body().contains("jvm_gc_pause_seconds") || r.body().contains("jvm_gc_memory_allocated_bytes"),
        "garbage collection exported");
    assertTrue(r.body().contains("process_cpu_usage"), "CPU exported");
    java.util.regex.Matcher probed = java.util.regex.Pattern
        .compile("interlude_eventloop_delay_seconds_count\\{loop=\"0\"\\} ([0-9.E]+)").matcher(r.body());
    assertTrue(probed.find() && Double.parseDouble(probed.group(1)) > 0, "each event loop's delay is measured");
    assertEquals(404, Https.get(port, "/metrics").statusCode(), "metrics are not on the public listener");
  }

  @Test
  void aTakenPortFailsTheStartWithTheCauseInsteadOfHanging() throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
      Map<String, String> e = new HashMap<>(TestServers.env(TestPostgres.freshDatabase()));
      e.put("INTERLUDE_HTTP_PORT", String.valueOf(taken.getLocalPort()));
      Throwable failure = TestServers.startAsync(e).toCompletionStage().toCompletableFuture()
          .handle((server, err) -> err).get(60, java.util.concurrent.TimeUnit.SECONDS);
      assertTrue(failure != null && String.valueOf(failure).contains("Address already in use"), String.valueOf(failure));
    }
  }

  @Test
  void readinessIsFalseUntilMigrationsRan() throws Exception {
    DatabaseTarget owner = TestPostgres.freshDatabase();
    Map<String, String> e = new HashMap<>(TestServers.env(owner));
    e.put("INTERLUDE_DATABASE_MIGRATE_ON_START", "false");
    var starting = TestServers.startAsync(e);
    int p = Integer.parseInt(e.get("INTERLUDE_HTTP_PORT"));
    HttpResponse<String> before = null;
    for (int i = 0; i < 200 && before == null; i++) {
      try {
        before = Https.get(p, "/health/ready");
      } catch (IllegalStateException notListeningYet) {
        Thread.sleep(100);
      }
    }
    Server s = null;
    try {
      assertEquals(503, before.statusCode(), before.body());
      Thread.sleep(1500);
      before = Https.get(p, "/health/ready");
      assertEquals(503, before.statusCode(), before.body());
      assertEquals("pending", new JsonObject(before.body()).getString("migrations"));
      assertEquals(503, Https.get(p, "/api/me").statusCode(), "features wait for readiness");
      assertFalse(starting.isComplete(), "the node waits for its schema");
      Migrations.migrate(owner, TestPostgres.APP_ROLE);
      s = starting.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      HttpResponse<String> after = Https.get(p, "/health/ready");
      assertEquals(200, after.statusCode(), after.body());
    } finally {
      TestServers.stop(s != null ? s : starting.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS));
    }
  }

  private static Map<String, String> embeddedEnv(Path data) {
    Map<String, String> e = new HashMap<>(TestServers.env(TestPostgres.freshDatabase()));
    e.remove("INTERLUDE_DATABASE_URL");
    e.remove("INTERLUDE_DATABASE_USER");
    e.put("INTERLUDE_NODE_DATA_DIR", data.toString());
    return e;
  }

  @Test
  void embeddedDatabaseKeepsDataAcrossRestartsWithFsyncOn(@TempDir Path data) {
    Map<String, String> e = embeddedEnv(data);
    Server first = TestServers.start(e);
    try {
      first.storage().pool().preparedQuery("INSERT INTO node (node_id) VALUES ($1)").execute(Tuple.of("restart-probe"))
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      String fsync = first.storage().pool().query("SHOW fsync").execute()
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).iterator().next().getString(0);
      assertEquals("on", fsync);
    } catch (Exception ex) {
      throw new AssertionError(ex);
    } finally {
      TestServers.stop(first);
    }
    assertFalse(Files.exists(data.resolve("pg").resolve("postmaster.pid")), "embedded PostgreSQL stopped");
    Server second = TestServers.start(e);
    try {
      long n = second.storage().pool().preparedQuery("SELECT count(*) FROM node WHERE node_id = $1")
          .execute(Tuple.of("restart-probe")).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)
          .iterator().next().getLong(0);
      assertEquals(1, n);
      assertTrue(Files.exists(data.resolve("tls").resolve("cert.pem")), "certificate generated once into the data dir");
    } catch (Exception ex) {
      throw new AssertionError(ex);
    } finally {
      TestServers.stop(second);
    }
  }

  @Test
  void invalidConfigurationExitsWithCode2NamingTheKey() throws Exception {
    Map<String, String> e = new HashMap<>(env);
    e.put("INTERLUDE_HTTP_PORT", "70000");
    e.put("INTERLUDE_DATABASE_POOL_SIZE", "none");
    try (ServerProcess p = ServerProcess.start(e)) {
      assertEquals(2, p.awaitExit(Duration.ofSeconds(60)), p.output());
      assertTrue(p.output().contains("http.port: must be 1-65535, got 70000"), p.output());
      assertTrue(p.output().contains("database.pool_size: must be a whole number, got \"none\""), p.output());
    }
  }

  @Test
  void sigtermDrainsAndStopsEmbeddedPostgresLast(@TempDir Path data) throws Exception {
    Map<String, String> e = embeddedEnv(data);
    try (ServerProcess p = ServerProcess.start(e)) {
      p.awaitReady(Duration.ofSeconds(90));
      assertTrue(Files.exists(data.resolve("pg").resolve("postmaster.pid")));
      int port = Integer.parseInt(e.get("INTERLUDE_HTTP_PORT"));
      TestSession admin = TestSession.login(port, "admin", e.get("INTERLUDE_ADMIN_PASSWORD"));
      WsClient socket = WsClient.connect(admin);
      socket.await("hello");
      p.signal("TERM");
      assertEquals(1001, socket.awaitClose(Duration.ofSeconds(20)), "open sockets are told the server is going away");
      int code = p.awaitExit(Duration.ofSeconds(60));
      assertEquals(143, code, "terminated by SIGTERM after the hook ran; output:\n" + p.output());
      assertTrue(p.output().contains("Interlude stopped cleanly"), p.output());
      assertFalse(Files.exists(data.resolve("pg").resolve("postmaster.pid")), "embedded PostgreSQL stopped");
    }
  }
}
