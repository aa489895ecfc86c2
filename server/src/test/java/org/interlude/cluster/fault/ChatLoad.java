package org.interlude.cluster.fault;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Steady chat load through the balancer, with the reconnect behaviour of the web client: chat
 * pairs (a client and their therapist in one conversation) both send at a fixed rate; each user
 * sends one message at a time and waits for its {@code chat.ack} (as the web client's outbox
 * does). When the socket closes the user reconnects through the balancer with the web client's
 * back-off (500 ms base, equal jitter, doubling), resumes with {@code chat.sync} from the last
 * contiguous seq it holds and resends the unacknowledged message with the <em>same</em>
 * {@code clientMsgId}. A seq missing below the highest held for a second is fetched with
 * {@code chat.sync} from the last contiguous seq (gap repair). Refusals the protocol calls retryable ({@code rate_limited},
 * {@code unavailable}) are retried; an ack missing for 15 s on an open socket drops it (half-open
 * connection), as the web client does. Every event goes to a {@link History}.
 *
 * <p>Reconnect time is measured from the close to {@code chat.synced} on the new socket.
 * {@link #quiesce} stops new messages, waits until every one is acknowledged, then lets each
 * user sync once more: what that brings had been committed but never reached the connected user.
 */
final class ChatLoad implements AutoCloseable {
  private static final long BASE_DELAY_MS = 500;
  private static final long MAX_DELAY_MS = 30_000;
  private static final long ACK_TIMEOUT_MS = 15_000;
  private static final long READ_EVERY_MS = 2_000;
  private static final long GAP_REPAIR_MS = 1_000;

  private final Vertx vertx;
  private final WebSocketClient client;
  private final int port;
  private final String origin;
  private final History history = new History();
  private final List<User> users = new ArrayList<>();
  private final double perUserRate;
  private volatile boolean sending;
  private volatile boolean stopping;

  ChatLoad(Vertx vertx, int balancerPort, String origin, List<Accounts.Session[]> pairs, double totalRate) {
    this.vertx = vertx;
    this.port = balancerPort;
    this.origin = origin;
    this.client = vertx.createWebSocketClient(new WebSocketClientOptions().setSsl(true).setTrustAll(true)
        .setVerifyHost(false).setMaxConnections(10_000).setConnectTimeout(5_000));
    for (Accounts.Session[] p : pairs) {
      users.add(new User(p[0]));
      users.add(new User(p[1]));
    }
    this.perUserRate = totalRate / users.size();
  }

  History history() {
    return history;
  }

  /** Connects every user and waits until each has synced (or fails after {@code timeout}). */
  void connect(Duration timeout) throws InterruptedException {
    CountDownLatch ready = new CountDownLatch(users.size());
    for (User u : users) {
      u.firstSync = ready;
      u.context.runOnContext(v -> u.open());
    }
    if (!ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError((ready.getCount()) + " of " + users.size() + " users did not connect within " + timeout);
    }
  }

  /** Starts sending at the configured rate (random phase per user, so sends spread evenly). */
  void startSending() {
    sending = true;
    long periodMs = Math.max(1, Math.round(1000.0 / perUserRate));
    for (User u : users) {
      u.context.runOnContext(v -> u.timer = vertx.setTimer(1 + ThreadLocalRandom.current().nextLong(periodMs),
          t -> u.timer = vertx.setPeriodic(periodMs, tt -> u.enqueue())));
    }
  }

  /** Users whose socket is open and synced right now. */
  int readyCount() {
    int n = 0;
    for (User u : users) {
      if (u.state == State.READY) {
        n++;
      }
    }
    return n;
  }

  /**
   * Closes every socket from the client side (users then reconnect as after any close, and the
   * balancer spreads them over the nodes that are up).
   */
  void reconnectAll() {
    for (User u : users) {
      u.context.runOnContext(v -> {
        if (u.ws != null) {
          u.ws.close();
        }
      });
    }
  }

  /**
   * Stops new messages, waits until every sent one is acknowledged and every user is connected,
   * then has every user sync once more (an audit: whatever that sync brings was committed but
   * never reached the connected user live) and waits for the answers. Returns false on timeout.
   * {@link #startSending} resumes.
   */
  boolean quiesce(Duration timeout) throws InterruptedException {
    sending = false;
    for (User u : users) {
      u.context.runOnContext(v -> vertx.cancelTimer(u.timer));
    }
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      boolean idle = true;
      for (User u : users) {
        if (u.inFlight != null || !u.outbox.isEmpty() || u.state != State.READY) {
          idle = false;
          break;
        }
      }
      if (idle) {
        break;
      }
      Thread.sleep(100);
    }
    // Live deliveries still on their way (bus, database read) get a moment to land first.
    Thread.sleep(2000);
    CountDownLatch synced = new CountDownLatch(users.size());
    for (User u : users) {
      u.context.runOnContext(v -> u.finalSync(synced));
    }
    long left = Math.max(1, end - System.nanoTime());
    return synced.await(Math.max(TimeUnit.NANOSECONDS.toMillis(left), 10_000), TimeUnit.MILLISECONDS);
  }

  History.Verdict verify(Connection db) throws Exception {
    return history.verify(db);
  }

  /** What is still pending, for a failure message. */
  String pending() {
    StringBuilder sb = new StringBuilder();
    int shown = 0;
    for (User u : users) {
      if ((u.inFlight != null || !u.outbox.isEmpty() || u.state != State.READY) && shown++ < 10) {
        sb.append(u.session.username()).append(" state=").append(u.state).append(" outbox=").append(u.outbox.size())
            .append(" inFlight=").append(u.inFlight == null ? "-" : u.inFlight.clientMsgId).append('\n');
      }
    }
    return sb.toString();
  }

  @Override
  public void close() {
    stopping = true;
    CountDownLatch closed = new CountDownLatch(users.size());
    for (User u : users) {
      u.context.runOnContext(v -> {
        vertx.cancelTimer(u.timer);
        vertx.cancelTimer(u.readTimer);
        if (u.ws != null) {
          u.ws.close();
        }
        closed.countDown();
      });
    }
    try {
      closed.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    client.close();
  }

  enum State { CLOSED, CONNECTING, SYNCING, READY }

  private static final AtomicInteger TEXTS = new AtomicInteger();

  /** One user's tab: socket, outbox and view. Everything runs on the user's own context. */
  private final class User {
    final Accounts.Session session;
    final Context context = vertx.getOrCreateContext();
    final ArrayDeque<History.Sent> outbox = new ArrayDeque<>();
    volatile State state = State.CLOSED;
    volatile History.Sent inFlight;
    ClientWebSocket ws;
    UUID conversationId;
    History.View view;
    CountDownLatch firstSync;
    CountDownLatch finalSync;
    long closedAtNanos;
    String closedIn;
    int attempt;
    long timer = -1;
    long gapTimer = -1;
    boolean repairing;
    long ackTimer = -1;
    long readTimer = -1;
    long readSent;

    User(Accounts.Session session) {
      this.session = session;
    }

    void open() {
      if (stopping) {
        return;
      }
      state = State.CONNECTING;
      ClientWebSocket socket = client.webSocket();
      ws = socket;
      socket.textMessageHandler(text -> {
        if (ws == socket) {
          onFrame(new JsonObject(text));
        }
      });
      socket.closeHandler(v -> {
        if (ws == socket) {
          onClose();
        }
      });
      socket.exceptionHandler(err -> { });
      WebSocketConnectOptions o = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setSsl(true)
          .setURI("/ws").addHeader("Origin", origin).addHeader("Cookie", session.cookie())
          .setSubProtocols(List.of("interlude.v1")).setTimeout(10_000);
      socket.connect(o).onFailure(err -> {
        if (ws == socket) {
          onClose();
        }
      });
    }

    void onClose() {
      ws = null;
      state = State.CLOSED;
      if (closedAtNanos == 0) {
        closedAtNanos = System.nanoTime();
        closedIn = history.phase();
        history.closed();
      }
      vertx.cancelTimer(ackTimer);
      ackTimer = -1;
      repairing = false;
      if (stopping) {
        return;
      }
      long ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS << Math.min(attempt, 16));
      long delay = ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
      attempt++;
      vertx.setTimer(Math.max(1, delay), t -> open());
    }

    void onFrame(JsonObject f) {
      String type = f.getString("type", "");
      switch (type) {
        case "hello" -> onHello(f);
        case "chat.ack" -> onAck(UUID.fromString(f.getString("clientMsgId")), f.getLong("seq"));
        case "chat.message" -> onMessage(f);
        case "chat.synced" -> onSynced(f);
        case "error" -> onError(f);
        default -> { }
      }
    }

    void onHello(JsonObject hello) {
      JsonArray convs = hello.getJsonArray("conversations", new JsonArray());
      if (view == null) {
        if (convs.isEmpty()) {
          history.problem(session.username() + ": hello lists no conversation");
          return;
        }
        JsonObject c = convs.getJsonObject(0);
        conversationId = UUID.fromString(c.getString("conversationId"));
        view = history.view(session.username(), conversationId, c.getLong("lastSeq", 0L));
      }
      state = State.SYNCING;
      sync("y");
    }

    void sync(String ref) {
      if (ref.equals("y")) {
        history.resync(view);
      }
      send(new JsonObject().put("type", "chat.sync").put("ref", ref).put("conversationId", conversationId.toString())
          .put("afterSeq", view.contiguous()));
    }

    /**
     * A seq missing below the highest held for {@value #GAP_REPAIR_MS} ms (a live delivery lost
     * with a node, or still on its way) is fetched with a sync from the last contiguous seq: the
     * client behaviour that makes a lost nudge cost latency only.
     */
    void watchForGap() {
      if (gapTimer >= 0 || view.holes() == 0) {
        return;
      }
      gapTimer = vertx.setTimer(GAP_REPAIR_MS, t -> {
        gapTimer = -1;
        if (state == State.READY && finalSync == null && !repairing && view.holes() > 0) {
          repairing = true;
          history.gapRepair();
          sync("g");
        }
      });
    }

    void onSynced(JsonObject f) {
      if ("g".equals(f.getString("ref"))) {
        repairing = false;
        watchForGap();
        return;
      }
      if ("f".equals(f.getString("ref"))) {
        state = State.READY;
        CountDownLatch l = finalSync;
        finalSync = null;
        if (l != null) {
          l.countDown();
        }
        return;
      }
      state = State.READY;
      attempt = 0;
      if (closedAtNanos != 0) {
        history.reconnected(closedIn, (System.nanoTime() - closedAtNanos) / 1_000_000);
        closedAtNanos = 0;
      }
      if (firstSync != null) {
        firstSync.countDown();
        firstSync = null;
      }
      if (readTimer < 0) {
        readTimer = vertx.setPeriodic(READ_EVERY_MS, t -> markRead());
      }
      History.Sent head = inFlight;
      if (head != null) {
        // Unacknowledged when the last socket closed: resend it with the same clientMsgId.
        transmit(head);
      } else {
        pump();
      }
    }

    void onMessage(JsonObject f) {
      if (view == null || !f.getString("conversationId", "").equals(conversationId.toString())) {
        return;
      }
      String id = f.getString("clientMsgId");
      UUID clientMsgId = id == null ? null : UUID.fromString(id);
      boolean fromOther = !session.userId().toString().equals(f.getJsonObject("sender", new JsonObject()).getString("id"));
      History.Via via = finalSync != null ? History.Via.FINAL
          : state == State.SYNCING || repairing ? History.Via.SYNC : History.Via.LIVE;
      history.arrived(view, f.getLong("seq"), clientMsgId, via, fromOther);
      watchForGap();
      // A message of ours that a sync returned was committed before the connection dropped.
      History.Sent head = inFlight;
      if (!fromOther && head != null && head.clientMsgId.equals(clientMsgId)) {
        onAck(clientMsgId, f.getLong("seq"));
      }
    }

    void onAck(UUID clientMsgId, long seq) {
      history.acked(clientMsgId, seq);
      history.arrived(view, seq, clientMsgId, History.Via.ACK, false);
      watchForGap();
      History.Sent head = inFlight;
      if (head != null && head.clientMsgId.equals(clientMsgId)) {
        inFlight = null;
        vertx.cancelTimer(ackTimer);
        pump();
      }
    }

    void onError(JsonObject f) {
      String ref = f.getString("ref", "");
      String code = f.getString("code", "");
      boolean retryable = code.equals("rate_limited") || code.equals("unavailable");
      if (ref.startsWith("s:")) {
        History.Sent head = inFlight;
        if (head == null || !ref.equals("s:" + head.clientMsgId)) {
          return;
        }
        vertx.cancelTimer(ackTimer);
        if (retryable) {
          vertx.setTimer(code.equals("rate_limited") ? 500 : 1000, t -> {
            if (inFlight == head && state == State.READY) {
              transmit(head);
            }
          });
        } else {
          history.failed(head.clientMsgId, code);
          inFlight = null;
          pump();
        }
      } else if (ref.equals("g")) {
        repairing = false;
      } else if (ref.equals("y") || ref.equals("f")) {
        if (retryable) {
          vertx.setTimer(1000, t -> {
            if (ws != null) {
              sync(ref);
            }
          });
        } else {
          history.problem(session.username() + ": chat.sync refused: " + code);
        }
      } else if (!code.equals("rate_limited")) {
        history.problem(session.username() + ": error " + code + " " + f.getString("message"));
      }
    }

    void enqueue() {
      if (!sending || conversationId == null) {
        return;
      }
      History.Sent s = history.enqueued(UUID.randomUUID(), conversationId, session.username());
      outbox.add(s);
      pump();
    }

    void pump() {
      if (state != State.READY || inFlight != null || outbox.isEmpty()) {
        return;
      }
      inFlight = outbox.poll();
      transmit(inFlight);
    }

    /** Sends (or resends, with the same clientMsgId) the message in flight and arms its ack timer. */
    void transmit(History.Sent s) {
      history.attempt(s);
      vertx.cancelTimer(ackTimer);
      ackTimer = vertx.setTimer(ACK_TIMEOUT_MS, t -> {
        ackTimer = -1;
        if (inFlight == s && ws != null) {
          // No ack on an open socket: most likely half-open. Reconnect and resync.
          ws.close();
        }
      });
      send(new JsonObject().put("type", "chat.send").put("ref", "s:" + s.clientMsgId)
          .put("conversationId", conversationId.toString()).put("clientMsgId", s.clientMsgId.toString())
          .put("text", "fault test message " + TEXTS.incrementAndGet()));
    }

    void markRead() {
      if (state != State.READY || view == null) {
        return;
      }
      long seq = view.contiguous();
      if (seq > readSent) {
        readSent = seq;
        send(new JsonObject().put("type", "chat.read").put("conversationId", conversationId.toString()).put("seq", seq));
      }
    }

    void finalSync(CountDownLatch done) {
      if (ws == null || state != State.READY) {
        history.problem(session.username() + ": not connected for the final sync (" + state + ")");
        done.countDown();
        return;
      }
      finalSync = done;
      sync("f");
    }

    void send(JsonObject frame) {
      ClientWebSocket socket = ws;
      if (socket != null && !socket.isClosed()) {
        socket.writeTextMessage(frame.encode());
      }
    }
  }
}
