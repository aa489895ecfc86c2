package org.interlude.escalation;

import static org.interlude.escalation.Fixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The engine across restarts and nodes: a restart mid-chain resumes with the next level paged
 * once; racing nodes never page twice; a node paused in the middle of a step (as by SIGSTOP) is
 * fenced out and sends nothing; the watchdog alarms once per overdue step; coverage gaps page the
 * next level at once.
 */
class EngineFencingTest {
  Fixture fx;

  @BeforeEach
  void setUp() {
    fx = new Fixture();
    fx.seedDemoPolicy();
  }

  @AfterEach
  void tearDown() {
    fx.close();
  }

  private UUID crisis(Fixture.Node n, String report) {
    return await(n.service().trigger(EscalationTimingTest.crisis(fx, fx.alex, report))).incidentId();
  }

  @Test
  void aRestartInTheMiddleOfTheChainPagesTheNextLevelExactlyOnce() {
    Fixture.Node first = fx.nodes.get(0);
    UUID id = crisis(first, "r1");
    assertEquals(List.of("casey@0/escalation"), fx.pages(id));
    first.close();
    fx.clock.advance(Duration.ofMinutes(7));
    Fixture.Node second = fx.node("restarted", Duration.ofSeconds(10), 5);
    assertEquals(1, await(second.engine().tick()), "the overdue step is taken over after the restart");
    assertEquals(0, await(second.engine().tick()));
    assertEquals(List.of("casey@0/escalation", "robin@1/escalation"), fx.pages(id),
        "one page for the missed step, not one per missed wait");
    assertEquals(fx.clock.instant().plus(Duration.ofMinutes(2)).toString(), fx.incidentRow(id).getString("nextStepAt"),
        "the backup gets their full wait");
    fx.clock.advance(Duration.ofMinutes(2));
    assertEquals(1, await(second.engine().tick()));
    assertEquals(List.of("casey@0/escalation", "robin@1/escalation", "sam@2/escalation"), fx.pages(id));
  }

  @Test
  void racingNodesNeverPageTwiceForOneStep() {
    Fixture.Node a = fx.nodes.get(0);
    Fixture.Node b = fx.node();
    Fixture.Node c = fx.node();
    UUID id = crisis(a, "r1");
    for (int step = 0; step < 3; step++) {
      fx.clock.advance(Duration.ofMinutes(2));
      List<Future<Integer>> all = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        all.add(a.engine().tick());
        all.add(b.engine().tick());
        all.add(c.engine().tick());
      }
      await(Future.all(all));
      int ran = all.stream().mapToInt(f -> f.result()).sum();
      assertEquals(1, ran, "exactly one node ran step " + step);
    }
    assertEquals(List.of("casey@0/escalation", "robin@1/escalation", "sam@2/escalation", "casey@0/escalation"),
        fx.pages(id));
    long token = fx.incidentRow(id).getLong("token");
    fx.clock.advance(Duration.ofMinutes(2));
    List<Future<EscalationEngine.StepResult>> steps = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      steps.add(a.engine().step(id, token));
      steps.add(b.engine().step(id, token));
    }
    await(Future.join(steps));
    assertEquals(1, steps.stream().filter(f -> f.result() == EscalationEngine.StepResult.DONE).count(),
        "the same step by token on two nodes runs once: " + steps.stream().map(Future::result).toList());
    assertEquals(5, fx.pages(id).size());
    assertEquals(fx.pages(id).size(), fx.count("SELECT count(DISTINCT idempotency_key) FROM page WHERE incident_id = $1", id));
  }

  @Test
  void aNodePausedMidStepIsFencedOutAndSendsNothing() throws Exception {
    Fixture.Node paused = fx.node("paused", Duration.ofSeconds(1), 5);
    Fixture.Node healthy = fx.nodes.get(0);
    UUID id = crisis(healthy, "r1");
    Promise<Void> resume = Promise.promise();
    paused.engine().beforeCommit(incident -> resume.future());
    fx.clock.advance(Duration.ofMinutes(2));

    Future<Integer> stuck = paused.engine().tick();
    EscalationTimingTest.waitFor(() -> fx.count("SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation"
        + " WHERE c.relname = 'page' AND l.mode = 'RowExclusiveLock'") > 0, "the paused node is inside its step");
    assertEquals(0, await(healthy.engine().tick()), "while the paused node holds the row, others skip it");

    // PostgreSQL ends the paused node's session after claim_timeout (1 s here): its step rolls back.
    EscalationTimingTest.waitFor(() -> await(healthy.engine().tick()) == 1, "another node takes the step over");
    assertEquals(List.of("casey@0/escalation", "robin@1/escalation"), fx.pages(id));
    assertEquals(healthy.id, fx.sql("SELECT node_id FROM page WHERE incident_id = $1 AND level = 1", id)
        .iterator().next().getString(0), "the backup was paged by the node that took over");
    EscalationTimingTest.waitFor(() -> fx.nudgesFor(fx.robin, Notifier.STAFF_KIND) == 1,
        "the backup's console is told once, by the node that took over");

    resume.complete();
    assertEquals(0, await(stuck), "the resumed node's commit fails: its step never happened");
    Thread.sleep(200);
    assertEquals(1, fx.nudgesFor(fx.robin, Notifier.STAFF_KIND), "and it notifies nobody");
    assertEquals(List.of("casey@0/escalation", "robin@1/escalation"), fx.pages(id));
    assertEquals(0, await(paused.engine().tick()), "the paused node continues as a normal member afterwards");
  }

  @Test
  void theWatchdogAlarmsOnceForAStepOverdueByMoreThanThirtySeconds() {
    Logger engineLog = (Logger) LoggerFactory.getLogger(EscalationEngine.class);
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    engineLog.addAppender(logs);
    try {
      Fixture.Node a = fx.nodes.get(0);
      Fixture.Node b = fx.node();
      UUID id = crisis(a, "r1");
      fx.clock.advance(Duration.ofMinutes(2).plusSeconds(30));
      assertEquals(0, await(a.engine().watchdog()), "exactly 30 s late is within the threshold");
      fx.clock.advance(Duration.ofSeconds(1));
      int raised = await(a.engine().watchdog()) + await(b.engine().watchdog());
      assertEquals(1, raised, "one alarm across nodes");
      assertEquals(0, await(a.engine().watchdog()) + await(b.engine().watchdog()), "and only once");
      assertEquals(1.0, a.module.metrics().watchdogAlarmCount() + b.module.metrics().watchdogAlarmCount());
      assertEquals(1, fx.timeline(id).stream().filter("watchdog"::equals).count());
      List<ILoggingEvent> errors = logs.list.stream().filter(e -> e.getLevel() == Level.ERROR).toList();
      assertEquals(1, errors.size(), errors.toString());
      assertTrue(errors.get(0).getFormattedMessage().contains(id.toString()), errors.get(0).getFormattedMessage());
      assertEquals(1.0, a.registry.get("interlude.escalation.overdue.steps").gauge().value());

      assertEquals(1, await(a.engine().tick()), "the late step still runs");
      assertEquals(0, await(a.engine().watchdog()));
      assertEquals(0.0, a.registry.get("interlude.escalation.overdue.steps").gauge().value());
      fx.clock.advance(Duration.ofMinutes(2).plusSeconds(31));
      assertEquals(1, await(b.engine().watchdog()), "the next step late again is a new alarm");
    } finally {
      engineLog.detachAppender(logs);
    }
  }

  @Test
  void aLevelThatResolvesToNobodyIsRecordedAndTheNextLevelIsPagedAtOnce() {
    fx.sql("UPDATE app_user SET disabled_at = now() WHERE id = $1", fx.casey);
    Fixture.Node n = fx.nodes.get(0);
    UUID id = crisis(n, "r1");
    assertEquals(List.of("robin@1/escalation"), fx.pages(id), "the backup is paged at trigger time");
    assertEquals(List.of("trigger", "coverage_gap", "page"), fx.timeline(id));
    assertEquals(0, fx.sql("SELECT level FROM incident_event WHERE incident_id = $1 AND kind = 'coverage_gap'", id)
        .iterator().next().getInteger(0));
    assertEquals(1, fx.count("SELECT count(*) FROM staff_notice WHERE user_id = $1 AND kind = 'coverage_gap'"
        + " AND object_id = $2 AND client_id IS NULL", fx.admin, id.toString()), "admins are told, without PHI");
    assertEquals(1.0, n.registry.get("interlude.escalation.coverage.gaps").counter().count());
  }

  @Test
  void whenEveryLevelIsEmptyTheClientIsToldAtOnceThatNobodyCouldBeReached() {
    fx.sql("UPDATE app_user SET disabled_at = now() WHERE id = ANY($1)", (Object) new UUID[] {fx.casey, fx.robin, fx.sam});
    Fixture.Node n = fx.nodes.get(0);
    UUID id = crisis(n, "r1");
    assertEquals(List.of(), fx.pages(id));
    assertEquals(List.of("trigger", "coverage_gap", "coverage_gap", "coverage_gap", "unanswered"), fx.timeline(id));
    var info = await(n.service().views().crisisInfo(fx.alex, id)).orElseThrow();
    assertTrue(info.getString("message").startsWith("No on-call clinician could be reached"), info.encode());
    assertEquals("unanswered", await(n.service().views().status(fx.alex, id)).orElseThrow().getString("state"));
  }

  @Test
  void withoutADefaultPolicyEveryOnCallStaffMemberIsPagedThenTheCareTeam() {
    fx.sql("UPDATE escalation_policy SET is_default = false");
    Fixture.Node n = fx.nodes.get(0);
    UUID id = crisis(n, "r1");
    assertEquals(List.of("casey@0/escalation", "robin@0/escalation"), fx.pages(id).stream().sorted().toList());
    assertTrue(fx.timeline(id).contains("coverage_gap"), "the missing policy is on the timeline");
    fx.clock.advance(Duration.ofMinutes(2));
    await(n.engine().tick());
    assertTrue(fx.pages(id).contains("sam@1/escalation"));
    assertFalse(fx.pages(id).contains("terry@1/escalation"), "only the client's own care team");
  }
}
