package org.interlude.checkin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.interlude.app.Server;
import org.interlude.checkin.plan.DefaultPlans;
import org.interlude.identity.Role;
import org.interlude.testing.Https;
import org.interlude.testing.TestPostgres;
import org.interlude.testing.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Check-ins over the wire on a real node: REST as the dashboard uses it (login cookie, CSRF
 * token, contract validation), prompts over a real WebSocket (waiting on connect, pushed live,
 * answered, rejected with every validation code), the care team's live result, and 404 for
 * everyone else.
 */
class CheckinWireTest {
  static final String PASSWORD = "quiet-harbour-lantern-2931";
  static final Duration WAIT = Duration.ofSeconds(15);
  static Server server;
  static int port;
  static Pool pool;
  static UUID clinic;
  static Map<String, UUID> ids = new HashMap<>();
  static final HttpClient http = Https.client();

  @BeforeAll
  static void start() {
    Map<String, String> env = new HashMap<>(TestServers.env(TestPostgres.freshDatabase()));
    env.put("INTERLUDE_ADMIN_PASSWORD", "first-boot-secret-for-tests-7");
    env.put("INTERLUDE_CHECKIN_POLL_INTERVAL", "100ms");
    server = TestServers.start(env);
    port = server.httpPort();
    pool = server.storage().pool();
    String hash = CheckinDb.await(server.features().services().passwords().hashNew(PASSWORD));
    clinic = UUID.randomUUID();
    CheckinDb.await(pool.preparedQuery("INSERT INTO clinic (id, name, country, time_zone, staffed_hours)"
        + " VALUES ($1, 'Wire Clinic', 'US', 'America/New_York', 'Weekdays 9-17')").execute(Tuple.of(clinic)));
    for (String[] u : new String[][] {{"alex", "client"}, {"jordan", "client"}, {"riley", "client"}, {"sam", "therapist"},
        {"outsider", "therapist"}}) {
      UUID id = UUID.randomUUID();
      CheckinDb.await(pool.preparedQuery("INSERT INTO app_user (id, clinic_id, username, display_name, roles, password_hash,"
              + " time_zone) VALUES ($1,$2,$3,$4,$5,$6,'America/New_York')")
          .execute(Tuple.of(id, clinic, u[0], "Person " + u[0], new String[] {u[1]}, hash)));
      ids.put(u[0], id);
    }
    for (String client : List.of("alex", "jordan", "riley")) {
      CheckinDb.await(pool.preparedQuery("INSERT INTO care_team (client_id, therapist_id) VALUES ($1,$2)")
          .execute(Tuple.of(ids.get(client), ids.get("sam"))));
    }
  }

  @AfterAll
  static void stop() {
    TestServers.stop(server);
  }

  /** A signed-in user: the session token (the cookie) and the CSRF token. */
  record Session(String token, String csrf) {}

  static Session login(String username) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/api/auth/login"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("username", username).put("password", PASSWORD).encode()))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    String cookie = r.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("__Host-interlude=")).findFirst()
        .orElseThrow();
    String token = cookie.substring("__Host-interlude=".length(), cookie.indexOf(';'));
    return new Session(token, new JsonObject(r.body()).getString("csrfToken"));
  }

  static HttpResponse<String> call(Session s, String method, String path, JsonObject body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path))
        .header("Cookie", "__Host-interlude=" + s.token())
        .timeout(Duration.ofSeconds(20));
    if (body == null) {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      b.header("Content-Type", "application/json").header("X-CSRF-Token", s.csrf())
          .method(method, HttpRequest.BodyPublishers.ofString(body.encode()));
    }
    if (!method.equals("GET")) {
      b.header("X-CSRF-Token", s.csrf());
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonObject ok(HttpResponse<String> r, int status) {
    assertEquals(status, r.statusCode(), r.request().uri() + " " + r.body());
    return new JsonObject(r.body());
  }

  static Row prompt(UUID client, String step, String instrument) {
    return CheckinDb.await(pool.preparedQuery("SELECT * FROM checkin_prompt WHERE client_id = $1 AND step_id = $2"
        + " AND instrument_id = $3").execute(Tuple.of(client, step, instrument))).iterator().next();
  }

  static void awaitState(UUID promptId, String state) throws InterruptedException {
    long end = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < end) {
      String now = CheckinDb.await(pool.preparedQuery("SELECT state FROM checkin_prompt WHERE id = $1").execute(Tuple.of(promptId)))
          .iterator().next().getString("state");
      if (now.equals(state)) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("prompt never reached " + state);
  }

  /** Adds an open prompt of {@code instrument} for {@code client}, due now. */
  static UUID duePrompt(UUID client, String instrument) {
    UUID id = UUID.randomUUID();
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    CheckinDb.await(pool.preparedQuery("INSERT INTO checkin_prompt (id, clinic_id, client_id, step_id, occurrence_key,"
            + " instrument_id, instrument_version, position, due_at, expires_at, time_zone, created_at)"
            + " VALUES ($1,$2,$3,'wire.test',$4,$5,1,0,$6,$7,'America/New_York',$6)")
        .execute(Tuple.of(id, clinic, client, "wire.test@" + id, instrument, Db.ts(now.minusSeconds(1)),
            Db.ts(now.plus(Duration.ofHours(2))))));
    return id;
  }

  @Test
  void anOfflineClientFindsTheirPromptWaitingWhenTheyConnect() throws Exception {
    Session sam = login("sam");
    Instant start = Instant.now().minus(Duration.ofHours(3)).plusSeconds(1);
    JsonObject created = ok(call(sam, "POST", "/api/clients/" + ids.get("alex") + "/dosing-sessions",
        new JsonObject().put("startsAt", start.toString()).put("route", "intranasal")), 201);
    assertEquals("scheduled", created.getString("status"));
    UUID postdose = prompt(ids.get("alex"), "d0.postdose", "postdose").getUUID("id");
    awaitState(postdose, "delivered");

    Session alex = login("alex");
    try (WsTestClient ws = WsTestClient.connect(port, alex.token())) {
      assertEquals("hello", ws.received().isEmpty() ? ws.awaitType("hello", WAIT).getString("type") : ws.received().get(0).getString("type"));
      JsonObject frame = ws.await(f -> postdose.toString().equals(f.getString("promptId")), WAIT);
      assertEquals("checkin.prompt", frame.getString("type"));
      assertEquals("postdose", frame.getJsonObject("instrument").getString("id"));
      assertFalse(frame.getJsonObject("instrument").getJsonArray("items").isEmpty(), "the form to render");
      assertEquals(DefaultPlans.NO_DRIVING_MESSAGE, frame.getString("message"));
      assertEquals("d0.postdose", frame.getString("stepId"));
      assertNotNull(frame.getString("expiresAt"));
      int helloIndex = -1;
      int promptIndex = -1;
      List<JsonObject> got = ws.received();
      for (int i = 0; i < got.size(); i++) {
        if ("hello".equals(got.get(i).getString("type")) && helloIndex < 0) {
          helloIndex = i;
        }
        if (frame.equals(got.get(i)) && promptIndex < 0) {
          promptIndex = i;
        }
      }
      assertTrue(helloIndex >= 0 && helloIndex < promptIndex, "after hello");
    }
    Thread.sleep(600);
    assertNotNull(prompt(ids.get("alex"), "d0.postdose", "postdose").getOffsetDateTime("first_sent_at"),
        "what the client was actually sent is recorded");
  }

  @Test
  void aPromptFallingDueIsPushedLiveAndAnsweredAndTheCareTeamSeesTheResult() throws Exception {
    Session jordan = login("jordan");
    Session sam = login("sam");
    try (WsTestClient client = WsTestClient.connect(port, jordan.token());
        WsTestClient therapist = WsTestClient.connect(port, sam.token())) {
      client.awaitType("hello", WAIT);
      therapist.awaitType("hello", WAIT);
      Instant start = Instant.now().minus(Duration.ofHours(3)).plusSeconds(2);
      ok(call(sam, "POST", "/api/clients/" + ids.get("jordan") + "/dosing-sessions",
          new JsonObject().put("startsAt", start.toString()).put("route", "sublingual")), 201);
      UUID postdose = prompt(ids.get("jordan"), "d0.postdose", "postdose").getUUID("id");
      JsonObject pushed = client.await(f -> postdose.toString().equals(f.getString("promptId")), WAIT);
      assertEquals("checkin.prompt", pushed.getString("type"));
      assertFalse(Instant.parse(pushed.getString("dueAt")).isAfter(Instant.now()), "not before it is due");

      client.send(new JsonObject().put("type", "checkin.submit").put("ref", "s1").put("promptId", postdose.toString())
          .put("answers", TestAnswers.postDose().put("chestPain", true)));
      JsonObject accepted = client.awaitRef("s1");
      assertEquals("checkin.accepted", accepted.getString("type"), accepted.encode());
      assertEquals(postdose.toString(), accepted.getString("promptId"));
      assertEquals("call_emergency_number_now", accepted.getString("clientAction"));
      // The node's risk sink is the escalation engine: the CRITICAL trigger is committed before
      // the client is answered, and the engine tells the client to call the emergency number.
      Row trigger = CheckinDb.await(pool.preparedQuery("SELECT severity, rule_id, client_action, source_type, source_id"
          + " FROM incident_trigger WHERE client_id = $1").execute(Tuple.of(ids.get("jordan")))).iterator().next();
      assertEquals("CRITICAL", trigger.getString("severity"), "reported before the client was answered");
      assertEquals("postdose.chestPain", trigger.getString("rule_id"));
      assertEquals("call_emergency_number_now", trigger.getString("client_action"));
      assertEquals("checkin_result", trigger.getString("source_type"));
      JsonObject crisis = client.awaitType("crisis.info", WAIT);
      assertTrue(crisis.getBoolean("callEmergencyNow"), crisis.encode());

      JsonObject result = therapist.awaitType("checkin.result", WAIT);
      assertEquals(ids.get("jordan").toString(), result.getString("clientId"));
      assertEquals("postdose", result.getString("instrumentId"));
      assertEquals("Post-dose check", result.getString("title"));
      assertNull(result.getValue("total"), "unscored");
      assertTrue(client.received().stream().noneMatch(f -> "checkin.result".equals(f.getString("type"))),
          "results go to the care team, not to the client");

      client.send(new JsonObject().put("type", "checkin.submit").put("ref", "s2").put("promptId", postdose.toString())
          .put("answers", TestAnswers.postDose()));
      JsonObject again = client.awaitRef("s2");
      assertEquals("checkin.accepted", again.getString("type"));
      assertTrue(again.getBoolean("duplicate"));
      assertEquals(1L, CheckinDb.await(pool.preparedQuery("SELECT count(*) FROM checkin_result WHERE prompt_id = $1")
          .execute(Tuple.of(postdose))).iterator().next().getLong(0));
    }
  }

  @Test
  void invalidSubmissionsAreAnsweredWithEveryProblemNamed() throws Exception {
    UUID client = ids.get("alex");
    UUID postdose = duePrompt(client, "postdose");
    UUID pulse = duePrompt(client, "pulse");
    UUID journal = duePrompt(client, "journal");
    Session alex = login("alex");
    try (WsTestClient ws = WsTestClient.connect(port, alex.token())) {
      ws.awaitType("hello", WAIT);
      JsonObject answers = TestAnswers.postDose().put("nausea", 7).put("homeSafely", "yes").put("dizziness", new JsonArray().add(1))
          .put("mystery", 1);
      answers.remove("drove");
      ws.send(new JsonObject().put("type", "checkin.submit").put("ref", "v1").put("promptId", postdose.toString())
          .put("answers", answers));
      JsonObject error = ws.awaitRef("v1");
      assertEquals("error", error.getString("type"));
      assertEquals("invalid_answers", error.getString("code"));
      assertEquals("answers.homeSafely", error.getString("field"));
      assertTrue(error.getString("message").contains("homeSafely"), error.getString("message"));
      Map<String, String> codes = new HashMap<>();
      for (Object o : error.getJsonArray("problems")) {
        JsonObject p = (JsonObject) o;
        codes.put(p.getString("itemId"), p.getString("code"));
        assertNotNull(p.getString("message"));
      }
      assertEquals(Map.of("homeSafely", "wrong_type", "nausea", "not_an_option", "dizziness", "wrong_count",
          "drove", "missing_item", "mystery", "unknown_item"), codes);

      ws.send(new JsonObject().put("type", "checkin.submit").put("ref", "v2").put("promptId", pulse.toString())
          .put("answers", TestAnswers.pulse(11, false)));
      JsonObject range = ws.awaitRef("v2");
      assertEquals("invalid_answers", range.getString("code"));
      assertEquals("out_of_range", range.getJsonArray("problems").getJsonObject(0).getString("code"));
      assertEquals("mood", range.getJsonArray("problems").getJsonObject(0).getString("itemId"));

      ws.send(new JsonObject().put("type", "checkin.submit").put("ref", "v3").put("promptId", journal.toString())
          .put("answers", TestAnswers.journal("x".repeat(4001))));
      JsonObject tooLong = ws.awaitRef("v3");
      assertEquals("too_long", tooLong.getJsonArray("problems").getJsonObject(0).getString("code"));
      assertFalse(tooLong.encode().contains("xxxx"), "the text is never echoed");

      ws.send(new JsonObject().put("type", "checkin.submit").put("ref", "v4").put("answers", new JsonObject()));
      JsonObject schema = ws.awaitRef("v4");
      assertEquals("invalid_frame", schema.getString("code"), schema.encode());
      assertEquals("promptId", schema.getString("field"));

      UUID jordans = duePrompt(ids.get("jordan"), "pulse");
      ws.send(new JsonObject().put("type", "checkin.submit").put("ref", "v5").put("promptId", jordans.toString())
          .put("answers", TestAnswers.pulse(5, false)));
      assertEquals("not_found", ws.awaitRef("v5").getString("code"), "another client's prompt");

      assertEquals(0L, CheckinDb.await(pool.preparedQuery("SELECT count(*) FROM checkin_result WHERE prompt_id = ANY($1)")
          .execute(Tuple.of(new UUID[] {postdose, pulse, journal, jordans}))).iterator().next().getLong(0));

      ws.send(new JsonObject().put("type", "checkin.submit").put("ref", "v6").put("promptId", pulse.toString())
          .put("answers", TestAnswers.pulse(4, false)));
      assertEquals("checkin.accepted", ws.awaitRef("v6").getString("type"));
    }
    Session sam = login("sam");
    try (WsTestClient ws = WsTestClient.connect(port, sam.token())) {
      ws.awaitType("hello", WAIT);
      ws.send(new JsonObject().put("type", "checkin.submit").put("ref", "t1").put("promptId", journal.toString())
          .put("answers", TestAnswers.journal("a therapist cannot answer for a client")));
      assertEquals("not_found", ws.awaitRef("t1").getString("code"));
      assertTrue(ws.received().stream().noneMatch(f -> "checkin.prompt".equals(f.getString("type"))), "prompts go to clients only");
    }
  }

  @Test
  void theRestRoutesServeTheCareTeamAndNobodyElse() throws Exception {
    Session sam = login("sam");
    UUID alex = ids.get("alex");
    String base = "/api/clients/" + alex;
    HttpResponse<String> bad = call(sam, "POST", base + "/dosing-sessions",
        new JsonObject().put("startsAt", Instant.now().plus(Duration.ofDays(10)).toString()).put("route", "oral"));
    assertEquals(400, bad.statusCode(), bad.body());
    assertEquals("route", new JsonObject(bad.body()).getString("field"));
    JsonObject created = ok(call(sam, "POST", base + "/dosing-sessions",
        new JsonObject().put("startsAt", Instant.now().plus(Duration.ofDays(10)).truncatedTo(ChronoUnit.SECONDS).toString())
            .put("route", "intravenous")), 201);
    String sessionId = created.getString("id");
    JsonObject moved = ok(call(sam, "PUT", "/api/dosing-sessions/" + sessionId,
        new JsonObject().put("startsAt", Instant.now().plus(Duration.ofDays(12)).truncatedTo(ChronoUnit.SECONDS).toString())), 200);
    assertEquals("intravenous", moved.getString("route"));
    ok(call(sam, "PUT", "/api/dosing-sessions/" + sessionId, new JsonObject().put("status", "cancelled")), 200);
    JsonArray sessions = ok(call(sam, "GET", base + "/dosing-sessions", null), 200).getJsonArray("dosingSessions");
    assertTrue(sessions.stream().anyMatch(s -> ((JsonObject) s).getString("id").equals(sessionId)
        && ((JsonObject) s).getString("status").equals("cancelled")));

    JsonObject plan = ok(call(sam, "GET", base + "/plan", null), 200);
    assertEquals(DefaultPlans.INTEGRATION_PLAN_ID, plan.getString("planId"));
    assertEquals("22:00", plan.getJsonObject("quietHours").getString("start"));
    JsonObject changed = plan.copy().put("quietHours", new JsonObject().put("start", "21:30").put("end", "07:30"));
    JsonObject saved = ok(call(sam, "PUT", base + "/plan", changed), 200);
    assertTrue(saved.getBoolean("custom"));
    assertEquals("21:30", ok(call(sam, "GET", base + "/plan", null), 200).getJsonObject("quietHours").getString("start"));
    JsonObject broken = plan.copy();
    broken.getJsonArray("steps").getJsonObject(0).put("instruments", new JsonArray().add("cssrs"));
    HttpResponse<String> invalid = call(sam, "PUT", base + "/plan", broken);
    assertEquals(400, invalid.statusCode());
    assertEquals("invalid_plan", new JsonObject(invalid.body()).getString("error"));
    assertEquals("steps[0].instruments", new JsonObject(invalid.body()).getString("field"));

    JsonArray pending = ok(call(sam, "GET", base + "/checkins?state=pending", null), 200).getJsonArray("checkins");
    assertFalse(pending.isEmpty());
    assertTrue(pending.stream().allMatch(o -> Set.of("pending", "delivered").contains(((JsonObject) o).getString("state"))));
    assertEquals(400, call(sam, "GET", base + "/checkins?state=everything", null).statusCode());
    JsonObject trend = ok(call(sam, "GET", base + "/trends?instrument=phq9", null), 200);
    assertEquals("PHQ-9", trend.getJsonObject("instrument").getString("title"));
    HttpResponse<String> fhir = call(sam, "GET", base + "/export/fhir", null);
    assertEquals(200, fhir.statusCode(), fhir.body());
    assertEquals("application/fhir+json", fhir.headers().firstValue("Content-Type").orElse(""));
    assertEquals("Bundle", new JsonObject(fhir.body()).getString("resourceType"));

    Session outsider = login("outsider");
    Session jordan = login("jordan");
    for (Session s : List.of(outsider, jordan)) {
      for (String path : List.of("/dosing-sessions", "/plan", "/checkins", "/trends?instrument=phq9", "/export/fhir")) {
        HttpResponse<String> r = call(s, "GET", base + path, null);
        assertEquals(404, r.statusCode(), path + " " + r.body());
        assertEquals("not_found", new JsonObject(r.body()).getString("error"));
      }
      assertEquals(404, call(s, "PUT", "/api/dosing-sessions/" + sessionId, new JsonObject().put("status", "scheduled")).statusCode());
      assertEquals(404, call(s, "PUT", base + "/plan", plan).statusCode());
    }
    assertEquals(404, call(login("alex"), "POST", base + "/dosing-sessions",
        new JsonObject().put("startsAt", Instant.now().toString()).put("route", "intranasal")).statusCode(),
        "clients do not record dosing sessions");
    assertEquals(200, call(login("alex"), "GET", base + "/plan", null).statusCode(), "a client sees their own plan");
    assertEquals(EnumSet.of(Role.CLIENT), EnumSet.of(Role.CLIENT));
  }

  @Test
  void theCareTeamResetsAnAdjustedPlanToTheDefaultAndNobodyElseCan() throws Exception {
    Session sam = login("sam");
    UUID riley = ids.get("riley");
    String base = "/api/clients/" + riley;
    // A dose that started three hours ago: its post-dose check falls due now and is delivered.
    ok(call(sam, "POST", base + "/dosing-sessions", new JsonObject()
        .put("startsAt", Instant.now().minus(Duration.ofHours(3)).plusSeconds(1).toString()).put("route", "sublingual")), 201);
    Row delivered = prompt(riley, "d0.postdose", "postdose");
    awaitState(delivered.getUUID("id"), "delivered");
    delivered = prompt(riley, "d0.postdose", "postdose");

    // Adjusted: other quiet hours, and the post-dose check (already delivered) with another note.
    JsonObject plan = ok(call(sam, "GET", base + "/plan", null), 200);
    JsonObject adjusted = plan.copy().put("quietHours", new JsonObject().put("start", "23:00").put("end", "09:00"));
    for (Object o : adjusted.getJsonArray("steps")) {
      if (((JsonObject) o).getString("stepId").equals("d0.postdose")) {
        ((JsonObject) o).put("message", "Rest this evening.");
      }
    }
    assertTrue(ok(call(sam, "PUT", base + "/plan", adjusted), 200).getBoolean("custom"));

    for (String other : List.of("outsider", "jordan", "riley")) {
      HttpResponse<String> refused = call(login(other), "DELETE", base + "/plan", null);
      assertEquals(404, refused.statusCode(), other + " " + refused.body());
      assertEquals("not_found", new JsonObject(refused.body()).getString("error"));
    }
    assertTrue(ok(call(sam, "GET", base + "/plan", null), 200).getBoolean("custom"), "nobody else changed it");

    JsonObject reset = ok(call(sam, "DELETE", base + "/plan", null), 200);
    assertFalse(reset.getBoolean("custom"));
    assertEquals(DefaultPlans.INTEGRATION_PLAN_ID, reset.getString("planId"));
    assertEquals(new JsonObject().put("start", "22:00").put("end", "08:00"), reset.getJsonObject("quietHours"));
    assertEquals(plan.getJsonArray("steps"), reset.getJsonArray("steps"), "the default steps, word for word");
    assertNotNull(reset.getString("updatedAt"));
    JsonObject read = ok(call(sam, "GET", base + "/plan", null), 200);
    assertFalse(read.getBoolean("custom"));
    assertEquals(plan.getJsonArray("steps"), read.getJsonArray("steps"));

    Row after = prompt(riley, "d0.postdose", "postdose");
    assertEquals(delivered.getUUID("id"), after.getUUID("id"));
    assertEquals("delivered", after.getString("state"), "delivered before the reset, and left as it was");
    assertEquals(delivered.getOffsetDateTime("due_at"), after.getOffsetDateTime("due_at"));
    assertEquals(delivered.getOffsetDateTime("delivered_at"), after.getOffsetDateTime("delivered_at"));
    assertEquals(delivered.getString("message"), after.getString("message"));
    Instant resetAt = Instant.parse(reset.getString("updatedAt"));
    assertEquals(0L, CheckinDb.await(pool.preparedQuery("SELECT count(*) FROM checkin_prompt WHERE client_id = $1"
        + " AND state = 'pending' AND due_at < $2").execute(Tuple.of(riley, Db.ts(resetAt)))).iterator().next().getLong(0),
        "nothing due before the reset is scheduled by it");

    Row audit = CheckinDb.await(pool.preparedQuery("SELECT actor_id, subject_client, object_type, object_id FROM audit_log"
        + " WHERE action = 'checkin_plan.reset' AND subject_client = $1").execute(Tuple.of(riley))).iterator().next();
    assertEquals(ids.get("sam"), audit.getUUID("actor_id"));
    assertEquals("checkin_plan", audit.getString("object_type"));
    assertEquals(riley.toString(), audit.getString("object_id"));
  }
}
