package org.interlude.cluster;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.UUID;

/**
 * "Something of kind {@code kind} about object {@code objectId} changed for these users": each
 * node that holds sockets of those users loads the current state from PostgreSQL and pushes it.
 * Carries ids only, never content, so patient data never crosses the cluster bus. {@code origin}
 * names the node that already delivered locally (null: every node delivers).
 */
public record UserNudge(Set<UUID> userIds, String kind, String objectId, String origin) implements BusMessage {
  public UserNudge {
    userIds = Set.copyOf(userIds);
  }

  @Override
  public JsonObject toJson() {
    JsonArray ids = new JsonArray();
    userIds.forEach(u -> ids.add(u.toString()));
    return new JsonObject().put("userIds", ids).put("kind", kind).put("objectId", objectId).put("origin", origin);
  }

  static UserNudge read(JsonObject o) {
    Set<UUID> ids = new LinkedHashSet<>();
    for (Object x : o.getJsonArray("userIds")) {
      ids.add(UUID.fromString((String) x));
    }
    return new UserNudge(ids, o.getString("kind"), o.getString("objectId"), o.getString("origin"));
  }
}
