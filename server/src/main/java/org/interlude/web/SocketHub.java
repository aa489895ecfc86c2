package org.interlude.web;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.interlude.cluster.Addresses;
import org.interlude.cluster.Bus;
import org.interlude.cluster.UserNudge;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open WebSockets of this node, by user, and the way features reach them.
 *
 * <p>Features call {@link #nudge} after a commit: the nudge travels the (cluster) bus with ids
 * only; every node holding sockets of those users asks the {@link NudgeSource} registered for the
 * nudge's kind to load the frames for each socket from PostgreSQL, and sends them. A lost nudge
 * costs only latency: clients resynchronise from the database on reconnect or sync.
 *
 * <p>Session ends (logout, expiry, disable, password change) close the matching sockets with
 * 1008 on every node.
 */
public final class SocketHub {
  private static final Logger log = LoggerFactory.getLogger(SocketHub.class);

  /** Loads the frames a nudge means for one socket (already authorised for that socket's user). */
  @FunctionalInterface
  public interface NudgeSource {
    Future<List<JsonObject>> frames(Socket socket, String objectId);
  }

  /** Frames to send right after a socket opens (after {@code hello}), e.g. pending prompts. */
  @FunctionalInterface
  public interface ConnectHook {
    Future<List<JsonObject>> onConnect(Socket socket);
  }

  /** Fields a feature adds to the {@code hello} frame (e.g. the user's conversations). */
  @FunctionalInterface
  public interface HelloPart {
    Future<JsonObject> hello(Socket socket);
  }

  private final Bus bus;
  private final String nodeId;
  private final boolean clustered;
  private final Map<UUID, Set<Socket>> byUser = new ConcurrentHashMap<>();
  private final Map<String, NudgeSource> sources = new ConcurrentHashMap<>();
  private final List<ConnectHook> connectHooks = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final List<HelloPart> helloParts = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private volatile java.util.function.BiConsumer<UUID, Boolean> presence = (user, online) -> { };

  public SocketHub(Vertx vertx, Bus bus, String nodeId) {
    this.bus = bus;
    this.nodeId = nodeId;
    this.clustered = vertx.isClustered();
    consumers.add(bus.subscribe(Addresses.USER_NUDGE, this::deliver));
    consumers.add(bus.subscribe(Addresses.SESSION_ENDED, ended -> {
      for (Socket s : sockets(ended.userId())) {
        if (ended.sessionHash() == null || ended.sessionHash().equals(s.actor().sessionHash())) {
          s.send(new JsonObject().put("type", "session.ended").put("reason", ended.reason()));
          s.close((short) 1008, "session ended");
        }
      }
    }));
  }

  public void registerSource(String kind, NudgeSource source) {
    if (sources.putIfAbsent(kind, source) != null) {
      throw new IllegalStateException("nudge kind " + kind + " registered twice");
    }
  }

  public void onConnect(ConnectHook hook) {
    connectHooks.add(hook);
  }

  public void helloPart(HelloPart part) {
    helloParts.add(part);
  }

  /** Tells every node that {@code kind}/{@code objectId} changed for these users. */
  public void nudge(Collection<UUID> userIds, String kind, String objectId) {
    if (!userIds.isEmpty()) {
      bus.publish(Addresses.USER_NUDGE, new UserNudge(Set.copyOf(userIds), kind, objectId, null));
    }
  }

  /**
   * As {@link #nudge}, for state this node has already pushed to its own sockets (the fast path
   * of chat delivery): only the other nodes load and deliver it.
   */
  public void nudgeOtherNodes(Collection<UUID> userIds, String kind, String objectId) {
    // A single node has no other nodes: skip the publish (and its copy of the ids) per message.
    if (!userIds.isEmpty() && clustered) {
      bus.publish(Addresses.USER_NUDGE, new UserNudge(Set.copyOf(userIds), kind, objectId, nodeId));
    }
  }

  /**
   * As {@link #nudge}, but this node's sockets are served at once from the calling thread rather
   * than after a hop through the event bus's consumer, whose loop is busy with chat under load:
   * for alerts, which someone is waiting for. Sources must then be safe to call from any thread
   * (they answer with futures and {@link Socket#send} hands frames to the socket's own loop).
   */
  public void nudgeNow(Collection<UUID> userIds, String kind, String objectId) {
    if (userIds.isEmpty()) {
      return;
    }
    deliverLocal(userIds, kind, objectId);
    // Published even on a single node (unlike nudgeOtherNodes' per-message fast path): these are
    // rare, and whoever listens on the bus still hears of them. This node skips its own.
    bus.publish(Addresses.USER_NUDGE, new UserNudge(Set.copyOf(userIds), kind, objectId, nodeId));
  }

  private void deliver(UserNudge n) {
    if (nodeId.equals(n.origin())) {
      return;
    }
    deliverLocal(n.userIds(), n.kind(), n.objectId());
  }

  private void deliverLocal(Collection<UUID> userIds, String kind, String objectId) {
    NudgeSource source = sources.get(kind);
    if (source == null) {
      log.warn("no nudge source for kind={}", kind);
      return;
    }
    for (UUID u : userIds) {
      for (Socket s : sockets(u)) {
        source.frames(s, objectId).onSuccess(frames -> frames.forEach(s::send))
            .onFailure(err -> log.warn("nudge kind={} failed: {}", kind, err.getClass().getSimpleName()));
      }
    }
  }

  /** Sends directly to this node's sockets of a user (for frames that are not state, e.g. typing). */
  public void sendLocal(UUID userId, JsonObject frame) {
    for (Socket s : sockets(userId)) {
      s.send(frame);
    }
  }

  public List<Socket> sockets(UUID userId) {
    Set<Socket> set = byUser.get(userId);
    return set == null ? List.of() : List.copyOf(set);
  }

  public List<Socket> all() {
    List<Socket> out = new ArrayList<>();
    for (Set<Socket> set : byUser.values()) {
      out.addAll(set);
    }
    return out;
  }

  public int count(UUID userId) {
    Set<Socket> set = byUser.get(userId);
    return set == null ? 0 : set.size();
  }

  public int total() {
    int n = 0;
    for (Set<Socket> s : byUser.values()) {
      n += s.size();
    }
    return n;
  }

  /** Told when a user's first socket on this node opens (true) or the last one closes (false). */
  public void onPresence(java.util.function.BiConsumer<UUID, Boolean> listener) {
    this.presence = listener;
  }

  /** The users with an open socket on this node. */
  public Set<UUID> users() {
    return Set.copyOf(byUser.keySet());
  }

  void add(Socket s) {
    // The presence change is told inside compute: changes of one user reach it in order.
    byUser.compute(s.actor().userId(), (user, set) -> {
      Set<Socket> out = set == null ? ConcurrentHashMap.newKeySet() : set;
      out.add(s);
      if (set == null) {
        presence.accept(user, true);
      }
      return out;
    });
  }

  void remove(Socket s) {
    byUser.computeIfPresent(s.actor().userId(), (user, set) -> {
      set.remove(s);
      if (set.isEmpty()) {
        presence.accept(user, false);
        return null;
      }
      return set;
    });
  }

  Future<JsonObject> hello(Socket s) {
    JsonObject hello = new JsonObject().put("type", "hello")
        .put("user", new JsonObject().put("id", s.actor().userId().toString()).put("displayName", s.auth().displayName())
            .put("roles", new io.vertx.core.json.JsonArray(s.actor().roles().stream().map(r -> r.code()).sorted().toList())))
        .put("idleTimeoutSeconds", s.auth().idleTimeout().toSeconds())
        .put("serverTime", java.time.Instant.now().toString());
    Future<Void> f = Future.succeededFuture();
    for (HelloPart p : helloParts) {
      f = f.compose(v -> p.hello(s).map(part -> {
        hello.mergeIn(part);
        return null;
      }));
    }
    return f.map(v -> hello);
  }

  Future<List<JsonObject>> connectFrames(Socket s) {
    List<JsonObject> out = new ArrayList<>();
    Future<Void> f = Future.succeededFuture();
    for (ConnectHook h : connectHooks) {
      f = f.compose(v -> h.onConnect(s).map(frames -> {
        out.addAll(frames);
        return null;
      }));
    }
    return f.map(v -> out);
  }

  /** Closes every socket with {@code code} (1001 on shutdown) and stops listening to the bus. */
  public void closeAll(short code, String reason) {
    consumers.forEach(c -> c.unregister());
    for (Set<Socket> set : byUser.values()) {
      for (Socket s : set) {
        s.close(code, reason);
      }
    }
  }
}
