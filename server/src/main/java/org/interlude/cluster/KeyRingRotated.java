package org.interlude.cluster;

import io.vertx.core.json.JsonObject;

/** A node added master key version {@code version}: every node reloads its key ring file. */
public record KeyRingRotated(int version) implements BusMessage {
  @Override
  public JsonObject toJson() {
    return new JsonObject().put("version", version);
  }

  static KeyRingRotated read(JsonObject o) {
    return new KeyRingRotated(o.getInteger("version"));
  }
}
