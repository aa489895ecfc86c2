package org.interlude.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.interlude.app.Server;
import org.interlude.app.StartOptions;
import org.interlude.storage.DatabaseTarget;
import org.interlude.testing.Https;
import org.interlude.testing.ServerProcess;
import org.interlude.testing.TestPostgres;
import org.interlude.testing.TestServers;
import org.interlude.testing.TestSession;
import org.interlude.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two real nodes in this JVM on one PostgreSQL database, clustered over Hazelcast and the
 * mutual-TLS bus, with different HTTPS ports: what happens on node A reaches sockets on node B
 * (chat through the nudge and a database read, presence in the roster, logout closing sockets
 * with 1008, a crisis report paging on-call staff), readiness says {@code cluster: joined}, and a
 * third node in its own JVM killed with -9 drops out of the membership within the
 * failure-detection time, taking its clients' presence with it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterCrossNodeTest {
  static final String DEMO_PASSWORD = "interlude-demo";
  static DatabaseTarget db;
  static String clusterName;
  static Path ca;
  static String members;
  static int[] hazelcastPorts = new int[4];
  static String masterKey;
  static Server a;
  static Server b;

  @BeforeAll
  static void start() {
    db = TestPostgres.freshDatabase();
    clusterName = ClusterEnv.name();
    ca = ClusterEnv.newCa();
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    // Every node must read message text the others wrote: one master key for the cluster.
    masterKey = Base64.getEncoder().encodeToString(key);
    StringBuilder m = new StringBuilder();
    for (int i = 0; i < hazelcastPorts.length; i++) {
      hazelcastPorts[i] = TestServers.freePort();
      m.append(i == 0 ? "" : ",").append("127.0.0.1:").append(hazelcastPorts[i]);
    }
    members = m.toString();
    a = TestServers.start(nodeEnv(0, "node-a"), new StartOptions(true));
    b = TestServers.start(nodeEnv(1, "node-b"));
  }

  static Map<String, String> nodeEnv(int i, String nodeId) {
    Map<String, String> env = new HashMap<>(TestServers.env(db));
    env.putAll(ClusterEnv.member(clusterName, hazelcastPorts[i], members, ClusterEnv.nodeFiles(ca, nodeId)));
    env.put("INTERLUDE_NODE_ID", nodeId);
    env.put("INTERLUDE_CRYPTO_MASTER_KEY", masterKey);
    return env;
  }

  @AfterAll
  static void stop() {
    TestServers.stop(b);
    TestServers.stop(a);
  }

  static TestSession login(Server node, String user) {
    return TestSession.login(node.httpPort(), user, DEMO_PASSWORD);
  }

  @Test
  @Order(1)
  void bothNodesAreReadyAndJoined() throws Exception {
    for (Server s : new Server[] {a, b}) {
      HttpResponse<String> r = Https.client().send(HttpRequest.newBuilder(
          URI.create("https://127.0.0.1:" + s.httpPort() + "/health/ready")).GET().build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r.body());
      JsonObject body = new JsonObject(r.body());
      assertEquals("joined", body.getString("cluster"));
      assertEquals(2, body.getInteger("clusterMembers"));
    }
  }

  @Test
  @Order(2)
  void aMessageSentOnNodeAReachesTheTherapistOnNodeB() {
    try (WsClient client = WsClient.connect(login(a, "client"));
        WsClient therapist = WsClient.connect(login(b, "therapist"))) {
      String conv = client.await("hello").getJsonArray("conversations").getJsonObject(0).getString("conversationId");
      therapist.await("hello");
      UUID id = UUID.randomUUID();
      client.send(new JsonObject().put("type", "chat.send").put("conversationId", conv)
          .put("clientMsgId", id.toString()).put("text", "Slept better after the session"));
      JsonObject ack = client.await(f -> "chat.ack".equals(f.getString("type")), Duration.ofSeconds(10));
      JsonObject got = therapist.await(f -> "chat.message".equals(f.getString("type"))
          && id.toString().equals(f.getString("clientMsgId")), Duration.ofSeconds(5));
      assertEquals("Slept better after the session", got.getString("text"));
      assertEquals(ack.getLong("seq"), got.getLong("seq"));
    }
  }

  /**
   * A node can die between committing a message and delivering it: the sender never got its ack
   * and resends the same clientMsgId through another node, which finds it committed. That resend
   * delivers it again, so a participant who stayed connected is not left without it until their
   * next reconnect.
   */
  @Test
  @Order(3)
  void aResentMessageThatWasCommittedButNeverDeliveredReachesThePeer() {
    TestSession clientSession = login(a, "client");
    try (WsClient therapist = WsClient.connect(login(b, "therapist"));
        WsClient client = WsClient.connect(login(b, "client"))) {
      String conv = client.await("hello").getJsonArray("conversations").getJsonObject(0).getString("conversationId");
      therapist.await("hello");
      // Committed on node A as its chat.send would, with no delivery after it: node A "died".
      UUID id = UUID.randomUUID();
      org.interlude.identity.Actor sender = new org.interlude.identity.Actor(clientSession.userId(),
          UUID.fromString(clientSession.me.getJsonObject("clinic").getString("id")), "client",
          java.util.EnumSet.of(org.interlude.identity.Role.CLIENT), "", null, null);
      long seq = a.features().services().chat().send(sender, UUID.fromString(conv), id, "Committed, never delivered")
          .toCompletionStage().toCompletableFuture().join().message().seq();
      client.send(new JsonObject().put("type", "chat.send").put("conversationId", conv)
          .put("clientMsgId", id.toString()).put("text", "Committed, never delivered"));
      JsonObject ack = client.await(f -> "chat.ack".equals(f.getString("type")), Duration.ofSeconds(10));
      assertEquals(seq, ack.getLong("seq"), "the resend is acknowledged with the committed seq");
      JsonObject got = therapist.await(f -> "chat.message".equals(f.getString("type"))
          && id.toString().equals(f.getString("clientMsgId")), Duration.ofSeconds(5));
      assertEquals(seq, got.getLong("seq"));
      assertEquals("Committed, never delivered", got.getString("text"));
    }
  }

  /** Whether the roster {@code therapist} gets from {@code node} shows {@code clientUsername} online. */
  static boolean onlineInRoster(TestSession therapist, String clientUsername) {
    HttpResponse<String> r = therapist.get("/api/clients");
    assertEquals(200, r.statusCode(), r.body());
    for (Object o : new JsonObject(r.body()).getJsonArray("clients")) {
      JsonObject c = (JsonObject) o;
      if (c.getString("displayName").equals(clientName(clientUsername))) {
        return c.getBoolean("online");
      }
    }
    throw new AssertionError(clientUsername + " not in the roster: " + r.body());
  }

  static String clientName(String username) {
    return username.equals("client") ? "Alex Morgan" : "Jordan Lee";
  }

  /** Polls the roster until it shows {@code online}; returns how long that took. */
  static long awaitPresence(TestSession therapist, String client, boolean online, Duration timeout) throws Exception {
    long t0 = System.nanoTime();
    while (onlineInRoster(therapist, client) != online) {
      if (System.nanoTime() - t0 > timeout.toNanos()) {
        throw new AssertionError(client + " still " + (online ? "offline" : "online") + " after " + timeout);
      }
      Thread.sleep(100);
    }
    return (System.nanoTime() - t0) / 1_000_000;
  }

  /** Presence is cluster-wide: a client with a socket on node A shows online in the roster node B serves. */
  @Test
  @Order(4)
  void aClientConnectedToNodeAShowsOnlineOnNodeB() throws Exception {
    TestSession therapistOnB = login(b, "therapist");
    assertEquals(false, onlineInRoster(therapistOnB, "client2"), "nobody connected yet");
    try (WsClient client = WsClient.connect(login(a, "client2"))) {
      client.await("hello");
      awaitPresence(therapistOnB, "client2", true, Duration.ofSeconds(5));
      assertEquals(false, onlineInRoster(therapistOnB, "client"), "only the connected client is online");
    }
    awaitPresence(therapistOnB, "client2", false, Duration.ofSeconds(5));
  }

  @Test
  @Order(5)
  void logoutOnNodeAClosesTheSocketOnNodeBWith1008() {
    TestSession onA = login(a, "client2");
    // The same session (cookie) used from node B, as a browser behind the balancer would.
    var options = WsClient.options(onA).setPort(b.httpPort()).putHeader("Origin", "https://localhost:" + b.httpPort());
    try (WsClient socket = WsClient.connect(options)) {
      socket.await("hello");
      long t0 = System.nanoTime();
      assertEquals(204, onA.send("POST", "/api/auth/logout", null).statusCode());
      short code = socket.awaitClose(Duration.ofSeconds(2));
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertEquals(1008, code, "closed as a policy violation (session ended)");
      assertTrue(ms < 2000, "closed after " + ms + " ms");
    }
  }

  @Test
  @Order(6)
  void aCrisisReportOnNodeARaisesTheAlertOnNodeB() {
    try (WsClient oncall = WsClient.connect(login(b, "oncall"));
        WsClient client = WsClient.connect(login(a, "client"))) {
      oncall.await("hello");
      client.await("hello");
      client.send(new JsonObject().put("type", "crisis.report").put("clientReportId", UUID.randomUUID().toString()));
      String incident = client.await(f -> "crisis.info".equals(f.getString("type")), Duration.ofSeconds(5))
          .getString("incidentId");
      JsonObject alert = oncall.await(f -> "alert".equals(f.getString("type"))
          && incident.equals(f.getJsonObject("incident").getString("id")), Duration.ofSeconds(5));
      assertEquals("CRITICAL", alert.getJsonObject("incident").getString("severity"));
    }
  }

  /**
   * The default failure detection (10 s, heartbeat every second): a member killed with -9 leaves
   * the survivors' membership within that plus a few seconds, and they stay ready. A client whose
   * only socket was on the killed member stops showing online as soon as it is dropped.
   */
  @Test
  @Order(7)
  void aMemberKilledWithSigkillIsDroppedWithinTheFailureDetectionTime() throws Exception {
    Map<String, String> env = nodeEnv(2, "node-c");
    try (ServerProcess c = ServerProcess.start(env)) {
      c.awaitReady(Duration.ofSeconds(120));
      long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (a.cluster().memberCount() < 3 && System.nanoTime() < end) {
        Thread.sleep(100);
      }
      assertEquals(3, a.cluster().memberCount(), "node C joined");
      int portC = Integer.parseInt(env.get("INTERLUDE_HTTP_PORT"));
      TestSession clientOnC = TestSession.login(portC, "client2", DEMO_PASSWORD);
      WsClient socketOnC = WsClient.connect(clientOnC);
      socketOnC.await("hello");
      TestSession therapistOnA = login(a, "therapist");
      awaitPresence(therapistOnA, "client2", true, Duration.ofSeconds(5));
      long t0 = System.nanoTime();
      c.signal("KILL");
      while (a.cluster().memberCount() > 2 && System.nanoTime() - t0 < Duration.ofSeconds(30).toNanos()) {
        Thread.sleep(50);
      }
      long ms = (System.nanoTime() - t0) / 1_000_000;
      System.out.println("cluster failure detection: member killed with -9 dropped after " + ms + " ms"
          + " (cluster.failure_detection 10s)");
      assertEquals(2, a.cluster().memberCount(), "node C dropped after " + ms + " ms");
      assertTrue(ms <= 14_000, "dropped after " + ms + " ms; failure detection is 10 s");
      assertEquals(2, b.cluster().memberCount());
      assertTrue(a.readiness().toCompletionStage().toCompletableFuture().get().getBoolean("ready"));
      long offline = awaitPresence(therapistOnA, "client2", false, Duration.ofSeconds(5));
      System.out.println("presence: client on the killed member shown offline " + offline + " ms after it was dropped");
      socketOnC.close();
    }
  }

  /**
   * A frozen member (SIGSTOP: its sockets stay open, as with a hung host or a cut cable) is found
   * by missing heartbeats only: it leaves the membership after cluster.failure_detection (10 s),
   * not before (a slow GC pause must not evict a node), and within a few seconds after.
   */
  @Test
  @Order(8)
  void aFrozenMemberIsDroppedAfterTheFailureDetectionTime() throws Exception {
    Map<String, String> env = nodeEnv(3, "node-d");
    try (ServerProcess d = ServerProcess.start(env)) {
      d.awaitReady(Duration.ofSeconds(120));
      long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (a.cluster().memberCount() < 3 && System.nanoTime() < end) {
        Thread.sleep(100);
      }
      assertEquals(3, a.cluster().memberCount(), "node D joined");
      long t0 = System.nanoTime();
      d.signal("STOP");
      while (a.cluster().memberCount() > 2 && System.nanoTime() - t0 < Duration.ofSeconds(40).toNanos()) {
        Thread.sleep(50);
      }
      long ms = (System.nanoTime() - t0) / 1_000_000;
      System.out.println("cluster failure detection: member frozen with SIGSTOP dropped after " + ms + " ms"
          + " (cluster.failure_detection 10s)");
      d.signal("KILL");
      assertEquals(2, a.cluster().memberCount(), "node D dropped after " + ms + " ms");
      assertTrue(ms >= 8_000, "dropped after only " + ms + " ms; failure detection is 10 s");
      assertTrue(ms <= 14_000, "dropped after " + ms + " ms; failure detection is 10 s");
      assertTrue(a.readiness().toCompletionStage().toCompletableFuture().get().getBoolean("ready"));
    }
  }
}
