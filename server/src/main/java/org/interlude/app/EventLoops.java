package org.interlude.app;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import java.util.ArrayList;
import java.util.List;

/**
 * Which event loop does what on a node. The HTTPS listener (every WebSocket, its TLS and frames,
 * and the main pool's connections, which open on the loop that first needs them) is placed on
 * one loop; urgent database work (crisis reports and their alerts, see
 * {@link org.interlude.storage.Urgent}) on another, so that it never queues behind chat traffic.
 * Both are chosen explicitly rather than left to Vert.x's round robin, which could put them on
 * the same loop.
 */
final class EventLoops {
  final Context listener;
  final Context urgent;

  private EventLoops(Context listener, Context urgent) {
    this.listener = listener;
    this.urgent = urgent;
  }

  static EventLoops of(Vertx vertx) {
    VertxInternal vi = (VertxInternal) vertx;
    List<EventLoop> loops = new ArrayList<>();
    for (EventExecutor e : vi.nettyEventLoopGroup()) {
      loops.add((EventLoop) e);
    }
    EventLoop listener = loops.get(0);
    // Vert.x starts two loops per core, so there are at least two; with one, both would share it.
    EventLoop urgent = loops.size() > 1 ? loops.get(1) : listener;
    return new EventLoops(vi.contextBuilder().withEventLoop(listener).build(),
        vi.contextBuilder().withEventLoop(urgent).build());
  }
}
