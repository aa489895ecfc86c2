package org.interlude.escalation;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.interlude.identity.InvalidInput;

/**
 * An escalation policy as an administrator writes it. Waits default to 2 minutes (CRITICAL) and
 * 15 minutes (HIGH), the acknowledgement timeout to 60 minutes (0 turns it off). {@link #from}
 * checks the shape and names the field of the first problem; whether the targets exist in the
 * clinic is checked by {@link OnCallSchedules}.
 */
public record PolicySpec(String name, boolean isDefault, int repeat, Duration ackTimeout, List<Policy.Level> levels) {

  public PolicySpec {
    levels = List.copyOf(levels);
  }

  /**
   * Reads {@code {name, isDefault?, repeat?, ackTimeoutMinutes?, levels:[{targets:[{rotationId}|{userId}],
   * waitCriticalSeconds?, waitHighSeconds?}]}}.
   */
  public static PolicySpec from(JsonObject b) {
    String name = b.getString("name", "").trim();
    if (name.isEmpty() || name.length() > 100) {
      throw new InvalidInput("invalid_name", "name", "a name of 1-100 characters is required");
    }
    int repeat = b.getInteger("repeat", 1);
    if (repeat < 0 || repeat > 10) {
      throw new InvalidInput("invalid_repeat", "repeat", "repeat the chain 0-10 times");
    }
    int ackMinutes = b.getInteger("ackTimeoutMinutes", (int) Policy.DEFAULT_ACK_TIMEOUT.toMinutes());
    if (ackMinutes != 0 && (ackMinutes < 1 || ackMinutes > 1440)) {
      throw new InvalidInput("invalid_ack_timeout", "ackTimeoutMinutes", "use 1-1440 minutes, or 0 for never");
    }
    JsonArray ls = b.getJsonArray("levels", new JsonArray());
    if (ls.isEmpty() || ls.size() > 10) {
      throw new InvalidInput("invalid_levels", "levels", "a policy needs 1-10 levels");
    }
    List<Policy.Level> levels = new ArrayList<>();
    for (int i = 0; i < ls.size(); i++) {
      JsonObject l = ls.getJsonObject(i);
      String field = "levels." + i;
      int critical = l.getInteger("waitCriticalSeconds", (int) Policy.DEFAULT_WAIT_CRITICAL.toSeconds());
      int high = l.getInteger("waitHighSeconds", (int) Policy.DEFAULT_WAIT_HIGH.toSeconds());
      if (critical < 30 || critical > 86400) {
        throw new InvalidInput("invalid_wait", field + ".waitCriticalSeconds", "wait 30-86400 seconds");
      }
      if (high < 30 || high > 86400) {
        throw new InvalidInput("invalid_wait", field + ".waitHighSeconds", "wait 30-86400 seconds");
      }
      JsonArray ts = l.getJsonArray("targets", new JsonArray());
      if (ts.isEmpty() || ts.size() > 20) {
        throw new InvalidInput("invalid_targets", field + ".targets", "each level needs 1-20 targets");
      }
      List<Policy.Target> targets = new ArrayList<>();
      for (Object o : ts) {
        JsonObject t = (JsonObject) o;
        String rotation = t.getString("rotationId");
        String user = t.getString("userId");
        if ((rotation == null) == (user == null)) {
          throw new InvalidInput("invalid_targets", field + ".targets", "a target names either a rotationId or a userId");
        }
        try {
          targets.add(new Policy.Target(rotation == null ? null : UUID.fromString(rotation),
              user == null ? null : UUID.fromString(user)));
        } catch (IllegalArgumentException e) {
          throw new InvalidInput("invalid_targets", field + ".targets", "target ids are UUIDs");
        }
      }
      levels.add(new Policy.Level(Duration.ofSeconds(critical), Duration.ofSeconds(high), targets));
    }
    return new PolicySpec(name, b.getBoolean("isDefault", false), repeat, Duration.ofMinutes(ackMinutes), levels);
  }
}
