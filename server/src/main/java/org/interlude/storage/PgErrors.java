package org.interlude.storage;

import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import java.io.IOException;
import java.util.function.Function;

/**
 * Maps driver failures to {@link StorageException}s. The only place that looks at SQL states:
 * 23505 unique violation becomes {@link StorageException.Duplicate}; other integrity violations,
 * serialization failures and deadlocks become {@link StorageException.Conflict}; connection
 * failures, shutdown and admin terminations become {@link StorageException.Unavailable}.
 */
public final class PgErrors {
  private PgErrors() {}

  public static Throwable map(Throwable t) {
    if (t instanceof StorageException) {
      return t;
    }
    if (t instanceof PgException pg) {
      String state = pg.getSqlState() == null ? "" : pg.getSqlState();
      if (state.equals("23505")) {
        return new StorageException.Duplicate(
            pg.getConstraint() == null ? "key" : pg.getConstraint(), t);
      }
      if (state.startsWith("23") || state.equals("40001") || state.equals("40P01")) {
        return new StorageException.Conflict("conflict (" + state + ")", t);
      }
      // Connection-level refusals (server shutting down, database not accepting connections,
      // too many clients) are FATAL errors of the connection attempt, not of the statement.
      if (state.startsWith("08") || state.startsWith("57") || state.startsWith("53") || state.equals("55000")
          || state.equals("3D000") || "FATAL".equals(pg.getSeverity())) {
        return new StorageException.Unavailable("database unavailable (" + state + ")", t);
      }
      return t;
    }
    if (t instanceof IOException
        || t instanceof io.vertx.core.VertxException
        || t instanceof java.util.concurrent.TimeoutException
        ) {
      return new StorageException.Unavailable("database unavailable", t);
    }
    return t;
  }

  /** Use as {@code future.recover(PgErrors::recover)} to map any failure. */
  public static <T> Future<T> recover(Throwable t) {
    return Future.failedFuture(map(t));
  }

  /** Fails with NotFound when {@code value} is null. */
  public static <T> Function<T, Future<T>> requireFound(String what) {
    return v -> v == null ? Future.failedFuture(new StorageException.NotFound(what)) : Future.succeededFuture(v);
  }
}
