package org.interlude.web;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.interlude.identity.Actor;
import org.interlude.identity.Sessions;

/**
 * One open WebSocket of an authenticated user on this node. {@link #send} never blocks and never
 * lets one slow reader hold memory for everyone: when the socket's write queue is full the
 * reader is disconnected (1013) and resynchronises on reconnect from the database.
 *
 * <p>Frames may be sent from any thread (a batch commits on whichever event loop its database
 * connection uses), but they are written, and the write queue checked, on the socket's own event
 * loop, the one thread that owns that queue, so the check and the write cannot interleave with
 * another sender's. Frames are encoded on the sender's thread and keep the order in which they
 * were sent; a close goes out after the frames sent before it.
 */
public final class Socket {
  private static final AtomicLong IDS = new AtomicLong();

  private final long id = IDS.incrementAndGet();
  private final ServerWebSocket ws;
  private final Sessions.Authenticated auth;
  private final Context context;
  private final Thread loop;
  /** Frames handed to the socket's loop and not yet written: later frames queue behind them. */
  private final AtomicInteger crossing = new AtomicInteger();
  private volatile long lastReceivedNanos = System.nanoTime();
  private volatile long lastTouchNanos = System.nanoTime();
  /** No more frames accepted (close() was called or the connection ended). */
  private volatile boolean closed;
  /** The close went out on the socket's loop: nothing is written after it. */
  private volatile boolean shut;
  private final Promise<Void> gone = Promise.promise();

  /** {@code context} runs on {@code loop}, the event loop of the socket's connection. */
  Socket(ServerWebSocket ws, Sessions.Authenticated auth, Context context, Thread loop) {
    this.ws = ws;
    this.auth = auth;
    this.context = context;
    this.loop = loop;
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

  /** Sends one frame; false when the socket is closed (it closes when the reader cannot keep up). */
  public boolean send(JsonObject frame) {
    if (!isOpen()) {
      return false;
    }
    String text = frame.encode();
    inOrder(() -> write(text));
    return true;
  }

  /**
   * Runs {@code step} on the socket's loop after every step handed over before it: at once when
   * already there with nothing queued, otherwise queued behind the others.
   */
  private void inOrder(Runnable step) {
    if (Thread.currentThread() == loop && crossing.get() == 0) {
      step.run();
      return;
    }
    crossing.incrementAndGet();
    context.runOnContext(v -> {
      crossing.decrementAndGet();
      step.run();
    });
  }

  /** Sends a ping, in order with the frames sent before it; nothing when closed or backed up. */
  public void ping() {
    if (isOpen()) {
      inOrder(this::pingHere);
    }
  }

  private void pingHere() {
    // A reader already backed up gets no ping; its next frame finds the queue full and closes it.
    if (!shut && !ws.isClosed() && !ws.writeQueueFull()) {
      ws.writePing(io.vertx.core.buffer.Buffer.buffer("p"));
    }
  }

  private void write(String text) {
    // Not isOpen(): a frame sent before close() (say, session.ended) still goes out before it.
    if (shut || ws.isClosed()) {
      return;
    }
    if (ws.writeQueueFull()) {
      closed = true;
      closeHere((short) 1013, "too slow: reconnect and sync");
      return;
    }
    ws.writeTextMessage(text);
  }

  /**
   * Sends one frame of a long answer (sync, history), waiting while the socket's write queue is
   * full instead of disconnecting: the reader asked for this data and gets it at its own pace.
   */
  public Future<Void> sendPaced(JsonObject frame) {
    if (!isOpen()) {
      return Future.failedFuture(new IllegalStateException("socket closed"));
    }
    String text = frame.encode();
    Promise<Void> done = Promise.promise();
    inOrder(() -> writePaced(text).onComplete(done));
    return done.future();
  }

  private Future<Void> writePaced(String text) {
    if (shut || ws.isClosed()) {
      return Future.failedFuture(new IllegalStateException("socket closed"));
    }
    ws.writeTextMessage(text);
    if (!ws.writeQueueFull()) {
      return Future.succeededFuture();
    }
    Promise<Void> drained = Promise.promise();
    ws.drainHandler(v -> drained.tryComplete());
    gone.future().onComplete(v -> drained.tryFail("socket closed"));
    return drained.future();
  }

  /** Closes after the frames already sent; frames sent after this call are dropped. */
  public void close(short code, String reason) {
    if (closed) {
      return;
    }
    closed = true;
    inOrder(() -> closeHere(code, reason));
  }

  private void closeHere(short code, String reason) {
    shut = true;
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
