package org.interlude.web;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.openapi.router.OpenAPIRoute;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.OpenAPIContract;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.interlude.crypto.RandomTokens;
import org.interlude.identity.Denied;
import org.interlude.identity.Sessions;

/**
 * Builds the REST router from docs/openapi.yaml (shipped on the classpath as
 * {@code contract/openapi.yaml}): every operation is validated against the contract, then
 * authenticated, checked against CSRF and role, then handled. The contract and the route table
 * must match exactly, or the node refuses to start: an undocumented route, or a documented one
 * without a handler, is a defect.
 */
public final class Api {
  public static final String CONTRACT = "contract/openapi.yaml";
  static final String AUTH_KEY = "interlude.auth";

  private final Sessions sessions;
  private final OriginPolicy origins;

  private Api(Sessions sessions, OriginPolicy origins) {
    this.sessions = sessions;
    this.origins = origins;
  }

  public static Future<Router> build(Vertx vertx, Sessions sessions, OriginPolicy origins, List<RouteSpec> table) {
    Api api = new Api(sessions, origins);
    return OpenAPIContract.from(vertx, CONTRACT).map(contract -> {
      RouterBuilder builder = RouterBuilder.create(vertx, contract, RequestExtractor.withBodyHandler());
      builder.rootHandler(BodyHandler.create().setBodyLimit(64 * 1024).setHandleFileUploads(false));
      Map<String, RouteSpec> byId = new java.util.HashMap<>();
      for (RouteSpec r : table) {
        if (byId.put(r.operationId(), r) != null) {
          throw new IllegalStateException("operation " + r.operationId() + " has two handlers");
        }
      }
      Set<String> documented = new TreeSet<>();
      for (OpenAPIRoute route : builder.getRoutes()) {
        String id = route.getOperation().getOperationId();
        documented.add(id);
        RouteSpec spec = byId.get(id);
        if (spec == null) {
          throw new IllegalStateException("operation " + id + " is documented in openapi.yaml but has no handler");
        }
        route.addHandler(ctx -> api.serve(ctx, spec));
        route.addFailureHandler(Api::fail);
      }
      Set<String> missing = new HashSet<>(byId.keySet());
      missing.removeAll(documented);
      if (!missing.isEmpty()) {
        throw new IllegalStateException("handlers without a documented operation: " + missing);
      }
      return builder.createRouter();
    });
  }

  private void serve(RoutingContext ctx, RouteSpec spec) {
    String correlationId = RequestLog.of(ctx);
    boolean changes = ctx.request().method() != HttpMethod.GET && ctx.request().method() != HttpMethod.HEAD;
    if (changes && !origins.requestAllowed(ctx.request().getHeader("Origin"), ctx.request().getHeader("Sec-Fetch-Site"))) {
      reply(ctx, new Errors.Mapped(403, Errors.body("cross_origin", "cross-site request refused", null)));
      return;
    }
    Cookie cookie = ctx.request().getCookie(Sessions.COOKIE);
    Future<java.util.Optional<Sessions.Authenticated>> authF = cookie == null
        ? Future.succeededFuture(java.util.Optional.empty())
        : sessions.authenticate(cookie.getValue(), sourceIp(ctx), correlationId, true);
    authF.compose(auth -> {
      Sessions.Authenticated a = auth.orElse(null);
      if (spec.authenticated()) {
        if (a == null) {
          return Future.failedFuture(Denied.unauthenticated());
        }
        if (changes) {
          String given = ctx.request().getHeader("X-CSRF-Token");
          if (given == null || !RandomTokens.constantTimeEquals(given, a.csrfToken())) {
            return Future.failedFuture(new Denied(Denied.Kind.STEP_UP, "csrf_token_invalid",
                "the X-CSRF-Token header is missing or wrong; reload the page"));
          }
        }
        if (a.mustEnrolSecondFactor() && !spec.allowedBeforeSecondFactor()) {
          return Future.failedFuture(new Denied(Denied.Kind.STEP_UP, "second_factor_enrollment_required",
              "your clinic requires a second factor: enrol an authenticator app first"));
        }
        if (!spec.roles().isEmpty() && !a.actor().hasAny(spec.roles())) {
          return Future.failedFuture(Denied.notFound("resource"));
        }
      }
      ApiRequest req = new ApiRequest(ctx, a == null ? null : withCorrelation(a, correlationId));
      return spec.handler().handle(req);
    }).onComplete(ar -> {
      if (ctx.response().ended()) {
        return;
      }
      if (ar.succeeded()) {
        Reply r = ar.result();
        for (Cookie c : r.cookies()) {
          ctx.response().addCookie(c);
        }
        ctx.response().setStatusCode(r.status());
        if (r.body() instanceof JsonObject j && j.containsKey("retryAfterSeconds")) {
          ctx.response().putHeader("Retry-After", String.valueOf(j.getLong("retryAfterSeconds")));
        }
        if (r.body() == null) {
          ctx.response().end();
        } else {
          ctx.response().putHeader("Content-Type", "application/json");
          ctx.response().end(r.body() instanceof JsonObject j ? j.encode() : io.vertx.core.json.Json.encode(r.body()));
        }
      } else {
        reply(ctx, Errors.map(ar.cause(), correlationId));
      }
    });
  }

  private static Sessions.Authenticated withCorrelation(Sessions.Authenticated a, String id) {
    return new Sessions.Authenticated(a.actor().withCorrelation(id), a.displayName(), a.csrfToken(), a.secondFactor(),
        a.clinicRequiresTotp(), a.idleTimeout(), a.absoluteExpiry());
  }

  private static void fail(RoutingContext ctx) {
    Throwable t = ctx.failure();
    if (t == null) {
      int status = ctx.statusCode();
      reply(ctx, new Errors.Mapped(status, Errors.body(status == 413 ? "too_large" : "invalid_request",
          status == 413 ? "the request body is too large" : "the request is not valid", null)));
      return;
    }
    reply(ctx, Errors.map(t, RequestLog.of(ctx)));
  }

  static void reply(RoutingContext ctx, Errors.Mapped m) {
    if (ctx.response().ended()) {
      return;
    }
    if (m.body().containsKey("retryAfterSeconds")) {
      ctx.response().putHeader("Retry-After", String.valueOf(m.body().getLong("retryAfterSeconds")));
    }
    ctx.response().setStatusCode(m.status()).putHeader("Content-Type", "application/json").end(m.body().encode());
  }

  public static String sourceIp(RoutingContext ctx) {
    return ctx.request().remoteAddress() == null ? null : ctx.request().remoteAddress().hostAddress();
  }

  /** The session cookie: host-only, secure, HTTP-only, same-site strict. */
  public static Cookie sessionCookie(String token, long maxAgeSeconds) {
    return Cookie.cookie(Sessions.COOKIE, token).setPath("/").setSecure(true).setHttpOnly(true)
        .setSameSite(io.vertx.core.http.CookieSameSite.STRICT).setMaxAge(maxAgeSeconds);
  }

  public static Cookie clearedSessionCookie() {
    return sessionCookie("", 0);
  }
}
