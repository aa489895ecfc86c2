package org.interlude.testing;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real WebSocket client for tests (TLS, Origin, subprotocol, session cookie), collecting every
 * frame it receives so tests can wait for and inspect them.
 */
public final class WsClient implements AutoCloseable {
  private static Vertx vertx;
  private static WebSocketClient client;

  private final WebSocket ws;
  private final BlockingQueue<JsonObject> inbox = new LinkedBlockingQueue<>();
  private final List<JsonObject> seen = new ArrayList<>();
  private volatile Short closeCode;

  private WsClient(io.vertx.core.http.ClientWebSocket ws) {
    this.ws = ws;
    // Handlers are in place before the handshake, so the server's first frames are never missed.
    ws.textMessageHandler(t -> inbox.add(new JsonObject(t)));
    ws.closeHandler(v -> closeCode = ws.closeStatusCode() == null ? -1 : ws.closeStatusCode());
  }

  static synchronized WebSocketClient client() {
    if (client == null) {
      vertx = Vertx.vertx();
      client = vertx.createWebSocketClient(new WebSocketClientOptions().setSsl(true).setTrustAll(true)
          .setVerifyHost(false).setMaxConnections(100_000).setMaxMessageSize(16 * 1024 * 1024).setMaxFrameSize(16 * 1024 * 1024));
    }
    return client;
  }

  public static WebSocketConnectOptions options(TestSession s) {
    return new WebSocketConnectOptions().setHost("127.0.0.1").setPort(s.port).setURI("/ws").setSsl(true)
        .addHeader("Origin", s.origin()).addHeader("Cookie", s.cookie).setSubProtocols(List.of("interlude.v1"));
  }

  public static WsClient connect(TestSession s) {
    return connect(options(s));
  }

  public static WsClient connect(WebSocketConnectOptions o) {
    io.vertx.core.http.ClientWebSocket ws = client().webSocket();
    WsClient c = new WsClient(ws);
    try {
      ws.connect(o).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      return c;
    } catch (Exception e) {
      throw new IllegalStateException("websocket connect failed: " + e, e);
    }
  }

  /** The HTTP status of a refused handshake (or 101 when it was accepted). */
  public static int handshakeStatus(WebSocketConnectOptions o) {
    try {
      WebSocket ws = client().connect(o).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      ws.close();
      return 101;
    } catch (Exception e) {
      Throwable c = e.getCause();
      if (c instanceof io.vertx.core.http.UpgradeRejectedException u) {
        return u.getStatus();
      }
      throw new IllegalStateException("unexpected handshake failure: " + e, e);
    }
  }

  public void send(JsonObject frame) {
    ws.writeTextMessage(frame.encode());
  }

  public void sendText(String raw) {
    ws.writeTextMessage(raw);
  }

  /** Waits for the next frame matching {@code p}; frames passed over stay in {@link #seen()}. */
  public JsonObject await(Predicate<JsonObject> p, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (seen) {
      for (JsonObject f : seen) {
        if (p.test(f)) {
          seen.remove(f);
          return f;
        }
      }
    }
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("no matching frame within " + timeout + "; received: " + seen());
      }
      JsonObject f;
      try {
        f = inbox.poll(left, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
      if (f == null) {
        continue;
      }
      if (p.test(f)) {
        return f;
      }
      synchronized (seen) {
        seen.add(f);
      }
    }
  }

  public JsonObject await(String type) {
    return await(f -> type.equals(f.getString("type")), Duration.ofSeconds(10));
  }

  public List<JsonObject> seen() {
    synchronized (seen) {
      inbox.drainTo(seen);
      return List.copyOf(seen);
    }
  }

  /** Forgets every frame received so far (to inspect only what a later request brings). */
  public void clear() {
    synchronized (seen) {
      inbox.drainTo(seen);
      seen.clear();
    }
  }

  /** Waits until the server closes the socket; returns the close code. */
  public short awaitClose(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (closeCode == null && System.nanoTime() < deadline) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    }
    if (closeCode == null) {
      throw new AssertionError("socket not closed within " + timeout);
    }
    return closeCode;
  }

  /** Stops reading from the connection (a reader that cannot keep up); the server's output backs up. */
  public void pause() {
    ws.pause();
  }

  /** Reads again: what the server queued arrives, then its close frame if it gave up on us. */
  public void resume() {
    ws.resume();
  }

  public boolean isClosed() {
    return closeCode != null;
  }

  @Override
  public void close() {
    if (!ws.isClosed()) {
      ws.close();
    }
  }
}
