package org.interlude.identity;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.Set;
import java.util.UUID;
import org.interlude.audit.AuditEvent;
import org.interlude.audit.AuditLog;
import org.interlude.crypto.RandomTokens;
import org.interlude.storage.PgErrors;
import org.interlude.storage.StorageException;

/**
 * User administration within one clinic: adding staff and clients, disabling accounts (which
 * ends their sessions on every node), care-team assignment, client invitations and
 * break-glass access. Every change is audited in the same transaction as the change.
 */
public final class AdminService {
  private static final java.util.regex.Pattern USERNAME = java.util.regex.Pattern.compile("[a-z0-9._-]{3,64}");

  private final Pool pool;
  private final IdentityStore store;
  private final Passwords passwords;
  private final Sessions sessions;
  private final Access access;
  private final AuditLog audit;
  private final Clock clock;
  private final Duration invitationLifetime;
  private final Duration breakGlassDuration;
  private final URI publicUrl;
  private final org.interlude.cluster.Bus bus;

  public AdminService(Pool pool, IdentityStore store, Passwords passwords, Sessions sessions, Access access,
      AuditLog audit, Clock clock, Duration invitationLifetime, Duration breakGlassDuration, URI publicUrl,
      org.interlude.cluster.Bus bus) {
    this.bus = bus;
    this.pool = pool;
    this.store = store;
    this.passwords = passwords;
    this.sessions = sessions;
    this.access = access;
    this.audit = audit;
    this.clock = clock;
    this.invitationLifetime = invitationLifetime;
    this.breakGlassDuration = breakGlassDuration;
    this.publicUrl = publicUrl;
  }

  private OffsetDateTime now() {
    return OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
  }

  static String checkUsername(String username) {
    String u = username == null ? "" : username.trim().toLowerCase(java.util.Locale.ROOT);
    if (!USERNAME.matcher(u).matches()) {
      throw new InvalidInput("invalid_username", "username", "use 3-64 lower-case letters, digits, '.', '_' or '-'");
    }
    return u;
  }

  static String checkDisplayName(String name) {
    String n = name == null ? "" : java.text.Normalizer.normalize(name.trim(), java.text.Normalizer.Form.NFC);
    if (n.isEmpty() || n.length() > 100) {
      throw new InvalidInput("invalid_display_name", "displayName", "a display name of 1-100 characters is required");
    }
    return n;
  }

  static String checkZone(String zone, String fallback) {
    if (zone == null || zone.isBlank()) {
      return fallback;
    }
    try {
      return ZoneId.of(zone.trim()).getId();
    } catch (RuntimeException e) {
      throw new InvalidInput("invalid_time_zone", "timeZone", "use an IANA time zone such as America/New_York");
    }
  }

  /** Adds a user with a password to the admin's clinic. */
  public Future<UUID> addUser(Actor admin, String username, String displayName, Set<Role> roles, String password,
      String timeZone) {
    return Access.requireRole(admin, Role.ADMIN).compose(v -> {
      String u = checkUsername(username);
      String d = checkDisplayName(displayName);
      if (roles.isEmpty() || (roles.contains(Role.CLIENT) && roles.size() > 1)) {
        return Future.failedFuture(new InvalidInput("invalid_roles", "roles",
            "give one or more staff roles, or the client role alone"));
      }
      return store.clinic(admin.clinicId()).compose(clinic -> passwords.hashNew(password, u, d)
          .compose(hash -> audit.transaction(pool, tx -> store.insertUser(tx, admin.clinicId(), u, d, roles, hash,
                  checkZone(timeZone, clinic.timeZone()))
              .compose(id -> audit.record(tx, AuditEvent.of("user.add").clinic(admin.clinicId())
                      .actor(admin.userId(), admin.auditRole()).object("user", id)
                      .source(admin.sourceIp(), admin.correlationId()).build())
                  .map(x -> id)))));
    }).recover(AdminService::duplicateUsername);
  }

  private static <T> Future<T> duplicateUsername(Throwable t) {
    if (t instanceof StorageException.Duplicate) {
      return Future.failedFuture(new InvalidInput("username_taken", "username", "that username is already in use"));
    }
    return Future.failedFuture(t);
  }

  /** Disables a user and ends all their sessions; their sockets close on every node. */
  public Future<Void> disable(Actor admin, UUID userId) {
    return Access.requireRole(admin, Role.ADMIN)
        .compose(v -> access.clinicUser(admin, userId))
        .compose(u -> {
          if (u.id().equals(admin.userId())) {
            return Future.failedFuture(new InvalidInput("cannot_disable_self", "userId", "you cannot disable your own account"));
          }
          return audit.transaction(pool, tx -> tx.preparedQuery("UPDATE app_user SET disabled_at = $2 WHERE id = $1 AND disabled_at IS NULL")
                  .execute(Tuple.of(userId, now()))
                  .compose(r -> sessions.endAll(tx, userId, "disabled", null))
                  .compose(r -> audit.record(tx, AuditEvent.of("user.disable").clinic(admin.clinicId())
                      .actor(admin.userId(), admin.auditRole()).object("user", userId)
                      .subject(u.isClient() ? userId : null).source(admin.sourceIp(), admin.correlationId()).build())))
              .compose(x -> pool.preparedQuery("SELECT client_id FROM care_team WHERE therapist_id = $1 OR client_id = $1")
                  .execute(Tuple.of(userId)))
              .map(rows -> {
                sessions.announceAllEnded(userId, "disabled");
                rows.forEach(r -> accessChanged(r.getUUID(0)));
                return (Void) null;
              });
        });
  }

  /** Assigns or removes a therapist on a client's care team. */
  public Future<Void> careTeam(Actor admin, UUID clientId, UUID therapistId, boolean add) {
    return Access.requireRole(admin, Role.ADMIN)
        .compose(v -> access.clinicUser(admin, clientId))
        .compose(client -> access.clinicUser(admin, therapistId).compose(therapist -> {
          if (!client.isClient() || !therapist.has(Role.THERAPIST)) {
            return Future.failedFuture(new InvalidInput("invalid_care_team", "therapistId",
                "a care team joins a client and a therapist"));
          }
          String sql = add
              ? "INSERT INTO care_team (client_id, therapist_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"
              : "DELETE FROM care_team WHERE client_id = $1 AND therapist_id = $2";
          return audit.transaction(pool, tx -> tx.preparedQuery(sql).execute(Tuple.of(clientId, therapistId))
              .compose(r -> audit.record(tx, AuditEvent.of(add ? "care_team.add" : "care_team.remove")
                  .clinic(admin.clinicId()).actor(admin.userId(), admin.auditRole()).subject(clientId)
                  .object("user", therapistId).source(admin.sourceIp(), admin.correlationId()).build())))
              .onSuccess(v -> accessChanged(clientId));
        }));
  }

  /**
   * Creates a client account (no password yet) and a one-time invitation link valid for the
   * configured lifetime. A therapist who invites joins the client's care team. The token is in
   * the URL fragment, so it never reaches server logs.
   */
  public Future<JsonObject> invite(Actor actor, String username, String displayName, String timeZone) {
    return Access.requireRole(actor, Role.THERAPIST, Role.ADMIN).compose(v -> {
      String u = checkUsername(username);
      String d = checkDisplayName(displayName);
      String token = RandomTokens.newToken();
      OffsetDateTime expires = now().plus(invitationLifetime);
      return store.clinic(actor.clinicId()).compose(clinic -> audit.transaction(pool, tx ->
          store.insertUser(tx, actor.clinicId(), u, d, EnumSet.of(Role.CLIENT), null, checkZone(timeZone, clinic.timeZone()))
              .compose(clientId -> tx.preparedQuery("INSERT INTO invitation (token_hash, clinic_id, user_id, created_by,"
                      + " expires_at) VALUES ($1,$2,$3,$4,$5)")
                  .execute(Tuple.of(RandomTokens.sha256Hex(token), actor.clinicId(), clientId, actor.userId(), expires))
                  .compose(r -> actor.has(Role.THERAPIST)
                      ? tx.preparedQuery("INSERT INTO care_team (client_id, therapist_id) VALUES ($1, $2)")
                          .execute(Tuple.of(clientId, actor.userId())).mapEmpty()
                      : Future.succeededFuture())
                  .compose(r -> audit.record(tx, AuditEvent.of("invitation.create").clinic(actor.clinicId())
                      .actor(actor.userId(), actor.auditRole()).subject(clientId).object("user", clientId)
                      .source(actor.sourceIp(), actor.correlationId()).build()))
                  .map(r -> new JsonObject()
                      .put("userId", clientId.toString())
                      .put("invitationUrl", publicUrl.resolve("/").toString() + "#/invite/" + token)
                      .put("expiresAt", expires.toInstant().toString())))));
    }).recover(AdminService::duplicateUsername);
  }

  /** Redeems an invitation: sets the client's password. Single use; expired links fail. */
  public Future<Void> acceptInvitation(String token, String password, String ip, String correlationId) {
    String hash = RandomTokens.sha256Hex(token == null ? "" : token);
    return pool.preparedQuery("SELECT i.user_id, i.clinic_id, u.username, u.display_name FROM invitation i"
            + " JOIN app_user u ON u.id = i.user_id WHERE i.token_hash = $1 AND i.used_at IS NULL AND i.expires_at > $2")
        .execute(Tuple.of(hash, now()))
        .compose(rows -> {
          if (rows.size() == 0) {
            return audit.record(AuditEvent.of("invitation.accept").outcome(AuditEvent.Outcome.FAILURE)
                    .source(ip, correlationId).build())
                .compose(v -> Future.failedFuture(new InvalidInput("invalid_invitation", "token",
                    "this invitation link is not valid: it may have been used or have expired")));
          }
          var r = rows.iterator().next();
          UUID userId = r.getUUID("user_id");
          UUID clinicId = r.getUUID("clinic_id");
          return passwords.hashNew(password, r.getString("username"), r.getString("display_name"))
              .compose(pw -> audit.transaction(pool, tx -> tx.preparedQuery("UPDATE invitation SET used_at = $2"
                      + " WHERE token_hash = $1 AND used_at IS NULL").execute(Tuple.of(hash, now()))
                  .compose(upd -> upd.rowCount() == 1
                      ? store.setPasswordHash(tx, userId, pw)
                      : Future.failedFuture(new InvalidInput("invalid_invitation", "token", "this invitation was just used")))
                  .compose(v -> audit.record(tx, AuditEvent.of("invitation.accept").clinic(clinicId)
                      .actor(userId, "client").subject(userId).source(ip, correlationId).build()))));
        });
  }

  /**
   * Opens another client's record for {@link #breakGlassDuration} with a written reason:
   * audited, and every admin of the clinic gets a notice.
   */
  public Future<JsonObject> breakGlass(Actor actor, UUID clientId, String reason) {
    return Access.requireRole(actor, Role.THERAPIST, Role.ONCALL).compose(v -> {
      String why = reason == null ? "" : reason.trim();
      if (why.length() < 10 || why.length() > 1000) {
        return Future.failedFuture(new InvalidInput("reason_required", "reason",
            "write a reason of at least 10 characters for opening this record"));
      }
      return pool.preparedQuery("SELECT 1 FROM app_user WHERE id = $1 AND clinic_id = $2 AND 'client' = ANY(roles)")
          .execute(Tuple.of(clientId, actor.clinicId()))
          .compose(rows -> {
            if (rows.size() == 0) {
              return Future.failedFuture(Denied.notFound("client"));
            }
            UUID id = UUID.randomUUID();
            OffsetDateTime expires = now().plus(breakGlassDuration);
            return audit.transaction(pool, tx -> tx.preparedQuery("INSERT INTO break_glass (id, clinic_id, actor_id, client_id,"
                    + " reason, expires_at) VALUES ($1,$2,$3,$4,$5,$6)")
                .execute(Tuple.of(id, actor.clinicId(), actor.userId(), clientId, why, expires))
                .compose(r -> tx.preparedQuery("INSERT INTO staff_notice (clinic_id, user_id, kind, client_id, object_id)"
                        + " SELECT clinic_id, id, 'break_glass', $2, $3 FROM app_user WHERE clinic_id = $1"
                        + " AND 'admin' = ANY(roles) AND disabled_at IS NULL")
                    .execute(Tuple.of(actor.clinicId(), clientId, id.toString())))
                .compose(r -> audit.record(tx, AuditEvent.of("break_glass").clinic(actor.clinicId())
                    .actor(actor.userId(), actor.auditRole()).subject(clientId).object("break_glass", id)
                    .source(actor.sourceIp(), actor.correlationId()).build()))
                .map(r -> new JsonObject().put("id", id.toString()).put("expiresAt", expires.toInstant().toString())))
                .onSuccess(r -> accessChanged(clientId));
          });
    });
  }

  /** Changes clinic settings: TOTP enforcement for staff, the staffed hours shown to clients. */
  public Future<Clinic> updateClinic(Actor admin, Boolean requireTotp, String staffedHours) {
    return Access.requireRole(admin, Role.ADMIN).compose(v -> audit.transaction(pool, tx -> tx.preparedQuery(
            "UPDATE clinic SET require_totp = COALESCE($2, require_totp), staffed_hours = COALESCE($3, staffed_hours)"
                + " WHERE id = $1 RETURNING *")
        .execute(Tuple.of(admin.clinicId(), requireTotp, staffedHours == null ? null : staffedHours.trim()))
        .compose(rows -> audit.record(tx, AuditEvent.of("clinic.update").clinic(admin.clinicId())
                .actor(admin.userId(), admin.auditRole()).object("clinic", admin.clinicId())
                .source(admin.sourceIp(), admin.correlationId()).build())
            .map(x -> Clinic.from(rows.iterator().next())))));
  }

  private void accessChanged(UUID clientId) {
    bus.publish(org.interlude.cluster.Addresses.ACCESS_CHANGED, new org.interlude.cluster.AccessChanged(clientId));
  }

  /**
   * Creates the first administrator (and its clinic) when the database has no user yet. Returns
   * the password to print once when none was configured, or null.
   */
  public Future<String> bootstrap(String username, String configuredPassword, String clinicName, String country,
      String timeZone, String staffedHours) {
    return pool.query("SELECT count(*) FROM app_user WHERE 'admin' = ANY(roles)").execute().compose(rows -> {
      if (rows.iterator().next().getLong(0) > 0) {
        return Future.succeededFuture((String) null);
      }
      String password = configuredPassword == null || configuredPassword.isEmpty()
          ? RandomTokens.newToken().substring(0, 24) : configuredPassword;
      return passwords.hashNew(password, username)
          .recover(err -> Future.failedFuture(err instanceof InvalidInput i
              ? new IllegalStateException("admin.password (INTERLUDE_ADMIN_PASSWORD) is not acceptable: " + i.getMessage())
              : err))
          .compose(hash -> audit.transaction(pool, tx -> store.createClinic(tx, clinicName, country, timeZone, staffedHours)
              .compose(clinic -> store.insertUser(tx, clinic.id(), username, "Administrator", EnumSet.of(Role.ADMIN), hash,
                      timeZone)
                  .compose(id -> audit.record(tx, AuditEvent.of("user.bootstrap_admin").clinic(clinic.id())
                      .object("user", id).build())))))
          .map(v -> configuredPassword == null || configuredPassword.isEmpty() ? password : null);
    });
  }
}
