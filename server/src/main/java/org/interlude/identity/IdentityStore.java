package org.interlude.identity;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.interlude.storage.PgErrors;

/** SQL for clinics, users and care teams. No authorisation here: callers check first. */
public final class IdentityStore {
  private final Pool pool;

  public IdentityStore(Pool pool) {
    this.pool = pool;
  }

  public Pool pool() {
    return pool;
  }

  public Future<Optional<User>> userByUsername(String username) {
    return pool.preparedQuery("SELECT " + User.COLUMNS + " FROM app_user u WHERE u.username = $1")
        .execute(Tuple.of(username))
        .map(rows -> rows.size() == 0 ? Optional.<User>empty() : Optional.of(User.from(rows.iterator().next())))
        .recover(PgErrors::recover);
  }

  public Future<Optional<User>> userById(UUID id) {
    return pool.preparedQuery("SELECT " + User.COLUMNS + " FROM app_user u WHERE u.id = $1")
        .execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? Optional.<User>empty() : Optional.of(User.from(rows.iterator().next())))
        .recover(PgErrors::recover);
  }

  public Future<Clinic> clinic(UUID id) {
    return pool.preparedQuery("SELECT * FROM clinic WHERE id = $1").execute(Tuple.of(id))
        .map(rows -> Clinic.from(rows.iterator().next()))
        .recover(PgErrors::recover);
  }

  public Future<Optional<Clinic>> clinicByName(String name) {
    return pool.preparedQuery("SELECT * FROM clinic WHERE name = $1").execute(Tuple.of(name))
        .map(rows -> rows.size() == 0 ? Optional.<Clinic>empty() : Optional.of(Clinic.from(rows.iterator().next())))
        .recover(PgErrors::recover);
  }

  public Future<Clinic> createClinic(SqlClient c, String name, String country, String timeZone, String staffedHours) {
    UUID id = UUID.randomUUID();
    return c.preparedQuery("INSERT INTO clinic (id, name, country, time_zone, staffed_hours) VALUES ($1,$2,$3,$4,$5)")
        .execute(Tuple.of(id, name, country, timeZone, staffedHours))
        .map(r -> new Clinic(id, name, country, timeZone, staffedHours, false))
        .recover(PgErrors::recover);
  }

  public Future<UUID> insertUser(SqlClient c, UUID clinicId, String username, String displayName, Set<Role> roles,
      String passwordHash, String timeZone) {
    UUID id = UUID.randomUUID();
    return c.preparedQuery("INSERT INTO app_user (id, clinic_id, username, display_name, roles, password_hash,"
            + " password_changed_at, time_zone) VALUES ($1,$2,$3,$4,$5,$6, CASE WHEN $6::text IS NULL THEN NULL ELSE now() END,$7)")
        .execute(Tuple.of(id, clinicId, username, displayName, User.roleCodes(roles), passwordHash, timeZone))
        .map(r -> id)
        .recover(PgErrors::recover);
  }

  public Future<Void> setPasswordHash(SqlClient c, UUID userId, String hash) {
    return c.preparedQuery("UPDATE app_user SET password_hash = $2, password_changed_at = now() WHERE id = $1")
        .execute(Tuple.of(userId, hash)).<Void>mapEmpty().recover(PgErrors::recover);
  }

  /** Rehash without counting as a password change (sessions stay open). */
  public Future<Void> upgradePasswordHash(UUID userId, String oldHash, String newHash) {
    return pool.preparedQuery("UPDATE app_user SET password_hash = $3 WHERE id = $1 AND password_hash = $2")
        .execute(Tuple.of(userId, oldHash, newHash)).<Void>mapEmpty().recover(PgErrors::recover);
  }

  public Future<Boolean> inCareTeam(UUID clientId, UUID therapistId) {
    return pool.preparedQuery("SELECT 1 FROM care_team WHERE client_id = $1 AND therapist_id = $2")
        .execute(Tuple.of(clientId, therapistId)).map(rows -> rows.size() > 0).recover(PgErrors::recover);
  }

  /** The therapists of a client's care team. */
  public Future<List<UUID>> careTeam(UUID clientId) {
    return pool.preparedQuery("SELECT therapist_id FROM care_team WHERE client_id = $1 ORDER BY added_at")
        .execute(Tuple.of(clientId))
        .map(rows -> {
          List<UUID> out = new ArrayList<>();
          for (Row r : rows) {
            out.add(r.getUUID(0));
          }
          return out;
        }).recover(PgErrors::recover);
  }

  /** Users of a clinic holding {@code role}, enabled only. */
  public Future<List<User>> usersWithRole(UUID clinicId, Role role) {
    return pool.preparedQuery("SELECT " + User.COLUMNS + " FROM app_user u WHERE u.clinic_id = $1 AND $2 = ANY(u.roles)"
            + " AND u.disabled_at IS NULL ORDER BY u.display_name")
        .execute(Tuple.of(clinicId, role.code()))
        .map(rows -> {
          List<User> out = new ArrayList<>();
          for (Row r : rows) {
            out.add(User.from(r));
          }
          return out;
        }).recover(PgErrors::recover);
  }
}
