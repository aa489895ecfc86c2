package org.interlude.escalation;

import static org.interlude.escalation.Fixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.interlude.identity.Access;
import org.interlude.identity.Actor;
import org.interlude.identity.Denied;
import org.interlude.identity.InvalidInput;
import org.interlude.storage.StorageException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What staff do with an incident, and who may: acknowledgement, notes (sealed at rest),
 * resolution with a required disposition and note, reopening, the incident_access grants that
 * let paged on-call staff see the client only while the incident is open, chat findings, and
 * the one-open-episode rule under concurrent triggers.
 */
class IncidentLifecycleTest {
  Fixture fx;
  Fixture.Node node;
  EscalationService svc;

  @BeforeEach
  void setUp() {
    fx = new Fixture();
    fx.seedDemoPolicy();
    node = fx.nodes.get(0);
    svc = node.service();
  }

  @AfterEach
  void tearDown() {
    fx.close();
  }

  private UUID crisis() {
    return await(svc.trigger(EscalationTimingTest.crisis(fx, fx.alex, "r1"))).incidentId();
  }

  private static void assertNotFound(Runnable r, String who) {
    RuntimeException e = assertThrows(RuntimeException.class, r::run, who);
    assertTrue(e instanceof Denied d && d.kind() == Denied.Kind.NOT_FOUND, who + ": " + e);
  }

  @Test
  void onlyStaffWhoWerePagedOrCareForTheClientMaySeeOrTouchTheIncident() {
    UUID id = crisis();
    List<Function<Actor, Future<?>>> actions = List.of(
        a -> svc.get(a, id), a -> svc.acknowledge(a, id), a -> svc.addNote(a, id, "note"),
        a -> svc.resolve(a, id, "false_alarm", "note"), a -> svc.reopen(a, id));
    for (UUID outsider : List.of(fx.olivia, fx.alex, fx.terry, fx.robin, fx.admin)) {
      for (Function<Actor, Future<?>> action : actions) {
        assertNotFound(() -> await(action.apply(fx.actor(outsider))), fx.name(outsider));
      }
      if (!outsider.equals(fx.alex) && !outsider.equals(fx.admin)) {
        assertTrue(await(svc.list(fx.actor(outsider), false)).isEmpty(), fx.name(outsider) + " lists nothing");
      }
    }
    assertEquals("triggered", fx.incidentRow(id).getString("state"), "nothing changed");
    assertEquals(id.toString(), await(svc.list(fx.actor(fx.casey), true)).getJsonObject(0).getString("id"));
    assertEquals(id.toString(), await(svc.list(fx.actor(fx.sam), true)).getJsonObject(0).getString("id"),
        "the care team sees it without being paged");

    fx.clock.advance(Duration.ofMinutes(2));
    await(node.engine().tick());
    assertEquals(id.toString(), await(svc.get(fx.actor(fx.robin), id)).getJsonObject("incident").getString("id"),
        "paged now: the backup sees it");

    fx.sql("INSERT INTO break_glass (id, clinic_id, actor_id, client_id, reason, expires_at) VALUES ($1,$2,$3,$4,"
        + "'covering for Sam', $5)", UUID.randomUUID(), fx.clinic, fx.terry, fx.alex, fx.clock.instant().plusSeconds(3600)
        .atOffset(java.time.ZoneOffset.UTC));
    assertEquals(1, await(svc.list(fx.actor(fx.terry), true)).size(), "a break-glass access shows it");
  }

  @Test
  void pagedStaffSeeTheClientOnlyWhileTheIncidentIsOpen() {
    Access access = new Access(fx.db, Clock.systemUTC());
    assertNotFound(() -> await(access.client(fx.actor(fx.casey), fx.alex)), "before");
    UUID id = crisis();
    assertEquals(fx.alex, await(access.client(fx.actor(fx.casey), fx.alex)).id(), "paged: may open the client's record");
    await(svc.acknowledge(fx.actor(fx.casey), id));
    await(svc.resolve(fx.actor(fx.casey), id, "reached_client", "Called; safe with family tonight."));
    assertEquals(0, fx.count("SELECT count(*) FROM incident_access WHERE incident_id = $1", id));
    assertNotFound(() -> await(access.client(fx.actor(fx.casey), fx.alex)), "after the resolution");
    assertEquals("resolved", await(svc.get(fx.actor(fx.casey), id)).getJsonObject("incident").getString("state"),
        "the incident itself stays readable to whoever was paged for it");
  }

  @Test
  void resolvingNeedsADispositionAndANoteAndNotesAreSealedAtRest() {
    UUID id = crisis();
    Actor casey = fx.actor(fx.casey);
    InvalidInput noDisposition = assertThrows(InvalidInput.class, () -> await(svc.resolve(casey, id, null, "text")));
    assertEquals("disposition", noDisposition.field());
    assertEquals("disposition", assertThrows(InvalidInput.class,
        () -> await(svc.resolve(casey, id, "went_home", "text"))).field());
    assertEquals("note", assertThrows(InvalidInput.class, () -> await(svc.resolve(casey, id, "reached_client", " \n "))).field());
    assertEquals("note", assertThrows(InvalidInput.class, () -> await(svc.resolve(casey, id, "reached_client", null))).field());
    assertEquals("triggered", fx.incidentRow(id).getString("state"));

    String secretNote = "Client said the bridge near her flat felt like the only way out";
    await(svc.addNote(casey, id, secretNote));
    await(svc.resolve(casey, id, "emergency_services_called", "Ambulance sent; handed over at 21:40."));
    for (var r : fx.sql("SELECT note_sealed FROM incident_event WHERE note_sealed IS NOT NULL")) {
      String raw = new String(r.getBuffer(0).getBytes(), StandardCharsets.ISO_8859_1);
      assertFalse(raw.contains("bridge") || raw.contains("Ambulance"), "notes are ciphertext in the database");
    }
    assertEquals(0, fx.count("SELECT count(*) FROM audit_log WHERE concat_ws(' ', action, object_type, object_id, actor_role)"
        + " LIKE '%bridge%'"));
    JsonArray timeline = await(svc.get(casey, id)).getJsonArray("timeline");
    List<String> kinds = new ArrayList<>();
    timeline.forEach(e -> kinds.add(((JsonObject) e).getString("kind")));
    assertEquals(List.of("trigger", "page", "note", "resolved"), kinds);
    assertEquals(secretNote, timeline.getJsonObject(2).getString("note"));
    assertEquals("Casey Kim", timeline.getJsonObject(2).getJsonObject("actor").getString("displayName"));
    assertEquals("emergency_services_called", timeline.getJsonObject(3).getString("disposition"));
    assertThrows(StorageException.Conflict.class, () -> await(svc.resolve(casey, id, "false_alarm", "again")));
    assertThrows(StorageException.Conflict.class, () -> await(svc.acknowledge(casey, id)));
    assertTrue(fx.count("SELECT count(*) FROM audit_log WHERE action IN ('incident.trigger', 'incident.page',"
        + " 'incident.note', 'incident.resolve') AND subject_client = $1", fx.alex) >= 4, "every step is audited");
  }

  @Test
  void aReopenedIncidentIsPagedAgainFromTheFirstLevel() {
    UUID id = crisis();
    await(svc.acknowledge(fx.actor(fx.casey), id));
    await(svc.resolve(fx.actor(fx.casey), id, "false_alarm", "Pressed by mistake."));
    fx.clock.advance(Duration.ofMinutes(10));
    JsonObject reopened = await(svc.reopen(fx.actor(fx.sam), id));
    assertEquals("triggered", reopened.getString("state"));
    assertFalse(reopened.containsKey("acknowledgedBy"));
    assertEquals(List.of("casey@0/escalation", "casey@0/escalation"), fx.pages(id));
    assertTrue(fx.timeline(id).contains("reopened"));
    assertEquals(1, fx.count("SELECT count(*) FROM incident_access WHERE incident_id = $1 AND staff_id = $2", id, fx.casey));
    fx.clock.advance(Duration.ofMinutes(2));
    assertEquals(1, await(node.engine().tick()));
    assertEquals("robin@1/escalation", fx.pages(id).get(2));

    await(svc.resolve(fx.actor(fx.sam), id, "reached_client", "Spoke at length."));
    UUID second = crisis2();
    assertTrue(!second.equals(id));
    assertThrows(StorageException.Conflict.class, () -> await(svc.reopen(fx.actor(fx.sam), id)),
        "one open episode per client");
  }

  private UUID crisis2() {
    return await(svc.trigger(EscalationTimingTest.crisis(fx, fx.alex, "r2"))).incidentId();
  }

  @Test
  void chatFindingsWatchGoesToTheReviewQueueHighPagesAndEachMessageCountsOnce() {
    await(svc.chatFinding(fx.clinic, fx.alex, "conv-1", 7, Severity.NONE, "none"));
    assertEquals(0, fx.count("SELECT count(*) FROM incident"));
    await(svc.chatFinding(fx.clinic, fx.alex, "conv-1", 8, Severity.WATCH, "thirdPerson.mention"));
    UUID id = fx.sql("SELECT id FROM incident").iterator().next().getUUID(0);
    assertEquals("WATCH", fx.incidentRow(id).getString("severity"));
    assertEquals(List.of(), fx.pages(id));
    assertEquals(1, await(svc.list(fx.actor(fx.sam), true)).size(), "in the therapist's review queue");
    assertTrue(await(svc.list(fx.actor(fx.casey), true)).isEmpty(), "not on call's business");
    await(svc.chatFinding(fx.clinic, fx.alex, "conv-1", 9, Severity.HIGH, "ideation.firstPerson"));
    await(svc.chatFinding(fx.clinic, fx.alex, "conv-1", 9, Severity.HIGH, "ideation.firstPerson"));
    assertEquals(2, fx.count("SELECT count(*) FROM incident_trigger WHERE incident_id = $1", id));
    assertEquals("HIGH", fx.incidentRow(id).getString("severity"));
    assertEquals(List.of("casey@0/escalation"), fx.pages(id));
    JsonObject trigger = await(svc.get(fx.actor(fx.casey), id)).getJsonObject("incident").getJsonObject("trigger");
    assertEquals("chat", trigger.getString("kind"));
    assertEquals("Chat message #9 flagged by screening rule ideation.firstPerson", trigger.getString("summary"));
    assertNotFound(() -> await(svc.chatFinding(fx.otherClinic, fx.alex, "conv-1", 10, Severity.HIGH, "x")),
        "a client of another clinic");
  }

  @Test
  void concurrentFirstTriggersOpenExactlyOneIncident() {
    List<Future<TriggerOutcome>> all = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      Fixture.Node n = i % 2 == 0 ? node : fx.nodes.size() > 1 ? fx.nodes.get(1) : fx.node();
      all.add(n.service().trigger(EscalationTimingTest.crisis(fx, fx.jordan, "race-" + i)));
    }
    await(Future.join(all));
    assertTrue(all.stream().allMatch(Future::succeeded), all.stream().map(f -> String.valueOf(f.cause())).toList().toString());
    assertEquals(1, all.stream().map(f -> f.result().incidentId()).distinct().count());
    assertEquals(1, all.stream().filter(f -> f.result().opened()).count());
    UUID id = all.get(0).result().incidentId();
    assertEquals(8, fx.count("SELECT count(*) FROM incident_trigger WHERE incident_id = $1", id));
    assertEquals(List.of("casey@0/escalation"), fx.pages(id));
  }
}
