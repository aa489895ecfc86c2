package org.interlude.app;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Measures how late each Vert.x event loop runs a task scheduled on it: the time a WebSocket
 * frame or a database result would wait before its loop gets to it. Each loop runs a tiny task
 * every {@code period}, which records how far after its due time it ran, as
 * {@code interlude_eventloop_delay_seconds{loop}} (p50, p99, p99.9 over the last minute, and
 * the maximum). A loop that is always late is saturated; rare spikes are stalls (a GC pause, a
 * blocking call, a burst of work queued at once). Stops when Vert.x closes (its loops end).
 */
final class EventLoopProbe {
  private EventLoopProbe() {}

  static void start(Vertx vertx, MeterRegistry registry, Duration period) {
    long periodNanos = period.toNanos();
    int i = 0;
    for (EventExecutor loop : ((VertxInternal) vertx).nettyEventLoopGroup()) {
      Timer delay = Timer.builder("interlude.eventloop.delay")
          .description("how late a task scheduled on this event loop ran")
          .tag("loop", Integer.toString(i++))
          .publishPercentiles(0.5, 0.99, 0.999)
          .distributionStatisticExpiry(Duration.ofMinutes(1))
          .distributionStatisticBufferLength(2)
          .register(registry);
      schedule(loop, delay, periodNanos);
    }
  }

  private static void schedule(EventExecutor loop, Timer delay, long periodNanos) {
    if (loop.isShuttingDown()) {
      return;
    }
    long due = System.nanoTime() + periodNanos;
    loop.schedule(() -> {
      delay.record(Math.max(0, System.nanoTime() - due), TimeUnit.NANOSECONDS);
      schedule(loop, delay, periodNanos);
    }, periodNanos, TimeUnit.NANOSECONDS);
  }
}
