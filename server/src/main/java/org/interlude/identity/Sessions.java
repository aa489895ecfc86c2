package org.interlude.identity;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;
import org.interlude.cluster.Addresses;
import org.interlude.cluster.Bus;
import org.interlude.cluster.SessionEnded;
import org.interlude.crypto.RandomTokens;
import org.interlude.storage.PgErrors;

/**
 * Server-side sessions. The browser holds a 256-bit random token in a {@code __Host-} cookie;
 * only its SHA-256 is stored. A session ends on logout, idle timeout (clients 30 min, staff 15
 * min by default), absolute timeout (12 h), password change or disable; every end is published
 * on the bus so every node closes that session's WebSockets with 1008.
 */
public final class Sessions {
  public static final String COOKIE = "__Host-interlude";

  private final Pool pool;
  private final Bus bus;
  private final Clock clock;
  private final Duration clientIdle;
  private final Duration staffIdle;
  private final Duration absolute;

  public Sessions(Pool pool, Bus bus, Clock clock, Duration clientIdle, Duration staffIdle, Duration absolute) {
    this.pool = pool;
    this.bus = bus;
    this.clock = clock;
    this.clientIdle = clientIdle;
    this.staffIdle = staffIdle;
    this.absolute = absolute;
  }

  /** A new session's secrets, returned once to be set as cookie and CSRF token. */
  public record Created(String token, String csrfToken, Instant expiresAt, Duration idleTimeout) {}

  /** A valid session with its user. */
  public record Authenticated(Actor actor, String displayName, String csrfToken, boolean secondFactor,
      boolean clinicRequiresTotp, Duration idleTimeout, Instant absoluteExpiry) {

    /** Staff of a clinic that enforces TOTP must enrol before doing anything else. */
    public boolean mustEnrolSecondFactor() {
      return clinicRequiresTotp && actor.isStaff() && !secondFactor;
    }
  }

  private OffsetDateTime now() {
    return OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
  }

  public Duration idleTimeoutFor(User u) {
    return u.isClient() ? clientIdle : staffIdle;
  }

  public Future<Created> create(SqlClient c, User u, boolean secondFactor) {
    String token = RandomTokens.newToken();
    String csrf = RandomTokens.newToken();
    OffsetDateTime now = now();
    OffsetDateTime expires = now.plus(absolute);
    Duration idle = idleTimeoutFor(u);
    return c.preparedQuery("INSERT INTO user_session (token_hash, user_id, csrf_token, created_at, last_seen_at,"
            + " idle_seconds, expires_at, second_factor) VALUES ($1,$2,$3,$4,$4,$5,$6,$7)")
        .execute(Tuple.from(new Object[] {RandomTokens.sha256Hex(token), u.id(), csrf, now, (int) idle.toSeconds(),
            expires, secondFactor}))
        .map(r -> new Created(token, csrf, expires.toInstant(), idle))
        .recover(PgErrors::recover);
  }

  /**
   * Validates a token and, when {@code touch}, records activity (so the idle clock restarts).
   * Empty when the token is unknown, ended, idle or past its absolute lifetime, or the user is
   * disabled; an expired session is ended (and announced) on the way.
   */
  public Future<Optional<Authenticated>> authenticate(String token, String ip, String correlationId, boolean touch) {
    if (token == null || token.length() < 20 || token.length() > 100) {
      return Future.succeededFuture(Optional.empty());
    }
    String hash = RandomTokens.sha256Hex(token);
    OffsetDateTime now = now();
    return pool.preparedQuery("SELECT s.csrf_token, s.last_seen_at, s.idle_seconds, s.expires_at, s.second_factor,"
            + " c.require_totp, " + User.COLUMNS + " FROM user_session s JOIN app_user u ON u.id = s.user_id"
            + " JOIN clinic c ON c.id = u.clinic_id"
            + " WHERE s.token_hash = $1 AND s.ended_at IS NULL")
        .execute(Tuple.of(hash))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture(Optional.<Authenticated>empty());
          }
          Row r = rows.iterator().next();
          User u = User.from(r);
          Duration idle = Duration.ofSeconds(r.getInteger("idle_seconds"));
          OffsetDateTime lastSeen = r.getOffsetDateTime("last_seen_at");
          OffsetDateTime expires = r.getOffsetDateTime("expires_at");
          String reason = u.disabled() ? "disabled"
              : !expires.isAfter(now) ? "absolute_timeout"
              : !lastSeen.plus(idle).isAfter(now) ? "idle_timeout" : null;
          if (reason != null) {
            return end(hash, u.id(), reason).map(v -> Optional.<Authenticated>empty());
          }
          Actor actor = new Actor(u.id(), u.clinicId(), u.username(), u.roles(), hash, ip, correlationId);
          Authenticated a = new Authenticated(actor, u.displayName(), r.getString("csrf_token"),
              r.getBoolean("second_factor"), r.getBoolean("require_totp"), idle, expires.toInstant());
          if (!touch || Duration.between(lastSeen, now).toSeconds() < 5) {
            return Future.succeededFuture(Optional.of(a));
          }
          return pool.preparedQuery("UPDATE user_session SET last_seen_at = $2 WHERE token_hash = $1 AND ended_at IS NULL")
              .execute(Tuple.of(hash, now)).map(v -> Optional.of(a));
        })
        .recover(PgErrors::recover);
  }

  /** Ends one session and announces it cluster-wide. Idempotent. */
  public Future<Void> end(String tokenHash, UUID userId, String reason) {
    return pool.preparedQuery("UPDATE user_session SET ended_at = $2, end_reason = $3 WHERE token_hash = $1 AND ended_at IS NULL")
        .execute(Tuple.of(tokenHash, now(), reason))
        .onSuccess(r -> bus.publish(Addresses.SESSION_ENDED, new SessionEnded(userId, tokenHash, reason)))
        .<Void>mapEmpty().recover(PgErrors::recover);
  }

  /** Ends every session of a user, optionally keeping one (the caller's, on password change). */
  public Future<Void> endAll(SqlClient c, UUID userId, String reason, String keepHash) {
    return c.preparedQuery("UPDATE user_session SET ended_at = $2, end_reason = $3 WHERE user_id = $1 AND ended_at IS NULL"
            + " AND token_hash IS DISTINCT FROM $4")
        .execute(Tuple.of(userId, now(), reason, keepHash))
        .<Void>mapEmpty().recover(PgErrors::recover);
  }

  /** Announces {@link #endAll} after its transaction committed. */
  public void announceAllEnded(UUID userId, String reason) {
    bus.publish(Addresses.SESSION_ENDED, new SessionEnded(userId, null, reason));
  }

  /**
   * Ends sessions that went idle or passed their lifetime and announces each, so sockets close
   * even when nobody makes a request. Safe on every node at once: the UPDATE hands each row to
   * exactly one of them.
   */
  public Future<Integer> sweep() {
    OffsetDateTime now = now();
    return pool.preparedQuery("UPDATE user_session SET ended_at = $1, end_reason = CASE WHEN expires_at <= $1"
            + " THEN 'absolute_timeout' ELSE 'idle_timeout' END WHERE ended_at IS NULL AND (expires_at <= $1"
            + " OR last_seen_at + idle_seconds * interval '1 second' <= $1) RETURNING token_hash, user_id, end_reason")
        .execute(Tuple.of(now))
        .map(rows -> {
          for (Row r : rows) {
            bus.publish(Addresses.SESSION_ENDED,
                new SessionEnded(r.getUUID("user_id"), r.getString("token_hash"), r.getString("end_reason")));
          }
          return rows.rowCount();
        }).recover(PgErrors::recover);
  }

  /**
   * Records activity on a session that is still valid (a WebSocket frame from its user); false
   * when the session has ended or expired meanwhile.
   */
  public Future<Boolean> touch(String tokenHash) {
    OffsetDateTime now = now();
    return pool.preparedQuery("UPDATE user_session SET last_seen_at = $2 WHERE token_hash = $1 AND ended_at IS NULL"
            + " AND expires_at > $2 AND last_seen_at + idle_seconds * interval '1 second' > $2")
        .execute(Tuple.of(tokenHash, now)).map(r -> r.rowCount() == 1).recover(PgErrors::recover);
  }

  public Future<Void> markSecondFactor(String tokenHash) {
    return pool.preparedQuery("UPDATE user_session SET second_factor = true WHERE token_hash = $1")
        .execute(Tuple.of(tokenHash)).<Void>mapEmpty().recover(PgErrors::recover);
  }
}
