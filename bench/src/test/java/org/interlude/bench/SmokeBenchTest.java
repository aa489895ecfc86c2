package org.interlude.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * scripts/bench --smoke in the suite: a real node and the Vert.x relay, 10 s of low-rate chat
 * pairs over WSS against each, then a check-in burst of 100 prompts against the node. Asserts
 * that nothing failed and nothing acknowledged or due was lost; speed is measured by
 * scripts/bench, never asserted here.
 */
class SmokeBenchTest {
  @Test
  @Timeout(300)
  void lowRateChatPairsLoseNothing() throws Exception {
    // The node runs from its packaged jar and lib/, as in production (the reactor builds the
    // server module first: it is a test dependency of this one).
    Path jar = Path.of("../server/target/interlude-server.jar").toAbsolutePath().normalize();
    assertTrue(jar.toFile().isFile(), "the server module must be packaged first: " + jar);
    System.setProperty("interlude.server.jar", jar.toString());
    Bench.Options o = Bench.Options.parse(new String[] {"--smoke", "--root", "..", "--out", "target/bench-results",
        "--base-port", "48700", "--server-java-opts", "-Xmx512m"});
    JsonObject result = Bench.run(o, new Progress());
    assertEquals(3, result.getJsonArray("runs").size(), result.encodePrettily());
    for (Object x : result.getJsonArray("runs")) {
      JsonObject r = (JsonObject) x;
      String who = r.getString("scenario") + " " + r.getString("target") + ": " + r.encode();
      assertEquals(0L, r.getLong("errors"), who);
      assertEquals(0L, r.getLong("lost"), who);
      if (r.getString("scenario").equals("checkin-burst")) {
        assertEquals("interlude", r.getString("target"), who);
        assertEquals(100L, r.getLong("prompts"), who);
        assertEquals(r.getLong("prompts"), r.getLong("delivered"), who);
      } else {
        assertEquals(0L, r.getLong("unacked"), who);
        assertEquals(r.getLong("sent"), r.getLong("delivered"), who);
        assertTrue(r.getLong("sent") >= 1000, who);
      }
    }
    assertTrue(Path.of("target/bench-results").toFile().list().length >= 2);
  }
}
