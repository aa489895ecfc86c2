package org.interlude.checkin;

import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real WebSocket client (Vert.x's) for wire tests: the session cookie from a real login, the
 * browser's Origin, the {@code interlude.v1} subprotocol, TLS trusting the node's test
 * certificate. Handlers are in place before the handshake so no frame after {@code hello} is
 * missed; every frame is kept so tests can wait for one.
 */
final class WsTestClient implements AutoCloseable {
  private static Vertx vertx;
  private static WebSocketClient client;

  private final ClientWebSocket ws;
  private final List<JsonObject> frames = new ArrayList<>();

  private WsTestClient(ClientWebSocket ws) {
    this.ws = ws;
    ws.textMessageHandler(text -> {
      synchronized (frames) {
        frames.add(new JsonObject(text));
        frames.notifyAll();
      }
    });
  }

  private static synchronized WebSocketClient client() {
    if (client == null) {
      vertx = Vertx.vertx();
      client = vertx.createWebSocketClient(new WebSocketClientOptions().setSsl(true).setTrustAll(true).setVerifyHost(false));
    }
    return client;
  }

  static WsTestClient connect(int port, String sessionToken) throws Exception {
    ClientWebSocket ws = client().webSocket();
    WsTestClient c = new WsTestClient(ws);
    ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/ws").setSsl(true)
            .addHeader("Origin", "https://localhost:" + port)
            .addHeader("Cookie", "__Host-interlude=" + sessionToken)
            .setSubProtocols(List.of("interlude.v1")))
        .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    return c;
  }

  void send(JsonObject frame) {
    ws.writeTextMessage(frame.encode());
  }

  /** The first frame received (since the start) that matches, waiting up to {@code timeout}. */
  JsonObject await(Predicate<JsonObject> match, Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    synchronized (frames) {
      while (true) {
        for (JsonObject f : frames) {
          if (match.test(f)) {
            return f;
          }
        }
        long left = end - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("no matching frame within " + timeout + "; received " + frames);
        }
        frames.wait(Math.max(1, left / 1_000_000));
      }
    }
  }

  JsonObject awaitType(String type, Duration timeout) throws InterruptedException {
    return await(f -> type.equals(f.getString("type")), timeout);
  }

  /** The answer to the frame sent with {@code ref}. */
  JsonObject awaitRef(String ref) throws InterruptedException {
    return await(f -> ref.equals(f.getString("ref")), Duration.ofSeconds(15));
  }

  List<JsonObject> received() {
    synchronized (frames) {
      return List.copyOf(frames);
    }
  }

  @Override
  public void close() {
    ws.close().toCompletionStage().toCompletableFuture().orTimeout(5, TimeUnit.SECONDS).exceptionally(t -> null).join();
  }
}
