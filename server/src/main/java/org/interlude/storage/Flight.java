package org.interlude.storage;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;

/**
 * Statements sent together on one connection (pipelined), and waited for together. PostgreSQL
 * runs them in the order they were sent; inside a transaction the first one that fails aborts
 * every later one ("current transaction is aborted"), so the error that matters is the first
 * failure in sending order, not the first to be reported. {@link #all} waits for every future
 * and answers that one.
 */
public final class Flight {
  private Flight() {}

  /** Succeeds when all of {@code inOrder} succeeded; otherwise fails with the first failure in list order. */
  public static Future<Void> all(List<? extends Future<?>> inOrder) {
    List<Future<?>> copy = new ArrayList<>(inOrder);
    if (copy.isEmpty()) {
      return Future.succeededFuture();
    }
    return Future.join(copy).transform(ar -> {
      for (Future<?> f : copy) {
        if (f.failed()) {
          return Future.failedFuture(f.cause());
        }
      }
      return Future.succeededFuture();
    });
  }

  /** {@link #all(List)} of the given futures. */
  public static Future<Void> all(Future<?>... inOrder) {
    return all(List.of(inOrder));
  }
}
