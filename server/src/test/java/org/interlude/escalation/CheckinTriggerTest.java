package org.interlude.escalation;

import static org.interlude.escalation.Fixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.interlude.checkin.instrument.InstrumentCatalog;
import org.interlude.checkin.instrument.ScoredResult;
import org.interlude.checkin.instrument.Scorer;
import org.interlude.checkin.instrument.risk.CheckinRiskRules;
import org.interlude.checkin.instrument.risk.RiskContext;
import org.interlude.checkin.instrument.risk.RiskSignal;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Check-in answers through the real risk rules into incidents: which answers page, which only go
 * to the review queue, which tell the client to call the emergency number, and how several
 * signals and repeats collapse into one episode.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CheckinTriggerTest {
  static final InstrumentCatalog CATALOG = InstrumentCatalog.loadBundled();
  static final CheckinRiskRules RULES = CheckinRiskRules.withDefaults();

  Fixture fx;
  Fixture.Node node;

  @BeforeAll
  void setUp() {
    fx = new Fixture();
    fx.seedDemoPolicy();
    node = fx.nodes.get(0);
  }

  @AfterAll
  void tearDown() {
    fx.close();
  }

  static ScoredResult score(String id, JsonObject answers) {
    return Scorer.score(CATALOG.requireLatest(id), answers).result();
  }

  static ScoredResult phq9(int item9, int rest) {
    JsonObject a = new JsonObject();
    int remaining = rest;
    for (int i = 1; i <= 8; i++) {
      int v = Math.min(3, remaining);
      a.put("q" + i, v);
      remaining -= v;
    }
    return score("phq9", a.put("q9", item9));
  }

  static ScoredResult total(String id, int items, int max, int total) {
    JsonObject a = new JsonObject();
    int remaining = total;
    for (int i = 1; i <= items; i++) {
      int v = Math.min(max, remaining);
      a.put("q" + i, v);
      remaining -= v;
    }
    return score(id, a);
  }

  static ScoredResult postDose(Map<String, Object> changes) {
    JsonObject a = new JsonObject().put("homeSafely", true).put("withWhom", 1).put("nausea", 0).put("dizziness", 0)
        .put("unreal", 0).put("drowsiness", 0).put("anxiety", 0).put("chestPain", false).put("urinaryPain", false)
        .put("drove", false);
    changes.forEach(a::put);
    return score("postdose", a);
  }

  static ScoredResult result(String answers) {
    return switch (answers) {
      case "phq9 item9=2" -> phq9(2, 0);
      case "phq9 item9=1 first" -> phq9(1, 0);
      case "phq9 total=16" -> phq9(0, 16);
      case "phq9 total=21" -> phq9(0, 21);
      case "phq9 total=3" -> phq9(0, 3);
      case "gad7 total=16" -> total("gad7", 7, 3, 16);
      case "who5 raw=5" -> total("who5", 5, 5, 5);
      case "pulse thoughts=yes" -> score("pulse", new JsonObject().put("mood", 3).put("thoughts", true));
      case "pulse thoughts=no" -> score("pulse", new JsonObject().put("mood", 6).put("thoughts", false));
      case "postdose chest pain" -> postDose(Map.of("chestPain", true));
      case "postdose drove" -> postDose(Map.of("drove", true));
      default -> throw new IllegalArgumentException(answers);
    };
  }

  private UUID signal(UUID client, List<RiskSignal> signals, String sourceId) {
    await(node.service().checkinSignals(fx.clinic, client, signals, "checkin_result", sourceId));
    var rows = fx.sql("SELECT id FROM incident WHERE client_id = $1 AND state <> 'resolved'", client);
    return rows.size() == 0 ? null : rows.iterator().next().getUUID(0);
  }

  @ParameterizedTest(name = "{0} -> {1}, pages {2}, emergency {3}")
  @CsvSource({
    "phq9 item9=2,        HIGH,     true,  false",
    "phq9 item9=1 first,  HIGH,     true,  false",
    "phq9 total=21,       HIGH,     true,  false",
    "pulse thoughts=yes,  HIGH,     true,  false",
    "postdose drove,      HIGH,     true,  false",
    "postdose chest pain, CRITICAL, true,  true",
    "phq9 total=16,       WATCH,    false, false",
    "gad7 total=16,       WATCH,    false, false",
    "who5 raw=5,          WATCH,    false, false",
    "phq9 total=3,        NONE,     false, false",
    "pulse thoughts=no,   NONE,     false, false",
  })
  void ruleTable(String answers, Severity expected, boolean pages, boolean emergency) {
    UUID client = fx.newClient();
    RiskContext ctx = new RiskContext(null, false, 2.0, true, false);
    List<RiskSignal> signals = RULES.evaluate(result(answers), ctx);
    UUID id = signal(client, signals, UUID.randomUUID().toString());
    if (expected == Severity.NONE) {
      assertEquals(null, id, "no incident");
      return;
    }
    assertEquals(expected.name(), fx.incidentRow(id).getString("severity"));
    assertEquals(pages, !fx.pages(id).isEmpty(), "paged: " + fx.pages(id));
    var info = await(node.service().views().crisisInfo(client, id));
    assertEquals(pages, info.isPresent(), "crisis.info for HIGH and CRITICAL only");
    if (pages) {
      JsonObject frame = info.get();
      assertEquals(emergency, frame.getBoolean("callEmergencyNow"));
      assertEquals(emergency, frame.getString("message").startsWith("Call 911 now"), frame.getString("message"));
      EscalationTimingTest.waitFor(() -> fx.nudgesFor(client, Notifier.CLIENT_KIND, ":crisis") == 1,
          "the client is sent crisis.info at once");
    } else {
      assertEquals(List.of(fx.sam), List.copyOf(fx.nudges.stream()
          .filter(n -> n.kind().equals(Notifier.STAFF_KIND) && n.objectId().equals(id.toString()))
          .findFirst().orElseThrow().userIds()), "WATCH goes to the care team's review queue only");
    }
  }

  @Test
  void signalsAndRepeatsCollapseIntoOneEpisodeWhichARaiseMakesCritical() {
    UUID client = fx.newClient();
    List<RiskSignal> two = RULES.evaluate(phq9(2, 19), RiskContext.none());
    assertEquals(2, two.size(), two.toString());
    UUID id = signal(client, two, "result-1");
    assertEquals(2, fx.count("SELECT count(*) FROM incident_trigger WHERE incident_id = $1", id));
    assertEquals(List.of("casey@0/escalation"), fx.pages(id), "two signals, one page");
    EscalationTimingTest.waitFor(() -> fx.nudgesFor(client, Notifier.CLIENT_KIND, ":crisis") == 1, "crisis.info once");

    assertEquals(id, signal(client, two, "result-1"), "the same result again");
    assertEquals(2, fx.count("SELECT count(*) FROM incident_trigger WHERE incident_id = $1", id), "changes nothing");
    assertEquals(id, signal(client, RULES.evaluate(result("pulse thoughts=yes"), RiskContext.none()), "result-2"));
    assertEquals(3, fx.count("SELECT count(*) FROM incident_trigger WHERE incident_id = $1", id));
    assertEquals(List.of("casey@0/escalation"), fx.pages(id), "joining a paging incident does not restart the chain");
    assertEquals(1, fx.count("SELECT count(*) FROM incident WHERE client_id = $1", client));

    assertEquals(id, signal(client, RULES.evaluate(result("postdose chest pain"), RiskContext.none()), "result-3"));
    assertEquals("CRITICAL", fx.incidentRow(id).getString("severity"));
    assertTrue(fx.timeline(id).contains("severity_raised"));
    JsonObject info = await(node.service().views().crisisInfo(client, id)).orElseThrow();
    assertTrue(info.getBoolean("callEmergencyNow"));
    assertEquals("Call 911 now for emergency help. The on-call clinician has also been notified.", info.getString("message"));
    EscalationTimingTest.waitFor(() -> fx.nudgesFor(client, Notifier.CLIENT_KIND, ":crisis") == 3,
        "the pulse HIGH and the new CRITICAL tell the client again");
    JsonObject alert = await(node.service().views().alertFrames(fx.actor(fx.casey), id)).get(0).getJsonObject("incident");
    assertEquals("postdose.chestPain", alert.getJsonObject("trigger").getString("ruleId"), "the decisive trigger");
  }

  @Test
  void aMissedSafetyCheckinIsHighWithinSevenDaysOfAHighAndWatchOtherwise() {
    UUID quiet = fx.newClient();
    assertFalse(await(node.service().highInLast7Days(quiet)));
    RiskSignal missed = RULES.missedCheckin("pulse", await(node.service().highInLast7Days(quiet))).orElseThrow();
    UUID watch = signal(quiet, List.of(missed), "occurrence-1");
    assertEquals("WATCH", fx.incidentRow(watch).getString("severity"));
    assertEquals("missed_checkin", fx.sql("SELECT kind FROM incident_trigger WHERE incident_id = $1", watch)
        .iterator().next().getString(0));

    UUID recent = fx.newClient();
    UUID first = signal(recent, RULES.evaluate(result("pulse thoughts=yes"), RiskContext.none()), "result-1");
    await(node.service().resolve(fx.actor(fx.sam), first, "safety_plan_reviewed", "Reviewed the plan together."));
    fx.clock.advance(Duration.ofDays(6));
    assertTrue(await(node.service().highInLast7Days(recent)));
    RiskSignal escalated = RULES.missedCheckin("pulse", true).orElseThrow();
    UUID second = signal(recent, List.of(escalated), "occurrence-2");
    assertEquals("HIGH", fx.incidentRow(second).getString("severity"));
    assertFalse(fx.pages(second).isEmpty());
    fx.clock.advance(Duration.ofDays(8));
    assertFalse(await(node.service().highInLast7Days(recent)));
  }
}
