package org.interlude.web;

import io.vertx.core.Vertx;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Arrays;
import java.util.function.BooleanSupplier;
import org.interlude.config.InterludeConfig;
import org.interlude.identity.Sessions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /ws}: the one WebSocket per browser tab. The handshake is refused before the upgrade
 * unless the {@code Origin} is allowed (cross-site WebSocket hijacking), the client offers the
 * {@code interlude.v1} subprotocol, and the session cookie is valid. After the upgrade: a
 * {@code hello} frame, then whatever features queue on connect (pending prompts, open alerts);
 * pings keep the socket alive and a silent one is closed; each inbound frame restarts the
 * session's idle clock (recorded at most every 30 s).
 */
public final class WebSocketEndpoint {
  public static final String SUBPROTOCOL = "interlude.v1";
  private static final Logger log = LoggerFactory.getLogger(WebSocketEndpoint.class);
  private static final long TOUCH_INTERVAL_NANOS = 30_000_000_000L;

  private final Vertx vertx;
  private final Sessions sessions;
  private final OriginPolicy origins;
  private final SocketHub hub;
  private final Frames frames;
  private final InterludeConfig.Chat limits;
  private final BooleanSupplier accepting;
  private long pingTimer = -1;

  public WebSocketEndpoint(Vertx vertx, Sessions sessions, OriginPolicy origins, SocketHub hub, Frames frames,
      InterludeConfig.Chat limits, BooleanSupplier accepting) {
    this.vertx = vertx;
    this.sessions = sessions;
    this.origins = origins;
    this.hub = hub;
    this.frames = frames;
    this.limits = limits;
    this.accepting = accepting;
  }

  /** How often a slice of the sockets is pinged (and every socket's silence checked). */
  static final long PING_TICK_MS = 1000;

  public void install(Router router) {
    router.get("/ws").order(-5).handler(this::handshake);
    long interval = limits.pingInterval().toMillis();
    long idleNanos = limits.idleTimeout().toNanos();
    // Each socket is pinged once per interval, but a slice at a time (one slice per tick), so
    // a node with thousands of sockets does not write thousands of pings, and read as many
    // pongs, in the same instant: in the benchmark that burst every 20 s held up the chat
    // frames queued behind it on the listener's loop.
    long tick = Math.min(interval, PING_TICK_MS);
    long slices = Math.max(1, interval / tick);
    long[] ticks = {0};
    pingTimer = vertx.setPeriodic(tick, t -> {
      long slice = ticks[0]++ % slices;
      for (Socket s : hub.all()) {
        if (s.silentNanos() > idleNanos) {
          s.close((short) 1001, "idle timeout");
        } else if (s.id() % slices == slice) {
          s.ping();
        }
      }
    });
  }

  public void stop() {
    if (pingTimer >= 0) {
      vertx.cancelTimer(pingTimer);
    }
  }

  private void handshake(RoutingContext ctx) {
    var req = ctx.request();
    // The router runs on the connection's event loop; the callbacks below may not (the session
    // lookup completes wherever its database connection lives), so the socket's loop is taken here.
    io.vertx.core.Context loopContext = vertx.getOrCreateContext();
    Thread loopThread = Thread.currentThread();
    if (!accepting.getAsBoolean()) {
      refuse(ctx, 503, "unavailable", "the server is not accepting connections right now");
      return;
    }
    if (!"websocket".equalsIgnoreCase(req.getHeader("Upgrade"))) {
      refuse(ctx, 400, "not_websocket", "this endpoint only accepts WebSocket upgrades");
      return;
    }
    if (!origins.webSocketAllowed(req.getHeader("Origin"))) {
      refuse(ctx, 403, "forbidden_origin", "connections from this origin are not allowed");
      return;
    }
    String offered = req.getHeader("Sec-WebSocket-Protocol");
    if (offered == null || Arrays.stream(offered.split(",")).map(String::trim).noneMatch(SUBPROTOCOL::equals)) {
      refuse(ctx, 400, "subprotocol_required", "offer the " + SUBPROTOCOL + " subprotocol");
      return;
    }
    Cookie cookie = req.getCookie(Sessions.COOKIE);
    if (cookie == null) {
      refuse(ctx, 401, "unauthenticated", "sign in first");
      return;
    }
    // The upgrade must happen before the request is consumed; hold it while the session is checked.
    req.pause();
    sessions.authenticate(cookie.getValue(), Api.sourceIp(ctx), RequestLog.of(ctx), true).onComplete(ar -> {
      if (ar.failed()) {
        Errors.Mapped m = Errors.map(ar.cause(), RequestLog.of(ctx));
        refuse(ctx, m.status(), m.code(), m.body().getString("message"));
        return;
      }
      if (ar.result().isEmpty()) {
        refuse(ctx, 401, "unauthenticated", "sign in first");
        return;
      }
      Sessions.Authenticated auth = ar.result().get();
      if (auth.mustEnrolSecondFactor()) {
        refuse(ctx, 403, "second_factor_enrollment_required", "enrol a second factor first");
        return;
      }
      req.toWebSocket().onSuccess(ws -> {
        if (Thread.currentThread() == loopThread) {
          open(ws, auth, loopContext, loopThread);
        } else {
          ws.pause();
          loopContext.runOnContext(v -> {
            open(ws, auth, loopContext, loopThread);
            ws.resume();
          });
        }
      }).onFailure(err ->
          log.info("websocket upgrade failed: {}", err.getClass().getSimpleName()));
    });
  }

  private static void refuse(RoutingContext ctx, int status, String code, String message) {
    Api.reply(ctx, new Errors.Mapped(status, Errors.body(code, message, null)));
  }

  private void open(ServerWebSocket ws, Sessions.Authenticated auth, io.vertx.core.Context loopContext,
      Thread loopThread) {
    Socket s = new Socket(ws, auth, loopContext, loopThread);
    ws.setWriteQueueMaxSize(limits.maxWriteQueueBytes());
    if (hub.count(auth.actor().userId()) >= limits.maxConnectionsPerUser()) {
      s.send(Frames.error("too_many_connections", "you have too many open tabs or devices; close one and retry",
          null, null));
      s.close((short) 1008, "too many connections");
      return;
    }
    hub.add(s);
    ws.closeHandler(v -> {
      hub.remove(s);
      s.closedByPeerOrServer();
    });
    ws.exceptionHandler(err -> log.debug("websocket error socket={} type={}", s.id(), err.getClass().getSimpleName()));
    ws.pongHandler(b -> s.received());
    ws.binaryMessageHandler(b -> {
      s.received();
      s.send(Frames.error("malformed", "binary frames are not supported; send JSON text frames", null, null));
    });
    ws.textMessageHandler(text -> {
      s.received();
      if (s.touchDue(TOUCH_INTERVAL_NANOS)) {
        sessions.touch(auth.actor().sessionHash()).onSuccess(valid -> {
          if (!valid) {
            s.send(new JsonObject().put("type", "session.ended").put("reason", "expired"));
            s.close((short) 1008, "session ended");
          }
        });
      }
      // UTF-8 needs at most 3 bytes per UTF-16 unit: only long frames pay for an exact count.
      if (text.length() > limits.maxFrameBytes() || (text.length() * 3L > limits.maxFrameBytes()
          && text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > limits.maxFrameBytes())) {
        s.send(Frames.error("too_large", "the frame is larger than " + limits.maxFrameBytes() + " bytes", null, null));
        return;
      }
      frames.dispatch(s, text);
    });
    hub.hello(s)
        .onSuccess(hello -> {
          s.send(hello);
          hub.connectFrames(s).onSuccess(list -> list.forEach(s::send))
              .onFailure(err -> log.warn("connect frames failed: {}", err.getClass().getSimpleName()));
        })
        .onFailure(err -> {
          log.warn("hello failed: {}", err.getClass().getSimpleName());
          s.close((short) 1011, "try again");
        });
  }
}
