package org.interlude.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;
import org.interlude.app.Server;
import org.interlude.testing.Fixtures;
import org.interlude.testing.Https;
import org.interlude.testing.TestServers;
import org.interlude.testing.TestSession;
import org.interlude.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The authorisation matrix, generated from the route table (every operation of openapi.yaml) and
 * the frame-type table (every inbound frame of asyncapi.yaml). Each needs a row here saying what
 * object it names; a route or frame type without a row fails the build. For each row: no
 * session → 401 (frames: the handshake is refused), and actors from another clinic, another care
 * team and the wrong role → 404 / not_found, exactly like a missing object.
 */
@org.junit.jupiter.api.extension.ExtendWith(org.interlude.testing.PostgresExtension.class)
class AuthorizationMatrixTest {
  static Server server;
  static int port;
  static Fixtures.Clinic a;
  static Fixtures.Clinic b;
  static final Map<String, TestSession> sessions = new LinkedHashMap<>();
  /** A dosing session and a check-in prompt of a-client (made in start). */
  static String aSession;
  static String aPrompt;

  /** What a route needs: path, body, and who must be refused. */
  record Row(String method, Function<Fixtures.Clinic, String> path, JsonObject body, List<String> refused) {}

  /** Actors refused everything that names a-client's record. */
  static final List<String> CLIENT_RECORD_INTRUDERS = List.of("a-client2", "a-therapist2", "a-admin", "b-therapist", "b-admin",
      "b-oncall");
  static final List<String> ADMIN_INTRUDERS = List.of("a-client", "a-therapist", "a-oncall", "b-admin");

  static Map<String, Row> routes() {
    Map<String, Row> m = new LinkedHashMap<>();
    JsonObject none = null;
    // Public: no actor to refuse, but the row must exist.
    m.put("login", new Row("POST", c -> "/api/auth/login", new JsonObject().put("username", "x").put("password", "y"), List.of()));
    m.put("acceptInvitation", new Row("POST", c -> "/api/invitations/accept",
        new JsonObject().put("token", "t".repeat(43)).put("password", "long-enough-password-1"), List.of()));
    // The caller's own session: only "no session" is refused.
    m.put("logout", new Row("POST", c -> "/api/auth/logout", none, List.of()));
    m.put("getMe", new Row("GET", c -> "/api/me", none, List.of()));
    m.put("changePassword", new Row("POST", c -> "/api/auth/password",
        new JsonObject().put("currentPassword", "x").put("newPassword", "y"), List.of()));
    m.put("enrollTotp", new Row("POST", c -> "/api/auth/totp/enroll", none, List.of("a-client")));
    m.put("confirmTotp", new Row("POST", c -> "/api/auth/totp/confirm", new JsonObject().put("code", "123456"), List.of()));
    // Role-gated.
    m.put("createInvitation", new Row("POST", c -> "/api/invitations",
        new JsonObject().put("username", "matrix-invite").put("displayName", "M"), List.of("a-client", "a-oncall")));
    m.put("listClients", new Row("GET", c -> "/api/clients", none, List.of("a-client", "a-admin")));
    // Naming a client's record.
    m.put("getClient", new Row("GET", c -> "/api/clients/" + c.user("a-client"), none, CLIENT_RECORD_INTRUDERS));
    m.put("breakGlass", new Row("POST", c -> "/api/clients/" + c.user("a-client") + "/break-glass",
        new JsonObject().put("reason", "matrix check of another clinic"), List.of("a-client", "a-admin", "b-therapist",
            "b-oncall", "b-admin")));
    // Administration of a user of clinic a.
    m.put("addUser", new Row("POST", c -> "/api/admin/users", new JsonObject().put("username", "matrix-user")
        .put("displayName", "M").put("roles", new io.vertx.core.json.JsonArray().add("therapist"))
        .put("password", "a-long-enough-password-2"), List.of("a-client", "a-therapist", "a-oncall")));
    m.put("findUser", new Row("GET", c -> "/api/admin/users/lookup?username=a-client", none, ADMIN_INTRUDERS));
    m.put("disableUser", new Row("POST", c -> "/api/admin/users/" + c.user("a-client2") + "/disable", none, ADMIN_INTRUDERS));
    m.put("addCareTeam", new Row("PUT", c -> "/api/admin/clients/" + c.user("a-client") + "/care-team/"
        + c.user("a-therapist2"), none, ADMIN_INTRUDERS));
    m.put("removeCareTeam", new Row("DELETE", c -> "/api/admin/clients/" + c.user("a-client") + "/care-team/"
        + c.user("a-therapist2"), none, ADMIN_INTRUDERS));
    m.put("updateClinic", new Row("PUT", c -> "/api/admin/clinic", new JsonObject().put("requireTotp", false),
        ADMIN_INTRUDERS.subList(0, 3)));
    m.put("startKeyRotation", new Row("POST", c -> "/api/admin/keys/rotation", none, ADMIN_INTRUDERS.subList(0, 3)));
    m.put("getKeyRotation", new Row("GET", c -> "/api/admin/keys/rotation", none, ADMIN_INTRUDERS.subList(0, 3)));
    m.put("verifyAudit", new Row("GET", c -> "/api/admin/audit/verify", none, List.of("a-client", "a-therapist", "a-oncall")));
    // Check-ins: reads of a-client's record; changes also refuse the client.
    List<String> staffOnly = new ArrayList<>(CLIENT_RECORD_INTRUDERS);
    staffOnly.add("a-client");
    m.put("listDosingSessions", new Row("GET", c -> "/api/clients/" + c.user("a-client") + "/dosing-sessions", none,
        CLIENT_RECORD_INTRUDERS));
    m.put("createDosingSession", new Row("POST", c -> "/api/clients/" + c.user("a-client") + "/dosing-sessions",
        new JsonObject().put("startsAt", java.time.Instant.now().plus(Duration.ofDays(20)).toString()).put("route", "intranasal"),
        staffOnly));
    m.put("updateDosingSession", new Row("PUT", c -> "/api/dosing-sessions/" + aSession,
        new JsonObject().put("status", "cancelled"), staffOnly));
    m.put("getCheckinPlan", new Row("GET", c -> "/api/clients/" + c.user("a-client") + "/plan", none, CLIENT_RECORD_INTRUDERS));
    m.put("putCheckinPlan", new Row("PUT", c -> "/api/clients/" + c.user("a-client") + "/plan",
        org.interlude.checkin.ClientPlan.defaults().toApi(), staffOnly));
    m.put("resetCheckinPlan", new Row("DELETE", c -> "/api/clients/" + c.user("a-client") + "/plan", none, staffOnly));
    m.put("listCheckins", new Row("GET", c -> "/api/clients/" + c.user("a-client") + "/checkins", none,
        CLIENT_RECORD_INTRUDERS));
    m.put("getTrends", new Row("GET", c -> "/api/clients/" + c.user("a-client") + "/trends?instrument=phq9", none,
        CLIENT_RECORD_INTRUDERS));
    m.put("exportFhir", new Row("GET", c -> "/api/clients/" + c.user("a-client") + "/export/fhir", none,
        CLIENT_RECORD_INTRUDERS));
    escalationRoutes(m);
    return m;
  }

  /**
   * a-client2's open incident (paged to a-oncall; a-client2 has no care team) and clinic a's
   * schedule objects. Not a-client's: paging a-oncall for a-client would rightly open a-client's
   * record (and chat) to a-oncall, which the rows above refuse.
   */
  static UUID incident;
  static UUID rotation;
  static UUID policy;
  static UUID override;

  static void escalationRoutes(Map<String, Row> m) {
    JsonObject none = null;
    // a-client2 has no care team: only a-oncall, paged for the incident, may see it.
    List<String> incidentIntruders = List.of("a-client", "a-client2", "a-therapist", "a-therapist2", "a-admin",
        "b-therapist", "b-admin", "b-oncall");
    List<String> clinicAdminOnly = List.of("a-client", "a-therapist", "a-oncall");
    String in = "/api/incidents/";
    m.put("listIncidents", new Row("GET", c -> "/api/incidents?state=all", none, List.of("a-client", "a-admin", "b-admin")));
    m.put("getIncident", new Row("GET", c -> in + incident, none, incidentIntruders));
    m.put("acknowledgeIncident", new Row("POST", c -> in + incident + "/ack", none, incidentIntruders));
    m.put("resolveIncident", new Row("POST", c -> in + incident + "/resolve",
        new JsonObject().put("disposition", "false_alarm").put("note", "matrix"), incidentIntruders));
    m.put("addIncidentNote", new Row("POST", c -> in + incident + "/notes", new JsonObject().put("note", "matrix"),
        incidentIntruders));
    m.put("reopenIncident", new Row("POST", c -> in + incident + "/reopen", none, incidentIntruders));
    Function<Fixtures.Clinic, JsonObject> rotationBody = c -> new JsonObject().put("name", "Matrix")
        .put("timeZone", "America/New_York").put("handoffTime", "08:00").put("startDate", "2026-01-05")
        .put("members", new io.vertx.core.json.JsonArray().add(c.user("a-oncall").toString()));
    JsonObject policyBody = new JsonObject().put("name", "Matrix").put("levels", new io.vertx.core.json.JsonArray()
        .add(new JsonObject().put("targets", new io.vertx.core.json.JsonArray()
            .add(new JsonObject().put("userId", a.user("a-oncall").toString())))));
    m.put("listRotations", new Row("GET", c -> "/api/admin/oncall/rotations", none, clinicAdminOnly));
    m.put("createRotation", new Row("POST", c -> "/api/admin/oncall/rotations",
        rotationBody.apply(a), clinicAdminOnly));
    m.put("updateRotation", new Row("PUT", c -> "/api/admin/oncall/rotations/" + rotation,
        rotationBody.apply(a), ADMIN_INTRUDERS));
    m.put("createOverride", new Row("POST", c -> "/api/admin/oncall/rotations/" + rotation + "/overrides",
        new JsonObject().put("userId", a.user("a-oncall").toString())
            .put("startsAt", java.time.Instant.now().plusSeconds(3600).toString())
            .put("endsAt", java.time.Instant.now().plusSeconds(7200).toString()), ADMIN_INTRUDERS));
    m.put("deleteOverride", new Row("DELETE", c -> "/api/admin/oncall/overrides/" + override, none, ADMIN_INTRUDERS));
    m.put("listPolicies", new Row("GET", c -> "/api/admin/escalation/policies", none, clinicAdminOnly));
    m.put("createPolicy", new Row("POST", c -> "/api/admin/escalation/policies", policyBody, clinicAdminOnly));
    m.put("updatePolicy", new Row("PUT", c -> "/api/admin/escalation/policies/" + policy, policyBody, ADMIN_INTRUDERS));
    m.put("checkCoverage", new Row("GET", c -> "/api/admin/escalation/coverage", none, clinicAdminOnly));
    m.put("getWebhook", new Row("GET", c -> "/api/admin/escalation/webhook", none, clinicAdminOnly));
    m.put("putWebhook", new Row("PUT", c -> "/api/admin/escalation/webhook", new JsonObject()
        .put("url", "https://hooks.example.org/interlude").put("secret", "s".repeat(40)), clinicAdminOnly));
    m.put("deleteWebhook", new Row("DELETE", c -> "/api/admin/escalation/webhook", none, clinicAdminOnly));
  }

  static <T> T await(io.vertx.core.Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(60, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("fixture step failed: " + e, e);
    }
  }

  /** a-client2's crisis, and a rotation, an override and a policy of clinic a, for the escalation rows. */
  static void escalationObjects() {
    var esc = server.features().escalation();
    var adminA = new org.interlude.identity.Actor(a.user("a-admin"), a.id(), "a-admin",
        java.util.EnumSet.of(Role.ADMIN), "matrix", "127.0.0.1", "matrix");
    incident = await(esc.service().trigger(new org.interlude.escalation.Trigger(a.id(), a.user("a-client2"),
        org.interlude.escalation.TriggerKind.CRISIS_BUTTON, org.interlude.escalation.Severity.CRITICAL,
        "client.crisisButton", "Crisis button pressed",
        org.interlude.checkin.instrument.risk.RiskSignal.ClientAction.NONE, "crisis_report", "matrix",
        "crisis:matrix", a.user("a-client2")))).incidentId();
    rotation = await(esc.schedules().createRotation(adminA,
        org.interlude.escalation.RotationSpec.from(new JsonObject().put("name", "Matrix primary")
            .put("timeZone", "America/New_York").put("handoffTime", "08:00").put("startDate", "2026-01-05")
            .put("members", new io.vertx.core.json.JsonArray().add(a.user("a-oncall").toString())))));
    override = await(esc.schedules().addOverride(adminA, rotation, a.user("a-oncall"),
        java.time.Instant.now().plusSeconds(3600), java.time.Instant.now().plusSeconds(7200)));
    policy = UUID.fromString(await(esc.schedules().createPolicy(adminA,
        org.interlude.escalation.PolicySpec.from(new JsonObject().put("name", "Matrix policy").put("levels",
            new io.vertx.core.json.JsonArray().add(new JsonObject().put("targets", new io.vertx.core.json.JsonArray()
                .add(new JsonObject().put("rotationId", rotation.toString())))))))).getString("id"));
  }

  /**
   * Inbound frames that name nothing: a client sends them about themself (crisis.report). Every
   * staff role is refused them; another client sending one is that client's own report.
   */
  static final java.util.Set<String> SELF_FRAMES = java.util.Set.of("crisis.report");

  /** Inbound frames that name a conversation, with the frame to send for a-client's conversation. */
  static Map<String, Function<String, JsonObject>> frames() {
    Map<String, Function<String, JsonObject>> m = new LinkedHashMap<>();
    m.put("chat.send", conv -> new JsonObject().put("type", "chat.send").put("conversationId", conv)
        .put("clientMsgId", UUID.randomUUID().toString()).put("text", "matrix"));
    m.put("chat.sync", conv -> new JsonObject().put("type", "chat.sync").put("conversationId", conv).put("afterSeq", 0));
    m.put("chat.history", conv -> new JsonObject().put("type", "chat.history").put("conversationId", conv)
        .put("beforeSeq", 10));
    m.put("chat.read", conv -> new JsonObject().put("type", "chat.read").put("conversationId", conv).put("seq", 1));
    m.put("chat.typing", conv -> new JsonObject().put("type", "chat.typing").put("conversationId", conv));
    // Names a check-in prompt of a-client rather than the conversation.
    m.put("checkin.submit", conv -> new JsonObject().put("type", "checkin.submit").put("promptId", aPrompt)
        .put("answers", new JsonObject().put("mood", 5).put("thoughts", false)));
    m.put("crisis.report", conv -> new JsonObject().put("type", "crisis.report")
        .put("clientReportId", UUID.randomUUID().toString()));
    return m;
  }

  @BeforeAll
  static void start(org.interlude.storage.DatabaseTarget db) {
    server = TestServers.start(TestServers.env(db));
    port = server.httpPort();
    a = Fixtures.clinic(server, "a");
    b = Fixtures.clinic(server, "b");
    escalationObjects();
    for (String who : List.of("a-client", "a-client2", "a-therapist", "a-therapist2", "a-oncall", "a-admin", "b-therapist",
        "b-admin", "b-oncall")) {
      sessions.put(who, TestSession.login(port, who));
    }
    Actor therapist = new Actor(a.user("a-therapist"), a.id(), "a-therapist", java.util.EnumSet.of(Role.THERAPIST), "", null,
        "matrix");
    var checkins = server.features().checkins();
    aSession = awaitResult(checkins.sessions().create(therapist, a.user("a-client"),
        java.time.Instant.now().plus(Duration.ofDays(5)), "sublingual")).getString("id");
    aPrompt = awaitResult(server.storage().pool().preparedQuery("SELECT id FROM checkin_prompt WHERE client_id = $1 LIMIT 1")
        .execute(io.vertx.sqlclient.Tuple.of(a.user("a-client")))).iterator().next().getUUID("id").toString();
  }

  static <T> T awaitResult(io.vertx.core.Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("matrix setup failed: " + e, e);
    }
  }

  @AfterAll
  static void stop() {
    TestServers.stop(server);
  }

  static List<String> documentedOperations() throws Exception {
    var doc = new org.yaml.snakeyaml.Yaml().<Map<String, Map<String, Map<String, Object>>>>load(
        java.nio.file.Files.readString(java.nio.file.Path.of("..", "docs", "openapi.yaml")));
    List<String> ids = new ArrayList<>();
    for (var path : doc.get("paths").values()) {
      for (var op : path.entrySet()) {
        if (op.getValue() instanceof Map<?, ?> m && m.get("operationId") != null) {
          ids.add((String) m.get("operationId"));
        }
      }
    }
    return ids;
  }

  @Test
  void everyRouteHasARowInTheMatrix() throws Exception {
    TreeSet<String> missing = new TreeSet<>(documentedOperations());
    missing.removeAll(routes().keySet());
    assertTrue(missing.isEmpty(), "routes without a row in the authorisation matrix: " + missing);
  }

  @Test
  void everyFrameTypeHasARowInTheMatrix() {
    TreeSet<String> missing = new TreeSet<>(server.features().frameTypes());
    missing.removeAll(frames().keySet());
    assertTrue(missing.isEmpty(), "frame types without a row in the authorisation matrix: " + missing);
  }

  static HttpResponse<String> anonymous(Row r) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + r.path().apply(a)))
        .timeout(Duration.ofSeconds(30)).header("Origin", "https://localhost:" + port);
    if (r.body() != null) {
      b.header("Content-Type", "application/json").method(r.method(), HttpRequest.BodyPublishers.ofString(r.body().encode()));
    } else {
      b.method(r.method(), HttpRequest.BodyPublishers.noBody());
    }
    return Https.client().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void everyRouteRefusesNoSessionOtherClinicsOtherCareTeamsAndWrongRoles() throws Exception {
    List<String> failures = new ArrayList<>();
    for (var e : routes().entrySet()) {
      Row r = e.getValue();
      boolean open = e.getKey().equals("login") || e.getKey().equals("acceptInvitation");
      HttpResponse<String> anon = anonymous(r);
      if (!open && anon.statusCode() != 401) {
        failures.add(e.getKey() + " without a session answered " + anon.statusCode());
      }
      for (String who : r.refused()) {
        HttpResponse<String> res = sessions.get(who).send(r.method(), r.path().apply(a), r.body());
        if (res.statusCode() != 404 || !"not_found".equals(new JsonObject(res.body()).getString("error"))) {
          failures.add(e.getKey() + " as " + who + " answered " + res.statusCode() + " " + res.body());
        }
      }
    }
    if (!failures.isEmpty()) {
      fail(String.join("\n", failures));
    }
  }

  @Test
  void aMissingObjectAndAForbiddenOneLookTheSame() {
    TestSession t2 = sessions.get("a-therapist2");
    HttpResponse<String> forbidden = t2.get("/api/clients/" + a.user("a-client"));
    HttpResponse<String> missing = t2.get("/api/clients/" + UUID.randomUUID());
    assertEquals(404, forbidden.statusCode());
    assertEquals(missing.statusCode(), forbidden.statusCode());
    assertEquals(new JsonObject(missing.body()), new JsonObject(forbidden.body()));
  }

  @Test
  void theCareTeamItselfIsAllowed() {
    assertEquals(200, sessions.get("a-therapist").get("/api/clients/" + a.user("a-client")).statusCode());
    assertEquals(200, sessions.get("a-client").get("/api/clients/" + a.user("a-client")).statusCode());
  }

  @Test
  void everyFrameTypeRefusesOtherClinicsOtherCareTeamsAndWrongRoles() {
    String conv;
    try (WsClient c = WsClient.connect(sessions.get("a-client"))) {
      conv = c.await("hello").getJsonArray("conversations").getJsonObject(0).getString("conversationId");
    }
    List<String> failures = new ArrayList<>();
    for (String who : List.of("a-client2", "a-therapist2", "a-oncall", "a-admin", "b-therapist", "b-admin")) {
      try (WsClient c = WsClient.connect(sessions.get(who))) {
        c.await("hello");
        for (var e : frames().entrySet()) {
          if (SELF_FRAMES.contains(e.getKey()) && who.startsWith("a-client")) {
            continue;
          }
          c.send(e.getValue().apply(conv).put("ref", e.getKey()));
          JsonObject answer = c.await(f -> e.getKey().equals(f.getString("ref")), Duration.ofSeconds(10));
          if (!"error".equals(answer.getString("type")) || !"not_found".equals(answer.getString("code"))) {
            failures.add(e.getKey() + " as " + who + " answered " + answer.encode());
          }
        }
      }
    }
    var noSession = WsClient.options(sessions.get("a-client"));
    noSession.getHeaders().remove("Cookie");
    assertEquals(401, WsClient.handshakeStatus(noSession), "frames need a session: the handshake is refused");
    if (!failures.isEmpty()) {
      fail(String.join("\n", failures));
    }
  }
}
