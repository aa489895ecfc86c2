package org.interlude.cluster.fault;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.interlude.testing.WsClient;

/**
 * An escalation mid-chain during a fault. A client presses "I need help now" ({@code crisis.report}
 * through the balancer): level 1 is paged at once, level 2 is due {@code wait} later. Just before
 * level 2 is due the probe takes {@code LOCK TABLE page IN SHARE MODE} in its own transaction, so
 * the node that claims the step (row lock on the incident, {@code FOR NO KEY UPDATE}) stops inside
 * it, at its first page insert. The probe finds that node by its session's
 * {@code application_name} in {@code pg_stat_activity}, lets the test kill or freeze it, then
 * releases the lock: the fault hits the node in the middle of the step, the worst moment, every
 * time rather than by chance.
 *
 * <p>Afterwards the probe reads the step log: the {@code page} rows (one per person, level and
 * round, with the node that wrote it) and what the clinic's webhook receiver (a server in this JVM)
 * got, keyed by {@code Idempotency-Key}.
 */
final class EscalationProbe implements AutoCloseable {
  /** One page request the webhook receiver got. */
  record Hook(long atMillis, String key, String type, String incidentId, Integer level) {}

  /** The level-2 page as the step log shows it. */
  record Page(int level, int round, String nodeId, Instant pagedAt) {}

  private final Vertx vertx;
  private final HttpServer receiver;
  private final List<Hook> hooks = Collections.synchronizedList(new ArrayList<>());
  private Connection holder;

  /** A webhook receiver listening on {@code host} (where the nodes can reach it). */
  EscalationProbe(Vertx vertx, String host) throws Exception {
    this.vertx = vertx;
    this.receiver = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      JsonObject o = new JsonObject(body);
      hooks.add(new Hook(System.currentTimeMillis(), req.getHeader("Idempotency-Key"), o.getString("type"),
          o.getString("incidentId"), o.getInteger("level")));
      req.response().setStatusCode(200).end();
    })).listen(0, host).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  int port() {
    return receiver.actualPort();
  }

  /** The URL the nodes page: loopback (forwarded to the receiver when the nodes are in namespaces). */
  String webhookUrl() {
    return "http://127.0.0.1:" + receiver.actualPort() + "/page";
  }

  /** Presses the crisis button as {@code client}; returns the incident id from {@code crisis.info}. */
  static UUID report(int balancerPort, String origin, Accounts.Session client) {
    var o = new io.vertx.core.http.WebSocketConnectOptions().setHost("127.0.0.1").setPort(balancerPort).setSsl(true)
        .setURI("/ws").addHeader("Origin", origin).addHeader("Cookie", client.cookie())
        .setSubProtocols(List.of("interlude.v1"));
    try (WsClient ws = connectRetrying(o)) {
      ws.await("hello");
      ws.send(new JsonObject().put("type", "crisis.report").put("clientReportId", UUID.randomUUID().toString()));
      return UUID.fromString(ws.await(f -> "crisis.info".equals(f.getString("type")), Duration.ofSeconds(30))
          .getString("incidentId"));
    }
  }

  /** Connects as a browser does: a node that just died may refuse the first attempts. */
  static WsClient connectRetrying(io.vertx.core.http.WebSocketConnectOptions o) {
    RuntimeException last = null;
    for (int attempt = 0; attempt < 20; attempt++) {
      try {
        return WsClient.connect(o);
      } catch (RuntimeException e) {
        last = e;
        try {
          Thread.sleep(500);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
    throw last;
  }

  /** When the next step of {@code incident} is due (the level-2 page after a report). */
  static Instant nextStepAt(Connection db, UUID incident) throws SQLException {
    try (PreparedStatement ps = db.prepareStatement("SELECT next_step_at FROM incident WHERE id = ?")) {
      ps.setObject(1, incident);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getObject(1, OffsetDateTime.class).toInstant();
      }
    }
  }

  /** Takes the lock that holds page inserts (a separate connection; released by {@link #release}). */
  void holdPages(Connection c) throws SQLException {
    holder = c;
    holder.setAutoCommit(false);
    try (Statement st = holder.createStatement()) {
      st.execute("LOCK TABLE page IN SHARE MODE");
    }
  }

  /**
   * Waits until a node's session waits on the held lock with a page insert, i.e. a node has
   * claimed the incident's step and stopped inside it; returns that node's id.
   */
  static String awaitClaimer(Connection db, Duration timeout) throws Exception {
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery(
          "SELECT application_name FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
              + " AND query LIKE 'INSERT INTO page%'")) {
        if (rs.next()) {
          String app = rs.getString(1);
          return app.substring(app.lastIndexOf(' ') + 1);
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no node claimed the escalation step within " + timeout);
  }

  void release() throws SQLException {
    if (holder != null) {
      holder.rollback();
      holder.close();
      holder = null;
    }
  }

  /** Waits for the page of {@code level} (0-based) of {@code incident}; null on timeout. */
  static Page awaitPage(Connection db, UUID incident, int level, Duration timeout) throws Exception {
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      for (Page p : pages(db, incident)) {
        if (p.level() == level) {
          return p;
        }
      }
      Thread.sleep(100);
    }
    return null;
  }

  /** Every page row of {@code incident}, in the order written. */
  static List<Page> pages(Connection db, UUID incident) throws SQLException {
    List<Page> out = new ArrayList<>();
    try (PreparedStatement ps = db.prepareStatement(
        "SELECT level, round, node_id, paged_at FROM page WHERE incident_id = ? ORDER BY paged_at")) {
      ps.setObject(1, incident);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new Page(rs.getInt(1), rs.getInt(2), rs.getString(3), rs.getObject(4, OffsetDateTime.class).toInstant()));
        }
      }
    }
    return out;
  }

  /** Page timeline entries per (level, round) of {@code incident}. */
  static Map<String, Integer> pageEvents(Connection db, UUID incident) throws SQLException {
    Map<String, Integer> out = new HashMap<>();
    try (PreparedStatement ps = db.prepareStatement(
        "SELECT level, round, count(*) FROM incident_event WHERE incident_id = ? AND kind = 'page' GROUP BY level, round")) {
      ps.setObject(1, incident);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getInt(1) + "/" + rs.getInt(2), rs.getInt(3));
        }
      }
    }
    return out;
  }

  /** Page webhooks the receiver got for {@code incident}. */
  List<Hook> hooks(UUID incident) {
    synchronized (hooks) {
      return hooks.stream().filter(h -> "page".equals(h.type()) && incident.toString().equals(h.incidentId())).toList();
    }
  }

  /** Waits for the page webhook of {@code level} of {@code incident}; null on timeout. */
  Hook awaitHook(UUID incident, int level, Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      for (Hook h : hooks(incident)) {
        if (h.level() != null && h.level() == level) {
          return h;
        }
      }
      Thread.sleep(100);
    }
    return null;
  }

  @Override
  public void close() throws Exception {
    release();
    receiver.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
