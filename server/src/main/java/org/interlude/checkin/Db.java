package org.interlude.checkin;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Small conversions shared by the check-in SQL: instants to and from timestamptz, zones, fan-out. */
final class Db {
  private static final Logger log = LoggerFactory.getLogger(Db.class);

  private Db() {}

  /** An instant as timestamptz, at PostgreSQL's microsecond precision so it reads back equal. */
  static OffsetDateTime ts(Instant i) {
    return i == null ? null : OffsetDateTime.ofInstant(i.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
  }

  static Instant instant(Row r, String column) {
    OffsetDateTime t = r.getOffsetDateTime(column);
    return t == null ? null : t.toInstant();
  }

  /** Microsecond precision: what the database keeps. */
  static Instant micros(Instant i) {
    return i.truncatedTo(ChronoUnit.MICROS);
  }

  /**
   * The client's IANA zone, else the clinic's, else UTC. A zone the JDK does not know (a typo in
   * an old row) must not stop the schedule: it falls back and says so, by id only.
   */
  static ZoneId zone(String clientZone, String clinicZone) {
    for (String z : new String[] {clientZone, clinicZone}) {
      if (z != null && !z.isBlank()) {
        try {
          return ZoneId.of(z);
        } catch (RuntimeException e) {
          log.warn("unknown time zone in a user or clinic row; falling back");
        }
      }
    }
    return ZoneOffset.UTC;
  }

  /**
   * Runs {@code fn} over {@code items} with at most {@code limit} in flight, completing when all
   * have completed; the first failure fails the result after the others finished.
   */
  static <T> Future<Void> forEachLimited(List<T> items, int limit, Function<T, Future<?>> fn) {
    if (items.isEmpty()) {
      return Future.succeededFuture();
    }
    List<List<T>> lanes = new ArrayList<>();
    int n = Math.min(limit, items.size());
    for (int i = 0; i < n; i++) {
      lanes.add(new ArrayList<>());
    }
    for (int i = 0; i < items.size(); i++) {
      lanes.get(i % n).add(items.get(i));
    }
    List<Future<Void>> all = new ArrayList<>();
    for (List<T> lane : lanes) {
      all.add(runLane(lane, 0, fn, null));
    }
    return Future.join(all).mapEmpty();
  }

  private static <T> Future<Void> runLane(List<T> lane, int index, Function<T, Future<?>> fn, Throwable failed) {
    if (index == lane.size()) {
      return failed == null ? Future.succeededFuture() : Future.failedFuture(failed);
    }
    Future<?> f;
    try {
      f = fn.apply(lane.get(index));
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    return f.transform(ar -> runLane(lane, index + 1, fn, failed != null ? failed : ar.cause()));
  }
}
