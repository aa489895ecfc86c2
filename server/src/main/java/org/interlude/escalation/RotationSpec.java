package org.interlude.escalation;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.interlude.identity.InvalidInput;

/**
 * A rotation as an administrator writes it. {@link #from} checks the shape and names the field
 * of the first problem; whether the members may be on call is checked against the clinic by
 * {@link OnCallSchedules}.
 */
public record RotationSpec(String name, ZoneId zone, LocalTime handoffTime, int shiftDays, LocalDate startDate,
    List<UUID> members) {

  public RotationSpec {
    members = List.copyOf(members);
  }

  /** Reads {@code {name, timeZone, handoffTime "HH:MM", shiftDays, startDate "YYYY-MM-DD", members:[uuid]}}. */
  public static RotationSpec from(JsonObject b) {
    String name = b.getString("name", "").trim();
    if (name.isEmpty() || name.length() > 100) {
      throw new InvalidInput("invalid_name", "name", "a name of 1-100 characters is required");
    }
    ZoneId zone;
    try {
      zone = ZoneId.of(b.getString("timeZone", ""));
    } catch (RuntimeException e) {
      throw new InvalidInput("invalid_time_zone", "timeZone", "use an IANA time zone such as America/New_York");
    }
    LocalTime handoff;
    try {
      handoff = LocalTime.parse(b.getString("handoffTime", ""));
    } catch (RuntimeException e) {
      throw new InvalidInput("invalid_handoff_time", "handoffTime", "use a time of day such as 08:00");
    }
    Integer days = b.getInteger("shiftDays", 7);
    if (days == null || days < 1 || days > 28) {
      throw new InvalidInput("invalid_shift_days", "shiftDays", "a shift lasts 1-28 days");
    }
    LocalDate start;
    try {
      start = LocalDate.parse(b.getString("startDate", ""));
    } catch (RuntimeException e) {
      throw new InvalidInput("invalid_start_date", "startDate", "use a date such as 2026-01-05");
    }
    JsonArray m = b.getJsonArray("members", new JsonArray());
    List<UUID> members = new ArrayList<>();
    for (Object o : m) {
      try {
        members.add(UUID.fromString(String.valueOf(o)));
      } catch (IllegalArgumentException e) {
        throw new InvalidInput("invalid_members", "members", "members are user ids");
      }
    }
    if (members.isEmpty() || members.size() > 50) {
      throw new InvalidInput("invalid_members", "members", "a rotation needs 1-50 members");
    }
    return new RotationSpec(name, zone, handoff, days, start, members);
  }
}
