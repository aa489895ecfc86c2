package org.interlude.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.interlude.storage.Urgent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The listener and urgent database work get different event loops (EventLoops), and urgent work
 * runs on its loop whichever thread asks for it (Urgent).
 */
class EventLoopsTest {
  private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(4));

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static String threadOf(io.vertx.core.Context ctx) throws Exception {
    CompletableFuture<String> name = new CompletableFuture<>();
    ctx.runOnContext(v -> name.complete(Thread.currentThread().getName()));
    return name.get(10, TimeUnit.SECONDS);
  }

  @Test
  void listenerAndUrgentWorkRunOnDifferentLoops() throws Exception {
    EventLoops loops = EventLoops.of(vertx);
    String listener = threadOf(loops.listener);
    String urgent = threadOf(loops.urgent);
    assertNotEquals(listener, urgent);
    // Chosen, not round-robin: a second node in the same JVM gets the same placement.
    EventLoops again = EventLoops.of(vertx);
    assertEquals(listener, threadOf(again.listener));
    assertEquals(urgent, threadOf(again.urgent));
  }

  @Test
  void urgentWorkRunsOnTheUrgentLoopWhoeverAsks() throws Exception {
    EventLoops loops = EventLoops.of(vertx);
    String urgentThread = threadOf(loops.urgent);
    Urgent urgent = new Urgent(loops.urgent, null);
    CompletableFuture<String> ranOn = new CompletableFuture<>();
    // Asked from the listener's loop, as a frame handler does.
    loops.listener.runOnContext(v -> urgent.run(pool -> Future.succeededFuture(Thread.currentThread().getName()))
        .onComplete(ar -> ranOn.complete(ar.result())));
    assertEquals(urgentThread, ranOn.get(10, TimeUnit.SECONDS));
    CompletableFuture<Throwable> failed = new CompletableFuture<>();
    urgent.<Void>run(pool -> {
      throw new IllegalStateException("boom");
    }).onFailure(failed::complete);
    assertEquals("boom", failed.get(10, TimeUnit.SECONDS).getMessage());
  }
}
