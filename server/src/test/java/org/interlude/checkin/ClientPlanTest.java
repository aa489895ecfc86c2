package org.interlude.checkin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import org.interlude.checkin.instrument.InstrumentCatalog;
import org.interlude.checkin.plan.DefaultPlans;
import org.interlude.checkin.plan.PlanStep;
import org.interlude.checkin.plan.QuietHours;
import org.junit.jupiter.api.Test;

/**
 * A plan edited through the API, or reset to the default, keeps each unchanged step's history (no
 * due prompt is dropped) and dates each changed step from the change (none from before it comes back).
 */
class ClientPlanTest {
  private final InstrumentCatalog catalog = InstrumentCatalog.loadBundled();
  private final Instant now = Instant.parse("2026-11-22T05:00:00Z");

  @Test
  void changingOnlyQuietHoursLeavesEveryStepInForceAsBefore() {
    ClientPlan before = ClientPlan.defaults();
    var body = before.toApi();
    body.put("quietHours", new io.vertx.core.json.JsonObject().put("start", "00:00").put("end", "00:00"));
    ClientPlan after = ClientPlan.fromApi(body, catalog, before, now);
    assertEquals(QuietHours.NONE, after.quietHours());
    assertEquals(before.plan(), after.plan());
    for (PlanStep s : after.plan().steps()) {
      assertNull(after.effectiveFrom(s.stepId()), s.stepId() + " unchanged, so it applies as it always did");
    }
  }

  @Test
  void aChangedStepAppliesFromNowOnlyAndSurvivesStorage() {
    ClientPlan before = ClientPlan.defaults();
    var body = before.toApi();
    var first = body.getJsonArray("steps").getJsonObject(0);
    first.put("expiresAfterMinutes", first.getInteger("expiresAfterMinutes") + 60);
    ClientPlan after = ClientPlan.fromApi(body, catalog, before, now);
    String changed = first.getString("stepId");
    assertEquals(now, after.effectiveFrom(changed));
    ClientPlan stored = ClientPlan.fromStorage(after.toStorage());
    assertEquals(now, stored.effectiveFrom(changed));
    assertEquals(after.plan(), stored.plan());
    assertNotNull(stored.quietHours());
    assertEquals(LocalTime.of(22, 0), stored.quietHours().start());
  }

  @Test
  void aResetDatesOnlyTheDefaultStepsItChangesOrBringsBackAndSurvivesStorage() {
    ClientPlan original = ClientPlan.defaults();
    JsonObject body = original.toApi().put("quietHours", new JsonObject().put("start", "00:00").put("end", "00:00"));
    JsonObject first = body.getJsonArray("steps").getJsonObject(0);
    first.put("expiresAfterMinutes", first.getInteger("expiresAfterMinutes") + 60);
    String changed = first.getString("stepId");
    String removed = body.getJsonArray("steps").getJsonObject(1).getString("stepId");
    body.getJsonArray("steps").remove(1);
    ClientPlan adjusted = ClientPlan.fromStorage(ClientPlan.fromApi(body, catalog, original, now).toStorage());

    Instant later = now.plus(Duration.ofDays(1));
    ClientPlan reset = ClientPlan.reset(adjusted, later);
    assertFalse(reset.custom());
    assertEquals(DefaultPlans.integration(), reset.plan());
    assertEquals(QuietHours.DEFAULT, reset.quietHours());
    assertEquals(ClientPlan.defaults().toApi(), reset.toApi(), "answered exactly as a plan never adjusted");
    assertEquals(later, reset.effectiveFrom(changed), "changed back by the reset: from the reset on");
    assertEquals(later, reset.effectiveFrom(removed), "brought back by the reset: from the reset on");
    for (PlanStep s : reset.plan().steps()) {
      if (!s.stepId().equals(changed) && !s.stepId().equals(removed)) {
        assertNull(reset.effectiveFrom(s.stepId()), s.stepId() + " never changed, so it applies as it always did");
      }
    }

    ClientPlan stored = ClientPlan.fromStorage(reset.toStorage());
    assertEquals(reset, stored, "the instants survive storage, and custom stays false");
    assertEquals(stored, ClientPlan.reset(stored, later.plus(Duration.ofHours(1))), "resetting again changes nothing");
  }
}
