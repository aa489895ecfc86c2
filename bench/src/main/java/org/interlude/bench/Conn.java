package org.interlude.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.function.Consumer;

/** One load-generator WebSocket: connects, waits for hello, hands every later frame to a handler. */
final class Conn {
  final Identity who;
  volatile ClientWebSocket ws;
  volatile String conversationId;
  volatile Consumer<JsonObject> handler = f -> {};
  volatile boolean closed;
  volatile Stats stats;

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
        stats.errors.increment();
        stats.count("error:" + f.getString("code"));
      }
      handler.accept(f);
    });
    w.closeHandler(v -> {
      closed = true;
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
