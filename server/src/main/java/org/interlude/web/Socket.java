package org.interlude.web;

import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.AtomicLong;
import org.interlude.identity.Actor;
import org.interlude.identity.Sessions;

/**
 * One open WebSocket of an authenticated user on this node. {@link #send} never blocks and never
 * lets one slow reader hold memory for everyone: when the socket's write queue is full the
 * reader is disconnected (1013) and resynchronises on reconnect from the database.
 */
public final class Socket {
  private static final AtomicLong IDS = new AtomicLong();

  private final long id = IDS.incrementAndGet();
  private final ServerWebSocket ws;
  private final Sessions.Authenticated auth;
  private volatile long lastReceivedNanos = System.nanoTime();
  private volatile long lastTouchNanos = System.nanoTime();
  private volatile boolean closed;
  private final io.vertx.core.Promise<Void> gone = io.vertx.core.Promise.promise();

  Socket(ServerWebSocket ws, Sessions.Authenticated auth) {
    this.ws = ws;
    this.auth = auth;
  }

  public long id() {
    return id;
  }

  public Actor actor() {
    return auth.actor();
  }

  public Sessions.Authenticated auth() {
    return auth;
  }

  public boolean isOpen() {
    return !closed && !ws.isClosed();
  }

  /** Sends one frame; false (and the socket closes) when the reader cannot keep up. */
  public boolean send(JsonObject frame) {
    if (!isOpen()) {
      return false;
    }
    if (ws.writeQueueFull()) {
      close((short) 1013, "too slow: reconnect and sync");
      return false;
    }
    ws.writeTextMessage(frame.encode());
    return true;
  }

  /**
   * Sends one frame of a long answer (sync, history), waiting while the socket's write queue is
   * full instead of disconnecting: the reader asked for this data and gets it at its own pace.
   */
  public io.vertx.core.Future<Void> sendPaced(JsonObject frame) {
    if (!isOpen()) {
      return io.vertx.core.Future.failedFuture(new IllegalStateException("socket closed"));
    }
    ws.writeTextMessage(frame.encode());
    if (!ws.writeQueueFull()) {
      return io.vertx.core.Future.succeededFuture();
    }
    io.vertx.core.Promise<Void> drained = io.vertx.core.Promise.promise();
    ws.drainHandler(v -> drained.tryComplete());
    gone.future().onComplete(v -> drained.tryFail("socket closed"));
    return drained.future();
  }

  public void close(short code, String reason) {
    if (closed) {
      return;
    }
    closed = true;
    if (!ws.isClosed()) {
      ws.close(code, reason);
    }
  }

  /** Called by the endpoint when the connection has closed, whoever closed it. */
  void closedByPeerOrServer() {
    closed = true;
    gone.tryComplete();
  }

  void received() {
    lastReceivedNanos = System.nanoTime();
  }

  long silentNanos() {
    return System.nanoTime() - lastReceivedNanos;
  }

  boolean touchDue(long intervalNanos) {
    long now = System.nanoTime();
    if (now - lastTouchNanos >= intervalNanos) {
      lastTouchNanos = now;
      return true;
    }
    return false;
  }

  ServerWebSocket raw() {
    return ws;
  }
}
