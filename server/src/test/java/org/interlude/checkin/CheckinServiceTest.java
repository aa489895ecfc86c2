package org.interlude.checkin;

import static org.interlude.checkin.CheckinDb.await;
import static org.interlude.checkin.CheckinDb.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.interlude.checkin.CheckinDb.MutableClock;
import org.interlude.checkin.CheckinDb.Nudges;
import org.interlude.checkin.CheckinDb.RecordingSink;
import org.interlude.checkin.instrument.AnswerProblem;
import org.interlude.checkin.instrument.InvalidAnswersException;
import org.interlude.checkin.instrument.risk.CheckinRiskRules;
import org.interlude.checkin.instrument.risk.RiskSignal;
import org.interlude.crypto.TamperedCiphertextException;
import org.interlude.escalation.Severity;
import org.interlude.identity.Actor;
import org.interlude.identity.Denied;
import org.interlude.identity.InvalidInput;
import org.interlude.identity.Role;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Answers, risk routing, encryption at rest, authorisation, trends, the FHIR export, latest
 * scores and the demo history, against a real PostgreSQL. Each test has its own clinic and
 * opens its prompts directly (no scheduler pass), so tests share one database safely.
 */
class CheckinServiceTest {
  static CheckinDb db;
  static final Instant DOSE = Instant.parse("2026-04-10T14:00:00Z");

  @BeforeAll
  static void setUp() {
    db = new CheckinDb();
  }

  @AfterAll
  static void tearDown() {
    db.close();
  }

  /** One clinic, a client with a dosing session, their therapist, and a module with a test clock. */
  static final class World {
    final UUID clinic = db.clinic("America/New_York");
    final UUID client = db.user(clinic, Role.CLIENT, "America/New_York");
    final UUID therapist = db.user(clinic, Role.THERAPIST, "America/New_York");
    final Actor clientActor = CheckinDb.actor(client, clinic, Role.CLIENT);
    final Actor therapistActor = CheckinDb.actor(therapist, clinic, Role.THERAPIST);
    final MutableClock clock = new MutableClock(DOSE.minus(Duration.ofDays(3)));
    final RecordingSink sink = new RecordingSink();
    final CheckinModule m;
    final UUID session;

    World() {
      this(new RecordingSink());
    }

    World(RiskSink sink) {
      db.careTeam(client, therapist);
      m = db.module(db.pool, "node-a", clock, sink, new Nudges(), Duration.ofMillis(300));
      session = UUID.fromString(await(m.sessions().create(therapistActor, client, DOSE, "sublingual")).getString("id"));
    }

    /** Opens the prompt of {@code instrument} in {@code step} as if delivered now, at its due time. */
    UUID open(String step, String instrument) {
      String sql = "SELECT id, due_at FROM checkin_prompt WHERE client_id = $1 AND step_id = $2 AND instrument_id = $3";
      if (db.query(sql, client, step, instrument).size() == 0) {
        // Beyond the horizon when the session was recorded: extend it as the materialiser would.
        await(m.rematerialize(client));
      }
      Row r = db.query(sql, client, step, instrument).iterator().next();
      Instant due = r.getOffsetDateTime("due_at").toInstant();
      if (clock.instant().isBefore(due)) {
        clock.set(due.plusSeconds(60));
      }
      db.query("UPDATE checkin_prompt SET state = 'delivered', delivered_at = $2 WHERE id = $1", r.getUUID("id"), Db.ts(due));
      return r.getUUID("id");
    }

    Checkins.Submitted submit(UUID prompt, JsonObject answers) {
      return await(m.checkins().submit(clientActor, prompt, answers));
    }
  }

  @Test
  void invalidAnswersNameEveryProblemAndStoreNothing() {
    World w = new World();
    UUID prompt = w.open("d-2.baseline", "phq9");
    JsonObject answers = TestAnswers.phq9(0, 1).put("q1", 5).put("q2", "often").put("bogus", 1);
    answers.remove("q3");
    Throwable t = failure(w.m.checkins().submit(w.clientActor, prompt, answers));
    InvalidAnswersException invalid = assertInstanceOf(InvalidAnswersException.class, t);
    List<String> codes = invalid.problems().stream().map(p -> p.itemId() + ":" + p.code()).toList();
    assertEquals(List.of("q1:" + AnswerProblem.NOT_AN_OPTION, "q2:" + AnswerProblem.WRONG_TYPE,
        "q3:" + AnswerProblem.MISSING_ITEM, "bogus:" + AnswerProblem.UNKNOWN_ITEM), codes);
    JsonObject frame = PromptFrames.invalidAnswers(invalid.problems(), "r1");
    assertEquals("invalid_answers", frame.getString("code"));
    assertEquals("answers.q1", frame.getString("field"));
    assertTrue(frame.getString("message").contains("item q1"), frame.getString("message"));
    assertEquals(4, frame.getJsonArray("problems").size());
    assertEquals("r1", frame.getString("ref"));
    assertEquals(0L, db.query("SELECT count(*) FROM checkin_result WHERE client_id = $1", w.client).iterator().next().getLong(0));
    assertEquals("delivered", db.query("SELECT state FROM checkin_prompt WHERE id = $1", prompt).iterator().next().getString("state"));
  }

  @Test
  void anAnswerIsScoredStoredAuditedAndSubmittingTwiceKeepsTheFirst() {
    World w = new World();
    UUID prompt = w.open("d-2.baseline", "phq9");
    Checkins.Submitted first = w.submit(prompt, TestAnswers.phq9(0, 1));
    assertFalse(first.duplicate());
    Row result = db.query("SELECT * FROM checkin_result WHERE id = $1", first.resultId()).iterator().next();
    assertEquals(8, result.getInteger("total"));
    assertEquals("Mild", result.getString("band_label"));
    assertEquals(prompt, result.getUUID("prompt_id"));
    assertEquals(1, ((JsonObject) result.getValue("item_values")).getInteger("q1"));
    Row p = db.query("SELECT state, result_id, answered_at FROM checkin_prompt WHERE id = $1", prompt).iterator().next();
    assertEquals("answered", p.getString("state"));
    assertEquals(first.resultId(), p.getUUID("result_id"));
    assertEquals(1L, db.query("SELECT count(*) FROM audit_log WHERE action = 'checkin.submit' AND object_id = $1"
        + " AND actor_id = $2 AND subject_client = $2", first.resultId().toString(), w.client).iterator().next().getLong(0));

    Checkins.Submitted again = w.submit(prompt, TestAnswers.phq9(3, 3));
    assertTrue(again.duplicate());
    assertEquals(first.resultId(), again.resultId());
    assertEquals(1L, db.query("SELECT count(*) FROM checkin_result WHERE prompt_id = $1", prompt).iterator().next().getLong(0));
    assertEquals(8, db.query("SELECT total FROM checkin_result WHERE id = $1", first.resultId()).iterator().next().getInteger("total"));
    assertTrue(w.sink.calls.isEmpty());
  }

  @Test
  void concurrentSubmissionsOfOnePromptStoreOneResult() {
    World w = new World();
    UUID prompt = w.open("d-2.baseline", "gad7");
    List<Future<Checkins.Submitted>> all = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      all.add(w.m.checkins().submit(w.clientActor, prompt, TestAnswers.gad7(1)));
    }
    await(Future.all(all));
    Set<UUID> ids = new java.util.HashSet<>();
    all.forEach(f -> ids.add(f.result().resultId()));
    assertEquals(1, ids.size());
    assertEquals(1, all.stream().filter(f -> !f.result().duplicate()).count());
    assertEquals(1L, db.query("SELECT count(*) FROM checkin_result WHERE prompt_id = $1", prompt).iterator().next().getLong(0));
  }

  @Test
  void item9IsReportedToTheRiskSinkAfterTheCommit() {
    World w = new World(new DatabaseRiskSink(db.pool, new MutableClock(DOSE)));
    UUID prompt = w.open("d-2.baseline", "phq9");
    Checkins.Submitted s = w.submit(prompt, TestAnswers.phq9(2, 1));
    assertEquals(RiskSignal.ClientAction.NONE, s.clientAction());
    List<Row> signals = new ArrayList<>();
    db.query("SELECT severity, rule_id, source_object_type, reason FROM risk_signal WHERE source_object_id = $1",
        s.resultId().toString()).forEach(signals::add);
    assertEquals(1, signals.size());
    assertEquals("HIGH", signals.get(0).getString("severity"));
    assertEquals(CheckinRiskRules.PHQ9_ITEM9_HIGH, signals.get(0).getString("rule_id"));
    assertEquals("checkin_result", signals.get(0).getString("source_object_type"));
    Row r = db.query("SELECT signal_pending, signalled_at, signals FROM checkin_result WHERE id = $1", s.resultId()).iterator().next();
    assertFalse(r.getBoolean("signal_pending"));
    assertNotNull(r.getOffsetDateTime("signalled_at"));
  }

  @Test
  void item9OfOneIsHighWhenNewAndWatchWhenItPersists() {
    World w = new World();
    RecordingSink sink = new RecordingSink();
    CheckinModule m = db.module(db.pool, "node-a", w.clock, sink, new Nudges(), Duration.ofSeconds(30));
    UUID first = w.open("d-2.baseline", "phq9");
    await(m.checkins().submit(w.clientActor, first, TestAnswers.phq9(1, 0)));
    w.clock.set(DOSE.plus(Duration.ofDays(7)));
    UUID second = w.open("d+7.followup", "phq9");
    await(m.checkins().submit(w.clientActor, second, TestAnswers.phq9(1, 0)));
    assertEquals(2, sink.calls.size());
    assertEquals(CheckinRiskRules.PHQ9_ITEM9_NEW_OR_RISING, sink.calls.get(0).signals().get(0).ruleId());
    assertEquals(Severity.HIGH, sink.calls.get(0).signals().get(0).severity());
    assertEquals(CheckinRiskRules.PHQ9_ITEM9_PERSISTING, sink.calls.get(1).signals().get(0).ruleId(),
        "the previous PHQ-9 comes from the database");
    assertEquals(Severity.WATCH, sink.calls.get(1).signals().get(0).severity());
  }

  @Test
  void chestPainIsReportedBeforeTheSubmissionCompletesAndAsksForTheEmergencyNumber() {
    List<String> order = new java.util.concurrent.CopyOnWriteArrayList<>();
    RiskSink slow = new RiskSink() {
      @Override
      public Future<Void> signal(UUID clinicId, UUID clientId, List<RiskSignal> signals, String type, String id) {
        return db.vertx.timer(300).map(t -> {
          order.add("sink:" + signals.get(0).severity());
          return null;
        });
      }

      @Override
      public Future<Boolean> highInLast7Days(UUID clientId) {
        return Future.succeededFuture(false);
      }
    };
    World w = new World(slow);
    UUID prompt = w.open("d0.postdose", "postdose");
    Checkins.Submitted s = await(w.m.checkins().submit(w.clientActor, prompt, TestAnswers.postDose().put("chestPain", true))
        .map(done -> {
          order.add("completed");
          return done;
        }));
    assertEquals(List.of("sink:CRITICAL", "completed"), order);
    assertEquals(RiskSignal.ClientAction.CALL_EMERGENCY_NUMBER_NOW, s.clientAction());
    assertEquals(Severity.CRITICAL, s.signals().get(0).severity());
  }

  @Test
  void aReportThatFailedIsOwedAndRetriedAfterTheLease() throws Exception {
    World w = new World();
    RecordingSink sink = new RecordingSink();
    sink.failing = true;
    CheckinModule m = db.module(db.pool, "node-a", w.clock, sink, new Nudges(), Duration.ofMillis(300));
    UUID prompt = w.open("d+1.postdose-pulse", "pulse");
    Checkins.Submitted s = await(m.checkins().submit(w.clientActor, prompt, TestAnswers.pulse(2, true)));
    assertEquals(CheckinRiskRules.PULSE_THOUGHTS, s.signals().get(0).ruleId());
    assertTrue(db.query("SELECT signal_pending FROM checkin_result WHERE id = $1", s.resultId()).iterator().next()
        .getBoolean("signal_pending"), "committed and owed");
    sink.failing = false;
    Thread.sleep(500);
    await(m.scheduler().tick());
    List<RecordingSink.Call> mine = sink.calls.stream()
        .filter(c -> c.clientId().equals(w.client) && c.sourceType().equals("checkin_result")).toList();
    assertEquals(1, mine.size());
    assertEquals(s.resultId().toString(), mine.get(0).sourceId());
    assertEquals(Severity.HIGH, mine.get(0).signals().get(0).severity());
    assertFalse(db.query("SELECT signal_pending FROM checkin_result WHERE id = $1", s.resultId()).iterator().next()
        .getBoolean("signal_pending"));
  }

  @Test
  void freeTextIsEncryptedAtRestAndTamperingIsDetected() throws Exception {
    World w = new World();
    String text = "Walking by the river I understood the distinctive-phrase-4711 again";
    UUID prompt = w.open("d+2.pulse-journal", "journal");
    Checkins.Submitted s = w.submit(prompt, TestAnswers.journal(text));
    // What a dump of the table holds: every column as text, and the raw ciphertext bytes.
    for (Row r : db.query("SELECT row_to_json(r)::text AS dump, free_text FROM checkin_result r WHERE client_id = $1", w.client)) {
      assertFalse(r.getString("dump").contains("distinctive-phrase-4711"), "free text is not stored in clear");
      byte[] raw = r.getBuffer("free_text").getBytes();
      assertFalse(new String(raw, StandardCharsets.ISO_8859_1).contains("distinctive"), "nor in the ciphertext column");
    }
    for (Row r : db.query("SELECT row_to_json(p)::text AS dump FROM checkin_prompt p WHERE client_id = $1", w.client)) {
      assertFalse(r.getString("dump").contains("distinctive-phrase-4711"));
    }
    JsonObject bundle = await(w.m.checkins().exportFhir(w.therapistActor, w.client));
    assertTrue(bundle.encode().contains("distinctive-phrase-4711"), "the export decrypts it");

    byte[] sealed = db.query("SELECT free_text FROM checkin_result WHERE id = $1", s.resultId()).iterator().next()
        .getBuffer("free_text").getBytes();
    byte[] key = await(new FreeTextCipher(db.dataKeys).existingKey(db.pool, w.client));
    assertEquals(text, FreeTextCipher.open(key, w.client, s.resultId(), sealed).get("entry"));
    assertThrows(TamperedCiphertextException.class, () -> FreeTextCipher.open(key, w.client, UUID.randomUUID(), sealed),
        "bound to its result id");
    sealed[sealed.length - 20] ^= 1;
    assertThrows(TamperedCiphertextException.class, () -> FreeTextCipher.open(key, w.client, s.resultId(), sealed));
    db.query("UPDATE checkin_result SET free_text = set_byte(free_text, 20, get_byte(free_text, 20) # 1) WHERE id = $1",
        s.resultId());
    Throwable t = failure(w.m.checkins().exportFhir(w.therapistActor, w.client));
    assertTrue(t.getMessage().contains("failed authentication"), t.getMessage());
    assertFalse(t.getMessage().contains("distinctive"));
  }

  @Test
  void masterKeyRotationRewrapsCheckinKeysAndTheTextStaysReadable(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    // Its own database: rotation re-wraps every key in it, and other tests use another ring.
    try (CheckinDb own = new CheckinDb()) {
      java.nio.file.Path ringFile = dir.resolve("master.keyring");
      org.interlude.crypto.DataKeys keys = new org.interlude.crypto.DataKeys(
          org.interlude.crypto.KeyRing.loadOrCreate(ringFile, true).ring());
      MutableClock clock = new MutableClock(DOSE.minus(Duration.ofDays(3)));
      CheckinModule m = CheckinModule.create(own.vertx, CheckinDb.settings(Duration.ofSeconds(30)), "node-k", own.pool, clock,
          keys, new org.interlude.audit.AuditLog(own.pool, "node-k", clock), new org.interlude.identity.Access(own.pool, clock),
          new org.interlude.identity.IdentityStore(own.pool), new RecordingSink(), new Nudges());
      UUID clinic = own.clinic("America/New_York");
      UUID client = own.user(clinic, Role.CLIENT, "America/New_York");
      UUID therapist = own.user(clinic, Role.THERAPIST, "America/New_York");
      own.careTeam(client, therapist);
      Actor t = CheckinDb.actor(therapist, clinic, Role.THERAPIST);
      await(m.sessions().create(t, client, DOSE, "intranasal"));
      Row journal = own.query("SELECT id, due_at FROM checkin_prompt WHERE client_id = $1 AND instrument_id = 'journal'",
          client).iterator().next();
      clock.set(journal.getOffsetDateTime("due_at").toInstant().plusSeconds(60));
      await(m.checkins().submit(CheckinDb.actor(client, clinic, Role.CLIENT), journal.getUUID("id"),
          TestAnswers.journal("rotation-proof-text")));
      int before = own.query("SELECT dk_version FROM checkin_key WHERE client_id = $1", client).iterator().next().getInteger(0);
      org.interlude.crypto.KeyRotation rotation = new org.interlude.crypto.KeyRotation(own.vertx, own.pool, keys, ringFile);
      rotation.register(CheckinModule.WRAPPED_KEYS);
      await(rotation.rotate(p -> { }));
      int after = own.query("SELECT dk_version FROM checkin_key WHERE client_id = $1", client).iterator().next().getInteger(0);
      assertEquals(before + 1, after, "re-wrapped under the new master key version");
      assertTrue(await(m.checkins().exportFhir(t, client)).encode().contains("rotation-proof-text"), "still readable");
    }
  }

  @Test
  void onlyThePromptsClientAndTheCareTeamSeeAnything() {
    World w = new World();
    UUID prompt = w.open("d-2.baseline", "who5");
    UUID otherClient = db.user(w.clinic, Role.CLIENT, "America/New_York");
    Actor other = CheckinDb.actor(otherClient, w.clinic, Role.CLIENT);
    assertNotFound(w.m.checkins().submit(other, prompt, TestAnswers.who5(3)));
    UUID outsider = db.user(w.clinic, Role.THERAPIST, "America/New_York");
    Actor outsiderActor = CheckinDb.actor(outsider, w.clinic, Role.THERAPIST);
    UUID elsewhereClinic = db.clinic("Europe/London");
    UUID elsewhere = db.user(elsewhereClinic, Role.THERAPIST, "Europe/London");
    db.careTeam(w.client, elsewhere);
    Actor elsewhereActor = CheckinDb.actor(elsewhere, elsewhereClinic, Role.THERAPIST);
    for (Actor a : List.of(outsiderActor, elsewhereActor, other)) {
      assertNotFound(w.m.checkins().trends(a, w.client, "phq9"));
      assertNotFound(w.m.checkins().list(a, w.client, null, 10));
      assertNotFound(w.m.checkins().exportFhir(a, w.client));
      assertNotFound(w.m.plans().get(a, w.client));
      assertNotFound(w.m.plans().put(a, w.client, ClientPlan.defaults().toApi()));
      assertNotFound(w.m.plans().reset(a, w.client));
      assertNotFound(w.m.sessions().list(a, w.client));
      assertNotFound(w.m.sessions().create(a, w.client, DOSE.plus(Duration.ofDays(14)), "intranasal"));
      assertNotFound(w.m.sessions().update(a, w.session, DOSE.plus(Duration.ofDays(1)), null, null));
    }
    assertNotFound(w.m.sessions().create(w.clientActor, w.client, DOSE.plus(Duration.ofDays(14)), "intranasal"));
    assertNotFound(w.m.plans().reset(w.clientActor, w.client));
    assertEquals(List.of(), await(w.m.checkins().resultFrame(outsiderActor, w.submit(prompt, TestAnswers.who5(3)).resultId())));
    // The client sees their own sessions and plan; the care team sees everything.
    assertEquals(1, await(w.m.sessions().list(w.clientActor, w.client)).size());
    assertNotNull(await(w.m.plans().get(w.clientActor, w.client)));
    assertEquals(1, await(w.m.checkins().trends(w.therapistActor, w.client, "who5")).getJsonArray("points").size());
    assertEquals(DOSE, await(w.m.sessions().list(w.therapistActor, w.client)).getJsonObject(0).getInstant("startsAt"));
  }

  private static void assertNotFound(Future<?> f) {
    Throwable t = failure(f);
    assertTrue(t instanceof Denied d && d.kind() == Denied.Kind.NOT_FOUND, String.valueOf(t));
  }

  @Test
  void aClosedOrFuturePromptCannotBeAnswered() {
    World w = new World();
    UUID future = db.query("SELECT id FROM checkin_prompt WHERE client_id = $1 AND step_id = 'd+1.postdose-pulse'"
        + " AND instrument_id = 'pulse'", w.client).iterator().next().getUUID("id");
    assertNotFound(w.m.checkins().submit(w.clientActor, future, TestAnswers.pulse(5, false)));
    UUID prompt = w.open("d-2.baseline", "gad7");
    db.query("UPDATE checkin_prompt SET state = 'missed', missed_at = now() WHERE id = $1", prompt);
    Throwable t = failure(w.m.checkins().submit(w.clientActor, prompt, TestAnswers.gad7(1)));
    assertEquals("prompt_closed", assertInstanceOf(InvalidInput.class, t).code());
  }

  @Test
  void sessionAndPlanInputIsValidated() {
    World w = new World();
    InvalidInput route = assertInstanceOf(InvalidInput.class,
        failure(w.m.sessions().create(w.therapistActor, w.client, DOSE.plus(Duration.ofDays(20)), "oral")));
    assertEquals("route", route.field());
    InvalidInput far = assertInstanceOf(InvalidInput.class,
        failure(w.m.sessions().create(w.therapistActor, w.client, DOSE.plus(Duration.ofDays(800)), "oral")));
    assertEquals("startsAt", far.field());
    JsonObject plan = ClientPlan.defaults().toApi();
    plan.getJsonArray("steps").getJsonObject(0).put("instruments", new JsonArray().add("cssrs"));
    InvalidInput unknown = assertInstanceOf(InvalidInput.class, failure(w.m.plans().put(w.therapistActor, w.client, plan)));
    assertEquals("invalid_plan", unknown.code());
    assertEquals("steps[0].instruments", unknown.field());
    JsonObject badReminder = ClientPlan.defaults().toApi();
    badReminder.getJsonArray("steps").getJsonObject(1).put("reminderAfterMinutes", 100_000);
    assertEquals("steps[1].reminderAfterMinutes", assertInstanceOf(InvalidInput.class,
        failure(w.m.plans().put(w.therapistActor, w.client, badReminder))).field());
    JsonObject twice = ClientPlan.defaults().toApi();
    twice.getJsonArray("steps").add(twice.getJsonArray("steps").getJsonObject(0).copy());
    assertEquals("invalid_plan", assertInstanceOf(InvalidInput.class,
        failure(w.m.plans().put(w.therapistActor, w.client, twice))).code());
    assertFalse(await(w.m.plans().get(w.therapistActor, w.client)).getBoolean("custom"), "nothing was saved");
  }

  @Test
  void trendsShowScoresBandsAndSessions() {
    World w = new World();
    w.submit(w.open("d-2.baseline", "phq9"), TestAnswers.phq9(0, 2));
    w.submit(w.open("d-2.baseline", "who5"), TestAnswers.who5(1));
    w.submit(w.open("d+1.postdose-pulse", "pulse"), TestAnswers.pulse(7, false));
    w.clock.set(DOSE.plus(Duration.ofDays(7)));
    w.submit(w.open("d+7.followup", "phq9"), TestAnswers.phq9(0, 1));
    UUID cancelled = UUID.fromString(await(w.m.sessions().create(w.therapistActor, w.client,
        DOSE.plus(Duration.ofDays(30)), "intramuscular")).getString("id"));
    await(w.m.sessions().update(w.therapistActor, cancelled, null, null, "cancelled"));

    JsonObject phq = await(w.m.checkins().trends(w.therapistActor, w.client, "phq9"));
    JsonObject head = phq.getJsonObject("instrument");
    assertEquals("PHQ-9", head.getString("title"));
    assertEquals(0, head.getInteger("min"));
    assertEquals(27, head.getInteger("max"));
    assertEquals(5, head.getJsonArray("bands").size());
    assertEquals(new JsonObject().put("id", "moderately_severe").put("label", "Moderately severe").put("min", 15).put("max", 19),
        head.getJsonArray("bands").getJsonObject(3));
    JsonArray points = phq.getJsonArray("points");
    assertEquals(2, points.size());
    assertEquals(16, points.getJsonObject(0).getInteger("total"));
    assertEquals("Moderately severe", points.getJsonObject(0).getString("bandLabel"));
    assertEquals(8, points.getJsonObject(1).getInteger("total"));
    assertTrue(points.getJsonObject(0).getInstant("at").isBefore(points.getJsonObject(1).getInstant("at")));
    JsonArray sessions = phq.getJsonArray("dosingSessions");
    assertEquals(1, sessions.size(), "cancelled sessions are not drawn");
    assertEquals(w.session.toString(), sessions.getJsonObject(0).getString("id"));
    assertEquals("sublingual", sessions.getJsonObject(0).getString("route"));

    JsonObject who = await(w.m.checkins().trends(w.therapistActor, w.client, "who5"));
    JsonArray whoBands = who.getJsonObject("instrument").getJsonArray("bands");
    assertEquals(List.of(0, 8, 13), whoBands.stream().map(b -> ((JsonObject) b).getInteger("min")).toList(),
        "percentage bands as raw totals");
    assertEquals(List.of(7, 12, 25), whoBands.stream().map(b -> ((JsonObject) b).getInteger("max")).toList());
    assertEquals(5, who.getJsonArray("points").getJsonObject(0).getInteger("total"));
    assertEquals(20, who.getJsonArray("points").getJsonObject(0).getInteger("percentage"));

    JsonObject pulse = await(w.m.checkins().trends(w.therapistActor, w.client, "pulse"));
    assertEquals("mood", pulse.getJsonObject("instrument").getString("itemId"));
    assertEquals(7, pulse.getJsonArray("points").getJsonObject(0).getInteger("total"));
    assertEquals("unknown_instrument", assertInstanceOf(InvalidInput.class,
        failure(w.m.checkins().trends(w.therapistActor, w.client, "nosuch"))).code());
    assertEquals("not_trendable", assertInstanceOf(InvalidInput.class,
        failure(w.m.checkins().trends(w.therapistActor, w.client, "journal"))).code());
    assertTrue(db.query("SELECT count(*) FROM audit_log WHERE action = 'checkin.trends' AND subject_client = $1", w.client)
        .iterator().next().getLong(0) >= 3);
  }

  @Test
  void theFhirExportHoldsEveryResultForAnOpaquePatient() {
    World w = new World();
    Checkins.Submitted phq = w.submit(w.open("d-2.baseline", "phq9"), TestAnswers.phq9(0, 1));
    Checkins.Submitted pulse = w.submit(w.open("d+1.postdose-pulse", "pulse"), TestAnswers.pulse(6, false));
    JsonObject bundle = await(w.m.checkins().exportFhir(w.therapistActor, w.client));
    assertEquals("Bundle", bundle.getString("resourceType"));
    assertEquals("collection", bundle.getString("type"));
    List<JsonObject> responses = new ArrayList<>();
    for (Object e : bundle.getJsonArray("entry")) {
      JsonObject res = ((JsonObject) e).getJsonObject("resource");
      assertEquals("Patient/" + w.client, res.getJsonObject("subject").getString("reference"));
      if (res.getString("resourceType").equals("QuestionnaireResponse")) {
        responses.add(res);
      }
    }
    assertEquals(2, responses.size());
    assertEquals("urn:interlude:instrument:phq9|1", responses.get(0).getString("questionnaire"));
    assertEquals(phq.resultId().toString(), responses.get(0).getJsonObject("identifier").getString("value"));
    assertEquals(pulse.resultId().toString(), responses.get(1).getJsonObject("identifier").getString("value"));
    assertTrue(bundle.encode().contains("\"44261-6\""), "the PHQ-9 total is LOINC-coded");
    assertFalse(bundle.encode().contains("Test client"), "no names");
    assertEquals(1L, db.query("SELECT count(*) FROM audit_log WHERE action = 'checkin.export.fhir' AND subject_client = $1"
        + " AND actor_id = $2", w.client, w.therapist).iterator().next().getLong(0));
  }

  @Test
  void latestScoresGiveTheNewestScoreOfEachInstrumentPerClient() {
    World w = new World();
    w.submit(w.open("d-2.baseline", "phq9"), TestAnswers.phq9(0, 2));
    w.submit(w.open("d-2.baseline", "gad7"), TestAnswers.gad7(2));
    w.submit(w.open("d+1.postdose-pulse", "pulse"), TestAnswers.pulse(6, false));
    w.clock.set(DOSE.plus(Duration.ofDays(7)));
    w.submit(w.open("d+7.followup", "phq9"), TestAnswers.phq9(0, 1));
    UUID quiet = db.user(w.clinic, Role.CLIENT, "America/New_York");
    Map<UUID, JsonObject> scores = await(w.m.checkins().latestScores(List.of(w.client, quiet)));
    assertEquals(new JsonObject(), scores.get(quiet));
    JsonObject mine = scores.get(w.client);
    assertEquals(Set.of("phq9", "gad7"), mine.fieldNames(), "scored instruments only");
    assertEquals(8, mine.getJsonObject("phq9").getInteger("total"));
    assertEquals("Mild", mine.getJsonObject("phq9").getString("bandLabel"));
    assertNotNull(mine.getJsonObject("phq9").getString("at"));
    assertEquals(14, mine.getJsonObject("gad7").getInteger("total"));
  }

  @Test
  void batchedPromptLoadsGiveEachClientOnlyTheirOwnOpenPrompts() {
    World a = new World();
    World b = new World();
    UUID aPrompt = a.open("d-2.baseline", "phq9");
    UUID bPrompt = b.open("d-2.baseline", "phq9");
    UUID aFuture = db.query("SELECT id FROM checkin_prompt WHERE client_id = $1 AND step_id = 'd+1.postdose-pulse'"
        + " AND instrument_id = 'pulse'", a.client).iterator().next().getUUID("id");
    PromptFrames frames = a.m.frames();
    List<Future<List<JsonObject>>> loads = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      loads.add(frames.lookup(a.client, List.of(aPrompt, bPrompt, aFuture)));
      loads.add(frames.lookup(b.client, List.of(aPrompt, bPrompt)));
    }
    await(Future.all(loads));
    for (int i = 0; i < loads.size(); i++) {
      List<JsonObject> got = loads.get(i).result();
      UUID expected = i % 2 == 0 ? aPrompt : bPrompt;
      assertEquals(1, got.size(), "one open prompt of its own; the other's and the future one are never sent");
      assertEquals(expected.toString(), got.get(0).getString("promptId"));
      assertEquals("phq9", got.get(0).getJsonObject("instrument").getString("id"));
    }
  }

  @Test
  void theDemoHistoryShowsTrendsAndAnOpenSafetyPulseAndIsSeededOnce() {
    UUID clinic = db.clinic("America/New_York");
    UUID client = db.user(clinic, Role.CLIENT, "America/New_York");
    UUID therapist = db.user(clinic, Role.THERAPIST, "America/New_York");
    db.careTeam(client, therapist);
    MutableClock clock = new MutableClock(Instant.parse("2026-05-20T16:00:00Z"));
    await(CheckinModule.seedDemoHistory(db.pool, db.dataKeys, clock, client, therapist));
    List<Row> sessions = new ArrayList<>();
    db.query("SELECT starts_at, status FROM dosing_session WHERE client_id = $1 ORDER BY starts_at", client).forEach(sessions::add);
    assertEquals(2, sessions.size());
    assertEquals(Instant.parse("2026-05-10T14:00:00Z"), sessions.get(0).getOffsetDateTime("starts_at").toInstant());
    assertEquals(Instant.parse("2026-05-17T14:00:00Z"), sessions.get(1).getOffsetDateTime("starts_at").toInstant());
    CheckinModule m = db.module(clock, new RecordingSink(), new Nudges());
    Actor t = CheckinDb.actor(therapist, clinic, Role.THERAPIST);
    JsonArray phq = await(m.checkins().trends(t, client, "phq9")).getJsonArray("points");
    assertTrue(phq.size() >= 5, phq.encode());
    assertTrue(phq.getJsonObject(0).getInteger("total") > phq.getJsonObject(phq.size() - 1).getInteger("total"),
        "the demo improves");
    assertTrue(await(m.checkins().trends(t, client, "pulse")).getJsonArray("points").size() >= 5);
    assertEquals(1, await(m.checkins().list(t, client, "missed", 50)).size());
    long openPulses = db.query("SELECT count(*) FROM checkin_prompt WHERE client_id = $1 AND instrument_id = 'pulse'"
        + " AND state = 'pending' AND due_at <= $2 AND expires_at > $2", client, Db.ts(clock.instant())).iterator().next().getLong(0);
    assertEquals(1, openPulses, "a safety pulse is waiting for Alex");
    JsonObject export = await(m.checkins().exportFhir(t, client));
    assertTrue(export.encode().contains(DemoHistory.DEMO_JOURNAL), "the journal entry is readable by the care team");
    long results = db.query("SELECT count(*) FROM checkin_result WHERE client_id = $1", client).iterator().next().getLong(0);
    await(CheckinModule.seedDemoHistory(db.pool, db.dataKeys, clock, client, therapist));
    assertEquals(results, db.query("SELECT count(*) FROM checkin_result WHERE client_id = $1", client).iterator().next().getLong(0),
        "seeding again changes nothing");
    assertNull(db.query("SELECT plan FROM checkin_client WHERE client_id = $1", client).iterator().next().getValue("plan"));
  }
}
