package org.interlude.identity;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import org.interlude.storage.PgErrors;

/**
 * Slows down password guessing per account and per source address. After the free attempts (a
 * few per account, more per address since a clinic may share one) each further failure blocks
 * the key for a delay that doubles, up to {@code maxDelay}.
 * Keys are the submitted username (whether or not it exists, so throttling reveals nothing) and
 * the address. Kept in PostgreSQL so all nodes share it.
 */
public final class LoginThrottle {
  private final Pool pool;
  private final Clock clock;
  private final int freeAttempts;
  private final int freeAttemptsPerAddress;
  private final Duration maxDelay;

  public LoginThrottle(Pool pool, Clock clock, int freeAttempts, int freeAttemptsPerAddress, Duration maxDelay) {
    this.pool = pool;
    this.clock = clock;
    this.freeAttempts = freeAttempts;
    this.freeAttemptsPerAddress = freeAttemptsPerAddress;
    this.maxDelay = maxDelay;
  }

  static List<String> keys(String username, String ip) {
    return List.of("u:" + username.toLowerCase(Locale.ROOT), "ip:" + (ip == null ? "unknown" : ip));
  }

  /** How long the caller must still wait (zero when allowed). */
  public Future<Duration> blockedFor(String username, String ip) {
    Instant now = clock.instant();
    return pool.preparedQuery("SELECT max(blocked_until) FROM login_throttle WHERE throttle_key = ANY($1)")
        .execute(Tuple.tuple().addArrayOfString(keys(username, ip).toArray(String[]::new)))
        .map(rows -> {
          OffsetDateTime until = rows.iterator().next().getOffsetDateTime(0);
          if (until == null || !until.toInstant().isAfter(now)) {
            return Duration.ZERO;
          }
          return Duration.between(now, until.toInstant());
        }).recover(PgErrors::recover);
  }

  public Future<Void> failure(String username, String ip) {
    OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    Future<Void> f = Future.succeededFuture();
    for (String key : keys(username, ip)) {
      f = f.compose(v -> pool.preparedQuery("INSERT INTO login_throttle (throttle_key, failures, last_failure_at)"
              + " VALUES ($1, 1, $2) ON CONFLICT (throttle_key) DO UPDATE SET failures = login_throttle.failures + 1,"
              + " last_failure_at = $2 RETURNING failures")
          .execute(Tuple.of(key, now))
          .compose(rows -> {
            int failures = rows.iterator().next().getInteger(0);
            int free = key.startsWith("ip:") ? freeAttemptsPerAddress : freeAttempts;
            if (failures <= free) {
              return Future.succeededFuture();
            }
            long seconds = Math.min(maxDelay.toSeconds(), 1L << Math.min(30, failures - free));
            return pool.preparedQuery("UPDATE login_throttle SET blocked_until = $2 WHERE throttle_key = $1")
                .execute(Tuple.of(key, now.plusSeconds(seconds))).mapEmpty();
          }));
    }
    return f.recover(PgErrors::recover);
  }

  /** A successful login clears the account's counter (the address keeps its history). */
  public Future<Void> success(String username) {
    return pool.preparedQuery("DELETE FROM login_throttle WHERE throttle_key = $1")
        .execute(Tuple.of(keys(username, null).get(0))).<Void>mapEmpty().recover(PgErrors::recover);
  }
}
