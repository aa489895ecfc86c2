package org.interlude.cluster;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.config.Config;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.interlude.app.Cli;
import org.interlude.config.ConfigException;
import org.interlude.config.ConfigLoader;
import org.interlude.config.InterludeConfig;
import org.interlude.crypto.TlsCertificates;
import org.interlude.web.TlsSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cluster configuration rules, the Hazelcast and bus settings built from them, and the certificates. */
class ClusterConfigTest {
  @TempDir
  Path tmp;

  static Map<String, String> clustered() {
    Map<String, String> env = new HashMap<>();
    env.put("INTERLUDE_CLUSTER_ENABLED", "true");
    env.put("INTERLUDE_DATABASE_URL", "postgresql://db.internal:5432/interlude");
    env.put("INTERLUDE_CLUSTER_HAZELCAST_CONFIG", ClusterEnv.hazelcastXml().toString());
    return env;
  }

  @Test
  void aClusterWithTheEmbeddedDatabaseIsRefusedNamingTheKeys() {
    Map<String, String> env = clustered();
    env.remove("INTERLUDE_DATABASE_URL");
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.defaults(env));
    assertTrue(e.getMessage().contains("cluster.enabled"), e.getMessage());
    assertTrue(e.getMessage().contains("database.url"), e.getMessage());
  }

  @Test
  void singleNodeStaysTheDefault() {
    InterludeConfig cfg = ConfigLoader.defaults(Map.of());
    assertFalse(cfg.cluster().enabled());
    assertTrue(cfg.cluster().generatedTls());
  }

  @Test
  void clusterTlsFilesGoTogetherAndMustBeReadable() {
    Map<String, String> env = clustered();
    env.put("INTERLUDE_CLUSTER_TLS_CA_FILE", tmp.resolve("ca.pem").toString());
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.defaults(env));
    assertTrue(e.getMessage().contains("cluster.tls.cert_file"), e.getMessage());
    env.put("INTERLUDE_CLUSTER_TLS_CERT_FILE", tmp.resolve("node.pem").toString());
    env.put("INTERLUDE_CLUSTER_TLS_KEY_FILE", tmp.resolve("node-key.pem").toString());
    e = assertThrows(ConfigException.class, () -> ConfigLoader.defaults(env));
    assertTrue(e.getMessage().contains("cluster.tls.ca_file: cannot read"), e.getMessage());
  }

  @Test
  void wildcardClusterHostAndBadMembersAreRefused() {
    Map<String, String> env = clustered();
    env.put("INTERLUDE_CLUSTER_HOST", "0.0.0.0");
    env.put("INTERLUDE_CLUSTER_MEMBERS", "10.0.0.1:5701,not a host");
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.defaults(env));
    assertTrue(e.getMessage().contains("cluster.host"), e.getMessage());
    assertTrue(e.getMessage().contains("cluster.members"), e.getMessage());
  }

  @Test
  void hazelcastSettingsComeFromTheConfiguration() throws Exception {
    Map<String, String> env = clustered();
    env.put("INTERLUDE_CLUSTER_NAME", "clinic-east");
    env.put("INTERLUDE_CLUSTER_HOST", "10.0.0.5");
    env.put("INTERLUDE_CLUSTER_PORT", "5801");
    env.put("INTERLUDE_CLUSTER_MEMBERS", "10.0.0.5:5801,10.0.0.6:5801");
    env.put("INTERLUDE_CLUSTER_FAILURE_DETECTION", "7s");
    Config hz = ClusterNode.hazelcastConfig(ConfigLoader.defaults(env).cluster());
    assertEquals("clinic-east", hz.getClusterName());
    assertEquals(5801, hz.getNetworkConfig().getPort());
    assertFalse(hz.getNetworkConfig().isPortAutoIncrement());
    assertEquals("10.0.0.5:5801", hz.getNetworkConfig().getPublicAddress());
    assertEquals("10.0.0.5", hz.getProperty("hazelcast.local.localAddress"));
    assertEquals("7", hz.getProperty("hazelcast.max.no.heartbeat.seconds"));
    assertEquals("1", hz.getProperty("hazelcast.heartbeat.interval.seconds"));
    var join = hz.getNetworkConfig().getJoin();
    assertFalse(join.getMulticastConfig().isEnabled());
    assertFalse(join.getAutoDetectionConfig().isEnabled());
    assertTrue(join.getTcpIpConfig().isEnabled());
    assertEquals(List.of("10.0.0.5:5801", "10.0.0.6:5801"), join.getTcpIpConfig().getMembers());
    assertTrue(hz.getMapConfig("interlude.presence").isPerEntryStatsEnabled());
  }

  /**
   * With Kubernetes discovery in the Hazelcast file (docs/operations.md), the TCP-IP member list
   * is not laid over it: Hazelcast accepts only one join mechanism, and pods come and go.
   */
  @Test
  void kubernetesDiscoveryInTheHazelcastFileReplacesTheMemberList() throws Exception {
    String xml = Files.readString(ClusterEnv.hazelcastXml()).replaceFirst("(?s)<tcp-ip enabled=\"true\">.*?</tcp-ip>",
        "<tcp-ip enabled=\"false\"/><kubernetes enabled=\"true\">"
            + "<service-dns>interlude-hazelcast.interlude.svc.cluster.local</service-dns></kubernetes>");
    Path file = tmp.resolve("cluster-k8s.xml");
    Files.writeString(file, xml);
    Map<String, String> env = clustered();
    env.put("INTERLUDE_CLUSTER_HAZELCAST_CONFIG", file.toString());
    env.put("INTERLUDE_CLUSTER_HOST", "10.1.2.3");
    env.put("INTERLUDE_CLUSTER_MEMBERS", "10.1.2.3:5701,10.1.2.4:5701");
    var join = ClusterNode.hazelcastConfig(ConfigLoader.defaults(env).cluster()).getNetworkConfig().getJoin();
    assertTrue(join.getKubernetesConfig().isEnabled());
    assertEquals("interlude-hazelcast.interlude.svc.cluster.local", join.getKubernetesConfig().getProperty("service-dns"));
    assertFalse(join.getTcpIpConfig().isEnabled(), "no TCP-IP member list on top of Kubernetes discovery");
    assertFalse(join.getMulticastConfig().isEnabled());
    assertDoesNotThrow(join::verify, "Hazelcast accepts the join configuration");

    // The shipped file has no discovery: TCP-IP with the configured members, also a valid join.
    var tcp = ClusterNode.hazelcastConfig(ConfigLoader.defaults(clustered()).cluster()).getNetworkConfig().getJoin();
    assertTrue(tcp.getTcpIpConfig().isEnabled());
    assertFalse(tcp.getKubernetesConfig().isEnabled());
    assertDoesNotThrow(tcp::verify);
  }

  @Test
  void certsCommandMakesACaAndNodeCertificatesTheBusTrusts() throws Exception {
    Path caDir = tmp.resolve("ca");
    Path nodeDir = tmp.resolve("node1");
    assertEquals(0, cli("certs", "ca", "--out", caDir.toString()));
    assertEquals(1, cli("certs", "ca", "--out", caDir.toString()), "never overwrites a CA");
    assertEquals(2, cli("certs", "node", "--ca", caDir.toString(), "--name", "node1", "--out", nodeDir.toString()),
        "a host is required");
    assertEquals(0, cli("certs", "node", "--ca", caDir.toString(), "--name", "node1", "--host", "10.0.0.5",
        "--host", "node1.internal", "--out", nodeDir.toString()));
    assertFalse(Files.exists(nodeDir.resolve(ClusterCertificates.CA_KEY)), "the CA key stays with the CA");
    X509Certificate ca = TlsCertificates.readCertificates(nodeDir.resolve("ca.pem")).get(0);
    X509Certificate node = TlsCertificates.readCertificates(nodeDir.resolve("node.pem")).get(0);
    assertDoesNotThrow(() -> node.verify(ca.getPublicKey()));
    assertTrue(node.getSubjectAlternativeNames().stream().anyMatch(n -> n.get(1).equals("node1.internal")));

    Map<String, String> env = clustered();
    env.put("INTERLUDE_CLUSTER_TLS_CA_FILE", nodeDir.resolve("ca.pem").toString());
    env.put("INTERLUDE_CLUSTER_TLS_CERT_FILE", nodeDir.resolve("node.pem").toString());
    env.put("INTERLUDE_CLUSTER_TLS_KEY_FILE", nodeDir.resolve("node-key.pem").toString());
    env.put("INTERLUDE_CLUSTER_BUS_PORT", "5802");
    InterludeConfig cfg = ConfigLoader.defaults(env);
    EventBusOptions eb = ClusterNode.eventBusOptions(cfg.cluster(), ClusterNode.tlsFiles(cfg),
        (o, cert, key) -> TlsSettings.apply(o, cert, key, false));
    assertTrue(eb.isSsl());
    assertFalse(eb.isTrustAll());
    assertEquals(ClientAuth.REQUIRED, eb.getClientAuth());
    assertEquals(TlsSettings.PROTOCOLS, eb.getEnabledSecureTransportProtocols());
    assertEquals(5802, eb.getPort());
    assertEquals("127.0.0.1", eb.getHost());
  }

  @Test
  void developmentCertificatesAreGeneratedOnceAndReused() throws Exception {
    Map<String, String> env = clustered();
    env.put("INTERLUDE_NODE_DATA_DIR", tmp.toString());
    InterludeConfig cfg = ConfigLoader.defaults(env);
    ClusterCertificates.NodeFiles first = ClusterNode.tlsFiles(cfg);
    assertEquals(tmp.resolve("cluster-tls").resolve("node.pem"), first.cert());
    String cert = Files.readString(first.cert());
    String ca = Files.readString(first.ca());
    ClusterCertificates.NodeFiles second = ClusterNode.tlsFiles(cfg);
    assertEquals(cert, Files.readString(second.cert()), "a valid node certificate is reused");
    assertEquals(ca, Files.readString(second.ca()));
  }

  static int cli(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    return Cli.run(args, new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
  }
}
