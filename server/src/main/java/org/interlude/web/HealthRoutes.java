package org.interlude.web;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.function.Supplier;

/**
 * {@code GET /health/live} (the process answers) and {@code GET /health/ready} (this node can
 * serve: database reachable, schema current, cluster joined when clustered, not draining). Both
 * answer JSON; ready answers 503 with the failing parts named until everything is up.
 */
public final class HealthRoutes {
  private HealthRoutes() {}

  public static void install(Router router, String nodeId, Supplier<Future<JsonObject>> readiness) {
    router.get("/health/live").handler(ctx -> ctx.json(new JsonObject().put("status", "up").put("node", nodeId)));
    router.get("/health/ready").handler(ctx -> readiness.get()
        .otherwise(err -> new JsonObject().put("ready", false).put("error", "readiness check failed"))
        .onSuccess(state -> {
          boolean ready = state.getBoolean("ready", false);
          ctx.response().setStatusCode(ready ? 200 : 503);
          ctx.json(state.put("status", ready ? "ready" : "not_ready").put("node", nodeId));
        }));
  }
}
