package org.interlude.escalation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.interlude.app.Server;
import org.interlude.app.StartOptions;
import org.interlude.testing.Https;
import org.interlude.testing.TestPostgres;
import org.interlude.testing.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The crisis button through a real node: login cookie, WebSocket with the allowed Origin and the
 * interlude.v1 subprotocol over TLS, crisis.report → crisis.info (the committed confirmation)
 * within 2 s and an alert on the on-call console; acknowledgement over REST → incident.status with
 * the acknowledger's name; the REST rules around it.
 */
class CrisisReportEndToEndTest {
  static Server server;
  static int port;
  static Vertx vertx;
  static WebSocketClient wsClient;
  static Map<String, UUID> ids = new HashMap<>();

  @BeforeAll
  static void start() {
    server = TestServers.start(TestServers.env(TestPostgres.freshDatabase()), new StartOptions(true));
    port = server.httpPort();
    var pool = server.storage().pool();
    for (Row r : Fixture.await(pool.query("SELECT id, username, clinic_id FROM app_user").execute())) {
      ids.put(r.getString("username"), r.getUUID("id"));
      ids.put("clinic:" + r.getString("username"), r.getUUID("clinic_id"));
    }
    // The demo clinic comes with its on-call chain (Casey Kim → Robin Park → Dr. Sam Rivera).
    long rotations = Fixture.await(pool.query("SELECT count(*) FROM oncall_rotation").execute()).iterator().next().getLong(0);
    org.junit.jupiter.api.Assertions.assertTrue(rotations > 0, "demo seeding created the on-call rotation");
    vertx = Vertx.vertx();
    wsClient = vertx.createWebSocketClient(new WebSocketClientOptions().setSsl(true).setTrustAll(true).setVerifyHost(false));
  }

  @AfterAll
  static void stop() {
    if (vertx != null) {
      Fixture.await(vertx.close());
    }
    TestServers.stop(server);
  }

  record Session(String cookie, String csrf) {}

  static String origin() {
    return "https://localhost:" + port;
  }

  static Session login(String username) throws Exception {
    HttpResponse<String> r = Https.client().send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/api/auth/login"))
        .header("Content-Type", "application/json").header("Origin", origin())
        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("username", username)
            .put("password", "interlude-demo").encode())).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    String cookie = r.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("__Host-interlude="))
        .findFirst().orElseThrow().split(";")[0];
    return new Session(cookie, new JsonObject(r.body()).getString("csrfToken"));
  }

  static HttpResponse<String> post(Session s, String path, JsonObject body) throws Exception {
    return Https.client().send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path))
        .header("Content-Type", "application/json").header("Origin", origin()).header("Cookie", s.cookie())
        .header("X-CSRF-Token", s.csrf())
        .POST(HttpRequest.BodyPublishers.ofString(body == null ? "" : body.encode())).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> get(Session s, String path) throws Exception {
    return Https.client().send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path))
        .header("Cookie", s.cookie()).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  /** An open socket and every frame it received. */
  record Ws(WebSocket socket, BlockingQueue<JsonObject> frames) {
    JsonObject next(Predicate<JsonObject> match, Duration within) throws InterruptedException {
      long end = System.nanoTime() + within.toNanos();
      while (true) {
        long left = end - System.nanoTime();
        JsonObject f = left <= 0 ? null : frames.poll(left, TimeUnit.NANOSECONDS);
        if (f == null) {
          throw new AssertionError("no matching frame within " + within);
        }
        if (match.test(f)) {
          return f;
        }
      }
    }

    void send(JsonObject frame) {
      Fixture.await(socket.writeTextMessage(frame.encode()));
    }
  }

  static Ws connect(Session s) throws InterruptedException {
    BlockingQueue<JsonObject> q = new LinkedBlockingQueue<>();
    WebSocket ws = Fixture.await(wsClient.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
        .setURI("/ws").setSsl(true).addHeader("Cookie", s.cookie()).addHeader("Origin", origin())
        .addSubProtocol("interlude.v1"))
        // On the socket's own event loop, before any frame can arrive unhandled.
        .map(w -> w.textMessageHandler(t -> q.add(new JsonObject(t)))));
    Ws out = new Ws(ws, q);
    out.next(f -> f.getString("type").equals("hello"), Duration.ofSeconds(5));
    return out;
  }

  static Predicate<JsonObject> type(String t) {
    return f -> t.equals(f.getString("type"));
  }

  @Test
  void crisisButtonReachesTheOnCallConsoleAndTheAcknowledgementReachesTheClient() throws Exception {
    Session client = login("client");
    Session casey = login("oncall");
    Ws caseyWs = connect(casey);
    Ws clientWs = connect(client);
    String reportId = UUID.randomUUID().toString();

    long t0 = System.nanoTime();
    clientWs.send(new JsonObject().put("type", "crisis.report").put("clientReportId", reportId).put("ref", "help-1"));
    JsonObject info = clientWs.next(type("crisis.info"), Duration.ofSeconds(2));
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(ms < 2000, "crisis.info after " + ms + " ms");
    assertEquals("help-1", info.getString("ref"));
    assertEquals("CRITICAL", info.getString("severity"));
    assertEquals("911", info.getString("emergencyNumber"));
    assertEquals("988 Suicide & Crisis Lifeline", info.getJsonArray("lines").getJsonObject(0).getString("name"));
    assertEquals("Monday to Friday, 9:00 to 17:00 (Eastern)", info.getString("staffedHours"));
    assertEquals("The on-call clinician has been notified", info.getString("message"));
    UUID incident = UUID.fromString(info.getString("incidentId"));
    long committed = Fixture.await(server.storage().pool().preparedQuery(
            "SELECT count(*) FROM incident_trigger WHERE incident_id = $1 AND dedup_key = $2")
        .execute(Tuple.of(incident, "crisis:" + reportId))).iterator().next().getLong(0);
    assertEquals(1, committed, "the report was committed before its confirmation");

    JsonObject alert = caseyWs.next(f -> type("alert").test(f)
        && incident.toString().equals(f.getJsonObject("incident").getString("id")), Duration.ofSeconds(2))
        .getJsonObject("incident");
    assertEquals("Alex Morgan", alert.getString("clientName"));
    assertEquals("CRITICAL", alert.getString("severity"));
    assertEquals("triggered", alert.getString("state"));
    assertEquals("crisis_button", alert.getJsonObject("trigger").getString("kind"));

    clientWs.send(new JsonObject().put("type", "crisis.report").put("clientReportId", reportId));
    JsonObject again = clientWs.next(type("crisis.info"), Duration.ofSeconds(2));
    assertEquals(incident.toString(), again.getString("incidentId"), "a resent report confirms the same incident");

    assertEquals(404, post(client, "/api/incidents/" + incident + "/ack", null).statusCode(), "a client cannot acknowledge");
    HttpResponse<String> ack = post(casey, "/api/incidents/" + incident + "/ack", null);
    assertEquals(200, ack.statusCode(), ack.body());
    JsonObject status = clientWs.next(type("incident.status"), Duration.ofSeconds(2));
    assertEquals("acknowledged", status.getString("state"));
    assertEquals("Casey Kim", status.getString("acknowledgedBy"));
    assertEquals("Casey Kim has seen your message", status.getString("message"));
    assertNotNull(status.getString("at"));
    JsonObject acked = caseyWs.next(f -> type("alert").test(f)
        && "acknowledged".equals(f.getJsonObject("incident").getString("state")), Duration.ofSeconds(2));
    assertEquals("Casey Kim", acked.getJsonObject("incident").getString("acknowledgedBy"));

    HttpResponse<String> noDisposition = post(casey, "/api/incidents/" + incident + "/resolve",
        new JsonObject().put("note", "Spoke with the client."));
    assertEquals(400, noDisposition.statusCode());
    assertEquals("disposition", new JsonObject(noDisposition.body()).getString("field"), noDisposition.body());
    HttpResponse<String> noNote = post(casey, "/api/incidents/" + incident + "/resolve",
        new JsonObject().put("disposition", "reached_client"));
    assertEquals(400, noNote.statusCode());
    assertEquals("note", new JsonObject(noNote.body()).getString("field"), noNote.body());
    HttpResponse<String> blankNote = post(casey, "/api/incidents/" + incident + "/resolve",
        new JsonObject().put("disposition", "reached_client").put("note", "   "));
    assertEquals(400, blankNote.statusCode());
    assertEquals("note", new JsonObject(blankNote.body()).getString("field"), blankNote.body());

    HttpResponse<String> detail = get(casey, "/api/incidents/" + incident);
    assertEquals(200, detail.statusCode(), detail.body());
    assertTrue(new JsonObject(detail.body()).getJsonArray("timeline").stream()
        .anyMatch(e -> "page".equals(((JsonObject) e).getString("kind"))));
    HttpResponse<String> resolved = post(casey, "/api/incidents/" + incident + "/resolve",
        new JsonObject().put("disposition", "reached_client").put("note", "Spoke with the client; safe."));
    assertEquals(200, resolved.statusCode(), resolved.body());
    assertEquals("resolved", new JsonObject(resolved.body()).getString("state"));
    JsonObject gone = caseyWs.next(f -> type("alert").test(f)
        && "resolved".equals(f.getJsonObject("incident").getString("state")), Duration.ofSeconds(2));
    assertEquals("reached_client", gone.getJsonObject("incident").getString("disposition"));
    caseyWs.socket().close();
    clientWs.socket().close();
  }

  @Test
  void openIncidentsAreReplayedOnConnectOnlyToThoseWhoMaySeeThem() throws Exception {
    Session jordan = login("client2");
    Ws jordanWs = connect(jordan);
    jordanWs.send(new JsonObject().put("type", "crisis.report").put("clientReportId", UUID.randomUUID().toString()));
    UUID incident = UUID.fromString(jordanWs.next(type("crisis.info"), Duration.ofSeconds(2)).getString("incidentId"));

    Ws casey = connect(login("oncall"));
    JsonObject replay = casey.next(f -> type("alert").test(f)
        && incident.toString().equals(f.getJsonObject("incident").getString("id")), Duration.ofSeconds(2));
    assertEquals("Jordan Lee", replay.getJsonObject("incident").getString("clientName"));
    Ws sam = connect(login("therapist"));
    sam.next(f -> type("alert").test(f) && incident.toString().equals(f.getJsonObject("incident").getString("id")),
        Duration.ofSeconds(2));
    Ws robin = connect(login("oncall2"));
    Thread.sleep(300);
    assertTrue(robin.frames().stream().noneMatch(type("alert")), "the backup was not paged yet and sees nothing");
    assertEquals(404, get(login("oncall2"), "/api/incidents/" + incident).statusCode());
    assertEquals(404, get(login("admin"), "/api/incidents/" + incident).statusCode(), "admins see no clinical data");

    Ws jordanAgain = connect(jordan);
    JsonObject info = jordanAgain.next(type("crisis.info"), Duration.ofSeconds(2));
    assertEquals(incident.toString(), info.getString("incidentId"), "the client sees where to get help after a reload");
    HttpResponse<String> list = get(login("oncall"), "/api/incidents?state=open");
    assertEquals(200, list.statusCode(), list.body());
    assertTrue(list.body().contains(incident.toString()));
    assertFalse(new JsonObject(list.body()).getJsonArray("incidents").isEmpty());
    HttpResponse<String> bad = get(login("oncall"), "/api/incidents?state=closed");
    assertEquals(400, bad.statusCode());
  }
}
