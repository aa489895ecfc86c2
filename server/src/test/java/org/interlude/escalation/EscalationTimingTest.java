package org.interlude.escalation;

import static org.interlude.escalation.Fixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.interlude.checkin.instrument.risk.RiskSignal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * When pages go out: each level exactly when the previous one's wait runs out, never after an
 * acknowledgement or a resolution (the two bugs users of paging systems hated), and the
 * "acknowledged but not resolved" timer as the only exception.
 */
class EscalationTimingTest {
  Fixture fx;
  Fixture.Node node;

  @BeforeEach
  void setUp() {
    fx = new Fixture();
    node = fx.nodes.get(0);
    fx.seedDemoPolicy();
  }

  @AfterEach
  void tearDown() {
    fx.close();
  }

  static Trigger crisis(Fixture fx, UUID client, String reportId) {
    return new Trigger(fx.clinic, client, TriggerKind.CRISIS_BUTTON, Severity.CRITICAL, "client.crisisButton",
        "Crisis button pressed", RiskSignal.ClientAction.NONE, "crisis_report", reportId, "crisis:" + reportId, client);
  }

  static Trigger high(Fixture fx, UUID client, String key) {
    return new Trigger(fx.clinic, client, TriggerKind.CHECKIN, Severity.HIGH, "pulse.thoughts",
        "Safety pulse: thoughts = yes", RiskSignal.ClientAction.NONE, "checkin_result", key, "checkin:" + key, null);
  }

  private UUID trigger(Trigger t) {
    return await(node.service().trigger(t)).incidentId();
  }

  private int tickAfter(Duration d) {
    fx.clock.advance(d);
    return await(node.engine().tick());
  }

  @Test
  void eachLevelIsPagedExactlyWhenThePreviousWaitRunsOutThenTheChainRepeatsThenTheClientIsToldNobodyAnswered() {
    UUID id = trigger(crisis(fx, fx.alex, "r1"));
    assertEquals(List.of("casey@0/escalation"), fx.pages(id), "level 1 is paged in the trigger's own transaction");
    assertEquals(0, tickAfter(Duration.ofSeconds(119)));
    assertEquals(List.of("casey@0/escalation"), fx.pages(id), "one second before the 2-minute CRITICAL wait ends");
    assertEquals(1, tickAfter(Duration.ofSeconds(1)));
    assertEquals(List.of("casey@0/escalation", "robin@1/escalation"), fx.pages(id));
    assertEquals(0, await(node.engine().tick()), "a second pass at the same instant pages nobody again");
    assertEquals(1, tickAfter(Duration.ofSeconds(120)));
    assertEquals(1, tickAfter(Duration.ofSeconds(120)));
    assertEquals(List.of("casey@0/escalation", "robin@1/escalation", "sam@2/escalation", "casey@0/escalation"),
        fx.pages(id), "after the last level the chain repeats once from the top");
    tickAfter(Duration.ofSeconds(120));
    tickAfter(Duration.ofSeconds(120));
    assertEquals(6, fx.pages(id).size());
    assertEquals(0, fx.count("SELECT count(*) FROM incident WHERE id = $1 AND unanswered_at IS NOT NULL", id));
    assertEquals(0, fx.nudgesFor(fx.alex, Notifier.CLIENT_KIND, ":status"));
    assertEquals(1, tickAfter(Duration.ofSeconds(120)), "the last level's wait ran out");
    assertEquals(6, fx.pages(id).size(), "running out pages nobody");
    assertNull(fx.incidentRow(id).getString("nextStep"), "nothing more is scheduled");
    assertTrue(fx.timeline(id).contains("unanswered"));
    JsonObject status = await(node.service().views().status(fx.alex, id)).orElseThrow();
    assertEquals("unanswered", status.getString("state"));
    assertTrue(status.getString("message").contains("call or text 988") && status.getString("message").contains("911"),
        status.encode());
    waitFor(() -> fx.nudgesFor(fx.alex, Notifier.CLIENT_KIND, ":status") == 1, "the client is nudged with the status");
    for (int i = 0; i < 10; i++) {
      assertEquals(0, tickAfter(Duration.ofMinutes(30)));
    }
    assertEquals(6, fx.pages(id).size());
  }

  @Test
  void highIncidentsWaitFifteenMinutesPerLevel() {
    UUID id = trigger(high(fx, fx.alex, "h1"));
    assertEquals(0, tickAfter(Duration.ofMinutes(14).plusSeconds(59)));
    assertEquals(1, tickAfter(Duration.ofSeconds(1)));
    assertEquals(List.of("casey@0/escalation", "robin@1/escalation"), fx.pages(id));
  }

  @Test
  void acknowledgingStopsPagingAtOnceAndOnlyTheAckTimeoutRePagesThenTheNextLevel() {
    UUID id = trigger(crisis(fx, fx.alex, "r1"));
    long tokenBeforeAck = fx.incidentRow(id).getLong("token");
    fx.clock.advance(Duration.ofSeconds(30));
    JsonObject acked = await(node.service().acknowledge(fx.actor(fx.casey), id));
    assertEquals("acknowledged", acked.getString("state"));
    assertEquals("Casey Kim", acked.getString("acknowledgedBy"));
    assertEquals(EscalationEngine.StepResult.STALE, await(node.engine().step(id, tokenBeforeAck)),
        "a step computed before the acknowledgement is a no-op");
    for (int minute = 1; minute < 60; minute++) {
      fx.clock.set(Fixture.START.plusSeconds(30).plus(Duration.ofMinutes(minute)).minusSeconds(1));
      await(node.engine().tick());
    }
    assertEquals(List.of("casey@0/escalation"), fx.pages(id), "nothing pages for the hour after the acknowledgement");
    fx.clock.set(Fixture.START.plusSeconds(30).plus(Duration.ofMinutes(60)));
    assertEquals(1, await(node.engine().tick()));
    assertEquals(List.of("casey@0/escalation", "casey@0/ack_timeout"), fx.pages(id),
        "acknowledged but not resolved in 60 minutes: the acknowledger is paged again");
    assertEquals("triggered", fx.incidentRow(id).getString("state"));
    assertEquals(1, tickAfter(Duration.ofMinutes(2)));
    assertEquals(List.of("casey@0/escalation", "casey@0/ack_timeout", "robin@1/escalation"), fx.pages(id),
        "then the next level");
  }

  @Test
  void resolvingCancelsTheAckTimeoutAndAnOldAcknowledgedIncidentNeverPagesAtHalfPastFive() {
    UUID id = trigger(crisis(fx, fx.alex, "r1"));
    fx.clock.advance(Duration.ofMinutes(1));
    await(node.service().acknowledge(fx.actor(fx.casey), id));
    fx.clock.advance(Duration.ofMinutes(29));
    await(node.service().resolve(fx.actor(fx.casey), id, "reached_client", "Called back, safe at home with partner."));
    JsonObject row = fx.incidentRow(id);
    assertNull(row.getString("nextStep"), "resolve cancels the acknowledgement timer");
    long finalToken = row.getLong("token");
    // 05:30 the next morning in New York; the node restarts and every timer it ever had fires.
    fx.clock.set(Instant.parse("2026-03-11T09:30:00Z"));
    assertEquals(0, await(node.engine().tick()));
    for (long t = 0; t <= finalToken; t++) {
      assertEquals(EscalationEngine.StepResult.STALE, await(node.engine().step(id, t)), "token " + t);
    }
    assertEquals(List.of("casey@0/escalation"), fx.pages(id));
    assertEquals(0, await(node.engine().watchdog()), "nothing is overdue either");
  }

  @Test
  void withTheAckTimeoutOffAnAcknowledgedUnresolvedIncidentNeverPagesAgain() {
    fx.sql("UPDATE escalation_policy SET ack_timeout_seconds = 0");
    UUID id = trigger(crisis(fx, fx.alex, "r1"));
    fx.clock.advance(Duration.ofMinutes(1));
    await(node.service().acknowledge(fx.actor(fx.casey), id));
    for (int hour = 0; hour < 12; hour++) {
      tickAfter(Duration.ofHours(1));
    }
    fx.clock.set(Instant.parse("2026-03-11T09:30:00Z"));
    assertEquals(0, await(node.engine().tick()));
    assertEquals(List.of("casey@0/escalation"), fx.pages(id));
    assertEquals("acknowledged", fx.incidentRow(id).getString("state"));
  }

  @Test
  void aRaiseToCriticalShortensTheWaitOfTheLevelBeingWaitedOn() {
    UUID id = trigger(high(fx, fx.alex, "h1"));
    long tokenBeforeRaise = fx.incidentRow(id).getLong("token");
    fx.clock.advance(Duration.ofMinutes(1));
    assertEquals(id, trigger(crisis(fx, fx.alex, "r1")));
    assertEquals("CRITICAL", fx.incidentRow(id).getString("severity"));
    assertEquals(Fixture.START.plus(Duration.ofMinutes(2)).toString(), fx.incidentRow(id).getString("nextStepAt"));
    fx.clock.set(Fixture.START.plus(Duration.ofMinutes(2)));
    assertEquals(EscalationEngine.StepResult.STALE, await(node.engine().step(id, tokenBeforeRaise)),
        "the step planned before the raise is due too, but its token is stale");
    assertEquals(List.of("casey@0/escalation"), fx.pages(id));
    assertEquals(1, await(node.engine().tick()));
    assertEquals(List.of("casey@0/escalation", "robin@1/escalation"), fx.pages(id));
    assertTrue(fx.timeline(id).contains("severity_raised"));
  }

  @Test
  void aPolicyEditNeverChangesARunningIncident() {
    UUID id = trigger(crisis(fx, fx.alex, "r1"));
    JsonObject policy = await(node.module.schedules().listPolicies(fx.actor(fx.admin))).getJsonObject(0);
    JsonObject edited = policy.copy().put("levels", new JsonArray()
        .add(new JsonObject().put("targets", new JsonArray().add(new JsonObject().put("userId", fx.terry.toString())))));
    edited.remove("id");
    await(node.module.schedules().updatePolicy(fx.actor(fx.admin), UUID.fromString(policy.getString("id")),
        PolicySpec.from(edited)));
    tickAfter(Duration.ofMinutes(2));
    assertEquals(List.of("casey@0/escalation", "robin@1/escalation"), fx.pages(id), "the snapshot taken at trigger time");
    UUID other = trigger(crisis(fx, fx.jordan, "r2"));
    assertEquals(List.of("terry@0/escalation"), fx.pages(other), "new incidents use the edited policy");
  }

  @Test
  void watchIncidentsNeverPageUntilRaisedEvenWhenTheReviewWasAcknowledged() {
    UUID id = await(node.service().trigger(new Trigger(fx.clinic, fx.alex, TriggerKind.CHAT, Severity.WATCH, "third.person",
        "Chat message #4 flagged", RiskSignal.ClientAction.NONE, "chat_message", "c:4", "chat:c:4", null))).incidentId();
    assertEquals(List.of(), fx.pages(id));
    for (int i = 0; i < 5; i++) {
      assertEquals(0, tickAfter(Duration.ofHours(1)));
    }
    assertFalse(await(node.service().views().crisisInfo(fx.alex, id)).isPresent(), "no crisis information for WATCH");
    await(node.service().acknowledge(fx.actor(fx.sam), id));
    assertNull(fx.incidentRow(id).getString("nextStep"), "a WATCH review has no acknowledgement timer");
    assertEquals(id, trigger(high(fx, fx.alex, "h1")));
    assertEquals(List.of("casey@0/escalation"), fx.pages(id), "raised to HIGH: paging starts although the WATCH was acknowledged");
    assertEquals("triggered", fx.incidentRow(id).getString("state"));
  }

  static void waitFor(java.util.function.BooleanSupplier cond, String what) {
    long end = System.nanoTime() + 5_000_000_000L;
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("timed out waiting: " + what);
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
