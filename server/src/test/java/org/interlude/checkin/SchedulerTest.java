package org.interlude.checkin;

import static org.interlude.checkin.CheckinDb.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.interlude.checkin.CheckinDb.MutableClock;
import org.interlude.checkin.CheckinDb.Nudges;
import org.interlude.checkin.CheckinDb.RecordingSink;
import org.interlude.checkin.instrument.risk.CheckinRiskRules;
import org.interlude.escalation.Severity;
import org.interlude.identity.Actor;
import org.interlude.identity.Role;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The durable scheduler against a real PostgreSQL, driven by a test clock: exactly-once delivery
 * with racing nodes, restarts, daylight saving, quiet hours, reminders, expiry with risk reports,
 * rescheduling, plan changes and resets, horizon extension and lease takeover.
 */
class SchedulerTest {
  // A fresh database per test: the scheduler works on every client in the database, so tests
  // must not see each other's prompts.
  static CheckinDb db;

  @BeforeEach
  void setUp() {
    db = new CheckinDb();
  }

  @AfterEach
  void tearDown() {
    db.close();
  }

  /** A clinic with one client (in {@code zone}) and their therapist. */
  record People(UUID clinic, UUID client, UUID therapist, Actor clientActor, Actor therapistActor) {
    static People in(String zone) {
      UUID clinic = db.clinic("America/New_York");
      UUID client = db.user(clinic, Role.CLIENT, zone);
      UUID therapist = db.user(clinic, Role.THERAPIST, zone);
      db.careTeam(client, therapist);
      return new People(clinic, client, therapist, CheckinDb.actor(client, clinic, Role.CLIENT),
          CheckinDb.actor(therapist, clinic, Role.THERAPIST));
    }
  }

  private static Map<String, Row> byStep(List<Row> rows, String instrument) {
    Map<String, Row> out = new HashMap<>();
    for (Row r : rows) {
      if (r.getString("instrument_id").equals(instrument)) {
        out.put(r.getString("step_id"), r);
      }
    }
    return out;
  }

  private static Instant due(Row r) {
    return r.getOffsetDateTime("due_at").toInstant();
  }

  private static UUID session(CheckinModule m, People p, Instant start) {
    return UUID.fromString(await(m.sessions().create(p.therapistActor(), p.client(), start, "intranasal")).getString("id"));
  }

  private static String promptId(People p, String step, String instrument) {
    return db.query("SELECT id FROM checkin_prompt WHERE client_id = $1 AND step_id = $2 AND instrument_id = $3",
        p.client(), step, instrument).iterator().next().getUUID("id").toString();
  }

  @Test
  void daylightSavingInNewYorkEndToEndThroughTheDatabase() {
    People p = People.in("America/New_York");
    MutableClock clock = new MutableClock(Instant.parse("2026-03-04T12:00:00Z"));
    Nudges nudges = new Nudges();
    CheckinModule m = db.module(clock, new RecordingSink(), nudges);
    // 14:00 EST on Saturday 7 March; clocks spring forward at 02:00 on Sunday 8 March.
    Instant dose = Instant.parse("2026-03-07T19:00:00Z");
    UUID sessionId = session(m, p, dose);
    Map<String, Row> phq = byStep(db.prompts(p.client()), "phq9");
    Map<String, Row> postdose = byStep(db.prompts(p.client()), "postdose");
    assertEquals(Instant.parse("2026-03-05T15:00:00Z"), due(phq.get("d-2.baseline")), "D-2 10:00 EST");
    assertEquals(Instant.parse("2026-03-07T15:00:00Z"), phq.get("d-2.baseline").getOffsetDateTime("expires_at").toInstant(),
        "the baseline closes after 48 h, before the dose");
    assertEquals(Instant.parse("2026-03-07T22:00:00Z"), due(postdose.get("d0.postdose")), "dose + 3 h elapsed");
    assertEquals(Instant.parse("2026-03-08T14:00:00Z"), due(postdose.get("d+1.postdose-pulse")), "D+1 10:00 EDT");
    assertEquals("d+1.postdose-pulse@" + sessionId, postdose.get("d+1.postdose-pulse").getString("occurrence_key"));
    assertEquals("America/New_York", postdose.get("d+1.postdose-pulse").getString("time_zone"));

    String dPlus1 = promptId(p, "d+1.postdose-pulse", "postdose");
    clock.set(Instant.parse("2026-03-08T13:59:00Z"));
    await(m.scheduler().tick());
    assertFalse(nudges.promptIds().contains(dPlus1), "09:59 EDT is too early (it would be 10:00 in EST)");
    clock.set(Instant.parse("2026-03-08T14:00:00Z"));
    await(m.scheduler().tick());
    assertTrue(nudges.promptIds().contains(dPlus1), "delivered at 10:00 local on the first EDT day");

    // November: clocks fall back at 02:00 on Sunday 1 November.
    People q = People.in("America/New_York");
    clock.set(Instant.parse("2026-10-28T12:00:00Z"));
    Instant autumnDose = Instant.parse("2026-10-31T14:00:00Z");
    session(m, q, autumnDose);
    Map<String, Row> autumn = byStep(db.prompts(q.client()), "postdose");
    assertEquals(Instant.parse("2026-10-29T14:00:00Z"), due(byStep(db.prompts(q.client()), "phq9").get("d-2.baseline")),
        "D-2 10:00 EDT");
    assertEquals(Instant.parse("2026-10-31T17:00:00Z"), due(autumn.get("d0.postdose")));
    assertEquals(Instant.parse("2026-11-01T15:00:00Z"), due(autumn.get("d+1.postdose-pulse")), "D+1 10:00 EST");
    assertEquals(Instant.parse("2026-11-02T15:00:00Z"), due(byStep(db.prompts(q.client()), "pulse").get("d+2.pulse-journal")));

    // A step in the fall-back overlap takes the earlier 01:30 (EDT); one in the spring gap moves to 03:30 EDT.
    JsonObject plan = ClientPlan.defaults().toApi();
    plan.getJsonArray("steps").add(new JsonObject().put("stepId", "night.check").put("instruments", new JsonArray().add("pulse"))
        .put("anchor", new JsonObject().put("type", "doseDay").put("dayOffset", 1).put("localTime", "01:30"))
        .put("expiresAfterMinutes", 600).put("path", "crisis_path"))
        .add(new JsonObject().put("stepId", "gap.check").put("instruments", new JsonArray().add("pulse"))
        .put("anchor", new JsonObject().put("type", "doseDay").put("dayOffset", 1).put("localTime", "02:30"))
        .put("expiresAfterMinutes", 600).put("path", "crisis_path"));
    await(m.plans().put(q.therapistActor(), q.client(), plan));
    Map<String, Row> pulses = byStep(db.prompts(q.client()), "pulse");
    assertEquals(Instant.parse("2026-11-01T05:30:00Z"), due(pulses.get("night.check")), "01:30 EDT, the earlier of the two");
    assertEquals(Instant.parse("2026-11-01T07:30:00Z"), due(pulses.get("gap.check")), "02:30 EST (no gap in autumn)");

    People r = People.in("America/New_York");
    clock.set(Instant.parse("2026-03-04T12:00:00Z"));
    session(m, r, dose);
    await(m.plans().put(r.therapistActor(), r.client(), plan));
    Map<String, Row> spring = byStep(db.prompts(r.client()), "pulse");
    assertEquals(Instant.parse("2026-03-08T07:30:00Z"), due(spring.get("gap.check")), "02:30 does not exist: 03:30 EDT");
    assertEquals(Instant.parse("2026-03-08T06:30:00Z"), due(spring.get("night.check")), "01:30 EST");
  }

  @Test
  void quietHoursDelayRoutinePromptsButNeverTheCrisisPath() {
    People p = People.in("America/Los_Angeles");
    MutableClock clock = new MutableClock(Instant.parse("2026-05-01T12:00:00Z"));
    CheckinModule m = db.module(clock, new RecordingSink(), new Nudges());
    JsonObject plan = new JsonObject().put("quietHours", new JsonObject().put("start", "21:00").put("end", "09:00"))
        .put("steps", new JsonArray()
            .add(new JsonObject().put("stepId", "late.routine").put("instruments", new JsonArray().add("pulse"))
                .put("anchor", new JsonObject().put("type", "doseDay").put("dayOffset", 1).put("localTime", "22:30"))
                .put("expiresAfterMinutes", 720).put("path", "routine"))
            .add(new JsonObject().put("stepId", "late.crisis").put("instruments", new JsonArray().add("pulse"))
                .put("anchor", new JsonObject().put("type", "doseDay").put("dayOffset", 1).put("localTime", "22:30"))
                .put("expiresAfterMinutes", 720).put("path", "crisis_path"))
            .add(new JsonObject().put("stepId", "day.routine").put("instruments", new JsonArray().add("pulse"))
                .put("anchor", new JsonObject().put("type", "doseDay").put("dayOffset", 1).put("localTime", "12:00"))
                .put("expiresAfterMinutes", 720).put("path", "routine")));
    JsonObject stored = await(m.plans().put(p.therapistActor(), p.client(), plan));
    assertEquals("21:00", stored.getJsonObject("quietHours").getString("start"));
    // 10:00 PDT on 4 May.
    session(m, p, Instant.parse("2026-05-04T17:00:00Z"));
    Map<String, Row> rows = byStep(db.prompts(p.client()), "pulse");
    assertEquals(Instant.parse("2026-05-06T16:00:00Z"), due(rows.get("late.routine")), "22:30 is quiet: next day 09:00 PDT");
    assertEquals(Instant.parse("2026-05-06T05:30:00Z"), due(rows.get("late.crisis")), "crisis path: 22:30 PDT as planned");
    assertEquals(Instant.parse("2026-05-05T19:00:00Z"), due(rows.get("day.routine")), "12:00 PDT, outside quiet hours");
  }

  @Test
  void twoSchedulersRacingDeliverEachPromptExactlyOnce() {
    UUID clinic = db.clinic("America/New_York");
    Instant dueAt = Instant.parse("2026-06-01T14:00:00Z");
    for (int i = 0; i < 40; i++) {
      UUID client = db.user(clinic, Role.CLIENT, "America/New_York");
      db.query("INSERT INTO checkin_prompt (id, clinic_id, client_id, step_id, occurrence_key, instrument_id,"
          + " instrument_version, position, due_at, expires_at, time_zone, created_at)"
          + " SELECT gen_random_uuid(), $1, $2, 'burst', 'k' || g, 'pulse', 1, 0, $3, $4, 'America/New_York', $3"
          + " FROM generate_series(1, 50) g", clinic, client, Db.ts(dueAt), Db.ts(dueAt.plus(Duration.ofHours(24))));
    }
    MutableClock clock = new MutableClock(dueAt.plusSeconds(1));
    Nudges nodeA = new Nudges();
    Nudges nodeB = new Nudges();
    Pool poolB = db.newPool();
    CheckinModule a = db.module(db.pool, "node-a", clock, new RecordingSink(), nodeA, Duration.ofSeconds(30));
    CheckinModule b = db.module(poolB, "node-b", clock, new RecordingSink(), nodeB, Duration.ofSeconds(30));
    // Both nodes poll at the same moment, twice, then once more after a "restart" of node A.
    await(Future.all(a.scheduler().tick(), b.scheduler().tick(), a.scheduler().tick(), b.scheduler().tick()));
    CheckinModule a2 = db.module(db.newPool(), "node-a", clock, new RecordingSink(), nodeA, Duration.ofSeconds(30));
    await(a2.scheduler().tick());

    List<String> all = new java.util.ArrayList<>(nodeA.promptIds());
    all.addAll(nodeB.promptIds());
    Set<String> distinct = new HashSet<>(all);
    long expected = db.query("SELECT count(*) FROM checkin_prompt WHERE clinic_id = $1", clinic).iterator().next().getLong(0);
    assertEquals(2000, expected);
    assertEquals(expected, distinct.size(), "every prompt was pushed");
    assertEquals(distinct.size(), all.size(), "and none twice");
    Row states = db.query("SELECT count(*) FILTER (WHERE state = 'delivered') AS delivered,"
        + " count(*) FILTER (WHERE nudge_pending) AS owed, count(DISTINCT lease_owner) AS owners"
        + " FROM checkin_prompt WHERE clinic_id = $1", clinic).iterator().next();
    assertEquals(2000, states.getLong("delivered"));
    assertEquals(0, states.getLong("owed"), "every push was confirmed by the node that claimed it");
  }

  @Test
  void restartKeepsTheScheduleAndNeverResendsWhatWasAnswered() {
    People p = People.in("America/New_York");
    MutableClock clock = new MutableClock(Instant.parse("2026-06-08T12:00:00Z"));
    Nudges before = new Nudges();
    CheckinModule first = db.module(db.newPool(), "node-a", clock, new RecordingSink(), before, Duration.ofSeconds(30));
    Instant dose = Instant.parse("2026-06-10T14:00:00Z");
    session(first, p, dose);
    clock.set(dose.plus(Duration.ofHours(3)));
    await(first.scheduler().tick());
    String postdose = promptId(p, "d0.postdose", "postdose");
    assertEquals(List.of(postdose), before.promptIds());
    Checkins.Submitted s = await(first.checkins().submit(p.clientActor(), UUID.fromString(postdose), TestAnswers.postDose()));
    assertFalse(s.duplicate());
    await(first.stop());

    Nudges after = new Nudges();
    CheckinModule second = db.module(db.newPool(), "node-a", clock, new RecordingSink(), after, Duration.ofSeconds(30));
    clock.set(Instant.parse("2026-06-11T14:00:00Z"));
    await(second.scheduler().tick());
    await(second.scheduler().tick());
    assertFalse(after.promptIds().contains(postdose), "answered before the restart: never pushed again");
    Set<String> dPlus1 = Set.of(promptId(p, "d+1.postdose-pulse", "postdose"), promptId(p, "d+1.postdose-pulse", "pulse"));
    assertEquals(dPlus1, new HashSet<>(after.promptIds()));
    assertEquals(2, after.promptIds().size(), "each once");
    assertEquals("answered", db.query("SELECT state FROM checkin_prompt WHERE id = $1", UUID.fromString(postdose))
        .iterator().next().getString("state"));
  }

  @Test
  void reminderThenExpiryRecordsMissedAndReportsMissedSafetyCheckins() {
    People p = People.in("America/New_York");
    MutableClock clock = new MutableClock(Instant.parse("2026-07-01T12:00:00Z"));
    Nudges nudges = new Nudges();
    RecordingSink sink = new RecordingSink();
    CheckinModule m = db.module(clock, sink, nudges);
    Instant dose = Instant.parse("2026-07-03T14:00:00Z");
    session(m, p, dose);
    String postdose = promptId(p, "d+1.postdose-pulse", "postdose");
    String pulse = promptId(p, "d+1.postdose-pulse", "pulse");
    clock.set(Instant.parse("2026-07-04T14:00:00Z"));
    await(m.scheduler().tick());
    assertTrue(nudges.promptIds().containsAll(List.of(postdose, pulse)));
    nudges.clear();
    clock.set(Instant.parse("2026-07-04T17:59:00Z"));
    await(m.scheduler().tick());
    assertFalse(nudges.promptIds().contains(pulse), "no reminder before 4 h");
    clock.set(Instant.parse("2026-07-04T18:00:00Z"));
    await(m.scheduler().tick());
    assertEquals(Set.of(postdose, pulse), new HashSet<>(nudges.promptIds()), "reminded at due + 4 h");
    assertNotNull(db.query("SELECT reminded_at FROM checkin_prompt WHERE id = $1", UUID.fromString(pulse)).iterator().next()
        .getOffsetDateTime("reminded_at"));
    await(m.checkins().submit(p.clientActor(), UUID.fromString(postdose), TestAnswers.postDose()));
    nudges.clear();
    await(m.scheduler().tick());
    assertTrue(nudges.promptIds().isEmpty(), "a reminder is sent once");

    clock.set(Instant.parse("2026-07-05T14:00:00Z"));
    await(m.scheduler().tick());
    Row missed = db.query("SELECT state, missed_at, signal_pending FROM checkin_prompt WHERE id = $1", UUID.fromString(pulse))
        .iterator().next();
    assertEquals("missed", missed.getString("state"));
    assertFalse(missed.getBoolean("signal_pending"), "reported");
    // The D0 post-dose check was never answered either (it expired at 01:00 local on D+1).
    String d0 = promptId(p, "d0.postdose", "postdose");
    Map<String, RecordingSink.Call> bySource = new HashMap<>();
    sink.calls.forEach(c -> bySource.put(c.sourceId(), c));
    assertEquals(Set.of(d0, pulse), bySource.keySet(), "the answered post-dose check raised nothing");
    RecordingSink.Call call = bySource.get(pulse);
    assertEquals("checkin_prompt", call.sourceType());
    assertEquals(p.client(), call.clientId());
    assertEquals(Severity.WATCH, call.signals().get(0).severity());
    assertEquals(CheckinRiskRules.MISSED_CHECKIN, call.signals().get(0).ruleId());
    assertEquals(Severity.WATCH, bySource.get(d0).signals().get(0).severity());
    assertEquals("answered", db.query("SELECT state FROM checkin_prompt WHERE id = $1", UUID.fromString(postdose))
        .iterator().next().getString("state"));
    int reported = sink.calls.size();

    // A HIGH fired in the last 7 days: the next missed pulse is HIGH; the missed journal raises nothing.
    sink.high = true;
    String pulse2 = promptId(p, "d+2.pulse-journal", "pulse");
    String journal = promptId(p, "d+2.pulse-journal", "journal");
    clock.set(Instant.parse("2026-07-06T14:00:00Z"));
    await(m.scheduler().tick());
    assertEquals("missed", db.query("SELECT state FROM checkin_prompt WHERE id = $1", UUID.fromString(journal))
        .iterator().next().getString("state"));
    List<RecordingSink.Call> later = sink.calls.subList(reported, sink.calls.size());
    assertEquals(1, later.size(), later.toString());
    assertEquals(pulse2, later.get(0).sourceId());
    assertEquals(Severity.HIGH, later.get(0).signals().get(0).severity());
    assertEquals(CheckinRiskRules.MISSED_CHECKIN_AFTER_HIGH, later.get(0).signals().get(0).ruleId());
    JsonArray missedList = await(m.checkins().list(p.therapistActor(), p.client(), "missed", 50));
    Set<String> listed = Set.copyOf(missedList.stream().map(o -> ((JsonObject) o).getString("promptId")).toList());
    // The D-2 baseline was never answered either: it closed at the dose start.
    Set<String> baseline = Set.of(promptId(p, "d-2.baseline", "phq9"), promptId(p, "d-2.baseline", "gad7"),
        promptId(p, "d-2.baseline", "who5"));
    Set<String> expected = new HashSet<>(baseline);
    expected.addAll(Set.of(d0, pulse, pulse2, journal));
    assertEquals(expected, listed, "the therapist's list of missed check-ins");
    for (Object o : missedList) {
      assertEquals("missed", ((JsonObject) o).getString("state"));
      assertNotNull(((JsonObject) o).getString("missedAt"));
    }
  }

  @Test
  void defaultSinkRecordsMissedSafetyCheckinAsHighAfterARecentHigh() {
    People p = People.in("America/New_York");
    MutableClock clock = new MutableClock(Instant.parse("2026-08-01T12:00:00Z"));
    DatabaseRiskSink sink = new DatabaseRiskSink(db.pool, clock);
    CheckinModule m = db.module(clock, sink, new Nudges());
    Instant dose = Instant.parse("2026-08-03T14:00:00Z");
    session(m, p, dose);
    String postdose = promptId(p, "d0.postdose", "postdose");
    db.query("INSERT INTO risk_signal (id, clinic_id, client_id, severity, rule_id, reason, client_action,"
        + " source_object_type, source_object_id, created_at) VALUES (gen_random_uuid(), $1, $2, 'HIGH', 'pulse.thoughts',"
        + " 'earlier', 'none', 'checkin_result', 'earlier', $3)", p.clinic(), p.client(), Db.ts(Instant.parse("2026-07-30T12:00:00Z")));
    clock.set(Instant.parse("2026-08-03T17:00:00Z"));
    await(m.scheduler().tick());
    clock.set(Instant.parse("2026-08-04T05:00:00Z"));
    await(m.scheduler().tick());
    List<Row> signals = new java.util.ArrayList<>();
    db.query("SELECT severity, rule_id, source_object_type FROM risk_signal WHERE client_id = $1 AND source_object_id = $2",
        p.client(), postdose).forEach(signals::add);
    assertEquals(1, signals.size());
    assertEquals("HIGH", signals.get(0).getString("severity"));
    assertEquals(CheckinRiskRules.MISSED_CHECKIN_AFTER_HIGH, signals.get(0).getString("rule_id"));
    assertTrue(await(sink.highInLast7Days(p.client())));
    clock.set(Instant.parse("2026-08-20T00:00:00Z"));
    assertFalse(await(sink.highInLast7Days(p.client())), "older than 7 days");
  }

  @Test
  void movingASessionMovesPendingPromptsUnderTheSameKeysAndCancellingWithdrawsThem() {
    People p = People.in("America/New_York");
    MutableClock clock = new MutableClock(Instant.parse("2026-09-01T12:00:00Z"));
    CheckinModule m = db.module(clock, new RecordingSink(), new Nudges());
    Instant dose = Instant.parse("2026-09-04T14:00:00Z");
    UUID sessionId = session(m, p, dose);
    clock.set(Instant.parse("2026-09-02T14:00:00Z"));
    await(m.scheduler().tick());
    String phq = promptId(p, "d-2.baseline", "phq9");
    await(m.checkins().submit(p.clientActor(), UUID.fromString(phq), TestAnswers.phq9(0, 1)));
    Map<String, Row> before = new HashMap<>();
    for (Row r : db.prompts(p.client())) {
      before.put(r.getString("step_id") + "/" + r.getString("instrument_id"), r);
    }

    await(m.sessions().update(p.therapistActor(), sessionId, dose.plus(Duration.ofDays(2)), null, null));
    Map<String, Row> moved = new HashMap<>();
    for (Row r : db.prompts(p.client())) {
      moved.put(r.getString("step_id") + "/" + r.getString("instrument_id"), r);
    }
    assertEquals(before.keySet(), moved.keySet(), "same occurrences");
    Row d1 = moved.get("d+1.postdose-pulse/pulse");
    assertEquals(before.get("d+1.postdose-pulse/pulse").getUUID("id"), d1.getUUID("id"), "same row, same key");
    assertEquals(before.get("d+1.postdose-pulse/pulse").getString("occurrence_key"), d1.getString("occurrence_key"));
    assertEquals(Instant.parse("2026-09-07T14:00:00Z"), due(d1), "new time");
    assertEquals("answered", moved.get("d-2.baseline/phq9").getString("state"), "answered: untouched");
    assertEquals(due(before.get("d-2.baseline/phq9")), due(moved.get("d-2.baseline/phq9")));
    assertEquals("delivered", moved.get("d-2.baseline/gad7").getString("state"));
    assertEquals(due(before.get("d-2.baseline/gad7")), due(moved.get("d-2.baseline/gad7")), "delivered: untouched");

    await(m.sessions().update(p.therapistActor(), sessionId, null, null, "cancelled"));
    for (Row r : db.prompts(p.client())) {
      String state = r.getString("state");
      String what = r.getString("step_id") + "/" + r.getString("instrument_id");
      if (r.getString("step_id").equals("d-2.baseline")) {
        assertNotEquals("cancelled", state, what + " was delivered or answered before the cancellation");
      } else {
        assertEquals("cancelled", state, what);
      }
    }
    clock.set(Instant.parse("2026-09-07T14:00:00Z"));
    Nudges none = new Nudges();
    CheckinModule other = db.module(db.pool, "node-b", clock, new RecordingSink(), none, Duration.ofSeconds(30));
    await(other.scheduler().tick());
    assertFalse(none.promptIds().contains(d1.getUUID("id").toString()), "a cancelled prompt is never delivered");

    clock.set(Instant.parse("2026-09-05T12:00:00Z"));
    await(m.sessions().update(p.therapistActor(), sessionId, null, null, "scheduled"));
    Row back = db.query("SELECT state, due_at FROM checkin_prompt WHERE id = $1", d1.getUUID("id")).iterator().next();
    assertEquals("pending", back.getString("state"), "reinstated");
    assertEquals(Instant.parse("2026-09-07T14:00:00Z"), due(back));
  }

  @Test
  void planChangesApplyToFutureOccurrencesOnly() {
    People p = People.in("America/New_York");
    MutableClock clock = new MutableClock(Instant.parse("2026-10-01T12:00:00Z"));
    CheckinModule m = db.module(clock, new RecordingSink(), new Nudges());
    Instant dose = Instant.parse("2026-10-05T14:00:00Z");
    session(m, p, dose);
    clock.set(Instant.parse("2026-10-06T14:30:00Z"));
    await(m.scheduler().tick());
    UUID deliveredPulse = UUID.fromString(promptId(p, "d+1.postdose-pulse", "pulse"));
    Instant deliveredDue = due(db.query("SELECT due_at FROM checkin_prompt WHERE id = $1", deliveredPulse).iterator().next());

    JsonObject plan = await(m.plans().get(p.therapistActor(), p.client()));
    assertFalse(plan.getBoolean("custom"));
    JsonArray steps = new JsonArray();
    for (Object o : plan.getJsonArray("steps")) {
      JsonObject s = (JsonObject) o;
      switch (s.getString("stepId")) {
        case "d+1.postdose-pulse", "d+2.pulse-journal" ->
            s.getJsonObject("anchor").put("localTime", "12:00");
        case "d+3.pulse" -> {
          continue;
        }
        default -> { }
      }
      steps.add(s);
    }
    steps.add(new JsonObject().put("stepId", "d0.evening").put("instruments", new JsonArray().add("pulse"))
        .put("anchor", new JsonObject().put("type", "doseDay").put("dayOffset", 0).put("localTime", "18:00"))
        .put("expiresAfterMinutes", 1440 * 3));
    plan.put("steps", steps);
    JsonObject saved = await(m.plans().put(p.therapistActor(), p.client(), plan));
    assertTrue(saved.getBoolean("custom"));

    Map<String, Row> pulses = byStep(db.prompts(p.client()), "pulse");
    assertEquals(deliveredDue, due(pulses.get("d+1.postdose-pulse")), "already delivered: stays as it was");
    assertEquals("delivered", pulses.get("d+1.postdose-pulse").getString("state"));
    assertEquals(Instant.parse("2026-10-07T16:00:00Z"), due(pulses.get("d+2.pulse-journal")), "future: moved to 12:00");
    assertEquals("cancelled", pulses.get("d+3.pulse").getString("state"), "removed step: withdrawn");
    assertNull(pulses.get("d0.evening"), "a new step is not back-filled into the past (D0 18:00 was yesterday)");
    assertEquals(Instant.parse("2026-10-09T14:00:00Z"), due(pulses.get("d+4.pulse")), "unchanged steps keep their times");

    // Saving the same plan again changes nothing.
    assertScheduleUnchangedBy(p, () -> await(m.plans().put(p.therapistActor(), p.client(), saved)));
  }

  /** Runs {@code change} and checks the client's prompts are as they were: same rows, states and due times. */
  private static void assertScheduleUnchangedBy(People p, Runnable change) {
    List<Row> snapshot = db.prompts(p.client());
    change.run();
    List<Row> again = db.prompts(p.client());
    assertEquals(snapshot.size(), again.size());
    for (int i = 0; i < snapshot.size(); i++) {
      assertEquals(snapshot.get(i).getUUID("id"), again.get(i).getUUID("id"));
      assertEquals(snapshot.get(i).getString("state"), again.get(i).getString("state"));
      assertEquals(due(snapshot.get(i)), due(again.get(i)));
    }
  }

  @Test
  void aResetAppliesToFutureOccurrencesOnlyAndBringsNothingBackFromBeforeIt() {
    People p = People.in("America/New_York");
    MutableClock clock = new MutableClock(Instant.parse("2026-10-01T12:00:00Z"));
    Nudges nudges = new Nudges();
    CheckinModule m = db.module(clock, new RecordingSink(), nudges);
    // Dose A at 10:00 EDT on Monday 5 October; dose B on 20 October, whose baseline is still ahead
    // at the reset.
    session(m, p, Instant.parse("2026-10-05T14:00:00Z"));
    session(m, p, Instant.parse("2026-10-20T14:00:00Z"));

    // Saturday 10 October: the D+6 pulse moves to 12:00, the D+7 follow-up is removed (its prompts,
    // already scheduled, are withdrawn), the baseline moves to 09:00, and no quiet hours.
    clock.set(Instant.parse("2026-10-10T12:00:00Z"));
    await(m.rematerialize(p.client()));
    assertEquals("pending", byStep(db.prompts(p.client()), "phq9").get("d+7.followup").getString("state"));
    JsonObject plan = await(m.plans().get(p.therapistActor(), p.client()));
    JsonArray steps = new JsonArray();
    for (Object o : plan.getJsonArray("steps")) {
      JsonObject s = (JsonObject) o;
      switch (s.getString("stepId")) {
        case "d+6.pulse" -> s.getJsonObject("anchor").put("localTime", "12:00");
        case "d-2.baseline" -> s.getJsonObject("anchor").put("localTime", "09:00");
        case "d+7.followup" -> {
          continue;
        }
        default -> { }
      }
      steps.add(s);
    }
    plan.put("steps", steps).put("quietHours", new JsonObject().put("start", "00:00").put("end", "00:00"));
    assertTrue(await(m.plans().put(p.therapistActor(), p.client(), plan)).getBoolean("custom"));
    assertEquals("cancelled", byStep(db.prompts(p.client()), "phq9").get("d+7.followup").getString("state"));

    // Sunday 11 October 12:30 EDT: the adjusted D+6 pulse (12:00) is delivered.
    clock.set(Instant.parse("2026-10-11T16:30:00Z"));
    await(m.scheduler().tick());
    Row pulse = byStep(db.prompts(p.client()), "pulse").get("d+6.pulse");
    assertEquals("delivered", pulse.getString("state"));
    assertEquals(Instant.parse("2026-10-11T16:00:00Z"), due(pulse));
    Map<UUID, String> settled = new HashMap<>();
    for (Row r : db.prompts(p.client())) {
      if (!Set.of("pending", "cancelled").contains(r.getString("state"))) {
        settled.put(r.getUUID("id"), r.getString("state") + " " + due(r) + " " + r.getOffsetDateTime("delivered_at"));
      }
    }

    // Monday 12 October 11:00 EDT: reset. The default D+7 follow-up was due at 10:00, an hour ago,
    // and would still be open for four days: it must not come back.
    Instant reset = Instant.parse("2026-10-12T15:00:00Z");
    clock.set(reset);
    JsonObject answer = await(m.plans().reset(p.therapistActor(), p.client()));
    assertFalse(answer.getBoolean("custom"));
    assertEquals(ClientPlan.defaults().toApi().getJsonArray("steps"), answer.getJsonArray("steps"));
    assertEquals(new JsonObject().put("start", "22:00").put("end", "08:00"), answer.getJsonObject("quietHours"));
    assertFalse(await(m.plans().get(p.therapistActor(), p.client())).getBoolean("custom"));

    List<Row> after = db.prompts(p.client());
    for (Row r : after) {
      String what = r.getString("step_id") + "/" + r.getString("instrument_id") + " due " + due(r);
      String before = settled.get(r.getUUID("id"));
      if (before != null) {
        assertEquals(before, r.getString("state") + " " + due(r) + " " + r.getOffsetDateTime("delivered_at"),
            what + ": delivered, answered or missed before the reset, so untouched by it");
      }
      assertFalse(r.getString("state").equals("pending") && due(r).isBefore(reset), what + " was due before the reset");
      if (r.getString("step_id").equals("d+7.followup")) {
        assertEquals("cancelled", r.getString("state"), what + ": withdrawn before the reset, and stays so");
      }
    }
    assertEquals(settled.size(), after.stream().filter(r -> settled.containsKey(r.getUUID("id"))).count());
    // byStep keeps the last by due time: dose B's baseline (dose A's was on 3 October).
    assertEquals(Instant.parse("2026-10-18T14:00:00Z"), due(byStep(after, "phq9").get("d-2.baseline")),
        "a future occurrence follows the default plan again: dose B's baseline at 10:00 EDT");
    Set<String> followups = new HashSet<>();
    after.stream().filter(r -> r.getString("step_id").equals("d+7.followup")).forEach(r -> followups.add(r.getUUID("id").toString()));
    nudges.clear();
    await(m.scheduler().tick());
    assertTrue(nudges.promptIds().stream().noneMatch(followups::contains), "nothing from before the reset is sent");

    // Resetting again changes nothing.
    assertScheduleUnchangedBy(p, () -> await(m.plans().reset(p.therapistActor(), p.client())));
  }

  @Test
  void theMaterialiserExtendsEachClientsHorizonAsTimePasses() {
    People p = People.in("America/New_York");
    MutableClock clock = new MutableClock(Instant.parse("2026-11-10T12:00:00Z"));
    CheckinModule m = db.module(clock, new RecordingSink(), new Nudges());
    session(m, p, Instant.parse("2026-11-15T15:00:00Z"));
    assertTrue(byStep(db.prompts(p.client()), "phq9").containsKey("d-2.baseline"));
    assertFalse(byStep(db.prompts(p.client()), "phq9").containsKey("d+7.followup"), "D+7 is beyond the 8-day horizon");
    clock.set(Instant.parse("2026-11-16T12:00:00Z"));
    Scheduler.Stats stats = await(m.scheduler().tick());
    assertTrue(stats.materialized() >= 1);
    assertEquals(Instant.parse("2026-11-22T15:00:00Z"), due(byStep(db.prompts(p.client()), "phq9").get("d+7.followup")));
  }

  @Test
  void workOwedByANodeThatStoppedIsTakenOverAfterItsLeaseAndFenced() throws Exception {
    People p = People.in("America/New_York");
    MutableClock clock = new MutableClock(Instant.parse("2026-12-01T12:00:00Z"));
    Duration lease = Duration.ofMillis(300);
    RecordingSink sinkA = new RecordingSink();
    sinkA.failing = true;
    Scheduler.Nudger crashing = (users, kind, id) -> {
      throw new IllegalStateException("node A dies between commit and push");
    };
    CheckinModule a = db.module(db.pool, "node-a", clock, sinkA, crashing, lease);
    Nudges nudgesB = new Nudges();
    RecordingSink sinkB = new RecordingSink();
    CheckinModule b = db.module(db.newPool(), "node-b", clock, sinkB, nudgesB, lease);
    session(a, p, Instant.parse("2026-12-03T14:00:00Z"));
    UUID postdose = UUID.fromString(promptId(p, "d0.postdose", "postdose"));

    clock.set(Instant.parse("2026-12-03T17:00:00Z"));
    await(a.scheduler().tick());
    Row owed = db.query("SELECT state, nudge_pending, lease_owner, lease_token FROM checkin_prompt WHERE id = $1", postdose)
        .iterator().next();
    assertEquals("delivered", owed.getString("state"));
    assertTrue(owed.getBoolean("nudge_pending"), "committed, not yet pushed");
    await(b.scheduler().tick());
    assertTrue(nudgesB.promptIds().isEmpty(), "node B waits while node A's lease runs");
    Thread.sleep(lease.toMillis() + 200);
    await(b.scheduler().tick());
    assertEquals(List.of(postdose.toString()), nudgesB.promptIds(), "node B pushes what node A owed");
    Row taken = db.query("SELECT nudge_pending, lease_owner, lease_token FROM checkin_prompt WHERE id = $1", postdose)
        .iterator().next();
    assertFalse(taken.getBoolean("nudge_pending"));
    assertEquals("node-b", taken.getString("lease_owner"));
    assertTrue(taken.getLong("lease_token") > owed.getLong("lease_token"), "a larger fencing token");
    // Node A's late confirmation carries its old token and matches nothing.
    assertEquals(0, db.query("UPDATE checkin_prompt SET nudge_pending = false WHERE id = $1 AND lease_token = $2",
        postdose, owed.getLong("lease_token")).rowCount());

    // A missed safety check-in whose report failed on node A is reported by node B, once.
    clock.set(Instant.parse("2026-12-04T05:00:00Z"));
    await(a.scheduler().tick());
    Row missed = db.query("SELECT state, signal_pending FROM checkin_prompt WHERE id = $1", postdose).iterator().next();
    assertEquals("missed", missed.getString("state"));
    assertTrue(missed.getBoolean("signal_pending"), "the sink was down: still owed");
    Thread.sleep(lease.toMillis() + 200);
    await(b.scheduler().tick());
    assertEquals(1, sinkB.calls.size());
    assertEquals(postdose.toString(), sinkB.calls.get(0).sourceId());
    sinkA.failing = false;
    Thread.sleep(lease.toMillis() + 200);
    await(a.scheduler().tick());
    await(b.scheduler().tick());
    assertTrue(sinkA.calls.isEmpty(), "reported once: nothing left for node A");
    assertEquals(1, sinkB.calls.size());
  }
}
