package org.interlude.checkin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import java.time.LocalTime;
import org.interlude.checkin.instrument.InstrumentCatalog;
import org.interlude.checkin.plan.PlanStep;
import org.interlude.checkin.plan.QuietHours;
import org.junit.jupiter.api.Test;

/** A plan edited through the API keeps each unchanged step's history, so no due prompt is dropped. */
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
}
