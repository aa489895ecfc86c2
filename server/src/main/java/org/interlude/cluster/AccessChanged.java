package org.interlude.cluster;

import io.vertx.core.json.JsonObject;
import java.util.UUID;

/**
 * Who may see a client changed (care team, incident routing, break-glass, disable): every node
 * drops what it cached about that client's conversation and re-reads it from PostgreSQL.
 */
public record AccessChanged(UUID clientId) implements BusMessage {
  @Override
  public JsonObject toJson() {
    return new JsonObject().put("clientId", clientId.toString());
  }

  static AccessChanged read(JsonObject o) {
    return new AccessChanged(UUID.fromString(o.getString("clientId")));
  }
}
