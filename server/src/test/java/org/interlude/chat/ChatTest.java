package org.interlude.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.interlude.app.Server;
import org.interlude.storage.DatabaseTarget;
import org.interlude.testing.Fixtures;
import org.interlude.testing.TestPostgres;
import org.interlude.testing.TestServers;
import org.interlude.testing.TestSession;
import org.interlude.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.copy.CopyManager;
import org.postgresql.core.BaseConnection;

/** Chat over real WebSockets against a real node and PostgreSQL. */
class ChatTest {
  static Server server;
  static int port;
  static DatabaseTarget db;
  static Fixtures.Clinic a;
  static Fixtures.Clinic b;

  @org.junit.jupiter.api.extension.RegisterExtension
  static final org.interlude.testing.PostgresExtension postgres = new org.interlude.testing.PostgresExtension();

  @BeforeAll
  static void start() {
    db = postgres.database();
    var env = new java.util.HashMap<>(TestServers.env(db));
    // The load tests send far faster than a person; the limiter has its own test.
    env.put("INTERLUDE_CHAT_SEND_RATE_BURST", "100000");
    env.put("INTERLUDE_CHAT_SEND_RATE_PER_SECOND", "100000");
    server = TestServers.start(env);
    port = server.httpPort();
    a = Fixtures.clinic(server, "a");
    b = Fixtures.clinic(server, "b");
  }

  @AfterAll
  static void stop() {
    TestServers.stop(server);
  }

  static String conversationOf(WsClient c) {
    JsonObject hello = c.await("hello");
    return hello.getJsonArray("conversations").getJsonObject(0).getString("conversationId");
  }

  static JsonObject sendFrame(String conv, UUID clientMsgId, String text) {
    return new JsonObject().put("type", "chat.send").put("conversationId", conv).put("clientMsgId", clientMsgId.toString())
        .put("text", text);
  }

  static JsonObject ack(WsClient c, UUID clientMsgId) {
    return c.await(f -> "chat.ack".equals(f.getString("type")) && clientMsgId.toString().equals(f.getString("clientMsgId")),
        Duration.ofSeconds(20));
  }

  Connection superuser() throws Exception {
    return superuser(db.database());
  }

  Connection superuser(String database) throws Exception {
    Properties p = new Properties();
    p.setProperty("user", "postgres");
    return DriverManager.getConnection(db.database(database).jdbcUrl(), p);
  }

  @Test
  void clientAndTherapistChatBothWaysAndReceiptsFlow() {
    try (WsClient client = WsClient.connect(TestSession.login(port, "a-client"));
        WsClient therapist = WsClient.connect(TestSession.login(port, "a-therapist"))) {
      String conv = conversationOf(client);
      JsonObject thello = therapist.await("hello");
      assertEquals(conv, thello.getJsonArray("conversations").getJsonObject(0).getString("conversationId"));
      UUID id = UUID.randomUUID();
      client.send(sendFrame(conv, id, "Cafe\u0301 after the session").put("ref", "r1"));
      JsonObject ack = ack(client, id);
      assertEquals("r1", ack.getString("ref"));
      JsonObject got = therapist.await("chat.message");
      assertEquals("Café after the session", got.getString("text"), "NFC-normalised");
      assertEquals(ack.getLong("seq"), got.getLong("seq"));
      assertEquals(Fixtures.displayName("a-client"), got.getJsonObject("sender").getString("displayName"));
      try (WsClient otherTab = WsClient.connect(TestSession.login(port, "a-therapist"))) {
        // Other tests of this class write to the same conversation: at least this message is unread.
        assertTrue(otherTab.await("hello").getJsonArray("conversations").getJsonObject(0).getInteger("unread") >= 1,
            "a staff member's new socket starts from the stored unread count");
      }
      UUID reply = UUID.randomUUID();
      therapist.send(sendFrame(conv, reply, "Thank you for writing."));
      ack(therapist, reply);
      assertEquals("Thank you for writing.",
          client.await(f -> "chat.message".equals(f.getString("type")) && reply.toString().equals(f.getString("clientMsgId")),
              Duration.ofSeconds(5)).getString("text"));
      therapist.send(new JsonObject().put("type", "chat.read").put("conversationId", conv).put("seq", got.getLong("seq")));
      JsonObject receipt = client.await("chat.read.receipt");
      assertEquals(got.getLong("seq"), receipt.getLong("seq"));
      assertEquals(0, therapist.await(f -> "chat.unread".equals(f.getString("type")), Duration.ofSeconds(5))
          .getInteger("unread"), "a read tells the reader's sockets their new count");
      client.send(new JsonObject().put("type", "chat.typing").put("conversationId", conv));
      assertEquals(Fixtures.displayName("a-client"), therapist.await("chat.typing.indicator").getString("displayName"));
    }
  }

  @Test
  void hundredClientsSendHundredMessagesEachWithoutLossGapOrDuplicate() throws Exception {
    int clients = 100;
    int perClient = 100;
    var s = server.features().services();
    String hash = s.passwords().hashNew(Fixtures.PASSWORD).toCompletionStage().toCompletableFuture().get();
    List<String> names = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      String name = "load-" + i;
      names.add(name);
      s.identityStore().insertUser(s.identityStore().pool(), a.id(), name, "Load " + i,
          java.util.EnumSet.of(org.interlude.identity.Role.CLIENT), hash, "America/New_York")
          .toCompletionStage().toCompletableFuture().get();
    }
    List<WsClient> sockets = new ArrayList<>();
    List<String> convs = new ArrayList<>();
    try {
      for (String n : names) {
        WsClient c = WsClient.connect(TestSession.login(port, n));
        sockets.add(c);
        convs.add(conversationOf(c));
      }
      List<List<UUID>> sent = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        sent.add(new ArrayList<>());
      }
      // Interleave: every client sends one message per round, as fast as the sockets take them.
      for (int m = 0; m < perClient; m++) {
        for (int i = 0; i < clients; i++) {
          UUID id = UUID.randomUUID();
          sent.get(i).add(id);
          sockets.get(i).send(sendFrame(convs.get(i), id, "message " + m + " from " + i));
        }
      }
      for (int i = 0; i < clients; i++) {
        long previous = 0;
        for (UUID id : sent.get(i)) {
          long seq = ack(sockets.get(i), id).getLong("seq");
          assertEquals(previous + 1, seq, "acks arrive in send order with gapless seqs");
          previous = seq;
        }
      }
      try (Connection c = superuser(); var st = c.createStatement();
          var rs = st.executeQuery("SELECT m.conversation_id, count(*), min(seq), max(seq), count(DISTINCT client_msg_id)"
              + " FROM message m JOIN conversation cv ON cv.id = m.conversation_id JOIN app_user u ON u.id = cv.client_id"
              + " WHERE u.username LIKE 'load-%' GROUP BY m.conversation_id")) {
        int rows = 0;
        while (rs.next()) {
          rows++;
          assertEquals(perClient, rs.getLong(2));
          assertEquals(1, rs.getLong(3));
          assertEquals(perClient, rs.getLong(4));
          assertEquals(perClient, rs.getLong(5));
        }
        assertEquals(clients, rows);
      }
    } finally {
      sockets.forEach(WsClient::close);
    }
  }

  @Test
  void sameClientMsgIdFiveTimesAcrossAReconnectIsOneRowAndOneSeq() throws Exception {
    TestSession session = TestSession.login(port, "a-client2");
    UUID id = UUID.randomUUID();
    Set<Long> seqs = new HashSet<>();
    String conv;
    try (WsClient c = WsClient.connect(session)) {
      conv = conversationOf(c);
      for (int i = 0; i < 3; i++) {
        c.send(sendFrame(conv, id, "only once please"));
      }
      for (int i = 0; i < 3; i++) {
        seqs.add(ack(c, id).getLong("seq"));
      }
    }
    try (WsClient c = WsClient.connect(session)) {
      c.await("hello");
      c.send(sendFrame(conv, id, "only once please"));
      c.send(sendFrame(conv, id, "only once please"));
      seqs.add(ack(c, id).getLong("seq"));
      seqs.add(ack(c, id).getLong("seq"));
    }
    assertEquals(1, seqs.size(), "one seq for all five sends: " + seqs);
    try (Connection c = superuser(); var st = c.prepareStatement("SELECT count(*) FROM message WHERE client_msg_id = ?")) {
      st.setObject(1, id);
      var rs = st.executeQuery();
      rs.next();
      assertEquals(1, rs.getLong(1));
    }
  }

  @Test
  void reconnectingClientSyncsExactlyTheMissedMessagesInOrder() {
    TestSession clientSession = TestSession.login(port, "a-client");
    String conv;
    long lastSeq;
    try (WsClient c = WsClient.connect(clientSession)) {
      JsonObject hello = c.await("hello");
      conv = hello.getJsonArray("conversations").getJsonObject(0).getString("conversationId");
      lastSeq = hello.getJsonArray("conversations").getJsonObject(0).getLong("lastSeq");
    }
    List<UUID> sent = new ArrayList<>();
    try (WsClient t = WsClient.connect(TestSession.login(port, "a-therapist"))) {
      t.await("hello");
      for (int i = 0; i < 100; i++) {
        UUID id = UUID.randomUUID();
        sent.add(id);
        t.send(sendFrame(conv, id, "while you were away " + i));
      }
      for (UUID id : sent) {
        ack(t, id);
      }
    }
    try (WsClient c = WsClient.connect(clientSession)) {
      c.await("hello");
      c.send(new JsonObject().put("type", "chat.sync").put("conversationId", conv).put("afterSeq", lastSeq).put("ref", "s"));
      JsonObject synced = c.await("chat.synced");
      assertEquals("s", synced.getString("ref"));
      List<JsonObject> msgs = c.seen().stream().filter(f -> "chat.message".equals(f.getString("type"))).toList();
      assertEquals(100, msgs.size());
      for (int i = 0; i < 100; i++) {
        assertEquals(lastSeq + 1 + i, msgs.get(i).getLong("seq"));
        assertEquals(sent.get(i).toString(), msgs.get(i).getString("clientMsgId"));
        assertEquals("while you were away " + i, msgs.get(i).getString("text"));
      }
      assertEquals(lastSeq + 100, synced.getLong("lastSeq"));
      c.send(new JsonObject().put("type", "chat.history").put("conversationId", conv).put("beforeSeq", lastSeq + 51)
          .put("limit", 10));
      JsonObject page = c.await("chat.history.page");
      assertEquals(10, page.getJsonArray("messages").size());
      assertEquals(lastSeq + 41, page.getJsonArray("messages").getJsonObject(0).getLong("seq"));
      assertTrue(page.getBoolean("hasMore"));
    }
  }

  @Test
  void databaseDownMidSendAcknowledgesNothingUncommittedAndRetriesSucceedAfter() throws Exception {
    TestSession session = TestSession.login(port, "b-client2");
    try (WsClient c = WsClient.connect(session); Connection su = superuser("postgres"); var st = su.createStatement()) {
      String conv = conversationOf(c);
      st.execute("ALTER DATABASE " + db.database() + " ALLOW_CONNECTIONS false");
      st.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + db.database()
          + "' AND pid <> pg_backend_pid()");
      List<UUID> ids = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        UUID id = UUID.randomUUID();
        ids.add(id);
        c.send(sendFrame(conv, id, "sent while the database is down " + i));
      }
      int errors = 0;
      for (int i = 0; i < 5; i++) {
        JsonObject f = c.await(x -> "error".equals(x.getString("type")) || "chat.ack".equals(x.getString("type")),
            Duration.ofSeconds(30));
        assertEquals("error", f.getString("type"), "no ack while the database is down: " + f);
        assertEquals("unavailable", f.getString("code"));
        errors++;
      }
      assertEquals(5, errors);
    } finally {
      try (Connection su = superuser("postgres"); var st = su.createStatement()) {
        st.execute("ALTER DATABASE " + db.database() + " ALLOW_CONNECTIONS true");
      }
    }
    try (Connection su = superuser(); var st = su.createStatement();
        var rs = st.executeQuery("SELECT count(*) FROM message WHERE sender_id = '" + b.user("b-client2") + "'")) {
      rs.next();
      assertEquals(0, rs.getLong(1), "nothing unacknowledged was stored");
    }
    // Retry the same ids once the database is back.
    try (WsClient c = WsClient.connect(session)) {
      String conv = conversationOf(c);
      UUID id = UUID.randomUUID();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      JsonObject result;
      do {
        c.send(sendFrame(conv, id, "retry after recovery"));
        result = c.await(x -> "error".equals(x.getString("type")) || "chat.ack".equals(x.getString("type")),
            Duration.ofSeconds(30));
      } while ("error".equals(result.getString("type")) && System.nanoTime() < deadline);
      assertEquals("chat.ack", result.getString("type"), result.encode());
    }
  }

  @Test
  void malformedAndHostileFramesGetTypedErrorsAndTheConnectionCarriesOn() {
    try (WsClient c = WsClient.connect(TestSession.login(port, "a-client"))) {
      String conv = conversationOf(c);
      String other = UUID.randomUUID().toString();
      String big = "x".repeat(4001);
      String huge = "y".repeat(70_000);
      Map<String, String> cases = new java.util.LinkedHashMap<>();
      cases.put("not json", "malformed");
      cases.put("[1,2,3]", "malformed");
      cases.put("\"just a string\"", "malformed");
      cases.put("42", "malformed");
      cases.put("{", "malformed");
      cases.put("{}", "invalid_frame");
      cases.put("{\"type\":7}", "invalid_frame");
      cases.put("{\"type\":null}", "invalid_frame");
      cases.put("{\"type\":\"chat.delete\"}", "unknown_type");
      cases.put("{\"type\":\"admin.drop_tables\"}", "unknown_type");
      cases.put("{\"type\":\"chat.send\"}", "invalid_frame");
      cases.put("{\"type\":\"chat.send\",\"conversationId\":\"" + conv + "\",\"clientMsgId\":\"not-a-uuid\",\"text\":\"hi\"}", "invalid_frame");
      cases.put("{\"type\":\"chat.send\",\"conversationId\":\"" + conv + "\",\"clientMsgId\":\"" + UUID.randomUUID() + "\"}", "invalid_frame");
      cases.put("{\"type\":\"chat.send\",\"conversationId\":\"" + conv + "\",\"clientMsgId\":\"" + UUID.randomUUID() + "\",\"text\":5}", "invalid_frame");
      cases.put("{\"type\":\"chat.send\",\"conversationId\":\"" + conv + "\",\"clientMsgId\":\"" + UUID.randomUUID() + "\",\"text\":\"\"}", "invalid_frame");
      cases.put("{\"type\":\"chat.send\",\"conversationId\":\"" + conv + "\",\"clientMsgId\":\"" + UUID.randomUUID() + "\",\"text\":\"   \"}", "empty_message");
      cases.put("{\"type\":\"chat.send\",\"conversationId\":\"" + conv + "\",\"clientMsgId\":\"" + UUID.randomUUID() + "\",\"text\":\"" + big + "\"}", "too_long");
      cases.put("{\"type\":\"chat.send\",\"conversationId\":\"" + conv + "\",\"clientMsgId\":\"" + UUID.randomUUID() + "\",\"text\":\"hi\",\"extra\":true}", "invalid_frame");
      cases.put("{\"type\":\"chat.send\",\"conversationId\":\"" + other + "\",\"clientMsgId\":\"" + UUID.randomUUID() + "\",\"text\":\"hi\"}", "not_found");
      cases.put("{\"type\":\"chat.send\",\"conversationId\":\"' OR 1=1 --\",\"clientMsgId\":\"" + UUID.randomUUID() + "\",\"text\":\"hi\"}", "invalid_frame");
      cases.put("{\"type\":\"chat.sync\",\"conversationId\":\"" + conv + "\",\"afterSeq\":-1}", "invalid_frame");
      cases.put("{\"type\":\"chat.sync\",\"conversationId\":\"" + conv + "\",\"afterSeq\":\"0\"}", "invalid_frame");
      cases.put("{\"type\":\"chat.sync\",\"conversationId\":\"" + conv + "\",\"afterSeq\":1.5}", "invalid_frame");
      cases.put("{\"type\":\"chat.sync\",\"conversationId\":\"" + other + "\",\"afterSeq\":0}", "not_found");
      cases.put("{\"type\":\"chat.history\",\"conversationId\":\"" + conv + "\",\"beforeSeq\":10,\"limit\":100000}", "invalid_frame");
      cases.put("{\"type\":\"chat.history\",\"conversationId\":\"" + conv + "\",\"beforeSeq\":10,\"limit\":0}", "invalid_frame");
      cases.put("{\"type\":\"chat.read\",\"conversationId\":\"" + conv + "\"}", "invalid_frame");
      cases.put("{\"type\":\"chat.read\",\"conversationId\":\"" + other + "\",\"seq\":1}", "not_found");
      cases.put("{\"type\":\"chat.typing\",\"conversationId\":\"" + other + "\"}", "not_found");
      cases.put("{\"type\":\"chat.typing\"}", "invalid_frame");
      cases.put("{\"type\":\"chat.send\",\"text\":\"" + huge + "\"}", "too_large");
      cases.put("{\"type\":\"chat.send\",\"ref\":\"" + "r".repeat(65) + "\"}", "invalid_frame");
      assertTrue(cases.size() >= 30);
      int n = 0;
      for (var e : cases.entrySet()) {
        String ref = "case-" + (n++);
        String raw = e.getKey();
        // Tag parseable objects with a ref so each answer can be matched to its frame.
        boolean tag = raw.startsWith("{\"type\":\"chat") && !raw.contains("\"ref\"") && raw.length() < 10_000;
        c.sendText(tag ? raw.substring(0, raw.length() - 1) + ",\"ref\":\"" + ref + "\"}" : raw);
        JsonObject err = c.await(f -> "error".equals(f.getString("type")), Duration.ofSeconds(10));
        assertEquals(e.getValue(), err.getString("code"), "for frame " + raw.substring(0, Math.min(raw.length(), 120))
            + " got " + err.encode());
        if (tag) {
          assertEquals(ref, err.getString("ref"));
        }
        assertFalse(c.isClosed(), "the connection stays open");
      }
      UUID ok = UUID.randomUUID();
      c.send(sendFrame(conv, ok, "still here"));
      ack(c, ok);
    }
  }

  @Test
  void nobodyReachesAConversationThatIsNotTheirs() {
    String aConv;
    try (WsClient c = WsClient.connect(TestSession.login(port, "a-client"))) {
      aConv = conversationOf(c);
    }
    for (String intruder : List.of("a-client2", "a-therapist2", "a-oncall", "a-admin", "b-therapist", "b-client", "b-admin")) {
      try (WsClient c = WsClient.connect(TestSession.login(port, intruder))) {
        JsonObject hello = c.await("hello");
        for (Object o : hello.getJsonArray("conversations", new io.vertx.core.json.JsonArray())) {
          assertFalse(aConv.equals(((JsonObject) o).getString("conversationId")), intruder + " sees the conversation");
        }
        for (JsonObject frame : List.of(
            sendFrame(aConv, UUID.randomUUID(), "let me in"),
            new JsonObject().put("type", "chat.sync").put("conversationId", aConv).put("afterSeq", 0),
            new JsonObject().put("type", "chat.history").put("conversationId", aConv).put("beforeSeq", 100),
            new JsonObject().put("type", "chat.read").put("conversationId", aConv).put("seq", 1),
            new JsonObject().put("type", "chat.typing").put("conversationId", aConv))) {
          c.send(frame);
          JsonObject err = c.await(f -> "error".equals(f.getString("type")), Duration.ofSeconds(10));
          assertEquals("not_found", err.getString("code"), intruder + " " + frame.getString("type"));
        }
        assertTrue(c.seen().stream().noneMatch(f -> "chat.message".equals(f.getString("type"))), intruder + " got messages");
      }
    }
  }

  @Test
  void tamperedCiphertextIsReportedUnreadableNeverShown() throws Exception {
    try (WsClient c = WsClient.connect(TestSession.login(port, "b-client"))) {
      String conv = conversationOf(c);
      UUID first = UUID.randomUUID();
      UUID second = UUID.randomUUID();
      c.send(sendFrame(conv, first, "first secret"));
      long s1 = ack(c, first).getLong("seq");
      c.send(sendFrame(conv, second, "second secret"));
      long s2 = ack(c, second).getLong("seq");
      try (Connection su = superuser(); var st = su.createStatement()) {
        // Flip one byte of the first body, and move the second body onto another row's position.
        st.execute("UPDATE message SET body = set_byte(body, 20, get_byte(body, 20) # 1) WHERE conversation_id = '"
            + conv + "' AND seq = " + s1);
        st.execute("UPDATE message SET seq = 1000 WHERE conversation_id = '" + conv + "' AND seq = " + s2);
      }
      c.clear();
      c.send(new JsonObject().put("type", "chat.sync").put("conversationId", conv).put("afterSeq", 0));
      c.await("chat.synced");
      List<JsonObject> msgs = c.seen().stream().filter(f -> "chat.message".equals(f.getString("type"))).toList();
      JsonObject tampered = msgs.stream().filter(m -> m.getLong("seq") == s1).findFirst().orElseThrow();
      assertTrue(tampered.getBoolean("unreadable"));
      assertNull(tampered.getString("text"));
      JsonObject moved = msgs.stream().filter(m -> m.getLong("seq") == 1000).findFirst().orElseThrow();
      assertTrue(moved.getBoolean("unreadable", false), "a row moved to another seq fails its associated data: " + msgs);
      assertNull(moved.getString("text"));
    }
  }

  @Test
  void keyRotationRewrapsEveryDataKeyAndOldMessagesStayReadable() throws Exception {
    TestSession client = TestSession.login(port, "b-client");
    String conv;
    UUID before = UUID.randomUUID();
    try (WsClient c = WsClient.connect(client)) {
      conv = conversationOf(c);
      c.send(sendFrame(conv, before, "written under version one"));
      ack(c, before);
    }
    TestSession admin = TestSession.login(port, "b-admin");
    var started = admin.send("POST", "/api/admin/keys/rotation", null);
    assertEquals(202, started.statusCode(), started.body());
    JsonObject state = new JsonObject(started.body());
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!"done".equals(state.getString("state")) && System.nanoTime() < deadline) {
      Thread.sleep(100);
      state = new JsonObject(admin.get("/api/admin/keys/rotation").body());
      assertFalse("failed".equals(state.getString("state")), state.encode());
    }
    assertEquals("done", state.getString("state"), state.encode());
    int version = state.getInteger("version");
    assertTrue(version >= 2);
    try (Connection su = superuser(); var st = su.createStatement();
        var rs = st.executeQuery("SELECT count(*) FROM conversation WHERE dk_version <> " + version)) {
      rs.next();
      assertEquals(0, rs.getLong(1), "every conversation key re-wrapped under the new version");
    }
    try (WsClient c = WsClient.connect(client)) {
      c.await("hello");
      UUID after = UUID.randomUUID();
      c.send(sendFrame(conv, after, "written after the rotation"));
      ack(c, after);
      c.clear();
      c.send(new JsonObject().put("type", "chat.sync").put("conversationId", conv).put("afterSeq", 0));
      c.await("chat.synced");
      List<String> texts = c.seen().stream().filter(f -> "chat.message".equals(f.getString("type")))
          .map(f -> f.getString("text")).toList();
      assertTrue(texts.contains("written under version one"), texts.toString());
      assertTrue(texts.contains("written after the rotation"), texts.toString());
    }
  }

  @Test
  void riskyChatTextIsScreenedCommittedWithTheMessageAndEscalated() throws Exception {
    try (WsClient client = WsClient.connect(TestSession.login(port, "b-client"));
        WsClient oncall = WsClient.connect(TestSession.login(port, "b-oncall"))) {
      String conv = conversationOf(client);
      oncall.await("hello");
      UUID idiom = UUID.randomUUID();
      client.send(sendFrame(conv, idiom, "this traffic is killing me"));
      long idiomSeq = ack(client, idiom).getLong("seq");
      UUID risky = UUID.randomUUID();
      long t0 = System.nanoTime();
      client.send(sendFrame(conv, risky, "I have the pills ready and I am going to take them all tonight"));
      long riskySeq = ack(client, risky).getLong("seq");
      JsonObject info = client.await("crisis.info");
      assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(2).toNanos(), "the client is told where to get help at once");
      assertEquals("CRITICAL", info.getString("severity"));
      assertTrue(info.encode().contains("988"), info.encode());
      JsonObject alert = oncall.await("alert");
      assertEquals("CRITICAL", alert.getJsonObject("incident").getString("severity"));
      // The finding is marked handled once the engine accepted it (which also sends the alert):
      // wait for that commit rather than racing it.
      long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (System.nanoTime() < until) {
        try (Connection su = superuser(); var st = su.createStatement();
            var rs = st.executeQuery("SELECT count(*) FROM chat_finding WHERE conversation_id = '" + conv
                + "' AND severity = 'CRITICAL' AND handled_at IS NOT NULL")) {
          rs.next();
          if (rs.getLong(1) == 1) {
            break;
          }
        }
        Thread.sleep(50);
      }
      try (Connection su = superuser(); var st = su.createStatement();
          var rs = st.executeQuery("SELECT seq, severity, rule_id, handled_at IS NOT NULL FROM chat_finding"
              + " WHERE conversation_id = '" + conv + "' ORDER BY seq")) {
        assertTrue(rs.next());
        assertEquals(idiomSeq, rs.getLong(1));
        assertEquals("WATCH", rs.getString(2));
        assertEquals("watch.idiom", rs.getString(3));
        assertTrue(rs.next());
        assertEquals(riskySeq, rs.getLong(1));
        assertEquals("CRITICAL", rs.getString(2));
        assertTrue(rs.getBoolean(4), "handed to the escalation engine");
      }
    }
  }

  @Test
  void aDumpOfTheDatabaseContainsNoMessageText() throws Exception {
    String marker = "ultraviolet-pineapple-" + UUID.randomUUID();
    try (WsClient c = WsClient.connect(TestSession.login(port, "a-client"))) {
      String conv = conversationOf(c);
      UUID id = UUID.randomUUID();
      c.send(sendFrame(conv, id, marker));
      ack(c, id);
    }
    try (Connection su = superuser()) {
      CopyManager copy = new CopyManager(su.unwrap(BaseConnection.class));
      StringWriter dump = new StringWriter();
      for (String table : List.of("message", "conversation", "audit_log", "staff_notice", "read_marker")) {
        copy.copyOut("COPY " + table + " TO STDOUT", dump);
      }
      assertFalse(dump.toString().contains(marker), "plaintext found in the dump");
      assertFalse(dump.toString().contains(toHex(marker)), "hex plaintext found in the dump");
    }
  }

  private static String toHex(String s) {
    return java.util.HexFormat.of().formatHex(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  @Test
  void handshakeRefusesForeignOriginsMissingSessionsAndMissingSubprotocol() {
    TestSession s = TestSession.login(port, "a-client");
    for (String origin : List.of("https://evil.example", "null", "https://localhost.evil.example",
        "https://localhost:" + port + ".evil.example", "http://localhost:" + port, "https://127.0.0.1:" + port,
        "https://localhost:" + (port + 1), "https://LOCALHOST.evil.example")) {
      var o = WsClient.options(s);
      o.getHeaders().set("Origin", origin);
      assertEquals(403, WsClient.handshakeStatus(o), origin);
    }
    var noOrigin = WsClient.options(s);
    noOrigin.getHeaders().remove("Origin");
    assertEquals(403, WsClient.handshakeStatus(noOrigin));
    var noCookie = WsClient.options(s);
    noCookie.getHeaders().remove("Cookie");
    assertEquals(401, WsClient.handshakeStatus(noCookie));
    var badCookie = WsClient.options(s);
    badCookie.getHeaders().set("Cookie", "__Host-interlude=" + "A".repeat(43));
    assertEquals(401, WsClient.handshakeStatus(badCookie));
    var noProtocol = WsClient.options(s).setSubProtocols(List.of());
    assertEquals(400, WsClient.handshakeStatus(noProtocol));
    assertEquals(101, WsClient.handshakeStatus(WsClient.options(s)));
  }

  @Test
  void logoutClosesThatUsersSocketsWithin2sWith1008() {
    TestSession s = TestSession.login(port, "b-therapist");
    try (WsClient one = WsClient.connect(s); WsClient two = WsClient.connect(s)) {
      one.await("hello");
      two.await("hello");
      long t0 = System.nanoTime();
      assertEquals(204, s.send("POST", "/api/auth/logout", null).statusCode());
      assertEquals(1008, one.awaitClose(Duration.ofSeconds(2)));
      assertEquals(1008, two.awaitClose(Duration.ofSeconds(2)));
      assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(2).toNanos());
      assertNotNull(one.seen().stream().filter(f -> "session.ended".equals(f.getString("type"))).findFirst().orElse(null));
    }
  }
}
