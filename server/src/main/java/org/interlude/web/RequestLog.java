package org.interlude.web;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives every request a correlation id (the caller's {@code X-Request-Id} when well-formed,
 * otherwise a new UUID), echoes it in the response, and logs one JSON line per request with the
 * route template (never the raw query, never bodies), status and duration.
 */
public final class RequestLog implements Handler<RoutingContext> {
  public static final String KEY = "correlationId";
  private static final Logger log = LoggerFactory.getLogger("interlude.http");
  private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9._-]{8,64}");

  @Override
  public void handle(RoutingContext ctx) {
    String given = ctx.request().getHeader("X-Request-Id");
    String id = given != null && SAFE_ID.matcher(given).matches() ? given : UUID.randomUUID().toString();
    ctx.put(KEY, id);
    long start = System.nanoTime();
    ctx.response().putHeader("X-Request-Id", id);
    ctx.addEndHandler(v -> {
      String route = ctx.currentRoute() != null && ctx.currentRoute().getPath() != null
          ? ctx.currentRoute().getPath() : "-";
      int status = ctx.response().getStatusCode();
      if (route.startsWith("/health") && status == 200) {
        return;
      }
      log.info("http {} {} -> {}", kv("method", ctx.request().method().name()), kv("route", route),
          kv("status", status), kv("ms", (System.nanoTime() - start) / 1_000_000), kv(KEY, id));
    });
    ctx.next();
  }

  public static String of(RoutingContext ctx) {
    String id = ctx.get(KEY);
    return id == null ? "-" : id;
  }
}
