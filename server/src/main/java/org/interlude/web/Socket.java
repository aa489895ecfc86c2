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

  public void close(short code, String reason) {
    if (closed) {
      return;
    }
    closed = true;
    if (!ws.isClosed()) {
      ws.close(code, reason);
    }
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
