package org.interlude.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.interlude.config.InterludeConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A clustered Vert.x instance: Hazelcast (open source) for membership and the bus's routing
 * table, and the event bus between nodes over mutual TLS with certificates of the cluster CA.
 * Hazelcast carries ids only (bus subscriptions, node info, presence); patient data never
 * crosses either channel, and PostgreSQL stays the only truth.
 */
public final class ClusterNode {
  private static final Logger log = LoggerFactory.getLogger(ClusterNode.class);

  /** Applies the listeners' TLS policy (protocols, suites, engine, certificate) to the bus. */
  @FunctionalInterface
  public interface TlsPolicy {
    void apply(EventBusOptions options, Path cert, Path key);
  }

  private final Vertx vertx;
  private final HazelcastClusterManager manager;

  private ClusterNode(Vertx vertx, HazelcastClusterManager manager) {
    this.vertx = vertx;
    this.manager = manager;
  }

  /**
   * Joins the cluster described by {@code cfg.cluster()}: prepares the TLS files (generating
   * development ones when none are configured), builds the Hazelcast configuration and starts a
   * clustered Vert.x. Blocks while preparing files; call it from a plain thread.
   */
  public static Future<ClusterNode> start(VertxOptions options, VertxMetricsFactory metrics, InterludeConfig cfg,
      TlsPolicy tls) {
    ClusterCertificates.NodeFiles files;
    Config hz;
    try {
      files = tlsFiles(cfg);
      hz = hazelcastConfig(cfg.cluster());
    } catch (IOException | RuntimeException e) {
      return Future.failedFuture(new IllegalStateException("cluster set-up failed: " + e.getMessage(), e));
    }
    HazelcastClusterManager manager = new HazelcastClusterManager(hz);
    options.setEventBusOptions(eventBusOptions(cfg.cluster(), files, tls));
    var builder = Vertx.builder().with(options).withClusterManager(manager);
    if (metrics != null) {
      builder = builder.withMetrics(metrics);
    }
    return builder.buildClustered().map(v -> {
      ClusterNode node = new ClusterNode(v, manager);
      log.info("joined cluster name={} members={} hazelcastPort={}", cfg.cluster().name(), node.memberCount(),
          cfg.cluster().port());
      return node;
    });
  }

  /** The configured TLS files, or development ones in {@code <data_dir>/cluster-tls}. */
  static ClusterCertificates.NodeFiles tlsFiles(InterludeConfig cfg) throws IOException {
    InterludeConfig.Cluster c = cfg.cluster();
    if (!c.generatedTls()) {
      return new ClusterCertificates.NodeFiles(Path.of(c.caFile()), Path.of(c.certFile()), Path.of(c.keyFile()));
    }
    Path dir = cfg.node().dataDir().resolve("cluster-tls");
    List<String> hosts = new ArrayList<>(List.of(c.host()));
    if (!hosts.contains("127.0.0.1")) {
      hosts.add("127.0.0.1");
    }
    ClusterCertificates.Generated g = ClusterCertificates.loadOrCreateDevelopment(dir, cfg.node().id(), hosts);
    if (g.createdCa()) {
      log.warn("generated a DEVELOPMENT cluster CA in {}: only nodes whose certificates it signed can join this node's"
          + " event bus; configure cluster.tls.ca_file, cert_file and key_file (scripts/interlude certs) for production",
          dir);
    }
    return g.files();
  }

  /**
   * The Hazelcast configuration: {@code cluster.hazelcast_config} with this node's settings laid
   * over it (name, address and port, no multicast or auto-detection, heartbeat every second and
   * the configured failure detection), joining through TCP-IP with {@code cluster.members} unless
   * the file configures a discovery mechanism (Kubernetes, a cloud or a discovery SPI strategy):
   * then that finds the members and the member list is not used.
   */
  public static Config hazelcastConfig(InterludeConfig.Cluster c) throws IOException {
    Config config;
    try {
      config = Config.loadFromFile(c.hazelcastConfig().toFile());
    } catch (FileNotFoundException e) {
      throw new IOException("cluster.hazelcast_config: cannot read " + c.hazelcastConfig(), e);
    }
    config.setClusterName(c.name());
    config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    config.setProperty("hazelcast.max.no.heartbeat.seconds", String.valueOf(c.failureDetection().toSeconds()));
    config.setProperty("hazelcast.local.localAddress", c.host());
    config.setProperty("hazelcast.socket.bind.any", "false");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    if (config.getProperty("hazelcast.wait.seconds.before.join") == null) {
      // Hazelcast waits 5 s by default before joining, for members started together to find
      // each other; a node restarting into a running cluster finds its master at once, and a
      // rolling restart is that much shorter per node.
      config.setProperty("hazelcast.wait.seconds.before.join", "1");
    }
    // Presence entries of a node that vanished without deleting them expire (Presence).
    config.getMapConfig(Presence.MAP).setTimeToLiveSeconds(Presence.TTL_SECONDS);
    NetworkConfig network = config.getNetworkConfig();
    network.setPort(c.port()).setPortAutoIncrement(false).setPublicAddress(c.host() + ":" + c.port());
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    if (discoveryConfigured(join)) {
      // Hazelcast allows one join mechanism: TCP-IP on top of Kubernetes discovery would refuse
      // to start, and a fixed member list cannot follow pods that come and go anyway.
      join.getTcpIpConfig().setEnabled(false);
      log.info("cluster members come from the discovery configured in {}; cluster.members is not used",
          c.hazelcastConfig());
    } else {
      join.getTcpIpConfig().setEnabled(true).setMembers(new ArrayList<>(c.members()));
    }
    return config;
  }

  /** Whether the Hazelcast file finds members itself (Kubernetes, AWS, GCP, Azure, Eureka, SPI). */
  static boolean discoveryConfigured(JoinConfig join) {
    return join.getKubernetesConfig().isEnabled() || join.getAwsConfig().isEnabled()
        || join.getGcpConfig().isEnabled() || join.getAzureConfig().isEnabled() || join.getEurekaConfig().isEnabled()
        || !join.getDiscoveryConfig().getDiscoveryStrategyConfigs().isEmpty();
  }

  /** The bus between nodes: mutual TLS, trusting only the cluster CA, on cluster.host/bus_port. */
  public static EventBusOptions eventBusOptions(InterludeConfig.Cluster c, ClusterCertificates.NodeFiles files,
      TlsPolicy tls) {
    EventBusOptions eb = new EventBusOptions();
    tls.apply(eb, files.cert(), files.key());
    eb.setSsl(true)
        .setTrustAll(false)
        .setTrustOptions(new PemTrustOptions().addCertPath(files.ca().toString()))
        .setClientAuth(ClientAuth.REQUIRED)
        .setHost(c.host())
        .setPort(c.busPort())
        .setClusterPublicHost(c.host());
    return eb;
  }

  public Vertx vertx() {
    return vertx;
  }

  /** Members Hazelcast currently sees, this one included; 0 when this node is not running. */
  public int memberCount() {
    HazelcastInstance hz = manager.getHazelcastInstance();
    if (hz == null || !hz.getLifecycleService().isRunning()) {
      return 0;
    }
    return hz.getCluster().getMembers().size();
  }

  /** {@code cluster: joined} with the member count, or {@code cluster: not joined} (not ready). */
  public JsonObject readiness() {
    int members = memberCount();
    boolean joined = manager.isActive() && members >= 1;
    return new JsonObject().put("cluster", joined ? "joined" : "not joined").put("clusterMembers", members)
        .put("ready", joined);
  }

  /** The underlying cluster manager (presence uses its Hazelcast instance). */
  public HazelcastClusterManager manager() {
    return manager;
  }
}
