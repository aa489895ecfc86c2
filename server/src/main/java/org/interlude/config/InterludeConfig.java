package org.interlude.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The whole, validated configuration of one Interlude node. Built only by {@link ConfigLoader};
 * every value here has passed its checks, so components may use it without re-validating.
 * {@code toString()} of any part never shows a secret (see {@link Secret}).
 */
public record InterludeConfig(
    Node node,
    Http http,
    Tls tls,
    Management management,
    Database database,
    Crypto crypto,
    Identity identity,
    Admin admin,
    FirstClinic clinic,
    Chat chat,
    Checkin checkin,
    Escalation escalation,
    Screening screening,
    Cluster cluster,
    Shutdown shutdown) {

  static InterludeConfig read(ConfigTree t) {
    Node node = Node.read(t);
    Http http = Http.read(t);
    return new InterludeConfig(
        node,
        http,
        Tls.read(t),
        Management.read(t),
        Database.read(t),
        Crypto.read(t, node),
        Identity.read(t),
        Admin.read(t),
        FirstClinic.read(t),
        Chat.read(t),
        Checkin.read(t),
        Escalation.read(t),
        Screening.read(t),
        Cluster.read(t),
        Shutdown.read(t));
  }

  /** Identity of this process and where it keeps its files. */
  public record Node(String id, Path dataDir) {
    static Node read(ConfigTree t) {
      String id = t.string("node.id", "");
      if (id.isEmpty()) {
        id = defaultNodeId();
      } else if (!id.matches("[A-Za-z0-9._-]{1,64}")) {
        t.problem("node.id", "must be 1-64 letters, digits, '.', '_' or '-', got \"" + id + "\"");
      }
      String dir = t.string("node.data_dir", "./data");
      if (dir.isEmpty()) {
        t.problem("node.data_dir", "must not be empty");
        dir = "./data";
      }
      return new Node(id, Path.of(dir).toAbsolutePath().normalize());
    }

    private static String defaultNodeId() {
      String host = System.getenv().getOrDefault("HOSTNAME", "node");
      return (host + "-" + ProcessHandle.current().pid()).replaceAll("[^A-Za-z0-9._-]", "-");
    }
  }

  /** The public HTTPS listener (REST, WebSocket, static client). */
  public record Http(String host, int port, URI publicUrl, List<String> allowedOrigins) {
    static Http read(ConfigTree t) {
      String host = t.string("http.host", "0.0.0.0");
      int port = t.integer("http.port", 8443, 1, 65535);
      String url = t.string("http.public_url", "");
      URI publicUrl;
      if (url.isEmpty()) {
        publicUrl = URI.create("https://localhost:" + port);
      } else {
        publicUrl = parseOrigin(t, "http.public_url", url);
      }
      List<String> origins = new ArrayList<>();
      for (String o : t.list("http.allowed_origins", List.of())) {
        URI u = parseOrigin(t, "http.allowed_origins", o);
        origins.add(origin(u));
      }
      if (origins.isEmpty()) {
        origins.add(origin(publicUrl));
      }
      return new Http(host, port, publicUrl, List.copyOf(origins));
    }

    private static URI parseOrigin(ConfigTree t, String key, String value) {
      try {
        URI u = URI.create(value);
        if (!"https".equalsIgnoreCase(u.getScheme()) || u.getHost() == null) {
          t.problem(key, "must be an https:// URL, got \"" + value + "\"");
          return URI.create("https://localhost:8443");
        }
        return u;
      } catch (IllegalArgumentException e) {
        t.problem(key, "must be an https:// URL, got \"" + value + "\"");
        return URI.create("https://localhost:8443");
      }
    }

    /** The serialised origin (scheme://host[:port]) browsers send in the Origin header. */
    public static String origin(URI u) {
      String host = u.getHost().toLowerCase(Locale.ROOT);
      int port = u.getPort();
      return "https://" + host + (port == -1 || port == 443 ? "" : ":" + port);
    }
  }

  /** TLS for the public listener. Empty paths mean: generate a self-signed certificate. */
  public record Tls(String certFile, String keyFile, Engine engine) {
    public enum Engine { AUTO, OPENSSL, JDK }

    static Tls read(ConfigTree t) {
      String cert = t.string("tls.cert_file", "");
      String key = t.string("tls.key_file", "");
      if (cert.isEmpty() != key.isEmpty()) {
        t.problem(cert.isEmpty() ? "tls.cert_file" : "tls.key_file",
            "tls.cert_file and tls.key_file must be given together");
      }
      return new Tls(cert, key, t.enumValue("tls.engine", Engine.class, Engine.AUTO));
    }

    public boolean selfSigned() {
      return certFile.isEmpty();
    }
  }

  /** The management listener for Prometheus metrics; loopback only unless changed on purpose. */
  public record Management(boolean enabled, String host, int port) {
    static Management read(ConfigTree t) {
      return new Management(
          t.bool("management.enabled", true),
          t.string("management.host", "127.0.0.1"),
          t.integer("management.port", 9464, 1, 65535));
    }
  }

  /** PostgreSQL. An empty url starts the embedded server in the data directory. */
  public record Database(
      String url,
      String user,
      Secret password,
      String appUser,
      Secret appPassword,
      int poolSize,
      int urgentPoolSize,
      boolean migrateOnStart,
      int embeddedPort,
      Duration connectTimeout,
      Duration idleInTransactionTimeout) {
    static Database read(ConfigTree t) {
      String url = t.string("database.url", "");
      if (!url.isEmpty() && !url.startsWith("postgresql://") && !url.startsWith("postgres://")) {
        t.problem("database.url", "must start with postgresql://, got a value of another form");
      }
      return new Database(
          url,
          role(t, "database.user", "postgres"),
          t.secret("database.password"),
          role(t, "database.app_user", "interlude_app"),
          t.secret("database.app_password"),
          t.integer("database.pool_size", 16, 1, 256),
          t.integer("database.urgent_pool_size", 4, 1, 64),
          t.bool("database.migrate_on_start", true),
          t.integer("database.embedded_port", 0, 0, 65535),
          t.duration("database.connect_timeout", Duration.ofSeconds(10),
              Duration.ofSeconds(1), Duration.ofMinutes(5)),
          // 5 s: a node frozen in the middle of a chat write (SIGSTOP, a cut network) must not
          // hold its conversations' row locks, and with them every other node's writes to
          // those conversations, for longer (ClusterFaultTest).
          t.duration("database.idle_in_transaction_timeout", Duration.ofSeconds(5),
              Duration.ofSeconds(1), Duration.ofMinutes(10)));
    }

    public boolean embedded() {
      return url.isEmpty();
    }

    private static String role(ConfigTree t, String key, String def) {
      String r = t.string(key, def);
      if (!r.matches("[a-z_][a-z0-9_]{0,62}")) {
        t.problem(key, "must be a PostgreSQL role name (lower-case letters, digits, '_'), got \"" + r + "\"");
        return def;
      }
      return r;
    }
  }

  /** Where the master key ring comes from. */
  public record Crypto(Path masterKeyFile, Secret masterKey) {
    static Crypto read(ConfigTree t, Node node) {
      String file = t.string("crypto.master_key_file", "");
      Path path = file.isEmpty()
          ? node.dataDir().resolve("keys").resolve("master.keyring")
          : Path.of(file).toAbsolutePath().normalize();
      return new Crypto(path, t.secret("crypto.master_key"));
    }

    /** True when no key was configured and a development key ring lives in the data directory. */
    public boolean developmentKey() {
      return masterKey.isEmpty();
    }
  }

  /** Passwords, sessions, second factor and login throttling. */
  public record Identity(
      int argon2MemoryKib,
      int argon2Iterations,
      int argon2Parallelism,
      int passwordMinLength,
      Duration clientIdleTimeout,
      Duration staffIdleTimeout,
      Duration absoluteTimeout,
      int throttleFreeAttempts,
      int throttleFreeAttemptsPerAddress,
      Duration throttleMaxDelay,
      Duration breakGlassDuration,
      Duration invitationLifetime) {
    static Identity read(ConfigTree t) {
      return new Identity(
          t.integer("identity.argon2.memory_kib", 19456, 19456, 4 * 1024 * 1024),
          t.integer("identity.argon2.iterations", 2, 2, 100),
          t.integer("identity.argon2.parallelism", 1, 1, 16),
          t.integer("identity.password_min_length", 12, 12, 128),
          t.duration("identity.client_idle_timeout", Duration.ofMinutes(30),
              Duration.ofMinutes(1), Duration.ofHours(12)),
          t.duration("identity.staff_idle_timeout", Duration.ofMinutes(15),
              Duration.ofMinutes(1), Duration.ofHours(12)),
          t.duration("identity.absolute_timeout", Duration.ofHours(12),
              Duration.ofMinutes(5), Duration.ofDays(7)),
          t.integer("identity.throttle.free_attempts", 5, 1, 100),
          t.integer("identity.throttle.free_attempts_per_address", 50, 1, 100_000),
          t.duration("identity.throttle.max_delay", Duration.ofMinutes(15),
              Duration.ofSeconds(1), Duration.ofHours(24)),
          t.duration("identity.break_glass_duration", Duration.ofMinutes(60),
              Duration.ofMinutes(1), Duration.ofHours(12)),
          t.duration("identity.invitation_lifetime", Duration.ofHours(72),
              Duration.ofMinutes(10), Duration.ofDays(30)));
    }
  }

  /** The first administrator, created on first start. */
  public record Admin(String username, Secret password) {
    static Admin read(ConfigTree t) {
      String user = t.string("admin.username", "admin");
      if (!user.matches("[a-z0-9._-]{3,64}")) {
        t.problem("admin.username", "must be 3-64 lower-case letters, digits, '.', '_' or '-'");
      }
      return new Admin(user, t.secret("admin.password"));
    }
  }

  /** The clinic created with the first administrator on a fresh database. */
  public record FirstClinic(String name, String country, java.time.ZoneId timeZone, String staffedHours) {
    static FirstClinic read(ConfigTree t) {
      String name = t.string("clinic.name", "Interlude Clinic");
      if (name.isEmpty() || name.length() > 100) {
        t.problem("clinic.name", "must be 1-100 characters");
      }
      String country = t.string("clinic.country", "US").toUpperCase(java.util.Locale.ROOT);
      if (!java.util.Set.of("US", "CA", "GB", "AU").contains(country)) {
        t.problem("clinic.country", "must be one of US, CA, GB, AU (crisis lines are known for these), got \"" + country + "\"");
      }
      String hours = t.string("clinic.staffed_hours", "Monday to Friday, 9:00 to 17:00");
      if (hours.isEmpty()) {
        t.problem("clinic.staffed_hours", "must say when the clinic is staffed (shown beside crisis entry points)");
      }
      return new FirstClinic(name, country, t.zone("clinic.time_zone", java.time.ZoneId.of("America/New_York")), hours);
    }
  }

  /** Chat limits; each breach is answered with an error frame, never dropped silently. */
  public record Chat(
      int maxMessageChars,
      int maxFrameBytes,
      int sendBurst,
      int sendPerSecond,
      int maxConnectionsPerUser,
      Duration pingInterval,
      Duration idleTimeout,
      int maxWriteQueueBytes,
      Duration unreadNoticeAfter,
      int typingPerMinute,
      int writeLanes) {
    static Chat read(ConfigTree t) {
      return new Chat(
          t.integer("chat.max_message_chars", 4000, 1, 100_000),
          t.integer("chat.max_frame_bytes", 65536, 1024, 16 * 1024 * 1024),
          t.integer("chat.send_rate.burst", 30, 1, 100_000),
          t.integer("chat.send_rate.per_second", 10, 1, 100_000),
          t.integer("chat.max_connections_per_user", 8, 1, 1000),
          t.duration("chat.ping_interval", Duration.ofSeconds(20),
              Duration.ofSeconds(1), Duration.ofMinutes(10)),
          t.duration("chat.idle_timeout", Duration.ofSeconds(60),
              Duration.ofSeconds(2), Duration.ofHours(1)),
          t.integer("chat.max_write_queue_bytes", 1024 * 1024, 4096, 256 * 1024 * 1024),
          t.duration("chat.unread_notice_after", Duration.ofMinutes(15),
              Duration.ofSeconds(10), Duration.ofDays(7)),
          t.integer("chat.typing_per_minute", 30, 1, 10_000),
          t.integer("chat.write_lanes", 2, 1, 64));
    }
  }

  /**
   * The check-in scheduler: how often every node polls PostgreSQL for due prompts, how many rows
   * one claim takes, how far ahead prompts are materialised, how long a claim's lease lasts before
   * another node may take the owed work over, and how long a risk report may take before the
   * client is answered anyway (the report stays owed and is retried).
   */
  public record Checkin(
      Duration pollInterval,
      int batchSize,
      Duration horizon,
      Duration materializeEvery,
      Duration lease,
      Duration riskTimeout) {
    static Checkin read(ConfigTree t) {
      return new Checkin(
          t.duration("checkin.poll_interval", Duration.ofSeconds(1), Duration.ofMillis(50), Duration.ofMinutes(1)),
          t.integer("checkin.batch_size", 500, 1, 10_000),
          t.duration("checkin.horizon", Duration.ofDays(8), Duration.ofDays(1), Duration.ofDays(60)),
          t.duration("checkin.materialize_every", Duration.ofMinutes(30), Duration.ofSeconds(1), Duration.ofHours(24)),
          t.duration("checkin.lease", Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofMinutes(30)),
          t.duration("checkin.risk_timeout", Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofMinutes(1)));
    }
  }

  /**
   * The escalation engine's timing on every node. Escalation waits, repeats and the
   * acknowledgement timeout are per-policy data, not configuration.
   */
  public record Escalation(
      Duration pollInterval,
      Duration watchdogAfter,
      Duration claimTimeout,
      Duration webhookTimeout,
      int webhookMaxAttempts) {
    static Escalation read(ConfigTree t) {
      return new Escalation(
          t.duration("escalation.poll_interval", Duration.ofSeconds(1),
              Duration.ofMillis(100), Duration.ofSeconds(10)),
          t.duration("escalation.watchdog_after", Duration.ofSeconds(30),
              Duration.ofSeconds(5), Duration.ofMinutes(10)),
          // 5 s: a node frozen in the middle of a step delays that page by at most this plus one
          // poll interval (measured by ClusterFaultTest), well inside the 10 s allowed.
          t.duration("escalation.claim_timeout", Duration.ofSeconds(5),
              Duration.ofSeconds(1), Duration.ofMinutes(2)),
          t.duration("escalation.webhook.timeout", Duration.ofSeconds(10),
              Duration.ofSeconds(1), Duration.ofMinutes(2)),
          t.integer("escalation.webhook.max_attempts", 12, 1, 100));
    }
  }

  /** Chat screening rules: the bundled defaults plus clinic-edited override files. */
  public record Screening(List<Path> ruleFiles) {
    static Screening read(ConfigTree t) {
      List<Path> files = new ArrayList<>();
      for (String f : t.list("screening.rule_files", List.of())) {
        Path p = Path.of(f).toAbsolutePath().normalize();
        if (!java.nio.file.Files.isReadable(p)) {
          t.problem("screening.rule_files", "cannot read " + p);
        }
        files.add(p);
      }
      return new Screening(List.copyOf(files));
    }
  }

  /**
   * Clustering (Hazelcast membership, mutual-TLS event bus). Off for a single node. The three
   * TLS paths are all given (production: a cluster CA shared by every node) or all empty
   * (development: a CA and this node's certificate are generated into
   * {@code <data_dir>/cluster-tls/}).
   */
  public record Cluster(
      boolean enabled,
      String name,
      String host,
      int port,
      List<String> members,
      int busPort,
      Path hazelcastConfig,
      Duration failureDetection,
      String caFile,
      String certFile,
      String keyFile) {
    static Cluster read(ConfigTree t) {
      boolean enabled = t.bool("cluster.enabled", false);
      String name = t.string("cluster.name", "interlude");
      if (name.equals("dev")) {
        t.problem("cluster.name", "must not be Hazelcast's default \"dev\"");
      } else if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
        t.problem("cluster.name", "must be 1-64 letters, digits, '.', '_' or '-', got \"" + name + "\"");
      }
      if (enabled && t.string("database.url", "").isEmpty()) {
        // Each node's embedded PostgreSQL would be its own truth: nodes would lose each other's
        // messages and run every schedule once per node.
        t.problem("cluster.enabled", "a cluster needs an external database shared by every node: set database.url"
            + " (database.url is empty, which means the embedded single-node database)");
      }
      String host = t.string("cluster.host", "127.0.0.1");
      if (host.isEmpty() || host.equals("0.0.0.0") || host.equals("::")) {
        t.problem("cluster.host", "must be this node's address as the other nodes reach it (not a wildcard), got \""
            + host + "\"");
      }
      List<String> members = t.list("cluster.members", List.of("127.0.0.1:5701"));
      for (String m : members) {
        if (!m.matches("[A-Za-z0-9.\\-]+(:[0-9]{1,5})?|\\[[0-9A-Fa-f:]+\\](:[0-9]{1,5})?")) {
          t.problem("cluster.members", "each member must be host or host:port, got \"" + m + "\"");
        }
      }
      if (enabled && members.isEmpty()) {
        t.problem("cluster.members", "must name at least one member (this node's own host:port will do for the first)");
      }
      String hz = t.string("cluster.hazelcast_config", "config/cluster.xml");
      Path hzPath = Path.of(hz).toAbsolutePath().normalize();
      if (enabled && !java.nio.file.Files.isReadable(hzPath)) {
        t.problem("cluster.hazelcast_config", "cannot read " + hzPath);
      }
      String ca = t.string("cluster.tls.ca_file", "");
      String cert = t.string("cluster.tls.cert_file", "");
      String key = t.string("cluster.tls.key_file", "");
      boolean anyTls = !ca.isEmpty() || !cert.isEmpty() || !key.isEmpty();
      if (anyTls && (ca.isEmpty() || cert.isEmpty() || key.isEmpty())) {
        t.problem(ca.isEmpty() ? "cluster.tls.ca_file" : cert.isEmpty() ? "cluster.tls.cert_file" : "cluster.tls.key_file",
            "cluster.tls.ca_file, cluster.tls.cert_file and cluster.tls.key_file must be given together"
                + " (or all left empty for a generated development CA)");
      } else if (enabled && anyTls) {
        for (String[] f : new String[][] {{"cluster.tls.ca_file", ca}, {"cluster.tls.cert_file", cert},
            {"cluster.tls.key_file", key}}) {
          if (!java.nio.file.Files.isReadable(Path.of(f[1]))) {
            t.problem(f[0], "cannot read " + Path.of(f[1]).toAbsolutePath().normalize());
          }
        }
      }
      return new Cluster(
          enabled,
          name,
          host,
          t.integer("cluster.port", 5701, 1, 65535),
          members,
          t.integer("cluster.bus_port", 0, 0, 65535),
          hzPath,
          t.duration("cluster.failure_detection", Duration.ofSeconds(10),
              Duration.ofSeconds(2), Duration.ofSeconds(120)),
          ca,
          cert,
          key);
    }

    /** True when no cluster TLS files are configured and development ones are generated. */
    public boolean generatedTls() {
      return caFile.isEmpty();
    }
  }

  /**
   * SIGTERM: how long the node keeps serving while not ready, so a balancer stops sending it new
   * connections before its sockets close ({@code drainDelay}), and how long the drain may take
   * before the process exits anyway ({@code grace}).
   */
  public record Shutdown(Duration grace, Duration drainDelay) {
    static Shutdown read(ConfigTree t) {
      return new Shutdown(t.duration("shutdown.grace", Duration.ofSeconds(15),
          Duration.ofSeconds(1), Duration.ofMinutes(10)),
          t.duration("shutdown.drain_delay", Duration.ZERO, Duration.ZERO, Duration.ofMinutes(5)));
    }
  }
}
