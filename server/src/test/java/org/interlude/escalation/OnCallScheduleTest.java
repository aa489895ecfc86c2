package org.interlude.escalation;

import static org.interlude.escalation.Fixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.interlude.identity.Denied;
import org.interlude.identity.InvalidInput;
import org.junit.jupiter.api.Test;

/** Rotations, overrides, coverage gaps and their administration. */
class OnCallScheduleTest {
  static final ZoneId NY = ZoneId.of("America/New_York");
  static final UUID A = UUID.fromString("00000000-0000-0000-0000-00000000000a");
  static final UUID B = UUID.fromString("00000000-0000-0000-0000-00000000000b");
  static final UUID C = UUID.fromString("00000000-0000-0000-0000-00000000000c");
  static final UUID D = UUID.fromString("00000000-0000-0000-0000-00000000000d");

  static Instant ny(int month, int day, int hour, int minute) {
    return ZonedDateTime.of(2026, month, day, hour, minute, 0, 0, NY).toInstant();
  }

  static Rotation weekly(List<Rotation.Override> overrides) {
    // Mondays 08:00 New York, from Monday 2 March 2026; US daylight saving starts Sunday 8 March.
    return new Rotation(UUID.randomUUID(), UUID.randomUUID(), "Primary", NY, LocalTime.of(8, 0), 7,
        LocalDate.of(2026, 3, 2), List.of(A, B, C), overrides);
  }

  @Test
  void handoffsHappenAtTheLocalWallClockTimeAcrossDaylightSaving() {
    Rotation r = weekly(List.of());
    assertEquals(Optional.empty(), r.onCallAt(ny(3, 2, 7, 59)), "before the first shift nobody is on call");
    assertEquals(Optional.of(A), r.onCallAt(ny(3, 2, 8, 0)));
    assertEquals(Optional.of(A), r.onCallAt(ny(3, 9, 7, 59)), "the last minute of A's week, after the clocks moved");
    assertEquals(Optional.of(B), r.onCallAt(ny(3, 9, 8, 0)), "08:00 EDT, not 08:00 EST");
    assertEquals(Optional.of(C), r.onCallAt(ny(3, 16, 8, 0)));
    assertEquals(Optional.of(A), r.onCallAt(ny(3, 23, 8, 0)), "round again");
    assertEquals(List.of(ny(3, 9, 8, 0), ny(3, 16, 8, 0)), r.changesBetween(ny(3, 3, 0, 0), ny(3, 17, 0, 0)));
  }

  @Test
  void theNewestOverrideWinsForItsIntervalOnly() {
    Instant created = Instant.parse("2026-03-01T00:00:00Z");
    Rotation r = weekly(List.of(
        new Rotation.Override(UUID.randomUUID(), D, ny(3, 10, 18, 0), ny(3, 11, 6, 0), created),
        new Rotation.Override(UUID.randomUUID(), C, ny(3, 10, 22, 0), ny(3, 10, 23, 0), created.plusSeconds(60))));
    assertEquals(Optional.of(B), r.onCallAt(ny(3, 10, 17, 59)));
    assertEquals(Optional.of(D), r.onCallAt(ny(3, 10, 18, 0)));
    assertEquals(Optional.of(C), r.onCallAt(ny(3, 10, 22, 30)), "the later override inside the earlier one");
    assertEquals(Optional.of(D), r.onCallAt(ny(3, 10, 23, 0)));
    assertEquals(Optional.of(B), r.onCallAt(ny(3, 11, 6, 0)), "an override ends exactly at its end");
  }

  @Test
  void coverageGapsAreFoundPerLevelAndMerged() {
    Rotation r = new Rotation(UUID.randomUUID(), UUID.randomUUID(), "Backup", NY, LocalTime.of(8, 0), 1,
        LocalDate.of(2026, 3, 12), List.of(A, B), List.of());
    Policy p = new Policy(UUID.randomUUID(), UUID.randomUUID(), "P", true, 0, Duration.ofHours(1), List.of(
        new Policy.Level(Duration.ofMinutes(2), Duration.ofMinutes(15), List.of(new Policy.Target(null, C))),
        new Policy.Level(Duration.ofMinutes(2), Duration.ofMinutes(15), List.of(new Policy.Target(r.id(), null)))));
    Instant from = ny(3, 10, 12, 0);
    Instant to = ny(3, 20, 12, 0);
    List<Policy.Gap> gaps = p.gaps(Map.of(r.id(), r), Set.of(A, C), from, to);
    assertEquals(List.of(
        new Policy.Gap(1, from, ny(3, 12, 8, 0)),
        new Policy.Gap(1, ny(3, 13, 8, 0), ny(3, 14, 8, 0)),
        new Policy.Gap(1, ny(3, 15, 8, 0), ny(3, 16, 8, 0)),
        new Policy.Gap(1, ny(3, 17, 8, 0), ny(3, 18, 8, 0)),
        new Policy.Gap(1, ny(3, 19, 8, 0), ny(3, 20, 8, 0))), gaps,
        "before the rotation starts, and on the days of B, who is disabled");
    assertEquals(List.of(new Policy.Gap(0, from, to)), p.gaps(Map.of(r.id(), r), Set.of(A, B), from, to).stream()
        .filter(g -> g.level() == 0).toList(), "a disabled named user is a gap all along");
    PolicySnapshot s = p.snapshot(Map.of(r.id(), r), Set.of(A, B, C), ny(3, 13, 9, 0));
    assertEquals(List.of(List.of(C), List.of(B)), s.levels().stream().map(PolicySnapshot.Level::userIds).toList());
    assertEquals(s, PolicySnapshot.fromJson(s.toJson()));
  }

  @Test
  void administrationValidatesAgainstTheClinicAndReportsGaps() {
    try (Fixture fx = new Fixture()) {
      OnCallSchedules schedules = fx.nodes.get(0).module.schedules();
      var admin = fx.actor(fx.admin);
      fx.seedDemoPolicy();
      JsonObject coverage = await(schedules.coverage(admin, null, null, Duration.ofDays(90)));
      assertEquals(new JsonArray(), coverage.getJsonArray("gaps"), "the demo set-up covers around the clock");
      JsonArray rotations = await(schedules.listRotations(admin));
      JsonObject primary = rotations.stream().map(o -> (JsonObject) o)
          .filter(o -> o.getString("name").equals("Primary on call")).findFirst().orElseThrow();
      assertEquals("Casey Kim", primary.getJsonObject("onCallNow").getString("displayName"));

      JsonObject spec = new JsonObject().put("name", "Nights").put("timeZone", "America/New_York")
          .put("handoffTime", "20:00").put("shiftDays", 1).put("startDate", "2026-03-13")
          .put("members", new JsonArray().add(fx.robin.toString()).add(fx.casey.toString()));
      InvalidInput client = assertThrows(InvalidInput.class, () -> await(schedules.createRotation(admin,
          RotationSpec.from(spec.copy().put("members", new JsonArray().add(fx.alex.toString()))))));
      assertEquals("members", client.field(), "clients are never on call");
      assertThrows(InvalidInput.class, () -> await(schedules.createRotation(admin,
          RotationSpec.from(spec.copy().put("members", new JsonArray().add(fx.olivia.toString()))))), "another clinic's staff");
      assertEquals("handoffTime", assertThrows(InvalidInput.class,
          () -> RotationSpec.from(spec.copy().put("handoffTime", "8am"))).field());
      UUID nights = await(schedules.createRotation(admin, RotationSpec.from(spec)));
      assertThrows(InvalidInput.class, () -> await(schedules.createRotation(admin, RotationSpec.from(spec))), "name taken");

      JsonObject policy = new JsonObject().put("name", "Nights first").put("levels", new JsonArray()
          .add(new JsonObject().put("targets", new JsonArray().add(new JsonObject().put("rotationId", nights.toString())))));
      JsonObject saved = await(schedules.createPolicy(admin, PolicySpec.from(policy)));
      assertEquals(1, saved.getJsonArray("coverageGaps").size(), "nobody until the rotation starts on the 13th");
      assertEquals(0, saved.getJsonArray("coverageGaps").getJsonObject(0).getInteger("level"));
      assertEquals("levels.0.targets", assertThrows(InvalidInput.class, () -> PolicySpec.from(policy.copy().put("levels",
          new JsonArray().add(new JsonObject().put("targets", new JsonArray()))))).field());
      JsonObject tooShort = policy.copy().put("levels", new JsonArray().add(new JsonObject().put("waitCriticalSeconds", 5)
          .put("targets", new JsonArray().add(new JsonObject().put("userId", fx.sam.toString())))));
      assertEquals("levels.0.waitCriticalSeconds",
          assertThrows(InvalidInput.class, () -> PolicySpec.from(tooShort)).field());

      UUID override = await(schedules.addOverride(admin, nights, fx.sam, fx.clock.instant(),
          fx.clock.instant().plus(Duration.ofDays(5))));
      JsonObject covered = await(schedules.coverage(admin, UUID.fromString(saved.getString("id")), null, Duration.ofDays(3)));
      assertEquals(new JsonArray(), covered.getJsonArray("gaps"), "the override fills the gap");
      await(schedules.deleteOverride(admin, override));
      assertThrows(Denied.class, () -> await(schedules.deleteOverride(admin, override)));
      assertThrows(Denied.class, () -> await(schedules.listRotations(fx.actor(fx.casey))), "admins only");

      fx.sql("UPDATE escalation_policy SET is_default = false");
      assertEquals(new JsonArray().add("no_default_policy"),
          await(schedules.coverage(admin, null, null, null)).getJsonArray("warnings"));
      assertTrue(await(schedules.listPolicies(admin)).size() == 2);
    }
  }
}
