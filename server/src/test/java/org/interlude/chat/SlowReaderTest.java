package org.interlude.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.UUID;
import org.interlude.app.Server;
import org.interlude.testing.Fixtures;
import org.interlude.testing.PostgresExtension;
import org.interlude.testing.TestServers;
import org.interlude.testing.TestSession;
import org.interlude.testing.WsClient;
import org.interlude.storage.DatabaseTarget;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A reader that stops reading is disconnected once its write queue fills (1013), never holds up
 * the sender or the other readers of the conversation, and gets everything by sync when it comes
 * back. The write queue is made small and the send rate high, so the test fills it in seconds.
 */
@ExtendWith(PostgresExtension.class)
class SlowReaderTest {
  static Server server;
  static int port;

  @BeforeAll
  static void start(DatabaseTarget db) {
    var env = new HashMap<>(TestServers.env(db));
    env.put("INTERLUDE_CHAT_MAX_WRITE_QUEUE_BYTES", "65536");
    env.put("INTERLUDE_CHAT_SEND_RATE_BURST", "100000");
    env.put("INTERLUDE_CHAT_SEND_RATE_PER_SECOND", "100000");
    server = TestServers.start(env);
    port = server.httpPort();
    Fixtures.clinic(server, "slow");
  }

  @AfterAll
  static void stop() {
    TestServers.stop(server);
  }

  @Test
  void aStalledReaderIsCutOffAloneAndCatchesUpBySync() {
    TestSession therapistSession = TestSession.login(port, "slow-therapist");
    try (WsClient client = WsClient.connect(TestSession.login(port, "slow-client"));
        WsClient stalled = WsClient.connect(therapistSession);
        WsClient attentive = WsClient.connect(therapistSession)) {
      String conv = client.await("hello").getJsonArray("conversations").getJsonObject(0).getString("conversationId");
      long startSeq = stalled.await("hello").getJsonArray("conversations").getJsonObject(0).getLong("lastSeq");
      attentive.await("hello");
      stalled.pause();

      // Far more than the kernel's socket buffers and the 64 KiB write queue can hold.
      String text = "x".repeat(3_900);
      int count = 2_500;
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        String id = UUID.randomUUID().toString();
        ids.add(id);
        client.send(new JsonObject().put("type", "chat.send").put("conversationId", conv).put("clientMsgId", id)
            .put("text", i + " " + text));
        if (i % 200 == 199) {
          // Pace by acknowledgements so the sender's own socket is never the slow one.
          String last = id;
          client.await(f -> "chat.ack".equals(f.getString("type")) && last.equals(f.getString("clientMsgId")),
              Duration.ofSeconds(60));
          client.clear();
        }
      }
      String lastId = ids.get(count - 1);
      long lastSeq = client.await(f -> "chat.ack".equals(f.getString("type")) && lastId.equals(f.getString("clientMsgId")),
          Duration.ofSeconds(60)).getLong("seq");
      assertEquals(startSeq + count, lastSeq, "every message committed");

      // The other reader got everything, in order, while the stalled one was stuck.
      long expect = startSeq + 1;
      while (expect <= lastSeq) {
        JsonObject m = attentive.await(f -> "chat.message".equals(f.getString("type")), Duration.ofSeconds(30));
        assertEquals(expect, m.getLong("seq"), "in order, none missing");
        expect++;
      }

      stalled.resume();
      assertEquals(1013, stalled.awaitClose(Duration.ofSeconds(30)), "the stalled reader is told to reconnect");
      long seenBeforeCut = stalled.seen().stream().filter(f -> "chat.message".equals(f.getString("type")))
          .mapToLong(f -> f.getLong("seq")).max().orElse(startSeq);
      assertTrue(seenBeforeCut < lastSeq, "it was cut off before the end (otherwise the test proved nothing)");

      try (WsClient back = WsClient.connect(therapistSession)) {
        back.await("hello");
        back.send(new JsonObject().put("type", "chat.sync").put("conversationId", conv).put("afterSeq", seenBeforeCut));
        long next = seenBeforeCut + 1;
        while (next <= lastSeq) {
          JsonObject m = back.await(f -> "chat.message".equals(f.getString("type")), Duration.ofSeconds(30));
          assertEquals(next, m.getLong("seq"), "sync resumes exactly after the last message seen");
          next++;
        }
        assertEquals(lastSeq, back.await("chat.synced").getLong("lastSeq"));
      }
    }
  }
}
