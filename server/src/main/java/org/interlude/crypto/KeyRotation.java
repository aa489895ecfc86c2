package org.interlude.crypto;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Rotates the master key: adds a version to the key ring file, switches {@link DataKeys} to it,
 * then re-wraps every stored data key under the new version in batches, reporting progress.
 * Old versions stay in the ring, so anything not yet re-wrapped (or a crash half-way) remains
 * readable and a second run finishes the job. Data keys themselves do not change, so no message
 * or answer is re-encrypted.
 */
public final class KeyRotation {
  /**
   * A table column pair holding wrapped data keys: the id column, the version and wrapped-key
   * columns, and the scope each key was wrapped for.
   */
  public record WrappedColumn(String table, String idColumn, String versionColumn, String keyColumn,
      Function<Object, String> scope) {}

  /** How far a rotation has come. */
  public record Progress(int version, long done, long total) {}

  private static final int BATCH = 500;
  private final Vertx vertx;
  private final Pool pool;
  private final DataKeys dataKeys;
  private final Path ringFile;
  private final List<WrappedColumn> columns = new ArrayList<>();

  public KeyRotation(Vertx vertx, Pool pool, DataKeys dataKeys, Path ringFile) {
    this.vertx = vertx;
    this.pool = pool;
    this.dataKeys = dataKeys;
    this.ringFile = ringFile;
  }

  public void register(WrappedColumn c) {
    columns.add(c);
  }

  /** Adds a master key version (blocking file write on a worker) and re-wraps everything. */
  public Future<Progress> rotate(Consumer<Progress> progress) {
    return vertx.executeBlocking(() -> dataKeys.ring().rotate(ringFile), false)
        .compose(next -> {
          dataKeys.use(next);
          return rewrapAll(progress);
        });
  }

  /** Re-wraps every key not yet under the current version (also finishes an interrupted rotation). */
  public Future<Progress> rewrapAll(Consumer<Progress> progress) {
    int current = dataKeys.ring().currentVersion();
    return count(current).compose(total -> {
      Progress start = new Progress(current, 0, total);
      progress.accept(start);
      Future<Progress> f = Future.succeededFuture(start);
      for (WrappedColumn c : columns) {
        f = f.compose(p -> rewrapColumn(c, current, p, progress));
      }
      return f;
    });
  }

  private Future<Long> count(int current) {
    Future<Long> f = Future.succeededFuture(0L);
    for (WrappedColumn c : columns) {
      f = f.compose(sum -> pool.preparedQuery("SELECT count(*) FROM " + c.table() + " WHERE " + c.keyColumn()
              + " IS NOT NULL AND " + c.versionColumn() + " <> $1").execute(Tuple.of(current))
          .map(rows -> sum + rows.iterator().next().getLong(0)));
    }
    return f;
  }

  private Future<Progress> rewrapColumn(WrappedColumn c, int current, Progress p, Consumer<Progress> progress) {
    return pool.preparedQuery("SELECT " + c.idColumn() + ", " + c.versionColumn() + ", " + c.keyColumn() + " FROM "
            + c.table() + " WHERE " + c.keyColumn() + " IS NOT NULL AND " + c.versionColumn() + " <> $1 LIMIT " + BATCH)
        .execute(Tuple.of(current))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture(p);
          }
          List<Tuple> updates = new ArrayList<>();
          for (Row r : rows) {
            Object id = r.getValue(0);
            WrappedKey old = new WrappedKey(r.getInteger(1), r.getBuffer(2).getBytes());
            try {
              WrappedKey next = dataKeys.rewrap(old, c.scope().apply(id));
              updates.add(Tuple.of(id, next.version(), Buffer.buffer(next.bytes()), old.version()));
            } catch (TamperedCiphertextException e) {
              return Future.failedFuture(new IllegalStateException("a wrapped key in " + c.table() + " failed authentication;"
                  + " rotation stopped so nothing is lost (id " + id + ")"));
            }
          }
          // The old version in the WHERE clause keeps a concurrent writer's fresh key untouched.
          return pool.preparedQuery("UPDATE " + c.table() + " SET " + c.versionColumn() + " = $2, " + c.keyColumn()
                  + " = $3 WHERE " + c.idColumn() + " = $1 AND " + c.versionColumn() + " = $4").executeBatch(updates)
              .compose(x -> {
                Progress next = new Progress(p.version(), p.done() + updates.size(), Math.max(p.total(), p.done() + updates.size()));
                progress.accept(next);
                return rewrapColumn(c, current, next, progress);
              });
        });
  }
}
