package org.interlude.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * One load-generator WebSocket: connects, waits for hello, hands every later frame to a handler.
 * An {@code error} frame counts as an error unless {@link #retryable} accepts it: the scenario
 * then retries what failed (as the web client does) and the frame is counted as a retry instead.
 */
final class Conn {
  final Identity who;
  volatile ClientWebSocket ws;
  volatile String conversationId;
  volatile Consumer<JsonObject> handler = f -> {};
  volatile boolean closed;
  volatile Stats stats;
  /** Error frames the scenario retries itself; they are counted under "retry:code", not as errors. */
  volatile Predicate<JsonObject> retryable = f -> false;

  Conn(Identity who, Stats stats) {
    this.who = who;
    this.stats = stats;
  }

  /** Connects and completes when hello arrived (conversationId taken from it). */
  Future<Conn> connect(WebSocketClient client, WebSocketConnectOptions o) {
    Promise<Conn> hello = Promise.promise();
    ClientWebSocket w = client.webSocket();
    ws = w;
    closed = false;
    w.textMessageHandler(t -> {
      JsonObject f;
      try {
        f = new JsonObject(t);
      } catch (RuntimeException e) {
        stats.errors.increment();
        stats.count("unparsable_frame");
        return;
      }
      if ("hello".equals(f.getString("type"))) {
        JsonArray cs = f.getJsonArray("conversations");
        if (cs != null && !cs.isEmpty()) {
          conversationId = cs.getJsonObject(0).getString("conversationId");
        }
        hello.tryComplete(this);
        return;
      }
      if ("error".equals(f.getString("type"))) {
        if (retryable.test(f)) {
          stats.count("retry:" + f.getString("code"));
        } else {
          stats.errors.increment();
          stats.count("error:" + f.getString("code"));
        }
      }
      handler.accept(f);
    });
    w.closeHandler(v -> {
      // A reconnecting Conn may hear its previous socket's close after the new one opened.
      if (ws == w) {
        closed = true;
      }
      if (!stats.expectingCloses) {
        stats.errors.increment();
        stats.count("closed:" + w.closeStatusCode());
      }
      hello.tryFail("closed before hello");
    });
    w.exceptionHandler(e -> stats.count("socket_exception"));
    return w.connect(o).onFailure(e -> stats.count("connect_failed:" + reason(e))).compose(x -> hello.future());
  }

  static String reason(Throwable e) {
    String m = e.getClass().getSimpleName() + ": " + e.getMessage();
    return m.length() > 120 ? m.substring(0, 120) : m;
  }

  void send(String frame) {
    ws.writeTextMessage(frame);
  }

  void close() {
    try {
      if (ws != null && !ws.isClosed()) {
        ws.close();
      }
    } catch (IllegalStateException notConnected) {
      // never connected: nothing to close
    }
  }
}
