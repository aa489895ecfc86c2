package org.interlude.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * The check-in burst: N check-in prompts fall due at the same instant T for C connected clients,
 * and we time how long the node takes to push every one of them over the clients' sockets.
 *
 * <p>All of it goes through the product path. C clients and one therapist are created through the
 * admin API (the therapist in every client's care team). The therapist gives each client a custom
 * plan ({@code PUT /api/clients/{id}/plan}) of N/C steps, each a distinct step of the safety
 * pulse due when the dose starts ({@code afterDoseStart}, offset 0), with quiet hours off. Every
 * client connects over WSS like a browser. Then the therapist records a dosing session for each
 * client starting at T ({@code POST /api/clients/{id}/dosing-sessions}), which schedules that
 * client's prompts, all due at T. The node's scheduler delivers them once T has passed.
 *
 * <p>Why a dosing session rather than weekly steps: a weekly step is due on a whole minute, so a
 * run would wait up to a minute for the next one (too long for the smoke test), while a session
 * may start at any second. T is set just after the setup can be done: the plan changes are timed
 * first, and recording the sessions costs about as much (one transaction per client that also
 * inserts its prompts).
 *
 * <p>Contract: a prompt's latency is its receipt by the client minus its {@code dueAt} (wall
 * clock, one machine). Prompts not received within {@link #WAIT_SECONDS} of T are lost; a prompt
 * pushed twice counts once (clients de-duplicate by promptId) and the repeat is counted. If the
 * sessions were not all recorded before T, the run counts an error ({@code setup_late}): its
 * latencies would include our own setup. Interlude only: the relay baselines have no check-ins.
 */
final class CheckinBurst {
  /** Most steps a plan may have (ClientPlan.MAX_STEPS on the server). */
  static final int MAX_STEPS = 60;
  static final String STEP_PREFIX = "burst-";
  /** A safety check-in: the kind of prompt a clinic sends many of at the same time. */
  static final String INSTRUMENT = "pulse";
  /** REST calls in flight while setting up (each is a short transaction on the node). */
  static final int CONCURRENCY = 8;
  /** How long after T we wait for the last prompt; the target is 60 s. */
  static final int WAIT_SECONDS = 180;

  private CheckinBurst() {}

  /** The plan every client gets: {@code steps} distinct steps due at the dose start. */
  static JsonObject plan(int steps) {
    JsonArray list = new JsonArray();
    for (int k = 0; k < steps; k++) {
      list.add(new JsonObject().put("stepId", String.format("%s%02d", STEP_PREFIX, k))
          .put("instruments", new JsonArray().add(INSTRUMENT))
          .put("anchor", new JsonObject().put("type", "afterDoseStart").put("offsetMinutes", 0))
          // Long enough that nothing expires (a missed pulse would open an incident) during the run.
          .put("expiresAfterMinutes", 720)
          .put("path", "routine"));
    }
    // Equal start and end: no quiet hours, so a run at night is not moved to the morning.
    return new JsonObject().put("planId", "bench-burst")
        .put("quietHours", new JsonObject().put("start", "00:00").put("end", "00:00")).put("steps", list);
  }

  /** Steps of client i when N prompts are shared by C clients (the first N mod C get one more). */
  static int stepsOf(int i, int prompts, int clients) {
    return prompts / clients + (i < prompts % clients ? 1 : 0);
  }

  static JsonObject run(Scenarios sc, Target.Interlude node, Bench.Options o, Progress progress) throws Exception {
    int clients = o.checkinClients;
    int prompts = o.checkinPrompts;
    if (clients < 1 || prompts < clients || (prompts + clients - 1) / clients > MAX_STEPS) {
      throw new IllegalArgumentException("--checkin-prompts " + prompts + " over --checkin-clients " + clients
          + " must give 1 to " + MAX_STEPS + " steps per client");
    }
    Bench.quiesce(node, progress);
    Stats stats = new Stats();
    long t0 = System.nanoTime();
    List<Identity> ids = new ArrayList<>();
    Target.Interlude.Session therapist = node.checkinClinic(clients, ids);
    double provisionSeconds = since(t0);
    progress.say(node.name + ": check-in burst: provisioned " + clients + " clients in " + Math.round(provisionSeconds) + " s");

    long t1 = System.nanoTime();
    Target.Interlude.parallel(clients, CONCURRENCY, i -> {
      node.putPlan(therapist, ids.get(i).userId(), plan(stepsOf(i, prompts, clients)));
      return i;
    });
    double planSeconds = since(t1);

    Histogram latency = new ConcurrentHistogram(WAIT_SECONDS * 1_000_000L * 2, 3);
    Set<String> seen = ConcurrentHashMap.newKeySet();
    LongAdder received = new LongAdder();
    LongAdder duplicates = new LongAdder();
    LongAdder early = new LongAdder();
    AtomicLong lastMicros = new AtomicLong();
    AtomicReference<Integer> frameBytes = new AtomicReference<>();
    List<Conn> conns = sc.open(node, ids, clients, 100, stats);
    for (Conn c : conns) {
      c.handler = f -> {
        if (!"checkin.prompt".equals(f.getString("type")) || !f.getString("stepId", "").startsWith(STEP_PREFIX)) {
          return;
        }
        long now = epochMicros(Instant.now());
        if (!seen.add(f.getString("promptId"))) {
          duplicates.increment();
          return;
        }
        long due = epochMicros(Instant.parse(f.getString("dueAt")));
        if (now < due) {
          early.increment();
        }
        Stats.record(latency, now - due);
        lastMicros.accumulateAndGet(now, Math::max);
        received.increment();
        if (frameBytes.get() == null) {
          frameBytes.set(f.encode().length());
        }
      };
    }
    progress.say(node.name + ": check-in burst: " + conns.size() + " clients connected; plans took "
        + Math.round(planSeconds * 10) / 10.0 + " s");

    // Recording a session costs about what a plan change did, plus inserting its prompts (measured:
    // 100 sessions of 50 prompts took 0.4 times as long as the 100 plans); twice the plans leaves
    // room for a busier machine, and a late setup is reported (setup_late) rather than hidden.
    double leadSeconds = Math.max(3, 2 * planSeconds + 2);
    Instant due = Instant.now().plusMillis((long) (leadSeconds * 1000)).truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
    progress.say(node.name + ": check-in burst: " + prompts + " prompts (" + clients + " clients) fall due at " + due);
    long t2 = System.nanoTime();
    Target.Interlude.parallel(clients, CONCURRENCY, i -> node.addDosingSession(therapist, ids.get(i).userId(), due));
    double sessionSeconds = since(t2);
    Instant setupDone = Instant.now();
    JsonObject setup = new JsonObject().put("provisionSeconds", round(provisionSeconds)).put("planSeconds", round(planSeconds))
        .put("sessionSeconds", round(sessionSeconds)).put("leadSeconds", round(leadSeconds));
    if (setupDone.isAfter(due)) {
      stats.errors.increment();
      stats.count("setup_late");
      setup.put("lateSeconds", round((epochMicros(setupDone) - epochMicros(due)) / 1e6));
      progress.say(node.name + ": check-in burst: the sessions were recorded only after the prompts fell due");
    }
    long untilDue = epochMicros(due) - epochMicros(Instant.now()) - 500_000;
    if (untilDue > 0) {
      Thread.sleep(untilDue / 1000);
    }
    Scenarios.CpuSample cpu = Scenarios.CpuSample.of(node);
    long deadline = epochMicros(due) + WAIT_SECONDS * 1_000_000L;
    long lastReport = System.nanoTime();
    while (received.sum() < prompts && epochMicros(Instant.now()) < deadline) {
      Thread.sleep(20);
      if (System.nanoTime() - lastReport > 2_000_000_000L) {
        lastReport = System.nanoTime();
        progress.say(String.format("%s check-in burst: %+.0fs after due: %d of %d prompts received, errors=%d", node.name,
            (epochMicros(Instant.now()) - epochMicros(due)) / 1e6, received.sum(), prompts, stats.errors.sum()));
      }
    }
    Scenarios.CpuSample after = Scenarios.CpuSample.of(node);
    long got = received.sum();
    JsonObject r = Bench.base("checkin-burst", node, stats).put("clients", clients).put("connected", conns.size())
        .put("stepsPerClient", (prompts + clients - 1) / clients).put("instrument", INSTRUMENT).put("prompts", prompts)
        .put("dueAt", due.toString()).put("delivered", got).put("lost", prompts - got)
        .put("deliveredWithin60s", latency.getCountBetweenValues(0, 60_000_000L))
        .put("allDeliveredSeconds", got == prompts ? round((lastMicros.get() - epochMicros(due)) / 1e6) : null)
        .put("duplicates", duplicates.sum()).put("receivedBeforeDue", early.sum())
        .put("promptFrameBytes", frameBytes.get()).put("dueToPromptMs", Scenarios.latency(latency)).put("setup", setup);
    cpu.put(r, after, got);
    Bench.finish(r, stats);
    progress.say(Report.line(r));
    Scenarios.closeAll(conns, stats);
    Thread.sleep(1000);
    return r;
  }

  private static double since(long nanos) {
    return (System.nanoTime() - nanos) / 1e9;
  }

  private static double round(double seconds) {
    return Math.round(seconds * 1000) / 1000.0;
  }

  static long epochMicros(Instant t) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, t);
  }
}
