package org.interlude.cluster.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Fault tests of a real three-node cluster (separate JVMs, one PostgreSQL, HAProxy in front) under
 * steady chat load of {@value #RATE} messages per second from {@value #PAIRS} chat pairs connected
 * through the balancer ({@link ChatLoad}, checked by {@link History}):
 *
 * <ol>
 *   <li>{@code kill -9} of the node that is in the middle of an escalation step;
 *   <li>{@code SIGSTOP} of such a node for 30 s, then {@code SIGCONT};
 *   <li>a rolling restart ({@code SIGTERM}, start again) of all three nodes, one at a time;
 *   <li>a network partition of one node from the other two for 25 s, where network namespaces can
 *       be made (the nodes then run in namespaces throughout, {@link Netns}); elsewhere it does not
 *       run and says so, as does {@code scripts/test}.
 * </ol>
 *
 * <p>Each scenario must end with every message acknowledged, nothing acknowledged missing from
 * any participant's view, no gap and nothing shown twice, and reconnections (close to
 * {@code chat.synced}) within 5 s at the 99th percentile (15 s in the rolling restart, where the
 * issue asks only for nothing lost or duplicated and every socket moves three times). The escalation scenarios also require
 * the next level to be paged at most 10 s after it was due, exactly once per level and round in
 * the step log and at the webhook, and the faulted node never to have written that page.
 * Scenarios share one cluster; a killed node is started again before the next one. Every figure
 * is logged as a {@code RESULT} line ({@code target/surefire-reports/…-output.txt}); node and
 * balancer logs go to {@code target/fault-logs/}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterFaultTest {
  static final int PAIRS = 20;
  static final int RATE = 300;
  /** The shortest level wait a policy allows. */
  static final int LEVEL_WAIT_SECONDS = 30;
  static final long MAX_RECONNECT_P99_MS = 5_000;
  /**
   * A rolling restart moves every socket three times in quick succession, and the issue asks of
   * it only that nothing is lost or duplicated; reconnects must still settle, within this.
   */
  static final long MAX_ROLLING_RECONNECT_P99_MS = 15_000;
  static final long MAX_PAGE_LATENESS_MS = 10_000;

  static FaultCluster cluster;
  static Vertx vertx;
  static Accounts accounts;
  static List<Accounts.Session[]> pairs;
  static List<Accounts.Session> crisisClients = new ArrayList<>();
  static EscalationProbe probe;
  /** Why the nodes cannot run in network namespaces here (no partition scenario), or null. */
  static String noNamespaces;
  /** An incident reported ahead for the next escalation scenario, so its level wait overlaps other work. */
  static Prepared prepared;
  static final Map<String, String> results = new java.util.LinkedHashMap<>();

  @BeforeAll
  static void start() throws Exception {
    long t0 = System.nanoTime();
    // INTERLUDE_FAULT_NAMESPACES=off runs the nodes on loopback, as on a machine without
    // namespaces (to try that path where namespaces work).
    noNamespaces = "off".equals(System.getenv("INTERLUDE_FAULT_NAMESPACES")) ? "INTERLUDE_FAULT_NAMESPACES=off"
        : Netns.unavailableBecause();
    cluster = FaultCluster.start(3, Map.of(), noNamespaces == null);
    log("cluster of 3 and the balancer ready in " + secondsSince(t0) + " s"
        + (noNamespaces == null ? ", nodes in network namespaces" : ", nodes on loopback (" + noNamespaces + ")"));
    vertx = Vertx.vertx();
    accounts = new Accounts(cluster.balancerUrl());
    UUID oncall1 = accounts.addUser("f-oncall1", "oncall");
    UUID oncall2 = accounts.addUser("f-oncall2", "oncall");
    accounts.policy(oncall1, oncall2, LEVEL_WAIT_SECONDS);
    probe = new EscalationProbe(vertx, cluster.hostAddress());
    cluster.forwardToHost(probe.port());
    accounts.webhook(probe.webhookUrl(), "fault-test-webhook-secret-0123456789abcdef");
    for (int i = 0; i < 3; i++) {
      accounts.addUser("f-crisis" + i, "client");
      crisisClients.add(accounts.login("f-crisis" + i, Accounts.PASSWORD));
    }
    // The first scenario's crisis report goes in now: its 30 s level wait runs while the chat
    // users are made.
    prepared = prepare(0);
    pairs = accounts.pairs("f", PAIRS);
    log("cluster of 3 and " + (2 * PAIRS) + " users ready in " + secondsSince(t0) + " s");
  }

  @AfterAll
  static void stop() throws Exception {
    results.forEach((k, v) -> log("RESULT " + k + ": " + v));
    if (probe != null) {
      probe.close();
    }
    if (cluster != null) {
      cluster.close();
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  @Order(1)
  void killNineOfTheNodeInTheMiddleOfAnEscalationStep() throws Exception {
    long t0 = System.nanoTime();
    try (ChatLoad load = load(); Connection db = cluster.jdbc()) {
      Prepared p = take(0, db);
      int victim = holdAndFindClaimer(db, p.due());
      long faultAt = System.currentTimeMillis();
      load.history().phase("fault");
      cluster.kill(victim);
      log("killed at " + System.currentTimeMillis());
      probe.release();
      log("kill -9 node" + victim + " (it held the level-2 step of incident " + p.incident() + ")");

      EscalationProbe.Page level2 = EscalationProbe.awaitPage(db, p.incident(), 1, Duration.ofSeconds(30));
      EscalationProbe.Hook hook = probe.awaitHook(p.incident(), 1, Duration.ofSeconds(30));
      // The load keeps running on the two survivors through the recovery.
      Thread.sleep(5_000);
      History.Verdict v = finish(load, db, "kill -9");
      checkEscalation("kill -9", db, p.incident(), p.due(), victim, level2, hook);
      checkChat("kill -9", v, true, true);
      log("kill -9 scenario: fault at " + faultAt + ", " + secondsSince(t0) + " s");
    }
  }

  @Test
  @Order(2)
  void sigstopForThirtySecondsThenSigcont() throws Exception {
    long t0 = System.nanoTime();
    // The report goes in first: its level wait runs while the node killed before starts again,
    // and the load connects once all three are up, so every node carries sockets.
    prepared = prepare(1);
    restartIfDown();
    try (ChatLoad load = load(); Connection db = cluster.jdbc()) {
      Prepared p = take(1, db);
      UUID incident = p.incident();
      Instant due = p.due();
      int victim = holdAndFindClaimer(db, due);
      long frozenAt = System.nanoTime();
      load.history().phase("fault");
      cluster.freeze(victim);
      log("frozen at " + System.currentTimeMillis());
      probe.release();
      log("SIGSTOP node" + victim + " (it held the level-2 step of incident " + incident + ")");
      Thread.sleep(1_000);
      log("sessions in a transaction 1 s after SIGSTOP: " + sessions(db));
      // The frozen node's open transactions (chat writes hold conversation row locks) end after
      // database.idle_in_transaction_timeout (5 s): then nothing of the survivors waits on it.
      Thread.sleep(7_000);
      int blocked = blockedBy(db, cluster.nodeId(victim));
      log("sessions in a transaction 8 s after SIGSTOP: " + sessions(db) + "\n  survivor sessions blocked by the"
          + " frozen node: " + blocked);

      EscalationProbe.Page level2 = EscalationProbe.awaitPage(db, incident, 1, Duration.ofSeconds(30));
      EscalationProbe.Hook hook = probe.awaitHook(incident, 1, Duration.ofSeconds(30));
      long frozenFor = TimeUnit.SECONDS.toNanos(30) - (System.nanoTime() - frozenAt);
      if (frozenFor > 0) {
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(frozenFor));
      }
      long thawedAt = System.currentTimeMillis();
      cluster.thaw(victim);
      log("thawed at " + thawedAt);
      log("SIGCONT node" + victim + " after " + (System.nanoTime() - frozenAt) / 1_000_000 + " ms");
      // The thawed node must rejoin (Hazelcast merge) and serve again: sockets are moved onto it
      // and cross-node delivery through it is part of what the checker verifies.
      awaitMembers(victim, 3, Duration.ofSeconds(60));
      cluster.awaitBalancerUp(victim, thawedAt, Duration.ofSeconds(30));
      log("node" + victim + " rejoined and is up in the balancer " + (System.currentTimeMillis() - thawedAt) + " ms after SIGCONT");
      rebalance(load);
      Thread.sleep(5_000);
      History.Verdict v = finish(load, db, "SIGSTOP 30 s");
      checkEscalation("SIGSTOP 30 s", db, incident, due, victim, level2, hook);
      checkChat("SIGSTOP 30 s", v, true, false);
      assertEquals(0, blocked, "8 s after SIGSTOP no surviving node waits on a lock of the frozen one");
      log("SIGSTOP scenario: " + secondsSince(t0) + " s");
    } finally {
      restartIfDown();
    }
  }

  @Test
  @Order(3)
  void rollingRestartOfAllThreeNodes() throws Exception {
    long t0 = System.nanoTime();
    try (ChatLoad load = load(); Connection db = cluster.jdbc()) {
      Thread.sleep(3_000);
      load.history().phase("fault");
      for (int i = 1; i <= cluster.size(); i++) {
        long since = System.currentTimeMillis();
        long s0 = System.nanoTime();
        log("rolling restart: SIGTERM node" + i + " at " + since);
        int code = cluster.terminate(i);
        long stopped = (System.nanoTime() - s0) / 1_000_000;
        // 143 = 128 + SIGTERM: the JVM's exit status after its shutdown hooks ran.
        assertTrue((code == 0 || code == 143) && cluster.node(i).output().contains("Interlude stopped cleanly"),
            "node" + i + " drained and stopped cleanly on SIGTERM (exit " + code + "):\n" + cluster.tails(20));
        cluster.restart(i);
        cluster.awaitBalancerUp(i, since, Duration.ofSeconds(30));
        log("rolling restart: node" + i + " drained in " + stopped + " ms (exit " + code + "), back in the balancer after "
            + (System.currentTimeMillis() - since) + " ms");
        // As an operator would: let the restarted node settle in (the balancer sends it every
        // new connection at first) before taking the next one down.
        Thread.sleep(2_000);
      }
      Thread.sleep(3_000);
      History.Verdict v = finish(load, db, "rolling restart");
      checkChat("rolling restart", v, true, true, MAX_ROLLING_RECONNECT_P99_MS);
      log("rolling restart scenario: " + secondsSince(t0) + " s");
    }
  }

  /**
   * A network partition: node 3 is cut off from nodes 1 and 2 for 25 s (longer than failure
   * detection, so Hazelcast splits into two clusters), while every node still reaches PostgreSQL
   * and the balancer. Both sides keep serving; an escalation step falls due during the split and
   * must be paged exactly once, on time; after the network heals the sides merge again. Runs
   * only where network namespaces can be made (root with CAP_NET_ADMIN); elsewhere it says so
   * and {@code scripts/test} prints it, and {@code scripts/partition-test} runs it on a machine
   * that can.
   */
  @Test
  @Order(4)
  void networkPartitionOfOneNodeFromTheOtherTwo() throws Exception {
    if (!cluster.namespaces()) {
      String why = "NOT RUN: network namespaces are unavailable here (" + noNamespaces + "); run"
          + " scripts/partition-test as root on a machine that allows them";
      results.put("partition", why);
      log("!!!!! network partition scenario " + why + " !!!!!");
      return;
    }
    long t0 = System.nanoTime();
    Prepared p = prepare(2);
    try (ChatLoad load = load(); Connection db = cluster.jdbc()) {
      // Level 2 falls due 12 s into the split: after failure detection (10 s) has split the cluster.
      long wait = Duration.between(Instant.now(), p.due()).toMillis() - 12_000;
      if (wait > 0) {
        Thread.sleep(wait);
      }
      load.history().phase("fault");
      long cutAt = System.currentTimeMillis();
      cluster.partition(List.of(3), List.of(1, 2));
      log("partition: node3 cut off from node1 and node2 at " + cutAt);
      EscalationProbe.Page level2 = EscalationProbe.awaitPage(db, p.incident(), 1, Duration.ofSeconds(30));
      EscalationProbe.Hook hook = probe.awaitHook(p.incident(), 1, Duration.ofSeconds(30));
      long splitMembers = new JsonObject(cluster.health(3).body()).getInteger("clusterMembers", 0);
      long left = 25_000 - (System.currentTimeMillis() - cutAt);
      if (left > 0) {
        Thread.sleep(left);
      }
      cluster.heal();
      long healedAt = System.currentTimeMillis();
      log("partition healed after " + (healedAt - cutAt) + " ms (node3 alone in its cluster then: " + (splitMembers == 1)
          + ")");
      for (int i = 1; i <= cluster.size(); i++) {
        awaitMembers(i, cluster.size(), Duration.ofSeconds(60));
      }
      long merged = System.currentTimeMillis() - healedAt;
      log("partition: the sides merged " + merged + " ms after the network healed");
      rebalance(load);
      Thread.sleep(5_000);
      History.Verdict v = finish(load, db, "partition 25 s");
      results.put("partition merge", "merged " + merged + " ms after healing; node3 alone during the split: "
          + (splitMembers == 1));
      checkEscalation("partition 25 s", db, p.incident(), p.due(), 0, level2, hook);
      checkChat("partition 25 s", v, false, false);
      assertEquals(1, splitMembers, "the partition split the cluster (node3 saw only itself)");
      log("partition scenario: " + secondsSince(t0) + " s");
    }
  }

  // ------------------------------------------------------------------ helpers

  /** A reported incident and when its level-2 page is due. */
  record Prepared(int client, UUID incident, Instant due) {}

  static Prepared prepare(int client) throws Exception {
    UUID incident = EscalationProbe.report(cluster.balancerPort(), cluster.balancerUrl(), crisisClients.get(client));
    try (Connection db = cluster.jdbc()) {
      return new Prepared(client, incident, EscalationProbe.nextStepAt(db, incident));
    }
  }

  /**
   * The incident prepared for this scenario, if its level-2 page is still far enough ahead to be
   * caught mid-step; otherwise (a scenario run on its own, a slow machine) a new report, and the
   * full level wait.
   */
  static Prepared take(int client, Connection db) throws Exception {
    Prepared p = prepared;
    prepared = null;
    if (p != null && p.client() == client && Instant.now().plusSeconds(3).isBefore(p.due())) {
      return p;
    }
    if (p != null && p.client() == client) {
      // Resolve the stale one so the client can raise a new incident.
      log("the prepared incident " + p.incident() + " is due too soon; reporting a new one");
      resolve(p.incident());
    }
    return prepare(client);
  }

  static void resolve(UUID incident) {
    Accounts.Session oncall = accounts.login("f-oncall1", Accounts.PASSWORD);
    var r = accounts.call("POST", "/api/incidents/" + incident + "/resolve", oncall,
        new JsonObject().put("disposition", "false_alarm").put("note", "fault test"));
    assertEquals(200, r.statusCode(), r.body());
  }

  /** The nodes' database sessions inside a transaction, with their last statement. */
  static String sessions(Connection db) throws Exception {
    StringBuilder sb = new StringBuilder();
    try (var st = db.createStatement(); var rs = st.executeQuery("SELECT application_name, state, left(query, 70)"
        + " FROM pg_stat_activity WHERE application_name LIKE 'interlude %' AND state <> 'idle' ORDER BY 1")) {
      while (rs.next()) {
        sb.append("\n  ").append(rs.getString(1)).append(" ").append(rs.getString(2)).append(": ").append(rs.getString(3));
      }
    }
    return sb.length() == 0 ? "none" : sb.toString();
  }

  /** How many sessions of other nodes wait on a lock held by a session of {@code nodeId}. */
  static int blockedBy(Connection db, String nodeId) throws Exception {
    try (var ps = db.prepareStatement("SELECT count(*) FROM pg_stat_activity w WHERE w.application_name LIKE 'interlude %'"
        + " AND w.application_name <> ? AND EXISTS (SELECT 1 FROM pg_stat_activity h"
        + " WHERE h.pid = ANY (pg_blocking_pids(w.pid)) AND h.application_name = ?)")) {
      ps.setString(1, "interlude " + nodeId);
      ps.setString(2, "interlude " + nodeId);
      try (var rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  static ChatLoad load() throws InterruptedException {
    ChatLoad load = new ChatLoad(vertx, cluster.balancerPort(), cluster.balancerUrl(), pairs, RATE);
    load.connect(Duration.ofSeconds(60));
    load.startSending();
    return load;
  }

  /** Holds page inserts from 1.5 s before {@code due}; returns the node that claimed the step. */
  static int holdAndFindClaimer(Connection db, Instant due) throws Exception {
    long wait = Duration.between(Instant.now(), due).toMillis() - 1_500;
    if (wait > 0) {
      Thread.sleep(wait);
    }
    probe.holdPages(cluster.jdbc());
    String node = EscalationProbe.awaitClaimer(db, Duration.ofSeconds(15));
    return cluster.indexOf(node);
  }

  /**
   * Audits what connected users missed so far (the load pauses, {@link ChatLoad#quiesce}), then
   * has every user reconnect so the balancer spreads them over all nodes again, and resumes.
   */
  static void rebalance(ChatLoad load) throws Exception {
    assertTrue(load.quiesce(Duration.ofSeconds(90)), "the load drained before rebalancing:\n" + load.pending());
    load.history().phase("rebalance");
    load.reconnectAll();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (load.readyCount() < 2 * PAIRS && System.nanoTime() < end) {
      Thread.sleep(100);
    }
    load.startSending();
  }

  static History.Verdict finish(ChatLoad load, Connection db, String scenario) throws Exception {
    boolean drained = load.quiesce(Duration.ofSeconds(90));
    History.Verdict v = load.verify(db);
    results.put(scenario + " chat", v.summary());
    log(scenario + " chat: " + v.summary());
    log(scenario + ": slowest reconnects " + load.history().slowestReconnects());
    List<String> missed = load.history().missedSamples;
    synchronized (missed) {
      if (!missed.isEmpty()) {
        log(scenario + ": " + missed.size() + " messages reached a connected user only by an audit sync, e.g. "
            + missed.subList(0, Math.min(10, missed.size())) + " ... " + missed.get(missed.size() - 1));
      }
    }
    assertTrue(drained, scenario + ": the load did not drain:\n" + load.pending() + "\n" + v.summary() + "\n"
        + cluster.tails(30));
    return v;
  }

  /**
   * @param socketsMoved the fault closes sockets (a node died, froze or restarted)
   * @param everyMessageLive connected users must have got every message live or through their
   *     own reconnect and gap repair; not required where Hazelcast splits (a frozen member, a
   *     partition): live delivery across a split is best effort, the messages stay in PostgreSQL
   *     and a client fetches them at its next sync (the count is reported either way)
   */
  static void checkChat(String scenario, History.Verdict v, boolean socketsMoved, boolean everyMessageLive) {
    checkChat(scenario, v, socketsMoved, everyMessageLive, MAX_RECONNECT_P99_MS);
  }

  static void checkChat(String scenario, History.Verdict v, boolean socketsMoved, boolean everyMessageLive,
      long maxReconnectP99Ms) {
    String detail = scenario + ": " + v.summary() + " (load average " + loadAverage() + ")";
    assertTrue(v.sent() > RATE * 10, "load ran: " + detail);
    assertEquals(0, v.unacked(), "every message acknowledged: " + detail);
    assertEquals(0, v.lostAcked(), "no acknowledged message lost: " + detail);
    assertEquals(0, v.gaps(), "no participant misses a committed message: " + detail);
    assertEquals(0, v.duplicatesShown(), "nothing shown twice: " + detail);
    assertEquals(0, v.duplicateRows(), "nothing stored twice: " + detail);
    assertEquals(0, v.failedSends(), "no send refused: " + detail);
    if (everyMessageLive) {
      assertEquals(0, v.foundOnlyByFinalSync(), "every connected participant got every message live: " + detail);
    }
    assertTrue(v.problems().isEmpty(), "no protocol problem: " + detail);
    if (socketsMoved) {
      assertTrue(v.phase("fault")[0] > 0, "the fault moved some sockets: " + detail);
    }
    assertTrue(v.phase("fault")[2] <= maxReconnectP99Ms,
        "reconnect p99 after the fault within " + maxReconnectP99Ms + " ms: " + detail);
    assertTrue(v.reconnectP99() <= maxReconnectP99Ms, "reconnect p99 within " + maxReconnectP99Ms + " ms: " + detail);
  }

  static void checkEscalation(String scenario, Connection db, UUID incident, Instant due, int victim,
      EscalationProbe.Page level2, EscalationProbe.Hook hook) throws Exception {
    List<EscalationProbe.Page> pages = EscalationProbe.pages(db, incident);
    Map<String, Integer> perStep = new HashMap<>();
    for (EscalationProbe.Page p : pages) {
      perStep.merge(p.level() + "/" + p.round(), 1, Integer::sum);
    }
    Map<String, Integer> events = EscalationProbe.pageEvents(db, incident);
    Map<String, Integer> hookKeys = new HashMap<>();
    for (EscalationProbe.Hook h : probe.hooks(incident)) {
      hookKeys.merge(h.key(), 1, Integer::sum);
    }
    long lateMs = level2 == null ? -1 : Duration.between(due, level2.pagedAt()).toMillis();
    long hookLateMs = hook == null ? -1 : hook.atMillis() - due.toEpochMilli();
    String detail = scenario + ": incident " + incident + " level 2 due " + due + ", pages " + pages + ", timeline page"
        + " entries " + events + ", webhook requests per key " + hookKeys
        + (victim > 0 ? ", faulted node node" + victim : "");
    results.put(scenario + " escalation", "level 2 paged " + lateMs + " ms after due by "
        + (level2 == null ? "nobody" : level2.nodeId()) + ", webhook received " + hookLateMs + " ms after due; pages per"
        + " level/round " + perStep + "; webhook requests per key " + hookKeys.values());
    log(scenario + " escalation: level 2 paged " + lateMs + " ms after due; " + detail);
    assertNotNull(level2, "level 2 was paged: " + detail);
    if (victim > 0) {
      assertNotEquals(cluster.nodeId(victim), level2.nodeId(), "a surviving node paged level 2: " + detail);
      assertTrue(pages.stream().noneMatch(p -> p.level() == 1 && p.nodeId().equals(cluster.nodeId(victim))),
          "the faulted node wrote no level-2 page: " + detail);
    }
    assertTrue(lateMs <= MAX_PAGE_LATENESS_MS, "level 2 at most 10 s late: " + detail);
    assertEquals(Map.of("0/0", 1, "1/0", 1), perStep, "each level and round paged exactly once: " + detail);
    assertEquals(Map.of("0/0", 1, "1/0", 1), events, "one timeline page entry per level and round: " + detail);
    assertNotNull(hook, "the level-2 page reached the webhook: " + detail);
    assertEquals(2, hookKeys.size(), "one idempotency key per page: " + detail);
    assertTrue(hookKeys.values().stream().allMatch(n -> n == 1), "each page sent once: " + detail);
  }

  /** Waits until node {@code i} reports {@code n} cluster members on /health/ready. */
  static void awaitMembers(int i, int n, Duration timeout) throws Exception {
    long end = System.nanoTime() + timeout.toNanos();
    String last = "";
    while (System.nanoTime() < end) {
      try {
        var r = cluster.health(i);
        last = r.status() + " " + r.body();
        if (r.status() == 200 && new JsonObject(r.body()).getInteger("clusterMembers", 0) == n) {
          return;
        }
      } catch (java.io.IOException | RuntimeException e) {
        last = e.toString();
      }
      Thread.sleep(250);
    }
    throw new AssertionError("node" + i + " did not see " + n + " members within " + timeout + ": " + last);
  }

  static void restartIfDown() throws Exception {
    for (int i = 1; i <= cluster.size(); i++) {
      if (!cluster.node(i).alive()) {
        long since = System.currentTimeMillis();
        cluster.restart(i);
        cluster.awaitBalancerUp(i, since, Duration.ofSeconds(30));
        awaitMembers(i, cluster.size(), Duration.ofSeconds(60));
        log("node" + i + " restarted and back in the balancer after " + (System.currentTimeMillis() - since) + " ms");
      }
    }
  }

  /** The host's 1-minute load average: timing failures on an overloaded machine say so. */
  static String loadAverage() {
    try {
      return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ")[0];
    } catch (java.io.IOException e) {
      return "?";
    }
  }

  static long secondsSince(long nanos) {
    return (System.nanoTime() - nanos) / 1_000_000_000L;
  }

  static void log(String s) {
    System.out.println("[fault] " + s);
  }
}
