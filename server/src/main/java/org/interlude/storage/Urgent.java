package org.interlude.storage;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.sqlclient.Pool;
import java.util.function.Function;

/**
 * Database work that must not wait behind chat traffic: a crisis report's transaction and the
 * reads that turn it into the {@code alert} and {@code crisis.info} frames. It has its own small
 * pool whose connections live on an event loop that carries no WebSocket: on the listener's
 * loop, each of the report's round trips was read only after the chat frames and batches queued
 * before it, so under chat load the report waited for that queue a dozen times over.
 *
 * <p>{@link #run} hops to that loop before it touches the pool, because a pool opens its
 * connections on the loop of the caller; the answer completes there too (callers that write to a
 * socket hand the frame to the socket's own loop, as every writer does).
 */
public final class Urgent {
  private final Context context;
  private final Pool pool;

  public Urgent(Context context, Pool pool) {
    this.context = context;
    this.pool = pool;
  }

  /** Runs {@code work} on the urgent loop with the urgent pool. */
  public <T> Future<T> run(Function<Pool, Future<T>> work) {
    Promise<T> result = Promise.promise();
    context.runOnContext(v -> {
      Future<T> f;
      try {
        f = work.apply(pool);
      } catch (RuntimeException e) {
        f = Future.failedFuture(e);
      }
      f.onComplete(result);
    });
    return result.future();
  }

  public Pool pool() {
    return pool;
  }
}
