package org.interlude.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.interlude.app.Server;
import org.interlude.crypto.Totp;
import org.interlude.storage.DatabaseTarget;
import org.interlude.testing.Fixtures;
import org.interlude.testing.Https;
import org.interlude.testing.TestPostgres;
import org.interlude.testing.TestServers;
import org.interlude.testing.TestSession;
import org.interlude.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Authentication, sessions, second factor, invitations, break-glass and the audit log. */
class IdentityTest {
  static Server server;
  static int port;
  static DatabaseTarget db;
  static Map<String, String> env;
  static Fixtures.Clinic a;

  @org.junit.jupiter.api.extension.RegisterExtension
  static final org.interlude.testing.PostgresExtension postgres = new org.interlude.testing.PostgresExtension();

  @BeforeAll
  static void start() {
    db = postgres.database();
    env = TestServers.env(db);
    server = TestServers.start(env);
    port = server.httpPort();
    a = Fixtures.clinic(server, "a");
  }

  @AfterAll
  static void stop() {
    TestServers.stop(server);
  }

  static Connection superuser() throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", "postgres");
    return DriverManager.getConnection(db.jdbcUrl(), p);
  }

  static HttpResponse<String> post(String path, JsonObject body, String origin) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode()));
    if (origin != null) {
      b.header("Origin", origin);
    }
    return Https.client().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void sessionCookieCarriesTheHostPrefixAndEveryFlag() {
    HttpResponse<String> r = TestSession.loginResponse(port, "a-therapist", Fixtures.PASSWORD);
    assertEquals(200, r.statusCode());
    String cookie = r.headers().firstValue("Set-Cookie").orElseThrow();
    assertTrue(cookie.startsWith("__Host-interlude="), cookie);
    for (String flag : List.of("secure", "httponly", "samesite=strict", "path=/")) {
      assertTrue(cookie.toLowerCase().contains(flag), flag + " missing: " + cookie);
    }
    assertFalse(cookie.toLowerCase().contains("domain="), "a __Host- cookie has no Domain");
    String token = cookie.substring("__Host-interlude=".length(), cookie.indexOf(';'));
    assertTrue(token.length() >= 43, "256-bit token");
  }

  @Test
  void unknownUserAndWrongPasswordGetTheSameAnswer() {
    HttpResponse<String> unknown = TestSession.loginResponse(port, "nobody-here", "some-password-123");
    HttpResponse<String> wrong = TestSession.loginResponse(port, "a-oncall", "some-password-123");
    assertEquals(401, unknown.statusCode());
    assertEquals(unknown.statusCode(), wrong.statusCode());
    assertEquals(new JsonObject(unknown.body()), new JsonObject(wrong.body()));
  }

  @Test
  void repeatedFailuresAreThrottledWithGrowingDelaysForRealAndUnknownAccounts() {
    Fixtures.clinic(server, "t");
    for (String user : List.of("t-client", "ghost-account")) {
      int throttledAt = -1;
      for (int i = 1; i <= 8 && throttledAt < 0; i++) {
        HttpResponse<String> r = TestSession.loginResponse(port, user, "wrong-password-" + i);
        if (r.statusCode() == 429) {
          throttledAt = i;
          JsonObject body = new JsonObject(r.body());
          assertEquals("too_many_attempts", body.getString("error"));
          assertTrue(body.getLong("retryAfterSeconds") >= 1);
          assertTrue(r.headers().firstValue("Retry-After").isPresent());
        } else {
          assertEquals(401, r.statusCode());
        }
      }
      assertEquals(7, throttledAt, user + ": five free attempts, the sixth starts a delay, the seventh is refused");
    }
    // The correct password is refused too while blocked: guessing cannot continue.
    assertEquals(429, TestSession.loginResponse(port, "t-client", Fixtures.PASSWORD).statusCode());
  }

  @Test
  void stateChangingCallsNeedTheCsrfTokenAndAnAllowedOrigin() throws Exception {
    TestSession s = TestSession.login(port, "a-therapist");
    HttpRequest noToken = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/api/invitations"))
        .header("Cookie", s.cookie).header("Origin", s.origin()).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("username", "csrf-victim").put("displayName", "V")
            .encode())).build();
    HttpResponse<String> r = Https.client().send(noToken, HttpResponse.BodyHandlers.ofString());
    assertEquals(403, r.statusCode());
    assertEquals("csrf_token_invalid", new JsonObject(r.body()).getString("error"));
    HttpResponse<String> evil = post("/api/auth/login", new JsonObject().put("username", "a-therapist")
        .put("password", Fixtures.PASSWORD), "https://evil.example");
    assertEquals(403, evil.statusCode());
    HttpRequest crossSite = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/api/auth/logout"))
        .header("Cookie", s.cookie).header("X-CSRF-Token", s.csrf).header("Sec-Fetch-Site", "cross-site")
        .POST(HttpRequest.BodyPublishers.noBody()).build();
    assertEquals(403, Https.client().send(crossSite, HttpResponse.BodyHandlers.ofString()).statusCode());
  }

  @Test
  void malformedBodiesGetA400NamingTheField() throws Exception {
    HttpResponse<String> missing = post("/api/auth/login", new JsonObject().put("username", "a"), "https://localhost:" + port);
    assertEquals(400, missing.statusCode());
    assertEquals("password", new JsonObject(missing.body()).getString("field"));
    HttpResponse<String> wrongType = post("/api/auth/login", new JsonObject().put("username", "a").put("password", 5),
        "https://localhost:" + port);
    assertEquals(400, wrongType.statusCode());
    assertEquals("password", new JsonObject(wrongType.body()).getString("field"));
    HttpResponse<String> extra = post("/api/auth/login", new JsonObject().put("username", "a").put("password", "b")
        .put("admin", true), "https://localhost:" + port);
    assertEquals(400, extra.statusCode());
    assertEquals("admin", new JsonObject(extra.body()).getString("field"));
  }

  @Test
  void totpSecondFactorIsRequiredOnceEnrolledAndCodesCannotBeReplayed() throws Exception {
    TestSession s = TestSession.login(port, "a-oncall");
    HttpResponse<String> enroll = s.send("POST", "/api/auth/totp/enroll", null);
    assertEquals(200, enroll.statusCode(), enroll.body());
    String uri = new JsonObject(enroll.body()).getString("otpauthUri");
    String secret = uri.replaceAll(".*secret=([A-Z2-7]+).*", "$1");
    Instant now = Instant.now();
    assertEquals(204, s.send("POST", "/api/auth/totp/confirm", new JsonObject().put("code", Totp.code(secret, now)))
        .statusCode());
    HttpResponse<String> withoutCode = TestSession.loginResponse(port, "a-oncall", Fixtures.PASSWORD);
    assertEquals(401, withoutCode.statusCode());
    assertEquals("second_factor_required", new JsonObject(withoutCode.body()).getString("error"));
    // The code used to confirm (same time step) must not work again.
    HttpResponse<String> replay = post("/api/auth/login", new JsonObject().put("username", "a-oncall")
        .put("password", Fixtures.PASSWORD).put("totpCode", Totp.code(secret, now)), "https://localhost:" + port);
    assertEquals(401, replay.statusCode(), "a replayed code is refused");
    String next = Totp.code(secret, now.plusSeconds(30));
    HttpResponse<String> ok = post("/api/auth/login", new JsonObject().put("username", "a-oncall")
        .put("password", Fixtures.PASSWORD).put("totpCode", next), "https://localhost:" + port);
    assertEquals(200, ok.statusCode(), ok.body());
    assertTrue(new JsonObject(ok.body()).getBoolean("secondFactor"));
  }

  @Test
  void aClinicCanEnforceTheSecondFactorForStaff() throws Exception {
    Fixtures.Clinic e = Fixtures.clinic(server, "enf");
    TestSession admin = TestSession.login(port, "enf-admin");
    HttpResponse<String> on = admin.send("PUT", "/api/admin/clinic", new JsonObject().put("requireTotp", true));
    assertEquals(200, on.statusCode(), on.body());
    TestSession staff = TestSession.login(port, "enf-therapist");
    HttpResponse<String> blocked = staff.get("/api/clients");
    assertEquals(403, blocked.statusCode());
    assertEquals("second_factor_enrollment_required", new JsonObject(blocked.body()).getString("error"));
    var ws = WsClient.options(staff);
    assertEquals(403, WsClient.handshakeStatus(ws), "no socket before enrolling");
    HttpResponse<String> enroll = staff.send("POST", "/api/auth/totp/enroll", null);
    assertEquals(200, enroll.statusCode());
    String secret = new JsonObject(enroll.body()).getString("otpauthUri").replaceAll(".*secret=([A-Z2-7]+).*", "$1");
    assertEquals(204, staff.send("POST", "/api/auth/totp/confirm", new JsonObject().put("code", Totp.code(secret,
        Instant.now()))).statusCode());
    assertEquals(200, staff.get("/api/clients").statusCode(), "enrolled: the session is allowed");
    assertEquals(200, TestSession.login(port, "enf-client").get("/api/me").statusCode(), "clients are not affected");
    assertTrue(e.users().size() > 0);
  }

  @Test
  void invitationLinksAreSingleUseAndChoosePassword() throws Exception {
    TestSession therapist = TestSession.login(port, "a-therapist");
    HttpResponse<String> created = therapist.send("POST", "/api/invitations",
        new JsonObject().put("username", "invited-client").put("displayName", "Invited Client"));
    assertEquals(201, created.statusCode(), created.body());
    String url = new JsonObject(created.body()).getString("invitationUrl");
    assertTrue(url.contains("#/invite/"), "the token travels in the fragment, never to server logs: " + url);
    String token = url.substring(url.indexOf("#/invite/") + 9);
    String origin = "https://localhost:" + port;
    HttpResponse<String> weak = post("/api/invitations/accept", new JsonObject().put("token", token).put("password", "short"),
        origin);
    assertEquals(400, weak.statusCode());
    assertEquals("weak_password", new JsonObject(weak.body()).getString("error"));
    assertEquals(204, post("/api/invitations/accept", new JsonObject().put("token", token)
        .put("password", "a-fine-long-password-77"), origin).statusCode());
    HttpResponse<String> again = post("/api/invitations/accept", new JsonObject().put("token", token)
        .put("password", "another-long-password-88"), origin);
    assertEquals(400, again.statusCode());
    assertEquals("invalid_invitation", new JsonObject(again.body()).getString("error"));
    TestSession invited = TestSession.login(port, "invited-client", "a-fine-long-password-77");
    assertEquals(List.of("client"), invited.me.getJsonObject("user").getJsonArray("roles").getList());
    // The inviting therapist is on the new client's care team.
    assertEquals(200, therapist.get("/api/clients/" + invited.userId()).statusCode());
  }

  @Test
  void expiredInvitationsAreRefused() throws Exception {
    TestSession admin = TestSession.login(port, "a-admin");
    String url = new JsonObject(admin.send("POST", "/api/invitations",
        new JsonObject().put("username", "late-client").put("displayName", "Late")).body()).getString("invitationUrl");
    String token = url.substring(url.indexOf("#/invite/") + 9);
    try (Connection su = superuser(); var st = su.createStatement()) {
      st.execute("UPDATE invitation SET expires_at = now() - interval '1 minute'");
    }
    HttpResponse<String> r = post("/api/invitations/accept", new JsonObject().put("token", token)
        .put("password", "a-fine-long-password-99"), "https://localhost:" + port);
    assertEquals(400, r.statusCode());
  }

  @Test
  void breakGlassOpensARecordForAnHourWithAReasonAuditsAndNotifiesAdmins() throws Exception {
    TestSession outsider = TestSession.login(port, "a-therapist2");
    String client = a.user("a-client").toString();
    assertEquals(404, outsider.get("/api/clients/" + client).statusCode());
    HttpResponse<String> noReason = outsider.send("POST", "/api/clients/" + client + "/break-glass",
        new JsonObject().put("reason", "because"));
    assertEquals(400, noReason.statusCode());
    HttpResponse<String> opened = outsider.send("POST", "/api/clients/" + client + "/break-glass",
        new JsonObject().put("reason", "covering for the client's therapist during a crisis call"));
    assertEquals(201, opened.statusCode(), opened.body());
    Instant expires = Instant.parse(new JsonObject(opened.body()).getString("expiresAt"));
    assertTrue(Duration.between(Instant.now(), expires).toMinutes() >= 59);
    assertEquals(200, outsider.get("/api/clients/" + client).statusCode());
    try (Connection su = superuser(); var st = su.createStatement()) {
      var rs = st.executeQuery("SELECT count(*) FROM audit_log WHERE action = 'break_glass' AND subject_client = '" + client + "'");
      rs.next();
      assertEquals(1, rs.getLong(1));
      rs = st.executeQuery("SELECT count(*) FROM staff_notice WHERE kind = 'break_glass' AND user_id = '"
          + a.user("a-admin") + "'");
      rs.next();
      assertEquals(1, rs.getLong(1));
      st.execute("UPDATE break_glass SET expires_at = now() - interval '1 second'");
    }
    assertEquals(404, outsider.get("/api/clients/" + client).statusCode(), "access ends when the break-glass expires");
  }

  @Test
  void passwordChangeEndsOtherSessionsAndTheirSockets() throws Exception {
    TestSession first = TestSession.login(port, "a-therapist2");
    TestSession second = TestSession.login(port, "a-therapist2");
    try (WsClient other = WsClient.connect(second)) {
      other.await("hello");
      HttpResponse<String> r = first.send("POST", "/api/auth/password", new JsonObject()
          .put("currentPassword", Fixtures.PASSWORD).put("newPassword", "a-brand-new-password-11"));
      assertEquals(204, r.statusCode(), r.body());
      assertEquals(1008, other.awaitClose(Duration.ofSeconds(2)));
      assertEquals(401, second.get("/api/me").statusCode());
      assertEquals(200, first.get("/api/me").statusCode(), "the session that changed it stays");
    } finally {
      first.send("POST", "/api/auth/password", new JsonObject().put("currentPassword", "a-brand-new-password-11")
          .put("newPassword", Fixtures.PASSWORD));
    }
  }

  @Test
  void disablingAUserClosesTheirSocketsAndRefusesLogin() {
    TestSession admin = TestSession.login(port, "a-admin");
    TestSession victim = TestSession.login(port, "a-client2");
    try (WsClient ws = WsClient.connect(victim)) {
      ws.await("hello");
      assertEquals(204, admin.send("POST", "/api/admin/users/" + a.user("a-client2") + "/disable", null).statusCode());
      assertEquals(1008, ws.awaitClose(Duration.ofSeconds(2)));
    }
    assertEquals(401, TestSession.loginResponse(port, "a-client2", Fixtures.PASSWORD).statusCode());
  }

  @Test
  void idleSessionsEndServerSideAndTheirSocketsClose() throws Exception {
    TestSession s = TestSession.login(port, "a-therapist");
    try (WsClient ws = WsClient.connect(s); Connection su = superuser(); var st = su.createStatement()) {
      ws.await("hello");
      // Staff idle timeout is 15 minutes: make this session look 16 minutes idle.
      st.execute("UPDATE user_session SET last_seen_at = now() - interval '16 minutes' WHERE user_id = '"
          + a.user("a-therapist") + "' AND ended_at IS NULL AND csrf_token = '" + s.csrf + "'");
      assertEquals(1008, ws.awaitClose(Duration.ofSeconds(3)));
    }
    assertEquals(401, s.get("/api/me").statusCode());
  }

  @Test
  void theApplicationRoleCannotChangeOrRemoveAuditRows() throws Exception {
    Properties p = new Properties();
    p.setProperty("user", TestPostgres.APP_ROLE);
    try (Connection app = DriverManager.getConnection(db.jdbcUrl(), p); var st = app.createStatement()) {
      var rs = st.executeQuery("SELECT count(*) FROM audit_log");
      rs.next();
      assertTrue(rs.getLong(1) > 0);
      SQLException upd = assertThrows(SQLException.class, () -> st.executeUpdate("UPDATE audit_log SET outcome = 'success'"));
      assertEquals("42501", upd.getSQLState(), "permission denied");
      SQLException del = assertThrows(SQLException.class, () -> st.executeUpdate("DELETE FROM audit_log"));
      assertEquals("42501", del.getSQLState());
      SQLException trunc = assertThrows(SQLException.class, () -> st.executeUpdate("TRUNCATE audit_log"));
      assertEquals("42501", trunc.getSQLState());
    }
  }

  /** Runs the admin CLI as an operator would, in its own JVM, against this node. */
  static ProcessResult cli(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        System.getProperty("java.class.path"), "org.interlude.app.Cli"));
    cmd.addAll(List.of(args));
    cmd.addAll(List.of("--url", "https://localhost:" + port, "--cacert",
        Path.of(env.get("INTERLUDE_NODE_DATA_DIR"), "tls", "cert.pem").toString(), "--admin", "a-admin"));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("INTERLUDE_ADMIN_PASSWORD", Fixtures.PASSWORD);
    Process proc = pb.start();
    proc.getOutputStream().close();
    String out = new String(proc.getInputStream().readAllBytes());
    assertTrue(proc.waitFor(60, TimeUnit.SECONDS));
    return new ProcessResult(proc.exitValue(), out);
  }

  record ProcessResult(int code, String output) {}

  @Test
  void auditChainVerifiesAndNamesTheFirstRowEditedByHand() throws Exception {
    ProcessResult ok = cli("audit", "verify");
    assertEquals(0, ok.code(), ok.output());
    assertTrue(ok.output().contains("audit chain intact"), ok.output());
    long victim;
    try (Connection su = superuser(); var st = su.createStatement()) {
      var rs = st.executeQuery("SELECT id FROM audit_log WHERE clinic_id = '" + a.id() + "' ORDER BY chain_seq LIMIT 1 OFFSET 2");
      rs.next();
      victim = rs.getLong(1);
      st.execute("UPDATE audit_log SET outcome = 'success', action = 'login' WHERE id = " + victim);
    }
    ProcessResult broken = cli("audit", "verify");
    assertEquals(1, broken.code(), broken.output());
    assertTrue(broken.output().contains("BROKEN at row id " + victim), broken.output());
  }
}
