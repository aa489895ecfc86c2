package org.interlude.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.MessageConsumer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.interlude.config.ConfigLoader;
import org.interlude.config.InterludeConfig;
import org.interlude.testing.TestServers;
import org.interlude.web.TlsSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The clustered event bus only talks mutual TLS with certificates of the cluster CA. Three
 * members join one Hazelcast cluster (open-source Hazelcast cannot keep anyone out, which is why
 * its port is firewalled): two certified by the cluster CA, and an impostor whose certificate
 * comes from another CA. The certified pair exchange bus messages; the impostor neither receives
 * what they publish nor gets what it publishes to them.
 */
class ClusterBusTlsTest {
  static final String ADDRESS = "interlude.test.tls";
  static final List<ClusterNode> nodes = new ArrayList<>();
  static final Map<ClusterNode, BlockingQueue<String>> inbox = new HashMap<>();
  static ClusterNode good1;
  static ClusterNode good2;
  static ClusterNode impostor;

  @BeforeAll
  static void start() throws Exception {
    Path clusterCa = ClusterEnv.newCa();
    Path otherCa = ClusterEnv.newCa();
    String name = ClusterEnv.name();
    int p1 = TestServers.freePort();
    int p2 = TestServers.freePort();
    int p3 = TestServers.freePort();
    String members = "127.0.0.1:" + p1 + ",127.0.0.1:" + p2 + ",127.0.0.1:" + p3;
    good1 = start(ClusterEnv.member(name, p1, members, ClusterEnv.nodeFiles(clusterCa, "good1")));
    good2 = start(ClusterEnv.member(name, p2, members, ClusterEnv.nodeFiles(clusterCa, "good2")));
    impostor = start(ClusterEnv.member(name, p3, members, ClusterEnv.nodeFiles(otherCa, "impostor")));
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (nodes.stream().anyMatch(n -> n.memberCount() < 3) && System.nanoTime() < end) {
      Thread.sleep(100);
    }
    for (ClusterNode n : nodes) {
      assertEquals(3, n.memberCount(), "Hazelcast membership includes the impostor: only TLS keeps it off the bus");
      BlockingQueue<String> q = new LinkedBlockingQueue<>();
      inbox.put(n, q);
      MessageConsumer<String> c = n.vertx().eventBus().consumer(ADDRESS, m -> q.add(m.body()));
      await(c.completion());
    }
    // Subscriptions travel through Hazelcast's multimap; give every member time to see them.
    Thread.sleep(1000);
  }

  static ClusterNode start(Map<String, String> cluster) throws Exception {
    Map<String, String> env = new HashMap<>(cluster);
    env.put("INTERLUDE_DATABASE_URL", "postgresql://127.0.0.1:5432/unused");
    env.put("INTERLUDE_NODE_DATA_DIR", java.nio.file.Files.createTempDirectory("interlude-bus").toString());
    InterludeConfig cfg = ConfigLoader.defaults(env);
    boolean openSsl = TlsSettings.useOpenSsl(cfg.tls().engine());
    ClusterNode n = await(ClusterNode.start(new VertxOptions(), null, cfg,
        (eb, cert, key) -> TlsSettings.apply(eb, cert, key, openSsl)));
    nodes.add(n);
    return n;
  }

  @AfterAll
  static void stop() {
    for (ClusterNode n : nodes) {
      try {
        n.vertx().close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // Best effort: the next test class uses its own cluster name and ports.
      }
    }
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @Test
  void certifiedMembersExchangeMessagesAndTheImpostorIsShutOut() throws Exception {
    inbox.values().forEach(BlockingQueue::clear);
    good1.vertx().eventBus().publish(ADDRESS, "from-good1");
    assertEquals("from-good1", inbox.get(good2).poll(10, TimeUnit.SECONDS), "certified peer receives");
    assertEquals("from-good1", inbox.get(good1).poll(1, TimeUnit.SECONDS), "local delivery");

    impostor.vertx().eventBus().publish(ADDRESS, "from-impostor");
    assertEquals("from-impostor", inbox.get(impostor).poll(5, TimeUnit.SECONDS), "the impostor's own local delivery works");
    assertNull(inbox.get(good1).poll(3, TimeUnit.SECONDS), "good1 never receives from the impostor");
    assertNull(inbox.get(good2).poll(100, TimeUnit.MILLISECONDS), "good2 never receives from the impostor");
    assertNull(inbox.get(impostor).poll(100, TimeUnit.MILLISECONDS), "the impostor never receives from good1");

    // The refused connections leave the certified pair working.
    good2.vertx().eventBus().publish(ADDRESS, "from-good2");
    assertEquals("from-good2", inbox.get(good1).poll(10, TimeUnit.SECONDS));
    assertNull(inbox.get(impostor).poll(2, TimeUnit.SECONDS), "the impostor never receives from good2");
    assertTrue(good1.readiness().getBoolean("ready"));
    assertEquals("joined", good1.readiness().getString("cluster"));
  }
}
