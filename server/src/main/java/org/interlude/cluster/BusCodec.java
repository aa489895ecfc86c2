package org.interlude.cluster;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one codec for every {@link BusMessage}: JSON with a type tag on the wire between nodes,
 * the object itself within a node. Types are registered from {@link Addresses}.
 */
public final class BusCodec implements MessageCodec<BusMessage, BusMessage> {
  public static final String NAME = "interlude.bus";
  private final Map<String, BusAddress<?>> byType = new ConcurrentHashMap<>();

  void register(BusAddress<?> address) {
    byType.put(address.type().getName(), address);
  }

  @Override
  public void encodeToWire(Buffer buffer, BusMessage m) {
    Buffer body = new JsonObject().put("t", m.getClass().getName()).put("v", m.toJson()).toBuffer();
    buffer.appendInt(body.length());
    buffer.appendBuffer(body);
  }

  @Override
  public BusMessage decodeFromWire(int pos, Buffer buffer) {
    int len = buffer.getInt(pos);
    JsonObject o = new JsonObject(buffer.getBuffer(pos + 4, pos + 4 + len));
    BusAddress<?> a = byType.get(o.getString("t"));
    if (a == null) {
      throw new IllegalArgumentException("unknown bus message type " + o.getString("t"));
    }
    return a.reader().apply(o.getJsonObject("v"));
  }

  @Override
  public BusMessage transform(BusMessage m) {
    return m;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
