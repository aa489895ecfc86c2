package org.interlude.identity;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.util.OptionalLong;
import org.interlude.audit.AuditEvent;
import org.interlude.audit.AuditLog;
import org.interlude.crypto.Base32;
import org.interlude.crypto.DataKeys;
import org.interlude.crypto.RandomTokens;
import org.interlude.crypto.TamperedCiphertextException;
import org.interlude.crypto.Totp;
import org.interlude.crypto.WrappedKey;
import org.interlude.storage.PgErrors;

/**
 * Signing in and out, password changes and the TOTP second factor. Every outcome is audited
 * (never with the password, code or token). Unknown users and wrong passwords take the same
 * path and the same time: the dummy hash costs what a real verification costs, and both record
 * a throttle failure.
 */
public final class IdentityService {
  private final Pool pool;
  private final IdentityStore store;
  private final Passwords passwords;
  private final Sessions sessions;
  private final LoginThrottle throttle;
  private final AuditLog audit;
  private final DataKeys dataKeys;
  private final Clock clock;

  public IdentityService(Pool pool, IdentityStore store, Passwords passwords, Sessions sessions, LoginThrottle throttle,
      AuditLog audit, DataKeys dataKeys, Clock clock) {
    this.pool = pool;
    this.store = store;
    this.passwords = passwords;
    this.sessions = sessions;
    this.throttle = throttle;
    this.audit = audit;
    this.dataKeys = dataKeys;
    this.clock = clock;
  }

  public Sessions sessions() {
    return sessions;
  }

  public IdentityStore store() {
    return store;
  }

  public Future<LoginResult> login(String username, String password, String totpCode, String ip, String correlationId) {
    String name = username.trim().toLowerCase(java.util.Locale.ROOT);
    return throttle.blockedFor(name, ip).compose(wait -> {
      if (!wait.isZero()) {
        return audit.record(AuditEvent.of("login").outcome(AuditEvent.Outcome.DENIED).object("throttle", null)
                .source(ip, correlationId).build())
            .map(v -> (LoginResult) new LoginResult.Throttled(wait));
      }
      return store.userByUsername(name).compose(found -> {
        User u = found.orElse(null);
        String hash = u == null ? null : u.passwordHash();
        return passwords.verify(hash, password).compose(ok -> {
          if (!ok || u.disabled()) {
            return throttle.failure(name, ip)
                .compose(v -> audit.record(AuditEvent.of("login").outcome(AuditEvent.Outcome.FAILURE)
                    .clinic(u == null ? null : u.clinicId()).actor(u == null ? null : u.id(), null)
                    .source(ip, correlationId).build()))
                .map(v -> (LoginResult) new LoginResult.InvalidCredentials());
          }
          return secondFactor(u, totpCode, ip, correlationId).compose(second -> {
            if (second instanceof LoginResult.SecondFactorRequired) {
              return Future.succeededFuture(second);
            }
            boolean verified = second == null;
            return upgradeHash(u, password)
                .compose(v -> throttle.success(name))
                .compose(v -> audit.transaction(pool, tx -> sessions.create(tx, u, verified && u.totpEnrolled())
                    .compose(created -> audit.record(tx, AuditEvent.of("login").clinic(u.clinicId())
                            .actor(u.id(), roleOf(u)).object("session", null).source(ip, correlationId).build())
                        .map(x -> (LoginResult) new LoginResult.Success(u, created, verified && u.totpEnrolled())))));
          });
        });
      });
    }).recover(PgErrors::recover);
  }

  private Future<Void> upgradeHash(User u, String password) {
    if (!passwords.needsRehash(u.passwordHash())) {
      return Future.succeededFuture();
    }
    return passwords.rehash(password).compose(h -> store.upgradePasswordHash(u.id(), u.passwordHash(), h));
  }

  /** null when no second factor is needed or the code was right; a result otherwise. */
  private Future<LoginResult> secondFactor(User u, String code, String ip, String correlationId) {
    if (!u.totpEnrolled()) {
      return Future.succeededFuture(null);
    }
    if (code == null || code.isBlank()) {
      return Future.succeededFuture(new LoginResult.SecondFactorRequired(false));
    }
    return pool.preparedQuery("SELECT totp_secret, totp_key_version, totp_last_step FROM app_user WHERE id = $1")
        .execute(Tuple.of(u.id()))
        .compose(rows -> {
          var r = rows.iterator().next();
          String secret;
          try {
            byte[] raw = dataKeys.unwrap(new WrappedKey(r.getInteger("totp_key_version"), r.getBuffer("totp_secret").getBytes()),
                "totp/" + u.id());
            secret = Base32.encode(raw);
          } catch (TamperedCiphertextException e) {
            return Future.failedFuture(new IllegalStateException("stored TOTP secret failed authentication"));
          }
          OptionalLong step = Totp.verify(secret, code.trim(), clock.instant(), 1);
          Long last = r.getLong("totp_last_step");
          if (step.isEmpty() || (last != null && step.getAsLong() <= last)) {
            return throttle.failure(u.username(), ip)
                .compose(v -> audit.record(AuditEvent.of("login.second_factor").outcome(AuditEvent.Outcome.FAILURE)
                    .clinic(u.clinicId()).actor(u.id(), roleOf(u)).source(ip, correlationId).build()))
                .map(v -> (LoginResult) new LoginResult.SecondFactorRequired(true));
          }
          // Remember the step so a code cannot be replayed within its window.
          return pool.preparedQuery("UPDATE app_user SET totp_last_step = $2 WHERE id = $1 AND"
                  + " (totp_last_step IS NULL OR totp_last_step < $2)")
              .execute(Tuple.of(u.id(), step.getAsLong()))
              .map(res -> res.rowCount() == 1 ? null : (LoginResult) new LoginResult.SecondFactorRequired(true));
        });
  }

  public Future<Void> logout(Actor a) {
    return sessions.end(a.sessionHash(), a.userId(), "logout")
        .compose(v -> audit.record(AuditEvent.of("logout").clinic(a.clinicId()).actor(a.userId(), a.auditRole())
            .source(a.sourceIp(), a.correlationId()).build()));
  }

  /** Changes the password and ends the user's other sessions on every node. */
  public Future<Void> changePassword(Actor a, String current, String next) {
    return store.userById(a.userId()).compose(found -> {
      User u = found.orElseThrow();
      return passwords.verify(u.passwordHash(), current).compose(ok -> {
        if (!ok) {
          return audit.record(AuditEvent.of("password.change").outcome(AuditEvent.Outcome.FAILURE).clinic(a.clinicId())
                  .actor(a.userId(), a.auditRole()).source(a.sourceIp(), a.correlationId()).build())
              .compose(v -> Future.failedFuture(new InvalidInput("wrong_password", "currentPassword",
                  "the current password is not correct")));
        }
        return passwords.hashNew(next, u.username(), u.displayName())
            .compose(hash -> audit.transaction(pool, tx -> store.setPasswordHash(tx, u.id(), hash)
                .compose(v -> sessions.endAll(tx, u.id(), "password_change", a.sessionHash()))
                .compose(v -> audit.record(tx, AuditEvent.of("password.change").clinic(a.clinicId())
                    .actor(a.userId(), a.auditRole()).source(a.sourceIp(), a.correlationId()).build()))))
            .onSuccess(v -> sessions.announceAllEnded(u.id(), "password_change"));
      });
    });
  }

  /** Starts TOTP enrolment: a new secret, shown once as an otpauth URI; confirmed by a code. */
  public Future<String> enrollTotp(Actor a, String issuer) {
    if (a.isClient()) {
      return Future.failedFuture(Denied.notFound("second factor"));
    }
    byte[] raw = RandomTokens.randomBytes(32);
    WrappedKey wrapped = dataKeys.wrap(raw, "totp/" + a.userId());
    String secret = Base32.encode(raw);
    return pool.preparedQuery("UPDATE app_user SET totp_secret = $2, totp_key_version = $3, totp_confirmed = false,"
            + " totp_last_step = NULL WHERE id = $1 AND NOT totp_confirmed")
        .execute(Tuple.of(a.userId(), io.vertx.core.buffer.Buffer.buffer(wrapped.bytes()), wrapped.version()))
        .compose(r -> r.rowCount() == 0
            ? Future.failedFuture(new InvalidInput("already_enrolled", "totp", "a second factor is already active"))
            : audit.record(AuditEvent.of("totp.enroll").clinic(a.clinicId()).actor(a.userId(), a.auditRole())
                .source(a.sourceIp(), a.correlationId()).build()))
        .map(v -> Totp.otpauthUri(issuer, a.username(), secret));
  }

  /** Confirms enrolment with a current code; from then on every login needs one. */
  public Future<Void> confirmTotp(Actor a, String code) {
    return pool.preparedQuery("SELECT totp_secret, totp_key_version FROM app_user WHERE id = $1 AND totp_secret IS NOT NULL"
            + " AND NOT totp_confirmed").execute(Tuple.of(a.userId()))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(new InvalidInput("not_enrolling", "code", "start enrolment first"));
          }
          var r = rows.iterator().next();
          String secret;
          try {
            secret = Base32.encode(dataKeys.unwrap(new WrappedKey(r.getInteger("totp_key_version"),
                r.getBuffer("totp_secret").getBytes()), "totp/" + a.userId()));
          } catch (TamperedCiphertextException e) {
            return Future.failedFuture(new IllegalStateException("stored TOTP secret failed authentication"));
          }
          OptionalLong step = Totp.verify(secret, code.trim(), clock.instant(), 1);
          if (step.isEmpty()) {
            return Future.failedFuture(new InvalidInput("wrong_code", "code", "that code is not correct"));
          }
          return pool.preparedQuery("UPDATE app_user SET totp_confirmed = true, totp_last_step = $2 WHERE id = $1")
              .execute(Tuple.of(a.userId(), step.getAsLong()))
              .compose(v -> sessions.markSecondFactor(a.sessionHash()))
              .compose(v -> audit.record(AuditEvent.of("totp.confirm").clinic(a.clinicId())
                  .actor(a.userId(), a.auditRole()).source(a.sourceIp(), a.correlationId()).build()));
        });
  }

  static String roleOf(User u) {
    return new Actor(u.id(), u.clinicId(), u.username(), u.roles(), "", null, null).auditRole();
  }

}
