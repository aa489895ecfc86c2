package org.interlude.cluster;

import io.vertx.core.json.JsonObject;
import java.util.function.Function;

/**
 * A typed event-bus address: its name and how to read its payload back. All addresses are
 * constants in {@link Addresses}; code never sends to a loose string.
 */
public record BusAddress<T extends BusMessage>(String name, Class<T> type, Function<JsonObject, T> reader) {}
