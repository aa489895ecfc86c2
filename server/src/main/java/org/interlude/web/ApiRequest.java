package org.interlude.web;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;
import org.interlude.identity.Actor;
import org.interlude.identity.Denied;
import org.interlude.identity.Sessions;

/**
 * One validated REST request as handlers see it: the authenticated actor (null on public
 * routes), the JSON body, path parameters, source address and correlation id.
 */
public record ApiRequest(RoutingContext ctx, Sessions.Authenticated auth) {
  public Actor actor() {
    if (auth == null) {
      throw Denied.unauthenticated();
    }
    return auth.actor();
  }

  public JsonObject body() {
    JsonObject b = ctx.body() == null ? null : ctx.body().asJsonObject();
    return b == null ? new JsonObject() : b;
  }

  /** A path parameter the contract declares as a UUID (validated before the handler runs). */
  public UUID pathId(String name) {
    return UUID.fromString(ctx.pathParam(name));
  }

  public String query(String name) {
    return ctx.request().getParam(name);
  }

  public String ip() {
    return Api.sourceIp(ctx);
  }

  public String correlationId() {
    return RequestLog.of(ctx);
  }
}
