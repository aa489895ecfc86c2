package org.interlude.cluster;

import io.vertx.core.json.JsonObject;
import java.util.UUID;

/**
 * A session ended (logout, expiry, password change, disable). {@code sessionHash} null means
 * every session of the user. Every node closes the matching WebSockets with 1008.
 */
public record SessionEnded(UUID userId, String sessionHash, String reason) implements BusMessage {
  @Override
  public JsonObject toJson() {
    return new JsonObject().put("userId", userId.toString()).put("sessionHash", sessionHash).put("reason", reason);
  }

  static SessionEnded read(JsonObject o) {
    return new SessionEnded(UUID.fromString(o.getString("userId")), o.getString("sessionHash"), o.getString("reason"));
  }
}
