package org.interlude.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/** The load scenarios; each returns a JSON result for one target. */
final class Scenarios {
  static final String TEXT = "Checking in after today's session, the breathing exercise helped a lot. ";
  private static final AtomicLong ids = new AtomicLong();
  private static final long RUN = UUID.randomUUID().getMostSignificantBits();

  private final Vertx vertx;
  private final WebSocketClient client;
  private final Progress progress;

  Scenarios(Vertx vertx, WebSocketClient client, Progress progress) {
    this.vertx = vertx;
    this.client = client;
    this.progress = progress;
  }

  WebSocketClient client() {
    return client;
  }

  /** For timers of the load generator (retries after a backoff). */
  Vertx vertx() {
    return vertx;
  }

  static String newId() {
    return new UUID(RUN, ids.incrementAndGet()).toString();
  }

  static String sendFrame(String conv, String id) {
    return "{\"type\":\"chat.send\",\"conversationId\":\"" + conv + "\",\"clientMsgId\":\"" + id + "\",\"text\":\"" + TEXT + "\"}";
  }

  /** Opens connections for users (several per user when perUser > 1), at most `parallel` handshakes at once. */
  List<Conn> open(Target t, List<Identity> users, int total, int parallel, Stats stats) throws Exception {
    Semaphore sem = new Semaphore(parallel);
    List<Future<Conn>> fs = new ArrayList<>();
    for (int i = 0; i < total; i++) {
      Identity who = users.get(i % users.size());
      sem.acquire();
      Conn c = new Conn(who, stats);
      fs.add(c.connect(client, t.endpoint(who)).onComplete(x -> sem.release()));
    }
    List<Conn> out = new ArrayList<>();
    int failed = 0;
    for (Future<Conn> f : fs) {
      try {
        out.add(f.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS));
      } catch (Exception e) {
        failed++;
      }
    }
    if (failed > 0) {
      stats.errors.add(failed);
      stats.count("connect_failed");
      progress.say(t.name + ": " + failed + " of " + total + " connections failed");
    }
    return out;
  }

  static void closeAll(List<Conn> conns, Stats stats) {
    stats.expectingCloses = true;
    for (Conn c : conns) {
      c.close();
    }
  }

  /** A chat message in flight. */
  static final class Msg {
    final long intended;
    final Conn to;
    volatile boolean acked;
    volatile boolean received;

    Msg(long intended, Conn to) {
      this.intended = intended;
      this.to = to;
    }
  }

  /** Wires ack and delivery handlers of pairs' connections to the map of messages in flight. */
  static void wire(List<Conn[]> pairs, Map<String, Msg> inflight, Histogram delivery, Histogram ack, LongAdder received,
      LongAdder acked, Stats stats, Runnable onDelivered) {
    for (Conn[] p : pairs) {
      for (Conn c : p) {
        c.handler = f -> {
          String type = f.getString("type");
          if ("chat.ack".equals(type)) {
            Msg m = inflight.get(f.getString("clientMsgId"));
            if (m != null && !m.acked) {
              m.acked = true;
              acked.increment();
              Stats.record(ack, (System.nanoTime() - m.intended) / 1000);
            }
          } else if ("chat.message".equals(type)) {
            Msg m = inflight.get(f.getString("clientMsgId"));
            if (m != null && m.to == c && !m.received) {
              m.received = true;
              received.increment();
              Stats.record(delivery, (System.nanoTime() - m.intended) / 1000);
              if (onDelivered != null) {
                onDelivered.run();
              }
            }
          }
        };
      }
    }
  }

  /**
   * Open loop at a fixed total rate: message k is due at start + k/rate and is sent by the k-th
   * sender (both sides of every pair, round robin); latency counts from the due time, so a
   * stalled server cannot hide its queueing (coordinated omission).
   */
  JsonObject fixedRate(Target t, List<Conn[]> pairs, int rate, int seconds, Stats stats, String label, Runnable extra)
      throws Exception {
    Map<String, Msg> inflight = new ConcurrentHashMap<>();
    Histogram delivery = Stats.histogram();
    Histogram ack = Stats.histogram();
    LongAdder received = new LongAdder();
    LongAdder acked = new LongAdder();
    wire(pairs, inflight, delivery, ack, received, acked, stats, null);
    List<Conn[]> senders = new ArrayList<>();
    for (Conn[] p : pairs) {
      senders.add(new Conn[] {p[0], p[1]});
      senders.add(new Conn[] {p[1], p[0]});
    }
    long total = (long) rate * seconds;
    CpuSample cpu = CpuSample.of(t);
    long start = System.nanoTime();
    long periodNanos = 1_000_000_000L / rate;
    long k = 0;
    long lastReport = start;
    while (k < total) {
      long now = System.nanoTime();
      while (k < total && start + k * periodNanos <= now) {
        Conn[] s = senders.get((int) (k % senders.size()));
        String id = newId();
        long due = start + k * periodNanos;
        inflight.put(id, new Msg(due, s[1]));
        if (!s[0].closed) {
          s[0].send(sendFrame(s[0].conversationId, id));
        }
        k++;
      }
      if (extra != null) {
        extra.run();
      }
      if (now - lastReport > 2_000_000_000L) {
        lastReport = now;
        progress.say(String.format("%s %s %d/s: %ds sent=%d acked=%d delivered=%d errors=%d", t.name, label, rate,
            (now - start) / 1_000_000_000L, k, acked.sum(), received.sum(), stats.errors.sum()));
      }
      LockSupport.parkNanos(100_000);
    }
    long sendEnd = System.nanoTime();
    // Drain: wait for every ack and delivery (at most 30 s).
    long drainDeadline = System.nanoTime() + 30_000_000_000L;
    while ((received.sum() < total || acked.sum() < total) && System.nanoTime() < drainDeadline) {
      if (extra != null) {
        extra.run();
      }
      Thread.sleep(20);
    }
    long end = System.nanoTime();
    CpuSample after = CpuSample.of(t);
    long lost = 0;
    long unacked = 0;
    long undelivered = 0;
    for (Msg m : inflight.values()) {
      if (m.acked && !m.received) {
        lost++;
      }
      if (!m.acked) {
        unacked++;
      }
      if (!m.received) {
        undelivered++;
      }
    }
    double elapsed = (end - start) / 1e9;
    JsonObject r = new JsonObject().put("offeredRate", rate).put("durationSeconds", seconds)
        .put("pairs", pairs.size()).put("sent", total).put("acked", acked.sum()).put("delivered", received.sum())
        .put("lost", lost).put("unacked", unacked).put("undelivered", undelivered)
        .put("achievedRate", Math.round(received.sum() / Math.max(elapsed, (sendEnd - start) / 1e9)))
        .put("latencyMs", latency(delivery)).put("ackLatencyMs", latency(ack));
    cpu.put(r, after, received.sum());
    return r;
  }

  /** Closed loop: every pair keeps exactly one message in flight (client → therapist). */
  JsonObject closedLoop(Target t, List<Conn[]> pairs, int seconds, Stats stats) throws Exception {
    Map<String, Msg> inflight = new ConcurrentHashMap<>();
    Histogram delivery = Stats.histogram();
    Histogram ack = Stats.histogram();
    LongAdder received = new LongAdder();
    LongAdder acked = new LongAdder();
    LongAdder sent = new LongAdder();
    long start = System.nanoTime();
    long stopAt = start + seconds * 1_000_000_000L;
    Map<Conn, Conn> peers = new ConcurrentHashMap<>();
    for (Conn[] p : pairs) {
      peers.put(p[1], p[0]);
    }
    for (Conn[] p : pairs) {
      for (Conn c : p) {
        c.handler = f -> {
          String type = f.getString("type");
          if ("chat.ack".equals(type)) {
            Msg m = inflight.get(f.getString("clientMsgId"));
            if (m != null && !m.acked) {
              m.acked = true;
              acked.increment();
              Stats.record(ack, (System.nanoTime() - m.intended) / 1000);
            }
          } else if ("chat.message".equals(type)) {
            Msg m = inflight.get(f.getString("clientMsgId"));
            if (m != null && m.to == c && !m.received) {
              m.received = true;
              received.increment();
              long now = System.nanoTime();
              Stats.record(delivery, (now - m.intended) / 1000);
              inflight.remove(f.getString("clientMsgId"));
              if (now < stopAt) {
                Conn sender = peers.get(c);
                String id = newId();
                inflight.put(id, new Msg(System.nanoTime(), c));
                sent.increment();
                sender.send(sendFrame(sender.conversationId, id));
              }
            }
          }
        };
      }
    }
    CpuSample cpu = CpuSample.of(t);
    for (Conn[] p : pairs) {
      String id = newId();
      inflight.put(id, new Msg(System.nanoTime(), p[1]));
      sent.increment();
      p[0].send(sendFrame(p[0].conversationId, id));
    }
    while (System.nanoTime() < stopAt) {
      Thread.sleep(2000);
      progress.say(String.format("%s closed loop %d pairs: %ds delivered=%d errors=%d", t.name, pairs.size(),
          (System.nanoTime() - start) / 1_000_000_000L, received.sum(), stats.errors.sum()));
    }
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (received.sum() < sent.sum() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    CpuSample after = CpuSample.of(t);
    long lost = 0;
    long unacked = 0;
    for (Msg m : inflight.values()) {
      if (m.acked && !m.received) {
        lost++;
      }
      if (!m.acked) {
        unacked++;
      }
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    JsonObject r = new JsonObject().put("pairs", pairs.size()).put("durationSeconds", seconds).put("sent", sent.sum())
        .put("acked", acked.sum()).put("delivered", received.sum()).put("lost", lost).put("unacked", unacked)
        .put("achievedRate", Math.round(received.sum() / elapsed)).put("latencyMs", latency(delivery))
        .put("ackLatencyMs", latency(ack));
    cpu.put(r, after, received.sum());
    return r;
  }

  /** Percentiles in milliseconds, plus the distribution for the plots. */
  static JsonObject latency(Histogram h) {
    JsonObject o = new JsonObject().put("count", h.getTotalCount());
    if (h.getTotalCount() == 0) {
      return o;
    }
    o.put("p50", ms(h.getValueAtPercentile(50))).put("p90", ms(h.getValueAtPercentile(90)))
        .put("p99", ms(h.getValueAtPercentile(99))).put("p999", ms(h.getValueAtPercentile(99.9)))
        .put("max", ms(h.getMaxValue()));
    io.vertx.core.json.JsonArray dist = new io.vertx.core.json.JsonArray();
    double[] ps = {0, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.995, 99.999, 100};
    for (double p : ps) {
      dist.add(new io.vertx.core.json.JsonArray().add(p).add(ms(p == 100 ? h.getMaxValue() : h.getValueAtPercentile(p))));
    }
    o.put("distribution", dist);
    return o;
  }

  static double ms(long micros) {
    return Math.round(micros / 10.0) / 100.0;
  }

  /** CPU of the target (and its database) and its JVM's GC counters at one instant. */
  record CpuSample(long ticks, long helperTicks, long at, Target t, JsonObject gc) {
    static CpuSample of(Target t) {
      return new CpuSample(ProcStats.cpuTicks(t.pid()), ProcStats.cpuTicks(t.helperPids()), System.nanoTime(), t,
          t.isJvm() ? JvmStats.sample(t.pid()) : null);
    }

    void put(JsonObject r, CpuSample after, long messages) {
      double server = (after.ticks - ticks) / (double) ProcStats.CLK_TCK;
      double db = (after.helperTicks - helperTicks) / (double) ProcStats.CLK_TCK;
      double wall = (after.at - at) / 1e9;
      JsonObject c = new JsonObject().put("serverCpuSeconds", server).put("databaseCpuSeconds", db)
          .put("wallSeconds", Math.round(wall * 100) / 100.0)
          .put("serverCoresBusy", Math.round(server / wall * 100) / 100.0);
      if (messages > 0) {
        c.put("serverCpuMicrosPerMessage", Math.round(server * 1e6 / messages * 10) / 10.0);
        c.put("serverAndDatabaseCpuMicrosPerMessage", Math.round((server + db) * 1e6 / messages * 10) / 10.0);
      }
      r.put("cpu", c);
      JsonObject gcDelta = JvmStats.delta(gc, after.gc);
      if (gcDelta != null) {
        r.put("gc", gcDelta);
      }
      r.put("rssBytes", ProcStats.rssBytes(t.pid()));
      if (!t.helperPids().isEmpty()) {
        r.put("databaseRssBytes", ProcStats.rssBytes(t.helperPids()));
      }
      long heap = t.heapBytes();
      if (heap >= 0) {
        r.put("heapBytes", heap);
      }
    }
  }
}
