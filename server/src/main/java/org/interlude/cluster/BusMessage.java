package org.interlude.cluster;

import io.vertx.core.json.JsonObject;

/**
 * A payload on the event bus. Bus messages only say that something changed (ids, sequence
 * numbers, codes), never patient data: the database is the truth and receivers read it from
 * there. Every handler must be idempotent, since delivery is best-effort and may repeat.
 */
public interface BusMessage {
  /** Serialises the record's fields; {@link BusCodec} adds the type tag. */
  JsonObject toJson();
}
