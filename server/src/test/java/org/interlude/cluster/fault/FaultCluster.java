package org.interlude.cluster.fault;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.interlude.cluster.ClusterCertificates;
import org.interlude.storage.DatabaseTarget;
import org.interlude.testing.Https;
import org.interlude.testing.ServerProcess;
import org.interlude.testing.TestPostgres;
import org.interlude.testing.TestServers;

/**
 * A real three-node cluster for fault tests, laid out like {@code scripts/cluster}: every node is
 * its own JVM ({@link ServerProcess}) on one shared PostgreSQL database, clustered over Hazelcast
 * and the mutual-TLS event bus with certificates from one CA made here, behind HAProxy running
 * the project's own {@code config/haproxy.cfg} with one {@code server} line per node.
 *
 * <p>Nodes can be killed ({@code SIGKILL}), frozen and thawed ({@code SIGSTOP}/{@code SIGCONT}),
 * stopped gracefully ({@code SIGTERM}) and started again on the same ports, so the balancer's
 * configuration never changes. HAProxy's log (health-check transitions) is kept so tests can wait
 * until the balancer sees a node up again.
 *
 * <p>Optionally each node runs in its own network namespace ({@link Netns}) so that the network
 * between nodes can be partitioned; the balancer (which then also forwards the nodes' database
 * connections) and PostgreSQL stay in the host's namespace.
 *
 * <p>Ports are {@code base .. base+39}, with the base chosen at random in 12000-19960: below
 * Linux's ephemeral range (an outgoing connection can never take a node's port while it
 * restarts) and away from {@code ClusterScriptTest}'s 20000-32000.
 */
public final class FaultCluster implements AutoCloseable {
  static final String ADMIN_PASSWORD = "first-boot-secret-for-tests-7";

  private final int nodes;
  private final int base;
  private final Path dir;
  private final DatabaseTarget db;
  /** Per-node network namespaces, or null: every node on loopback. */
  private final Netns net;
  private final List<Map<String, String>> env = new ArrayList<>();
  private final ServerProcess[] procs;
  private final int[] generation;
  private final List<String> balancerLog = Collections.synchronizedList(new ArrayList<>());
  private Process haproxy;
  private final List<Process> helpers = new ArrayList<>();

  private FaultCluster(int nodes, int base, Path dir, DatabaseTarget db, Netns net) {
    this.nodes = nodes;
    this.base = base;
    this.dir = dir;
    this.db = db;
    this.net = net;
    this.procs = new ServerProcess[nodes + 1];
    this.generation = new int[nodes + 1];
  }

  /**
   * Starts {@code n} nodes (node 1 first: it applies the migrations and creates the first admin;
   * the others then start together) and the balancer, and waits until the balancer answers ready.
   * With {@code namespaces} each node runs in its own network namespace ({@link Netns}), so the
   * network between nodes can be cut; the balancer and PostgreSQL stay in the host's.
   */
  public static FaultCluster start(int n, Map<String, String> extraEnv, boolean namespaces) throws Exception {
    Path dir = Files.createTempDirectory("interlude-fault");
    Netns net = namespaces ? Netns.create(n) : null;
    FaultCluster c = new FaultCluster(n, freeBase(), dir, TestPostgres.freshDatabase(), net);
    try {
      c.prepare(extraEnv);
      // The balancer first: in namespaces it also carries the nodes' database connections.
      c.startBalancer();
      c.procs[1] = c.launch(1);
      c.procs[1].awaitReady(Duration.ofSeconds(180));
      for (int i = 2; i <= n; i++) {
        c.procs[i] = c.launch(i);
      }
      for (int i = 2; i <= n; i++) {
        c.procs[i].awaitReady(Duration.ofSeconds(180));
      }
      c.awaitBalancerReady();
      return c;
    } catch (Exception | AssertionError e) {
      c.close();
      throw e;
    }
  }

  private ServerProcess launch(int i) {
    return ServerProcess.start(net == null ? List.of() : net.prefix(i), env.get(i));
  }

  /** Whether the nodes run in network namespaces (so {@link #partition} works). */
  public boolean namespaces() {
    return net != null;
  }

  /** The address node {@code i} listens on (HTTPS, Hazelcast, bus). */
  public String host(int i) {
    return net == null ? "127.0.0.1" : net.address(i);
  }

  /** Cuts the nodes of {@code a} off from those of {@code b}; each still reaches the database and the balancer. */
  public void partition(List<Integer> a, List<Integer> b) throws Exception {
    net.partition(a, b);
  }

  public void heal() throws Exception {
    net.heal();
  }

  /** The host's address as the nodes see it: loopback, or the bridge's address in namespaces. */
  public String hostAddress() {
    return net == null ? "127.0.0.1" : net.hostAddress();
  }

  /**
   * Makes {@code port} of the host (listening on {@link #hostAddress}) reachable from every node
   * as {@code 127.0.0.1:port}, e.g. for a webhook receiver: plain-http webhooks must go to a
   * loopback address. In namespaces a small HAProxy in each one forwards it.
   */
  public void forwardToHost(int port) throws IOException {
    if (net == null) {
      return;
    }
    for (int i = 1; i <= nodes; i++) {
      Path cfg = dir.resolve("forward-" + port + "-node" + i + ".cfg");
      Files.writeString(cfg, "defaults\n    mode tcp\n    timeout connect 5s\n    timeout client 60s\n"
          + "    timeout server 60s\nlisten forward\n    bind 127.0.0.1:" + port + "\n    server host "
          + net.hostAddress() + ":" + port + "\n");
      List<String> cmd = new ArrayList<>(net.prefix(i));
      cmd.addAll(List.of("haproxy", "-db", "-f", cfg.toString()));
      helpers.add(new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("forward-" + i + ".log")
          .toFile()).start());
    }
  }

  /** Node {@code i}'s {@code /health/ready} answer: its status and body. */
  public record Health(int status, String body) {}

  /**
   * Asks node {@code i} directly (not through the balancer). Its certificate names the
   * balancer's host, not the node's own address, so the host name is not checked.
   */
  public Health health(int i) throws IOException {
    var c = (javax.net.ssl.HttpsURLConnection) java.net.URI.create(
        "https://" + host(i) + ":" + httpPort(i) + "/health/ready").toURL().openConnection();
    c.setSSLSocketFactory(Https.trustAll().getSocketFactory());
    c.setHostnameVerifier((name, session) -> true);
    c.setConnectTimeout(5_000);
    c.setReadTimeout(5_000);
    try {
      int status = c.getResponseCode();
      var in = status < 400 ? c.getInputStream() : c.getErrorStream();
      return new Health(status, in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } finally {
      c.disconnect();
    }
  }

  private void prepare(Map<String, String> extraEnv) throws IOException {
    Path ca = dir.resolve("ca");
    ClusterCertificates.createCa(ca, "Fault test cluster CA");
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    String masterKey = Base64.getEncoder().encodeToString(key);
    StringBuilder members = new StringBuilder();
    for (int i = 1; i <= nodes; i++) {
      members.append(i == 1 ? "" : ",").append(host(i)).append(':').append(hazelcastPort(i));
    }
    // In namespaces the nodes reach PostgreSQL through the balancer on the bridge's address.
    String dbUrl = net == null ? "postgresql://" + db.host() + ":" + db.port() + "/" + db.database()
        : "postgresql://" + net.hostAddress() + ":" + databasePort() + "/" + db.database();
    String balancer = balancerUrl();
    env.add(null);
    for (int i = 1; i <= nodes; i++) {
      ClusterCertificates.NodeFiles tls = ClusterCertificates.createNode(ca, "node" + i,
          List.of(host(i), "127.0.0.1", "localhost"), dir.resolve("node" + i).resolve("cluster-tls"));
      Map<String, String> e = new HashMap<>();
      e.put("INTERLUDE_NODE_ID", "node" + i);
      e.put("INTERLUDE_NODE_DATA_DIR", dir.resolve("node" + i).toString());
      e.put("INTERLUDE_HTTP_HOST", host(i));
      e.put("INTERLUDE_HTTP_PORT", String.valueOf(httpPort(i)));
      e.put("INTERLUDE_HTTP_PUBLIC_URL", balancer);
      e.put("INTERLUDE_HTTP_ALLOWED_ORIGINS", balancer);
      e.put("INTERLUDE_MANAGEMENT_PORT", String.valueOf(base + 10 + i));
      e.put("INTERLUDE_DATABASE_URL", dbUrl);
      e.put("INTERLUDE_DATABASE_USER", db.user());
      e.put("INTERLUDE_DATABASE_POOL_SIZE", "8");
      e.put("INTERLUDE_ADMIN_PASSWORD", ADMIN_PASSWORD);
      e.put("INTERLUDE_SHUTDOWN_GRACE", "10s");
      // As scripts/cluster: HAProxy takes a draining node out before its sockets close.
      e.put("INTERLUDE_SHUTDOWN_DRAIN_DELAY", "4s");
      e.put("INTERLUDE_CRYPTO_MASTER_KEY", masterKey);
      e.put("INTERLUDE_CLUSTER_ENABLED", "true");
      e.put("INTERLUDE_CLUSTER_NAME", "fault-" + UUID.randomUUID().toString().substring(0, 8));
      e.put("INTERLUDE_CLUSTER_HOST", host(i));
      e.put("INTERLUDE_CLUSTER_PORT", String.valueOf(hazelcastPort(i)));
      e.put("INTERLUDE_CLUSTER_BUS_PORT", String.valueOf(base + 30 + i));
      e.put("INTERLUDE_CLUSTER_MEMBERS", members.toString());
      e.put("INTERLUDE_CLUSTER_HAZELCAST_CONFIG", repoFile("config/cluster.xml").toString());
      e.put("INTERLUDE_CLUSTER_TLS_CA_FILE", tls.ca().toString());
      e.put("INTERLUDE_CLUSTER_TLS_CERT_FILE", tls.cert().toString());
      e.put("INTERLUDE_CLUSTER_TLS_KEY_FILE", tls.key().toString());
      e.putAll(extraEnv);
      env.add(e);
    }
    // One cluster name for all: the per-node loop above drew one each.
    String name = env.get(1).get("INTERLUDE_CLUSTER_NAME");
    for (int i = 2; i <= nodes; i++) {
      env.get(i).put("INTERLUDE_CLUSTER_NAME", name);
    }
  }

  private void startBalancer() throws Exception {
    String cfg = Files.readString(repoFile("config/haproxy.cfg"));
    StringBuilder sb = new StringBuilder(cfg);
    if (!cfg.endsWith("\n")) {
      sb.append('\n');
    }
    for (int i = 1; i <= nodes; i++) {
      sb.append("    server node").append(i).append(' ').append(host(i)).append(':').append(httpPort(i)).append('\n');
    }
    if (net != null) {
      // PostgreSQL listens on loopback only: the nodes in their namespaces reach it through here.
      sb.append("\nlisten postgres\n    bind ").append(net.hostAddress()).append(':').append(databasePort())
          .append("\n    timeout client 1h\n    timeout server 1h\n    server pg ").append(db.host()).append(':')
          .append(db.port()).append('\n');
    }
    Path file = dir.resolve("haproxy.cfg");
    Files.writeString(file, sb.toString());
    ProcessBuilder pb = new ProcessBuilder("haproxy", "-db", "-f", file.toString()).redirectErrorStream(true);
    pb.environment().put("BALANCER_PORT", String.valueOf(base));
    haproxy = pb.start();
    Thread pump = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(haproxy.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          balancerLog.add(System.currentTimeMillis() + " " + line);
        }
      } catch (IOException ignored) {
        // HAProxy stopped.
      }
    }, "haproxy-log");
    pump.setDaemon(true);
    pump.start();
  }

  private void awaitBalancerReady() throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < end) {
      if (!haproxy.isAlive()) {
        throw new IllegalStateException("HAProxy exited:\n" + String.join("\n", balancerLog));
      }
      if (readyThroughBalancer()) {
        return;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("the balancer never answered ready:\n" + String.join("\n", balancerLog));
  }

  private boolean readyThroughBalancer() {
    try {
      return Https.get(base, "/health/ready").statusCode() == 200;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** A file of the repository (tests run from {@code server/}). */
  static Path repoFile(String relative) {
    Path p = Path.of("..").resolve(relative);
    return (Files.exists(p) ? p : Path.of(relative)).toAbsolutePath().normalize();
  }

  /** Ports base .. base+39, see the class comment. */
  static int freeBase() {
    return TestServers.freeBase(12000, 19960, 40, java.util.stream.IntStream.range(0, 40).toArray());
  }


  public int balancerPort() {
    return base;
  }

  public String balancerUrl() {
    return "https://127.0.0.1:" + base;
  }

  public int size() {
    return nodes;
  }

  public int httpPort(int i) {
    return base + i;
  }

  int hazelcastPort(int i) {
    return base + 20 + i;
  }

  int databasePort() {
    return base + 39;
  }

  public String nodeId(int i) {
    return "node" + i;
  }

  /** The node (1-based) whose {@code node.id} is {@code id}. */
  public int indexOf(String id) {
    for (int i = 1; i <= nodes; i++) {
      if (nodeId(i).equals(id)) {
        return i;
      }
    }
    throw new IllegalArgumentException("no node " + id);
  }

  public ServerProcess node(int i) {
    return procs[i];
  }

  public long pid(int i) {
    return procs[i].pid();
  }

  /** {@code kill -9}: the process is gone at once, its sockets reset by the kernel. */
  public void kill(int i) throws InterruptedException {
    procs[i].signal("KILL");
    procs[i].awaitExit(Duration.ofSeconds(10));
  }

  /** {@code SIGSTOP}: frozen with every socket open, as a hung host or a long GC pause. */
  public void freeze(int i) {
    procs[i].signal("STOP");
  }

  public void thaw(int i) {
    procs[i].signal("CONT");
  }

  /** {@code SIGTERM}: the node drains (readiness false, sockets closed with 1001) and exits. */
  public int terminate(int i) throws InterruptedException {
    procs[i].signal("TERM");
    return procs[i].awaitExit(Duration.ofSeconds(60));
  }

  /** Starts node {@code i} again on its ports and waits for its ready line. */
  public void restart(int i) throws InterruptedException {
    if (procs[i].alive()) {
      throw new IllegalStateException("node " + i + " is still running");
    }
    saveLog(i);
    procs[i] = launch(i);
    procs[i].awaitReady(Duration.ofSeconds(180));
  }

  /**
   * Waits until HAProxy reports node {@code i} UP after {@code sinceMillis} (its health check
   * passed {@code rise} times), so new connections may land on it again.
   */
  public void awaitBalancerUp(int i, long sinceMillis, Duration timeout) throws InterruptedException {
    String needle = "nodes/node" + i + " is UP";
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      synchronized (balancerLog) {
        for (String line : balancerLog) {
          int sp = line.indexOf(' ');
          if (line.contains(needle) && Long.parseLong(line.substring(0, sp)) >= sinceMillis) {
            return;
          }
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("HAProxy did not mark node " + i + " up within " + timeout + ":\n" + balancerLog());
  }

  /** HAProxy's log (health transitions), each line prefixed with the epoch millis it was read. */
  public String balancerLog() {
    synchronized (balancerLog) {
      return String.join("\n", balancerLog);
    }
  }

  /** A JDBC connection to the shared database as its owner (for checks and fault injection). */
  public Connection jdbc() throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", db.user());
    return DriverManager.getConnection(db.jdbcUrl(), p);
  }

  /** The last lines each node printed, for failure messages. */
  public String tails(int lines) {
    StringBuilder sb = new StringBuilder();
    for (int i = 1; i <= nodes; i++) {
      if (procs[i] == null) {
        continue;
      }
      String[] all = procs[i].output().split("\n");
      sb.append("---- node").append(i).append(" (last ").append(lines).append(" lines)\n");
      for (int k = Math.max(0, all.length - lines); k < all.length; k++) {
        sb.append(all[k]).append('\n');
      }
    }
    return sb.toString();
  }

  /**
   * Writes what node {@code i}'s current process printed to {@code target/fault-logs/}, so a
   * failed run (in CI too) can be read afterwards; each process of a node gets its own file.
   */
  private void saveLog(int i) {
    if (procs[i] == null) {
      return;
    }
    try {
      Path out = Path.of("target", "fault-logs");
      Files.createDirectories(out);
      Files.writeString(out.resolve(dir.getFileName() + "-node" + i + "." + (++generation[i]) + ".log"), procs[i].output());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    for (Process p : helpers) {
      p.destroyForcibly();
    }
    if (haproxy != null) {
      haproxy.destroy();
      try {
        if (!haproxy.waitFor(10, TimeUnit.SECONDS)) {
          haproxy.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (int i = nodes; i >= 1; i--) {
      if (procs[i] != null && procs[i].alive()) {
        // A frozen node must run again to finish dying.
        procs[i].signal("CONT");
        procs[i].close();
      }
      saveLog(i);
    }
    if (net != null) {
      net.close();
    }
    try {
      Files.createDirectories(Path.of("target", "fault-logs"));
      Files.writeString(Path.of("target", "fault-logs").resolve(dir.getFileName() + "-haproxy.log"), balancerLog());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
