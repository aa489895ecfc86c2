package org.interlude.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.interlude.app.Server;
import org.interlude.storage.DatabaseTarget;
import org.interlude.testing.Fixtures;
import org.interlude.testing.PostgresExtension;
import org.interlude.testing.TestServers;
import org.interlude.testing.TestSession;
import org.interlude.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Chat limits with the shipped defaults, and the unread notice to the care team. */
@ExtendWith(PostgresExtension.class)
class ChatLimitsTest {
  static Server server;
  static int port;
  static DatabaseTarget db;

  @BeforeAll
  static void start(DatabaseTarget database) {
    db = database;
    var env = new HashMap<>(TestServers.env(db));
    env.put("INTERLUDE_CHAT_UNREAD_NOTICE_AFTER", "10s");
    server = TestServers.start(env);
    port = server.httpPort();
    Fixtures.clinic(server, "l");
  }

  @AfterAll
  static void stop() {
    TestServers.stop(server);
  }

  static String conversationOf(WsClient c) {
    return c.await("hello").getJsonArray("conversations").getJsonObject(0).getString("conversationId");
  }

  @Test
  void sendingFasterThanTheLimitGetsRateLimitedErrorsAndNothingIsLost() {
    try (WsClient c = WsClient.connect(TestSession.login(port, "l-client"))) {
      String conv = conversationOf(c);
      List<String> sent = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        String id = UUID.randomUUID().toString();
        sent.add(id);
        c.send(new JsonObject().put("type", "chat.send").put("conversationId", conv).put("clientMsgId", id)
            .put("text", "burst " + i).put("ref", id));
      }
      int acked = 0;
      int limited = 0;
      for (String id : sent) {
        JsonObject f = c.await(x -> id.equals(x.getString("ref")), Duration.ofSeconds(10));
        if ("chat.ack".equals(f.getString("type"))) {
          acked++;
        } else {
          assertEquals("rate_limited", f.getString("code"), f.encode());
          limited++;
        }
      }
      assertTrue(acked >= 30, "the burst allowance is honoured: " + acked);
      assertTrue(limited >= 1, "sends beyond the burst are refused with an error, not dropped silently");
      assertEquals(40, acked + limited, "every send got an answer");
    }
  }

  @Test
  void typingIndicatorsAreRateLimited() {
    try (WsClient c = WsClient.connect(TestSession.login(port, "l-client2"))) {
      String conv = conversationOf(c);
      for (int i = 0; i < 10; i++) {
        c.send(new JsonObject().put("type", "chat.typing").put("conversationId", conv));
      }
      assertEquals("rate_limited", c.await("error").getString("code"));
    }
  }

  @Test
  void tooManyConnectionsForOneUserAreRefusedWithAnError() {
    TestSession s = TestSession.login(port, "l-therapist2");
    List<WsClient> open = new ArrayList<>();
    try {
      for (int i = 0; i < 8; i++) {
        WsClient c = WsClient.connect(s);
        c.await("hello");
        open.add(c);
      }
      WsClient ninth = WsClient.connect(s);
      open.add(ninth);
      assertEquals("too_many_connections", ninth.await("error").getString("code"));
      assertEquals(1008, ninth.awaitClose(Duration.ofSeconds(5)));
    } finally {
      open.forEach(WsClient::close);
    }
  }

  @Test
  void aMessageUnreadByTheCareTeamRaisesANoticeWithoutContent() throws Exception {
    try (WsClient client = WsClient.connect(TestSession.login(port, "l-client"));
        WsClient therapist = WsClient.connect(TestSession.login(port, "l-therapist"))) {
      String conv = conversationOf(client);
      therapist.await("hello");
      String id = UUID.randomUUID().toString();
      client.send(new JsonObject().put("type", "chat.send").put("conversationId", conv).put("clientMsgId", id)
          .put("text", "is anyone there? I feel awful today"));
      client.await("chat.ack");
      JsonObject notice = therapist.await(f -> "notice".equals(f.getString("type")), Duration.ofSeconds(20));
      assertEquals("unread_messages", notice.getString("kind"));
      assertTrue(!notice.encode().contains("awful"), "no message content in the notice");
      Properties p = new Properties();
      p.setProperty("user", "postgres");
      try (Connection su = DriverManager.getConnection(db.jdbcUrl(), p); var st = su.createStatement();
          var rs = st.executeQuery("SELECT count(*) FROM staff_notice WHERE kind = 'unread_messages'")) {
        rs.next();
        assertEquals(1, rs.getLong(1), "one notice, for the one therapist of the care team");
      }
    }
  }
}
