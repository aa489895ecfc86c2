package org.interlude.app;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import org.interlude.config.InterludeConfig;
import org.interlude.storage.Storage;

/**
 * Wires the feature services (identity, chat, check-ins, escalation, audit) onto storage and
 * installs their routes and WebSocket frames. Created once storage is up; stopped first on
 * shutdown so sockets close with 1001 and pending writes commit before the pool closes.
 */
public final class Features {
  private Features() {}

  static Future<Features> start(
      Vertx vertx, InterludeConfig cfg, StartOptions options, Storage storage, Router router, MeterRegistry registry) {
    return Future.succeededFuture(new Features());
  }

  /** Extra readiness facts (cluster membership, scheduler state); {@code ready} false blocks readiness. */
  JsonObject readiness() {
    return new JsonObject();
  }

  Future<Void> stop(long graceMs) {
    return Future.succeededFuture();
  }
}
