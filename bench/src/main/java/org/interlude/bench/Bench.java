package org.interlude.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.OpenSSLEngineOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Histogram;

/**
 * scripts/bench: starts an Interlude node and the two relay baselines, runs the same load
 * scenarios against each in turn, and writes bench-results/bench-TIMESTAMP.json and .html.
 */
public final class Bench {
  /** Run options (command line: --name value). */
  static final class Options {
    boolean smoke;
    int[] ladder = {1000, 2000, 5000, 10000};
    int pairs = 100;
    int connections = 2000;
    int seconds = 20;
    int warmupSeconds = 10;
    int closedPairs = 100;
    int closedSeconds = 20;
    int idle = 10000;
    int idlePerUser = 500;
    int crisis = 100;
    int escalationRate = 5000;
    int checkinPrompts = 50_000;
    int checkinClients = 1000;
    Set<String> targets = new LinkedHashSet<>(List.of("interlude", "vertx-relay", "node-relay"));
    Set<String> scenarios = new LinkedHashSet<>(List.of("ladder", "closed", "idle", "reconnect", "checkin", "escalation"));
    Path root = Path.of(".");
    Path out = Path.of("bench-results");
    int basePort = 48600;
    String serverJavaOpts = "-Xmx2g -XX:-DontCompileHugeMethods";

    static Options parse(String[] args) {
      Options o = new Options();
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        switch (a) {
          case "--smoke" -> {
            o.smoke = true;
            o.ladder = new int[] {100};
            o.pairs = 10;
            o.connections = 20;
            o.seconds = 10;
            o.warmupSeconds = 1;
            // Few clients: each costs two Argon2id hashes (creation, login), the smoke's largest setup cost.
            o.checkinPrompts = 100;
            o.checkinClients = 5;
            o.targets = new LinkedHashSet<>(List.of("interlude", "vertx-relay"));
            o.scenarios = new LinkedHashSet<>(List.of("ladder", "checkin"));
          }
          case "--ladder" -> o.ladder = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
          case "--pairs" -> o.pairs = Integer.parseInt(args[++i]);
          case "--connections" -> o.connections = Integer.parseInt(args[++i]);
          case "--seconds" -> o.seconds = Integer.parseInt(args[++i]);
          case "--warmup" -> o.warmupSeconds = Integer.parseInt(args[++i]);
          case "--closed-pairs" -> o.closedPairs = Integer.parseInt(args[++i]);
          case "--closed-seconds" -> o.closedSeconds = Integer.parseInt(args[++i]);
          case "--idle" -> o.idle = Integer.parseInt(args[++i]);
          case "--idle-per-user" -> o.idlePerUser = Integer.parseInt(args[++i]);
          case "--crisis" -> o.crisis = Integer.parseInt(args[++i]);
          case "--escalation-rate" -> o.escalationRate = Integer.parseInt(args[++i]);
          case "--checkin-prompts" -> o.checkinPrompts = Integer.parseInt(args[++i]);
          case "--checkin-clients" -> o.checkinClients = Integer.parseInt(args[++i]);
          case "--targets" -> o.targets = new LinkedHashSet<>(List.of(args[++i].split(",")));
          case "--scenarios" -> o.scenarios = new LinkedHashSet<>(List.of(args[++i].split(",")));
          case "--root" -> o.root = Path.of(args[++i]);
          case "--out" -> o.out = Path.of(args[++i]);
          case "--base-port" -> o.basePort = Integer.parseInt(args[++i]);
          case "--server-java-opts" -> o.serverJavaOpts = args[++i];
          default -> throw new IllegalArgumentException("unknown option " + a + " (see scripts/bench --help)");
        }
      }
      return o;
    }
  }

  public static void main(String[] args) throws Exception {
    if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
      System.out.println(HELP);
      return;
    }
    Options o = Options.parse(args);
    JsonObject result = run(o, new Progress());
    int bad = result.getInteger("failedChecks", 0);
    System.exit(o.smoke && bad > 0 ? 1 : 0);
  }

  static final String HELP = """
      scripts/bench [--smoke] [options]
        --smoke                 10 s low-rate chat pairs against Interlude and the Vert.x relay, and a check-in burst of
                                100 prompts; exit 1 on any error or loss
        --targets LIST          interlude,vertx-relay,node-relay
        --scenarios LIST        ladder,closed,idle,reconnect,checkin,escalation
        --ladder RATES          offered msg/s steps (default 1000,2000,5000,10000)
        --pairs N               active chat pairs (default 100)
        --connections N         connected clients during the ladder, idle ones fill up to N (default 2000)
        --seconds S             measured seconds per ladder step (default 20); --warmup S unmeasured seconds at
                          each step's rate before it (default 10)
        --closed-pairs N        pairs of the closed loop (default 100); --closed-seconds S (default 20)
        --idle K                idle connections for the idle and reconnect scenarios (default 10000)
        --idle-per-user N       connections per idle user (default 500)
        --checkin-prompts N     check-in prompts falling due at the same instant (default 50000), Interlude only
        --checkin-clients C     connected clients sharing them, N/C steps each, at most 60 (default 1000)
        --crisis N              crisis reports during the escalation scenario, one client each (default 100)
        --escalation-rate R     chat load during the escalation scenario (default 5000)
        --out DIR               results directory (default bench-results)
        --server-java-opts S    JVM options of the Interlude node and the Vert.x relay (default -Xmx2g -XX:-DontCompileHugeMethods)
      Environment: BENCH_INTERLUDE_X=v is passed to the Interlude node as INTERLUDE_X=v (e.g. an
      external PostgreSQL: BENCH_INTERLUDE_DATABASE_URL=postgresql://127.0.0.1:5432/interlude).
      BENCH_TARGET_LOG=/tmp/run- keeps each target's output in /tmp/run-<target>.log.
      """;

  static JsonObject run(Options o, Progress progress) throws Exception {
    Files.createDirectories(o.out);
    String stamp = Instant.now().toString().replace(":", "").replaceAll("\\..*", "");
    JsonObject result = new JsonObject().put("startedAt", Instant.now().toString()).put("smoke", o.smoke)
        .put("machine", Machine.describe()).put("versions", Machine.versions(o.root))
        .put("options", new JsonObject().put("ladder", new JsonArray(Arrays.stream(o.ladder).boxed().toList()))
            .put("pairs", o.pairs).put("connections", o.connections).put("seconds", o.seconds)
            .put("warmupSeconds", o.warmupSeconds).put("closedPairs", o.closedPairs).put("closedSeconds", o.closedSeconds)
            .put("idle", o.idle).put("idlePerUser", o.idlePerUser).put("crisis", o.crisis)
            .put("escalationRate", o.escalationRate).put("checkinPrompts", o.checkinPrompts)
            .put("checkinClients", o.checkinClients).put("serverJavaOpts", o.serverJavaOpts))
        .put("omitted", new JsonArray()
            .add(new JsonObject().put("scenario", "checkin-burst").put("targets", new JsonArray().add("vertx-relay").add("node-relay"))
                .put("reason", "the relays have no check-ins: the burst is measured against Interlude only"))
            .add(new JsonObject().put("scenario", "escalation-under-load").put("targets", new JsonArray().add("vertx-relay").add("node-relay"))
                .put("reason", "the relays have no crisis reports or on-call paging: measured against Interlude only")));
    JsonArray runs = new JsonArray();
    result.put("runs", runs);
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    WebSocketClientOptions wo = new WebSocketClientOptions().setSsl(true).setTrustAll(true).setVerifyHost(false)
        .setMaxConnections(1_000_000).setConnectTimeout(60_000).setMaxMessageSize(16 * 1024 * 1024);
    if (OpenSSLEngineOptions.isAvailable()) {
      wo.setSslEngineOptions(new OpenSSLEngineOptions());
    }
    WebSocketClient client = vertx.createWebSocketClient(wo);
    Scenarios sc = new Scenarios(vertx, client, progress);
    Path data = Files.createTempDirectory("interlude-bench-node");
    List<Target> targets = new ArrayList<>();
    // Everything this run started, measured or not: the node also runs when only the relays are
    // measured (they use its certificate), and it must not outlive the run holding its ports.
    List<Target> started = new ArrayList<>();
    // Ctrl-C or SIGTERM: stop the nodes and relays this run started.
    Thread hook = new Thread(() -> started.forEach(Target::close), "bench-cleanup");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      Target.Interlude node = startInterlude(o, data, progress);
      started.add(node);
      targets.add(node);
      Path cert = data.resolve("tls/cert.pem");
      Path key = data.resolve("tls/key.pem");
      if (o.targets.contains("vertx-relay")) {
        Target.Relay r = new Target.Relay("vertx-relay", o.basePort + 1, true);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(List.of(o.serverJavaOpts.split(" ")));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "org.interlude.bench.Relay",
            String.valueOf(r.port), cert.toString(), key.toString()));
        started.add(r);
        r.start(cmd, Map.of(), "relay ready", Duration.ofSeconds(30));
        targets.add(r);
      }
      if (o.targets.contains("node-relay")) {
        Target.Relay r = new Target.Relay("node-relay", o.basePort + 2, false);
        started.add(r);
        r.start(List.of("node", o.root.resolve("bench/node-relay/relay.js").toString(), String.valueOf(r.port), cert.toString(),
            key.toString()), Map.of(), "relay ready", Duration.ofSeconds(30));
        targets.add(r);
      }
      if (!o.targets.contains("interlude")) {
        targets.remove(node);
      }
      // jcmd starts a JVM of its own: ask for the heap limits now, before anything is measured,
      // rather than at the end where it would lengthen every run (the smoke test's too).
      Map<Target, CompletableFuture<Long>> maxHeaps = new HashMap<>();
      for (Target t : targets) {
        progress.say("target " + t.name + " pid " + t.pid() + " on port " + t.port);
        if (t.isJvm()) {
          maxHeaps.put(t, CompletableFuture.supplyAsync(() -> JvmStats.maxHeapBytes(t.pid())));
        }
      }
      Path partial = o.out.resolve("bench-" + stamp + (o.smoke ? "-smoke" : "") + ".partial.json");
      if (o.scenarios.contains("ladder")) {
        for (Target t : targets) {
          guarded(runs, "chat-fixed-rate", t, progress, () -> ladder(sc, t, o, progress));
          Files.writeString(partial, result.encodePrettily());
        }
      }
      if (o.scenarios.contains("closed")) {
        for (Target t : targets) {
          guarded(runs, "chat-closed-loop", t, progress, () -> List.of(closed(sc, t, o, progress)));
          Files.writeString(partial, result.encodePrettily());
        }
      }
      if (o.scenarios.contains("idle") || o.scenarios.contains("reconnect")) {
        for (Target t : targets) {
          guarded(runs, "idle-connections", t, progress, () -> idleAndReconnect(sc, t, o, progress));
          Files.writeString(partial, result.encodePrettily());
        }
      }
      if (o.scenarios.contains("checkin") && o.targets.contains("interlude")) {
        guarded(runs, "checkin-burst", node, progress, () -> List.of(CheckinBurst.run(sc, node, o, progress)));
        Files.writeString(partial, result.encodePrettily());
      }
      if (o.scenarios.contains("escalation") && o.targets.contains("interlude")) {
        guarded(runs, "escalation-under-load", node, progress, () -> List.of(escalation(sc, node, o, progress)));
      }
      result.put("jvm", jvmSummary(targets, maxHeaps));
      Files.deleteIfExists(partial);
    } finally {
      client.close();
      vertx.close();
      for (Target t : started) {
        t.close();
      }
      Runtime.getRuntime().removeShutdownHook(hook);
      deleteTree(data);
    }
    result.put("summary", Report.summary(runs));
    int failed = 0;
    for (Object r : runs) {
      JsonObject j = (JsonObject) r;
      if (j.getLong("errors", 0L) > 0 || j.getLong("lost", 0L) > 0 || j.getLong("unacked", 0L) > 0) {
        failed++;
      }
    }
    result.put("failedChecks", failed);
    Path json = o.out.resolve("bench-" + stamp + (o.smoke ? "-smoke" : "") + ".json");
    Files.writeString(json, result.encodePrettily());
    Path html = o.out.resolve("bench-" + stamp + (o.smoke ? "-smoke" : "") + ".html");
    Files.writeString(html, Report.html(result, o.root.resolve("bench/report/node_modules/uplot/dist")));
    progress.say("wrote " + json + " and " + html);
    System.out.println(Report.table(result));
    return result;
  }

  /**
   * Per JVM target: its heap limit and its GC collections and time over the whole run (every
   * scenario; the per-scenario share is each run's "gc").
   */
  static JsonObject jvmSummary(List<Target> targets, Map<Target, CompletableFuture<Long>> maxHeaps) {
    JsonObject out = new JsonObject();
    for (Target t : targets) {
      if (!t.isJvm()) {
        continue;
      }
      JsonObject j = new JsonObject().put("maxHeapBytes", maxHeaps.get(t).join());
      JsonObject gc = JvmStats.sample(t.pid());
      if (gc != null) {
        j.put("gcSinceStart", gc);
      }
      out.put(t.name, j);
    }
    return out;
  }

  static void deleteTree(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
    } catch (java.io.IOException e) {
      // best effort: it is a temporary directory
    }
  }

  interface Step {
    List<JsonObject> run() throws Exception;
  }

  /** Runs one scenario; a failure is recorded in the results (and counted) instead of ending the run. */
  static void guarded(JsonArray runs, String scenario, Target t, Progress progress, Step step) {
    try {
      step.run().forEach(runs::add);
    } catch (Exception e) {
      progress.say(scenario + " " + t.name + " failed: " + e);
      runs.add(new JsonObject().put("scenario", scenario).put("target", t.name).put("failure", e.toString()).put("errors", 1));
    }
  }

  static Target.Interlude startInterlude(Options o, Path data, Progress progress) throws Exception {
    Target.Interlude node = new Target.Interlude(o.basePort, o.basePort + 64, data);
    String password = "Bench-" + UUID.randomUUID();
    Map<String, String> env = new HashMap<>();
    env.put("INTERLUDE_NODE_DATA_DIR", data.toString());
    env.put("INTERLUDE_HTTP_PORT", String.valueOf(node.port));
    env.put("INTERLUDE_MANAGEMENT_PORT", String.valueOf(node.managementPort));
    env.put("INTERLUDE_ADMIN_PASSWORD", password);
    env.put("INTERLUDE_CHAT_SEND_RATE_BURST", "100000");
    env.put("INTERLUDE_CHAT_SEND_RATE_PER_SECOND", "100000");
    env.put("INTERLUDE_CHAT_MAX_CONNECTIONS_PER_USER", String.valueOf(Math.max(1000, o.idlePerUser * 2)));
    env.put("INTERLUDE_IDENTITY_THROTTLE_FREE_ATTEMPTS_PER_ADDRESS", "100000");
    env.put("INTERLUDE_IDENTITY_CLIENT_IDLE_TIMEOUT", "12h");
    env.put("INTERLUDE_IDENTITY_STAFF_IDLE_TIMEOUT", "12h");
    // BENCH_INTERLUDE_X=v reaches the node as INTERLUDE_X=v: e.g. an external PostgreSQL with
    // pg_stat_statements for profiling (the node's own INTERLUDE_ variables are not inherited).
    System.getenv().forEach((k, v) -> {
      if (k.startsWith("BENCH_INTERLUDE_")) {
        env.put(k.substring("BENCH_".length()), v);
      }
    });
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    cmd.addAll(List.of(o.serverJavaOpts.split(" ")));
    String jar = System.getProperty("interlude.server.jar");
    if (jar != null) {
      cmd.addAll(List.of("-jar", jar));
    } else {
      cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "org.interlude.app.Main"));
    }
    progress.say("starting Interlude node (data in " + data + ")");
    node.start(cmd, env, "Interlude is ready at ", Duration.ofSeconds(120));
    node.adminLogin(password);
    return node;
  }

  static final Map<Target, List<Identity[]>> pairCache = new ConcurrentHashMap<>();
  static final Map<Target, List<Identity>> idleCache = new ConcurrentHashMap<>();

  static List<Identity[]> pairs(Target t, int n, Progress progress) throws Exception {
    List<Identity[]> have = pairCache.computeIfAbsent(t, k -> new ArrayList<>());
    if (have.size() < n) {
      long s = System.nanoTime();
      have.addAll(t.pairs(n - have.size()));
      progress.say(t.name + ": provisioned " + n + " pairs in " + (System.nanoTime() - s) / 1_000_000 + " ms");
    }
    return have.subList(0, n);
  }

  static List<Identity> idleUsers(Target t, int n, Progress progress) throws Exception {
    List<Identity> have = idleCache.computeIfAbsent(t, k -> new ArrayList<>());
    if (have.size() < n) {
      long s = System.nanoTime();
      have.addAll(t.idleUsers(n - have.size()));
      progress.say(t.name + ": provisioned " + n + " idle users in " + (System.nanoTime() - s) / 1_000_000 + " ms");
    }
    return have.subList(0, n);
  }

  static List<Conn[]> connectPairs(Scenarios sc, Target t, List<Identity[]> ids, Stats stats) throws Exception {
    List<Identity> flat = new ArrayList<>();
    for (Identity[] p : ids) {
      flat.add(p[0]);
      flat.add(p[1]);
    }
    List<Conn> conns = sc.open(t, flat, flat.size(), 100, stats);
    if (conns.size() != flat.size()) {
      throw new IllegalStateException(t.name + ": only " + conns.size() + " of " + flat.size() + " pair sockets connected");
    }
    List<Conn[]> out = new ArrayList<>();
    for (int i = 0; i < conns.size(); i += 2) {
      Conn c = conns.get(i);
      Conn th = conns.get(i + 1);
      if (c.conversationId == null) {
        throw new IllegalStateException(t.name + ": no conversation in the hello of " + c.who.user());
      }
      th.conversationId = c.conversationId;
      out.add(new Conn[] {c, th});
    }
    return out;
  }

  static JsonObject base(String scenario, Target t, Stats stats) {
    return new JsonObject().put("scenario", scenario).put("target", t.name);
  }

  static void finish(JsonObject r, Stats stats) {
    r.put("errors", stats.errors.sum()).put("events", new JsonObject(new HashMap<>(stats.countsSnapshot())));
  }

  static List<JsonObject> ladder(Scenarios sc, Target t, Options o, Progress progress) throws Exception {
    List<JsonObject> out = new ArrayList<>();
    Stats connStats = new Stats();
    List<Identity[]> ids = pairs(t, o.pairs, progress);
    int fill = Math.max(0, o.connections - 2 * o.pairs);
    List<Conn> filler = List.of();
    if (fill > 0) {
      int users = (fill + o.idlePerUser - 1) / o.idlePerUser;
      filler = sc.open(t, idleUsers(t, users, progress), fill, 100, connStats);
    }
    Stats warm = new Stats();
    List<Conn[]> pairs = connectPairs(sc, t, ids, warm);
    progress.say(t.name + ": " + (2 * pairs.size() + filler.size()) + " clients connected (" + 2 * pairs.size() + " chatting)");
    for (int rate : o.ladder) {
      // Each step first runs unmeasured at its own rate: a new rate brings larger batches and new
      // branch profiles, and JFR showed the node's loop about 2.5 times busier (deoptimisations,
      // recompilation, longer GC pauses) for about 10 s after the rate changed.
      if (o.warmupSeconds > 0) {
        swapStats(pairs, warm);
        sc.fixedRate(t, pairs, rate, o.warmupSeconds, warm, "warm-up", null);
        quiesce(t, progress);
      }
      Stats stats = new Stats();
      for (Conn[] p : pairs) {
        for (Conn c : p) {
          c.handler = f -> {};
        }
      }
      // Closes and errors during the step count against it.
      List<Conn[]> stepPairs = pairs;
      JsonObject r = base("chat-fixed-rate", t, stats).put("connectedClients", 2 * pairs.size() + filler.size());
      swapStats(stepPairs, stats);
      r.mergeIn(sc.fixedRate(t, stepPairs, rate, o.seconds, stats, "ladder", null));
      finish(r, stats);
      progress.say(Report.line(r));
      out.add(r);
      quiesce(t, progress);
      if (r.getLong("achievedRate") < rate * 0.8 || r.getLong("unacked") > 0) {
        progress.say(t.name + ": saturated at " + rate + " msg/s offered; the higher steps are left out for it");
        break;
      }
    }
    Stats closing = new Stats();
    swapStats(pairs, closing);
    List<Conn> all = new ArrayList<>(filler);
    for (Conn[] p : pairs) {
      all.addAll(List.of(p));
    }
    closing.expectingCloses = true;
    connStats.expectingCloses = true;
    Scenarios.closeAll(all, closing);
    Thread.sleep(1000);
    return out;
  }

  /**
   * Waits until the target is idle again (under 0.15 cores for a second, 90 s at most) so a
   * backlog of one step or target never runs into the next measurement.
   */
  static void quiesce(Target t, Progress progress) throws InterruptedException {
    long deadline = System.nanoTime() + 90_000_000_000L;
    while (System.nanoTime() < deadline) {
      long a = ProcStats.cpuTicks(t.pid()) + ProcStats.cpuTicks(t.helperPids());
      Thread.sleep(1000);
      long b = ProcStats.cpuTicks(t.pid()) + ProcStats.cpuTicks(t.helperPids());
      if ((b - a) / (double) ProcStats.CLK_TCK < 0.15) {
        return;
      }
    }
    progress.say(t.name + ": still busy after 90 s of waiting for it to go idle");
  }

  /** Points the pairs' sockets at a new scenario's counters (errors, closes). */
  static void swapStats(List<Conn[]> pairs, Stats stats) {
    for (Conn[] p : pairs) {
      for (Conn c : p) {
        c.stats = stats;
      }
    }
  }

  static JsonObject closed(Scenarios sc, Target t, Options o, Progress progress) throws Exception {
    quiesce(t, progress);
    Stats stats = new Stats();
    List<Conn[]> pairs = connectPairs(sc, t, pairs(t, o.closedPairs, progress), stats);
    // A short warm-up at the same shape, not recorded.
    Stats warm = new Stats();
    swapStats(pairs, warm);
    sc.closedLoop(t, pairs, Math.max(1, o.warmupSeconds), warm);
    swapStats(pairs, stats);
    JsonObject r = base("chat-closed-loop", t, stats);
    r.mergeIn(sc.closedLoop(t, pairs, o.closedSeconds, stats));
    finish(r, stats);
    progress.say(Report.line(r));
    List<Conn> all = new ArrayList<>();
    pairs.forEach(p -> all.addAll(List.of(p)));
    Scenarios.closeAll(all, stats);
    Thread.sleep(1000);
    return r;
  }

  static long heapAfterGc(Target t) {
    if (t.heapBytes() < 0) {
      return -1;
    }
    ProcStats.gc(t.pid());
    try {
      Thread.sleep(500);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return t.heapBytes();
  }

  static List<JsonObject> idleAndReconnect(Scenarios sc, Target t, Options o, Progress progress) throws Exception {
    quiesce(t, progress);
    List<JsonObject> out = new ArrayList<>();
    int users = (o.idle + o.idlePerUser - 1) / o.idlePerUser;
    List<Identity> ids = idleUsers(t, users, progress);
    Thread.sleep(1000);
    long heap0 = heapAfterGc(t);
    long rss0 = ProcStats.rssBytes(t.pid());
    Stats stats = new Stats();
    long s = System.nanoTime();
    progress.say(t.name + ": opening " + o.idle + " idle connections");
    List<Conn> conns = sc.open(t, ids, o.idle, 200, stats);
    double openSeconds = (System.nanoTime() - s) / 1e9;
    Thread.sleep(3000);
    long heap1 = heapAfterGc(t);
    long rss1 = ProcStats.rssBytes(t.pid());
    JsonObject idle = base("idle-connections", t, stats).put("requested", o.idle).put("connected", conns.size())
        .put("usersSharingConnections", users).put("openSeconds", Math.round(openSeconds * 100) / 100.0)
        .put("rssBytesBefore", rss0).put("rssBytesAfter", rss1)
        .put("rssBytesPerConnection", conns.isEmpty() ? null : (rss1 - rss0) / conns.size());
    if (heap0 >= 0) {
      idle.put("heapBytesBefore", heap0).put("heapBytesAfter", heap1)
          .put("heapBytesPerConnection", conns.isEmpty() ? null : (heap1 - heap0) / conns.size());
    }
    finish(idle, stats);
    progress.say(Report.line(idle));
    out.add(idle);
    if (o.scenarios.contains("reconnect")) {
      out.add(reconnect(sc, t, conns, progress));
    }
    Stats closing = new Stats();
    closing.expectingCloses = true;
    for (Conn c : conns) {
      c.stats = closing;
    }
    Scenarios.closeAll(conns, closing);
    Thread.sleep(3000);
    return out;
  }

  /** Error codes after which the web client syncs again (RETRYABLE in web-client/src/chat/service.ts). */
  static final Set<String> SYNC_RETRYABLE = Set.of("unavailable", "rate_limited", "internal");
  /** The web client's wait before it syncs again after such an error (service.ts: later(2_000, …)). */
  static final long SYNC_RETRY_MILLIS = 2000;

  /**
   * Closes every idle socket at once, reconnects them all at once and syncs; time until all synced.
   * A sync answered with a retryable error ({@code unavailable} while the database path is full)
   * is sent again after the web client's backoff, like a browser would, and counted as a retry,
   * not an error: what is measured is how long the storm takes to settle.
   */
  static JsonObject reconnect(Scenarios sc, Target t, List<Conn> conns, Progress progress) throws Exception {
    Stats stats = new Stats();
    stats.expectingCloses = true;
    for (Conn c : conns) {
      c.stats = stats;
    }
    progress.say(t.name + ": reconnect storm of " + conns.size());
    Histogram resume = Stats.histogram();
    AtomicInteger synced = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    AtomicInteger retries = new AtomicInteger();
    Set<Conn> retried = ConcurrentHashMap.newKeySet();
    Set<Conn> done = ConcurrentHashMap.newKeySet();
    long start = System.nanoTime();
    // Every client closes at once; each reconnects as soon as its close completed (like a
    // browser that sees the socket drop), then syncs its conversation.
    for (Conn c : conns) {
      String conv = c.conversationId;
      io.vertx.core.Future<Void> closed;
      try {
        closed = c.ws.close();
      } catch (IllegalStateException notConnected) {
        closed = io.vertx.core.Future.succeededFuture();
      }
      closed.eventually(() -> c.connect(sc.client(), t.endpoint(c.who)).onSuccess(x -> {
        String id = c.conversationId != null ? c.conversationId : conv;
        String ref = "y:" + id;
        String sync = "{\"type\":\"chat.sync\",\"ref\":\"" + ref + "\",\"conversationId\":\"" + id + "\",\"afterSeq\":0}";
        c.retryable = f -> SYNC_RETRYABLE.contains(f.getString("code")) && ref.equals(f.getString("ref"));
        c.handler = f -> {
          String type = f.getString("type");
          if ("chat.synced".equals(type) && done.add(c)) {
            Stats.record(resume, (System.nanoTime() - start) / 1000);
            synced.incrementAndGet();
          } else if ("error".equals(type) && c.retryable.test(f)) {
            retries.incrementAndGet();
            retried.add(c);
            sc.vertx().setTimer(SYNC_RETRY_MILLIS, tid -> {
              if (!c.closed) {
                c.send(sync);
              } else {
                stats.count("retry_dropped:socket_closed");
              }
            });
          }
        };
        c.send(sync);
      }).onFailure(e -> {
        done.add(c);
        failed.incrementAndGet();
        stats.errors.increment();
        stats.count("reconnect_failed:" + Conn.reason(e));
      }));
    }
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (synced.get() + failed.get() < conns.size() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    double all = (System.nanoTime() - start) / 1e9;
    for (Conn c : conns) {
      c.retryable = f -> false;
      if (!done.contains(c)) {
        stats.count(c.closed ? "not_resumed:closed" : "not_resumed:open");
      }
    }
    JsonObject r = base("reconnect-storm", t, stats).put("clients", conns.size()).put("resumed", synced.get())
        .put("failed", failed.get()).put("allResumedSeconds", synced.get() == conns.size() ? Math.round(all * 1000) / 1000.0 : null)
        .put("syncRetries", retries.get()).put("clientsRetried", retried.size())
        .put("resumeLatencyMs", Scenarios.latency(resume));
    finish(r, stats);
    progress.say(Report.line(r));
    return r;
  }

  /**
   * A console's frame handler timing each client's first {@code alert} from the report's due time
   * in {@code pending} (client id → nanoTime); later alerts for the same incident (state
   * changes) are not timed.
   */
  static java.util.function.Consumer<JsonObject> alertTimer(Map<String, Long> pending, Histogram h, AtomicInteger count) {
    return f -> {
      if ("alert".equals(f.getString("type"))) {
        Long at = pending.remove(f.getJsonObject("incident").getString("clientId"));
        if (at != null) {
          Stats.record(h, (System.nanoTime() - at) / 1000);
          count.incrementAndGet();
        }
      }
    };
  }

  /**
   * Crisis report → the on-call user's {@code alert} frame, while chat load runs at
   * escalationRate. The on-call user is paged through the product's own set-up: a rotation with
   * them as its member and the clinic's default policy paging that rotation. Reports are spread
   * evenly over the load period, each from a different client (a client has one open incident at
   * a time). Also timed: the alert at the client's care-team therapist, who sees the incident
   * too, and the client's {@code crisis.info}. A missing on-call alert or crisis.info is an error.
   */
  static JsonObject escalation(Scenarios sc, Target.Interlude node, Options o, Progress progress) throws Exception {
    quiesce(node, progress);
    Stats stats = new Stats();
    long s = System.nanoTime();
    Target.Interlude.CrisisClinic clinic = node.crisisClinic(o.crisis);
    progress.say(node.name + ": escalation: on-call rotation, default policy and " + o.crisis + " clients set up in "
        + (System.nanoTime() - s) / 1_000_000 + " ms" + (clinic.coverageGaps().isEmpty() ? "" : "; coverage gaps: "
        + clinic.coverageGaps().encode()));
    List<Conn> reporters = sc.open(node, clinic.clients(), o.crisis, 50, stats);
    Conn onCall = sc.open(node, List.of(clinic.onCall()), 1, 1, stats).get(0);
    Conn careTeam = sc.open(node, List.of(clinic.careTeam()), 1, 1, stats).get(0);
    Histogram toAlert = Stats.histogram();
    Histogram toCareTeam = Stats.histogram();
    Histogram toInfo = Stats.histogram();
    Map<String, Long> reportedAt = new ConcurrentHashMap<>();
    Map<String, Long> careTeamPending = new ConcurrentHashMap<>();
    AtomicInteger alerts = new AtomicInteger();
    AtomicInteger careTeamAlerts = new AtomicInteger();
    AtomicInteger infos = new AtomicInteger();
    onCall.handler = alertTimer(reportedAt, toAlert, alerts);
    careTeam.handler = alertTimer(careTeamPending, toCareTeam, careTeamAlerts);
    Map<Conn, Long> infoAt = new ConcurrentHashMap<>();
    for (Conn r : reporters) {
      r.handler = f -> {
        if ("crisis.info".equals(f.getString("type"))) {
          Long at = infoAt.remove(r);
          if (at != null) {
            Stats.record(toInfo, (System.nanoTime() - at) / 1000);
            infos.incrementAndGet();
          }
        }
      };
    }
    Stats chatStats = new Stats();
    List<Conn[]> pairs = connectPairs(sc, node, pairs(node, o.pairs, progress), chatStats);
    if (o.warmupSeconds > 0) {
      // The chat load is warmed up to its rate before the first report, as a ladder step is.
      Stats warm = new Stats();
      swapStats(pairs, warm);
      sc.fixedRate(node, pairs, o.escalationRate, o.warmupSeconds, warm, "escalation warm-up", null);
      swapStats(pairs, chatStats);
    }
    long start = System.nanoTime();
    long every = o.seconds * 1_000_000_000L / (reporters.size() + 1);
    AtomicInteger next = new AtomicInteger();
    Runnable reporter = () -> {
      int k = next.get();
      if (k < reporters.size() && System.nanoTime() >= start + (k + 1) * every) {
        next.incrementAndGet();
        Conn r = reporters.get(k);
        long due = start + (k + 1) * every;
        reportedAt.put(r.who.userId(), due);
        careTeamPending.put(r.who.userId(), due);
        infoAt.put(r, due);
        r.send("{\"type\":\"crisis.report\",\"clientReportId\":\"" + Scenarios.newId() + "\"}");
      }
    };
    JsonObject chat = sc.fixedRate(node, pairs, o.escalationRate, o.seconds, chatStats, "escalation chat load", reporter);
    long deadline = System.nanoTime() + 30_000_000_000L;
    while ((alerts.get() < next.get() || infos.get() < next.get() || careTeamAlerts.get() < next.get())
        && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    JsonObject r = base("escalation-under-load", node, stats).put("reports", next.get()).put("alerts", alerts.get())
        .put("careTeamAlerts", careTeamAlerts.get()).put("crisisInfos", infos.get())
        .put("reportToAlertMs", Scenarios.latency(toAlert))
        .put("reportToCareTeamAlertMs", Scenarios.latency(toCareTeam))
        .put("reportToCrisisInfoMs", Scenarios.latency(toInfo))
        .put("alertAt", "on-call user paged through a rotation and the default policy")
        .put("chatLoad", new JsonObject().put("offeredRate", chat.getValue("offeredRate"))
            .put("achievedRate", chat.getValue("achievedRate")).put("latencyMs", chat.getJsonObject("latencyMs"))
            .put("lost", chat.getValue("lost")).put("errors", chatStats.errors.sum()));
    if (alerts.get() < next.get()) {
      stats.errors.add(next.get() - alerts.get());
      stats.count("alert_missing");
    }
    if (infos.get() < next.get()) {
      stats.errors.add(next.get() - infos.get());
      stats.count("crisis_info_missing");
    }
    if (careTeamAlerts.get() < next.get()) {
      stats.count("care_team_alert_missing");
    }
    finish(r, stats);
    progress.say(Report.line(r));
    List<Conn> all = new ArrayList<>(reporters);
    all.add(onCall);
    all.add(careTeam);
    pairs.forEach(p -> all.addAll(List.of(p)));
    chatStats.expectingCloses = true;
    Scenarios.closeAll(all, stats);
    return r;
  }
}
