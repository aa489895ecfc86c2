package org.interlude.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.interlude.testing.Https;
import org.interlude.testing.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/cluster 2} brings up a shared database, two clustered nodes and HAProxy; the
 * balancer's {@code /health/ready} answers 200 with {@code cluster: joined}; SIGTERM to the script
 * stops everything it started (no port is left listening).
 */
class ClusterScriptTest {
  @TempDir
  Path tmp;

  @Test
  void twoNodesBehindHaproxyComeUpAndStopTogether() throws Exception {
    Path script = Path.of("../scripts/cluster").toAbsolutePath().normalize();
    int base = freeRange();
    ProcessBuilder pb = new ProcessBuilder("bash", script.toString(), "2").redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("INTERLUDE_"));
    pb.environment().put("INTERLUDE_CLASSPATH", System.getProperty("java.class.path"));
    pb.environment().put("INTERLUDE_CLUSTER_BASE_PORT", String.valueOf(base));
    pb.environment().put("INTERLUDE_CLUSTER_DIR", tmp.toString());
    pb.environment().put("INTERLUDE_JAVA_OPTS", "-Xmx384m");
    Process p = pb.start();
    List<String> lines = Collections.synchronizedList(new ArrayList<>());
    Thread pump = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          lines.add(line);
        }
      } catch (Exception ignored) {
        // The script ended.
      }
    });
    pump.setDaemon(true);
    pump.start();
    try {
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
      while (lines.stream().noneMatch(l -> l.startsWith("balancer ")) && p.isAlive() && System.nanoTime() < end) {
        Thread.sleep(200);
      }
      assertTrue(lines.contains("balancer https://127.0.0.1:" + base), "script output:\n" + String.join("\n", lines));
      assertTrue(lines.contains("node 1 https://127.0.0.1:" + (base + 1)), String.join("\n", lines));
      assertTrue(lines.contains("node 2 https://127.0.0.1:" + (base + 2)), String.join("\n", lines));
      HttpResponse<String> r = Https.client().send(HttpRequest.newBuilder(
          URI.create("https://127.0.0.1:" + base + "/health/ready")).GET().build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r.body());
      JsonObject body = new JsonObject(r.body());
      assertEquals("joined", body.getString("cluster"));
      assertEquals(2, body.getInteger("clusterMembers"));
    } finally {
      p.destroy();
      boolean exited = p.waitFor(60, TimeUnit.SECONDS);
      if (!exited) {
        p.destroyForcibly();
      }
      assertTrue(exited, "the script stopped on SIGTERM:\n" + String.join("\n", lines));
    }
    for (int port : new int[] {base, base + 1, base + 2, base + 41, base + 42, base + 80}) {
      assertTrue(!TestServers.listening(port), "port " + port + " still open after the script stopped");
    }
    assertTrue(Files.exists(tmp.resolve("ca").resolve("ca.pem")));
  }

  /**
   * A base port whose derived ports (base .. base+80) are all free right now, below Linux's
   * ephemeral range (32768+) so that no outgoing connection can take one of them while the
   * cluster starts.
   */
  static int freeRange() {
    return TestServers.freeBase(20000, 32000, 1, 0, 1, 2, 21, 22, 41, 42, 61, 62, 80);
  }

}
