package org.interlude.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.map.IMap;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who is online: the users with at least one open WebSocket on any node of the cluster.
 *
 * <p>Each node knows its own sockets exactly ({@code local}: the users with an open socket here).
 * Clustered, it also publishes them in the Hazelcast map {@value #MAP}, one entry per user and
 * node, {@code <user id>@<member uuid>}: ids only, never names. An entry is written when a user's
 * first socket opens on the node and deleted when the last one closes;
 * every {@value #REFRESH_SECONDS} s (and after a split-brain merge) the node writes all its
 * entries again, and entries expire after {@value #TTL_SECONDS} s unless refreshed. A lookup only
 * counts entries of the current members, so a node that dies or is cut off stops counting as soon
 * as the membership drops it (failure detection), without waiting for its entries to expire.
 */
public final class Presence {
  public static final String MAP = "interlude.presence";
  static final int REFRESH_SECONDS = 30;
  public static final int TTL_SECONDS = 3 * REFRESH_SECONDS;
  private static final Logger log = LoggerFactory.getLogger(Presence.class);

  private final Vertx vertx;
  private final Supplier<Set<UUID>> local;
  private final HazelcastInstance hz;
  private final IMap<String, Integer> map;
  private long timer = -1;

  private Presence(Vertx vertx, Supplier<Set<UUID>> local, HazelcastInstance hz) {
    this.vertx = vertx;
    this.local = local;
    this.hz = hz;
    this.map = hz == null ? null : hz.getMap(MAP);
  }

  /** Presence of this node only (no cluster). */
  public static Presence single(Vertx vertx, Supplier<Set<UUID>> local) {
    return new Presence(vertx, local, null);
  }

  /** Creates the map's proxy, which may wait on the other members: call it on a worker thread. */
  public static void prepare(HazelcastInstance hz) {
    hz.getMap(MAP);
  }

  /** Cluster-wide presence through {@code hz}; {@link #prepare} must have run. */
  public static Presence clustered(Vertx vertx, Supplier<Set<UUID>> local, HazelcastInstance hz) {
    Presence p = new Presence(vertx, local, hz);
    p.timer = vertx.setPeriodic(REFRESH_SECONDS * 1000L, t -> p.republish());
    hz.getLifecycleService().addLifecycleListener(e -> {
      if (e.getState() == LifecycleEvent.LifecycleState.MERGED) {
        // After a split brain this member may have a new identity, and the other side may have
        // dropped its entries: publish them again at once.
        p.republish();
      }
    });
    return p;
  }

  private String key(UUID user) {
    return user + "@" + hz.getCluster().getLocalMember().getUuid();
  }

  /** {@code user} now has an open socket on this node ({@code online}), or none any more. */
  public void changed(UUID user, boolean online) {
    if (map == null || !hz.getLifecycleService().isRunning()) {
      return;
    }
    try {
      if (online) {
        map.setAsync(key(user), 1);
      } else {
        map.removeAsync(key(user));
      }
    } catch (RuntimeException e) {
      // Presence is a display hint: a failed update is fixed by the next refresh.
      log.debug("presence update failed type={}", e.getClass().getSimpleName());
    }
  }

  private void republish() {
    if (map == null || !hz.getLifecycleService().isRunning()) {
      return;
    }
    Map<String, Integer> entries = new HashMap<>();
    for (UUID user : local.get()) {
      entries.put(key(user), 1);
    }
    if (!entries.isEmpty()) {
      map.setAllAsync(entries).exceptionally(err -> {
        log.debug("presence refresh failed type={}", err.getClass().getSimpleName());
        return null;
      });
    }
  }

  /** The users of {@code users} with an open socket on any node. */
  public Future<Set<UUID>> online(Set<UUID> users) {
    Set<UUID> here = local.get();
    Set<UUID> found = new HashSet<>();
    List<UUID> elsewhere = new ArrayList<>();
    for (UUID u : users) {
      if (here.contains(u)) {
        found.add(u);
      } else {
        elsewhere.add(u);
      }
    }
    if (map == null || elsewhere.isEmpty() || !hz.getLifecycleService().isRunning()) {
      return Future.succeededFuture(found);
    }
    return vertx.executeBlocking(() -> {
      Set<String> keys = new HashSet<>();
      Map<String, UUID> userOf = new HashMap<>();
      UUID me = hz.getCluster().getLocalMember().getUuid();
      for (Member m : hz.getCluster().getMembers()) {
        if (m.getUuid().equals(me)) {
          continue;
        }
        for (UUID u : elsewhere) {
          String k = u + "@" + m.getUuid();
          keys.add(k);
          userOf.put(k, u);
        }
      }
      map.getAll(keys).forEach((k, n) -> {
        if (n != null && n > 0) {
          found.add(userOf.get(k));
        }
      });
      return found;
    }, false).otherwise(err -> {
      log.warn("presence lookup failed, showing this node's users only type={}", err.getClass().getSimpleName());
      return found;
    });
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }
}
