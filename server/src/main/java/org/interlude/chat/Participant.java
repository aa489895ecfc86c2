package org.interlude.chat;

import io.vertx.core.json.JsonObject;
import java.util.UUID;

/** Someone who can read and write a conversation, as shown beside their messages. */
public record Participant(UUID id, String displayName, String role) {
  public JsonObject toJson() {
    return new JsonObject().put("id", id.toString()).put("displayName", displayName).put("role", role);
  }
}
