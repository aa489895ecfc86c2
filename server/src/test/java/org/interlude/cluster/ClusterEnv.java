package org.interlude.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.interlude.testing.TestServers;

/**
 * Environment overrides (INTERLUDE_CLUSTER_*) that turn a test node into a cluster member: a
 * cluster name unique to the test (so test clusters never join each other), loopback Hazelcast
 * and bus ports, and certificates from a CA the test made.
 */
final class ClusterEnv {
  private ClusterEnv() {}

  /** A unique cluster name for one test. */
  static String name() {
    return "t-" + UUID.randomUUID().toString().substring(0, 8);
  }

  static Path hazelcastXml() {
    Path p = Path.of("../config/cluster.xml");
    return Files.exists(p) ? p.toAbsolutePath().normalize() : Path.of("config/cluster.xml").toAbsolutePath();
  }

  /** A new cluster CA in a temporary directory. */
  static Path newCa() {
    try {
      Path dir = Files.createTempDirectory("interlude-ca");
      ClusterCertificates.createCa(dir.resolve("ca"), "Test cluster CA");
      return dir.resolve("ca");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A certificate for {@code node} signed by the CA in {@code caDir}. */
  static ClusterCertificates.NodeFiles nodeFiles(Path caDir, String node) {
    try {
      return ClusterCertificates.createNode(caDir, node, List.of("127.0.0.1", "localhost"),
          Files.createTempDirectory("interlude-node-tls"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Cluster overrides for one member joining through {@code members} (host:port list). */
  static Map<String, String> member(String cluster, int hazelcastPort, String members, ClusterCertificates.NodeFiles tls) {
    Map<String, String> env = new HashMap<>();
    env.put("INTERLUDE_CLUSTER_ENABLED", "true");
    env.put("INTERLUDE_CLUSTER_NAME", cluster);
    env.put("INTERLUDE_CLUSTER_HOST", "127.0.0.1");
    env.put("INTERLUDE_CLUSTER_PORT", String.valueOf(hazelcastPort));
    env.put("INTERLUDE_CLUSTER_MEMBERS", members);
    env.put("INTERLUDE_CLUSTER_BUS_PORT", String.valueOf(TestServers.freePort()));
    env.put("INTERLUDE_CLUSTER_HAZELCAST_CONFIG", hazelcastXml().toString());
    env.put("INTERLUDE_CLUSTER_TLS_CA_FILE", tls.ca().toString());
    env.put("INTERLUDE_CLUSTER_TLS_CERT_FILE", tls.cert().toString());
    env.put("INTERLUDE_CLUSTER_TLS_KEY_FILE", tls.key().toString());
    return env;
  }
}
