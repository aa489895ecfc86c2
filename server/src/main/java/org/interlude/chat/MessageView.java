package org.interlude.chat;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.UUID;

/**
 * A message as a participant sees it. {@code text} is null when the stored ciphertext failed
 * authentication: the message is reported as unreadable, never shown with wrong content.
 */
public record MessageView(UUID conversationId, long seq, Instant at, UUID clientMsgId, Participant sender, String text) {
  public boolean unreadable() {
    return text == null;
  }

  /** The {@code chat.message} frame. */
  public JsonObject frame() {
    JsonObject f = new JsonObject().put("type", "chat.message").put("conversationId", conversationId.toString())
        .put("seq", seq).put("clientMsgId", clientMsgId.toString()).put("at", at.toString()).put("sender", sender.toJson());
    if (text == null) {
      f.put("unreadable", true);
    } else {
      f.put("text", text);
    }
    return f;
  }
}
