package org.interlude.escalation;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The escalation chain of one incident run, frozen when paging starts: for each level the users
 * it pages (already resolved from rotations and overrides) and its waits, plus the repeat count
 * and the acknowledgement timeout. Stored on the incident row as JSON, so a later policy or
 * schedule edit never changes a running incident. A level with no users is a coverage gap: the
 * engine records it and pages the next level at once.
 *
 * @param policyId the policy it came from, or null when the clinic had no default policy and the
 *     fallback chain (every on-call staff member, then the client's care team) was used
 */
public record PolicySnapshot(UUID policyId, Instant takenAt, int repeat, Duration ackTimeout, List<Level> levels) {

  /** One resolved level. */
  public record Level(List<UUID> userIds, Duration waitCritical, Duration waitHigh) {
    public Level {
      userIds = List.copyOf(userIds);
    }

    /** How long this level has to acknowledge an incident of {@code s}. */
    public Duration wait(Severity s) {
      return s == Severity.CRITICAL ? waitCritical : waitHigh;
    }
  }

  public PolicySnapshot {
    levels = List.copyOf(levels);
  }

  /** The first level that pages {@code user}, or -1. */
  public int levelOf(UUID user) {
    for (int i = 0; i < levels.size(); i++) {
      if (levels.get(i).userIds().contains(user)) {
        return i;
      }
    }
    return -1;
  }

  public JsonObject toJson() {
    JsonArray ls = new JsonArray();
    for (Level l : levels) {
      JsonArray users = new JsonArray();
      l.userIds().forEach(u -> users.add(u.toString()));
      ls.add(new JsonObject().put("userIds", users).put("waitCriticalSeconds", l.waitCritical().toSeconds())
          .put("waitHighSeconds", l.waitHigh().toSeconds()));
    }
    return new JsonObject().put("policyId", policyId == null ? null : policyId.toString())
        .put("takenAt", takenAt.toString()).put("repeat", repeat).put("ackTimeoutSeconds", ackTimeout.toSeconds())
        .put("levels", ls);
  }

  public static PolicySnapshot fromJson(JsonObject o) {
    List<Level> levels = new ArrayList<>();
    for (Object x : o.getJsonArray("levels")) {
      JsonObject l = (JsonObject) x;
      List<UUID> users = new ArrayList<>();
      for (Object u : l.getJsonArray("userIds")) {
        users.add(UUID.fromString((String) u));
      }
      levels.add(new Level(users, Duration.ofSeconds(l.getLong("waitCriticalSeconds")),
          Duration.ofSeconds(l.getLong("waitHighSeconds"))));
    }
    String pid = o.getString("policyId");
    return new PolicySnapshot(pid == null ? null : UUID.fromString(pid), Instant.parse(o.getString("takenAt")),
        o.getInteger("repeat"), Duration.ofSeconds(o.getLong("ackTimeoutSeconds")), levels);
  }
}
