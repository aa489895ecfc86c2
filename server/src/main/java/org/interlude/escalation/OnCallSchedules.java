package org.interlude.escalation;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.interlude.audit.AuditEvent;
import org.interlude.audit.AuditLog;
import org.interlude.identity.Access;
import org.interlude.identity.Actor;
import org.interlude.identity.Denied;
import org.interlude.identity.InvalidInput;
import org.interlude.identity.Role;
import org.interlude.storage.Flight;
import org.interlude.storage.PgErrors;
import org.interlude.storage.StorageException;

/**
 * On-call rotations, overrides and escalation policies: their administration (admin role only,
 * every change audited in its transaction) and their resolution for the engine. A clinic's
 * incidents use its default policy; a clinic without one falls back to paging every on-call
 * staff member, then the client's care team, with the default waits, so no incident is ever left
 * with nobody to page for lack of configuration. Coverage gaps (a level that resolves to nobody
 * at some time) are reported by {@link #coverage} and with every policy change.
 */
public final class OnCallSchedules {
  private static final Duration COVERAGE_DEFAULT_SPAN = Duration.ofDays(14);

  private final Pool pool;
  private final AuditLog audit;
  private final Clock clock;

  public OnCallSchedules(Pool pool, AuditLog audit, Clock clock) {
    this.pool = pool;
    this.audit = audit;
    this.clock = clock;
  }

  // ---- resolution (engine) ----

  /**
   * The clinic's rotations with members and overrides that end after {@code after}. The three
   * reads go out together (one round trip on a connection): the escalation path runs this inside
   * a crisis report's transaction, where every round trip waits behind the node's other work.
   */
  Future<Map<UUID, Rotation>> rotations(SqlClient c, UUID clinicId, Instant after) {
    Future<RowSet<Row>> rotF = c.preparedQuery("SELECT id, name, time_zone, handoff_time, shift_days, start_date"
        + " FROM oncall_rotation WHERE clinic_id = $1 ORDER BY name").execute(Tuple.of(clinicId));
    Future<RowSet<Row>> memberF = c.preparedQuery("SELECT m.rotation_id, m.user_id FROM oncall_rotation_member m"
        + " JOIN oncall_rotation r ON r.id = m.rotation_id WHERE r.clinic_id = $1 ORDER BY m.rotation_id, m.position")
        .execute(Tuple.of(clinicId));
    Future<RowSet<Row>> overrideF = c.preparedQuery("SELECT o.id, o.rotation_id, o.user_id, o.starts_at, o.ends_at,"
            + " o.created_at FROM oncall_override o JOIN oncall_rotation r ON r.id = o.rotation_id"
            + " WHERE r.clinic_id = $1 AND o.ends_at > $2 ORDER BY o.starts_at")
        .execute(Tuple.of(clinicId, Times.odt(after)));
    return Flight.all(rotF, memberF, overrideF).map(all -> {
      Map<UUID, List<UUID>> members = new HashMap<>();
      for (Row r : memberF.result()) {
        members.computeIfAbsent(r.getUUID("rotation_id"), k -> new ArrayList<>()).add(r.getUUID("user_id"));
      }
      Map<UUID, List<Rotation.Override>> overrides = new HashMap<>();
      for (Row r : overrideF.result()) {
        overrides.computeIfAbsent(r.getUUID("rotation_id"), k -> new ArrayList<>()).add(new Rotation.Override(
            r.getUUID("id"), r.getUUID("user_id"), IncidentRow.instant(r, "starts_at"),
            IncidentRow.instant(r, "ends_at"), IncidentRow.instant(r, "created_at")));
      }
      Map<UUID, Rotation> out = new LinkedHashMap<>();
      for (Row r : rotF.result()) {
        UUID id = r.getUUID("id");
        out.put(id, new Rotation(id, clinicId, r.getString("name"), ZoneId.of(r.getString("time_zone")),
            r.getLocalTime("handoff_time"), r.getInteger("shift_days"), r.getLocalDate("start_date"),
            members.getOrDefault(id, List.of()), overrides.getOrDefault(id, List.of())));
      }
      return out;
    });
  }

  /** Ids of the clinic's enabled clinical staff (therapists and on-call), who alone may be paged. */
  Future<Set<UUID>> enabledStaff(SqlClient c, UUID clinicId) {
    return c.preparedQuery("SELECT id FROM app_user WHERE clinic_id = $1 AND disabled_at IS NULL"
            + " AND roles && ARRAY['therapist', 'oncall']::text[]").execute(Tuple.of(clinicId))
        .map(rows -> {
          Set<UUID> out = new HashSet<>();
          rows.forEach(r -> out.add(r.getUUID(0)));
          return out;
        });
  }

  /**
   * The clinic's policies (all, or only the default / one id), with levels and targets. The
   * levels and targets are selected through the same filter as the policies, so the three reads
   * go out together.
   */
  Future<List<Policy>> policies(SqlClient c, UUID clinicId, boolean defaultOnly, UUID onlyId) {
    String which = " p.clinic_id = $1 AND ($2 = false OR p.is_default) AND ($3::uuid IS NULL OR p.id = $3)";
    Tuple args = Tuple.of(clinicId, defaultOnly, onlyId);
    Future<RowSet<Row>> pF = c.preparedQuery("SELECT p.id, p.name, p.is_default, p.repeat_count, p.ack_timeout_seconds"
        + " FROM escalation_policy p WHERE" + which + " ORDER BY p.name").execute(args);
    Future<RowSet<Row>> lF = c.preparedQuery("SELECT l.policy_id, l.position, l.wait_critical_seconds, l.wait_high_seconds"
        + " FROM escalation_level l JOIN escalation_policy p ON p.id = l.policy_id WHERE" + which
        + " ORDER BY l.policy_id, l.position").execute(args);
    Future<RowSet<Row>> tF = c.preparedQuery("SELECT t.policy_id, t.position, t.rotation_id, t.user_id"
        + " FROM escalation_target t JOIN escalation_policy p ON p.id = t.policy_id WHERE" + which
        + " ORDER BY t.policy_id, t.position, t.ordinal").execute(args);
    return Flight.all(pF, lF, tF).map(all -> {
      Map<String, List<Policy.Target>> targets = new HashMap<>();
      for (Row t : tF.result()) {
        targets.computeIfAbsent(t.getUUID("policy_id") + "/" + t.getInteger("position"), k -> new ArrayList<>())
            .add(new Policy.Target(t.getUUID("rotation_id"), t.getUUID("user_id")));
      }
      Map<UUID, List<Policy.Level>> levels = new HashMap<>();
      for (Row l : lF.result()) {
        UUID pid = l.getUUID("policy_id");
        levels.computeIfAbsent(pid, k -> new ArrayList<>()).add(new Policy.Level(
            Duration.ofSeconds(l.getInteger("wait_critical_seconds")),
            Duration.ofSeconds(l.getInteger("wait_high_seconds")),
            targets.getOrDefault(pid + "/" + l.getInteger("position"), List.of())));
      }
      List<Policy> out = new ArrayList<>();
      for (Row p : pF.result()) {
        UUID pid = p.getUUID("id");
        out.add(new Policy(pid, clinicId, p.getString("name"), p.getBoolean("is_default"),
            p.getInteger("repeat_count"), Duration.ofSeconds(p.getInteger("ack_timeout_seconds")),
            levels.getOrDefault(pid, List.of())));
      }
      return out;
    });
  }

  /**
   * The chain for an incident of {@code clientId} starting at {@code now}: the clinic's default
   * policy resolved at {@code now}, or, without one, the fallback chain (every enabled on-call
   * staff member, then the client's care team; default waits; no repeat).
   */
  Future<PolicySnapshot> snapshot(SqlClient c, UUID clinicId, UUID clientId, Instant now) {
    // Rotations and staff are read alongside the policy, though a clinic without a default policy
    // does not need them: one round trip instead of two on the crisis path.
    Future<List<Policy>> policyF = policies(c, clinicId, true, null);
    Future<Map<UUID, Rotation>> rotF = rotations(c, clinicId, now);
    Future<Set<UUID>> staffF = enabledStaff(c, clinicId);
    return Flight.all(policyF, rotF, staffF).compose(all -> {
      List<Policy> list = policyF.result();
      if (!list.isEmpty()) {
        return Future.succeededFuture(list.get(0).snapshot(rotF.result(), staffF.result(), now));
      }
      return c.preparedQuery("SELECT id FROM app_user WHERE clinic_id = $1 AND disabled_at IS NULL"
              + " AND 'oncall' = ANY(roles) ORDER BY display_name, id").execute(Tuple.of(clinicId))
          .compose(oncall -> c.preparedQuery("SELECT u.id FROM care_team ct JOIN app_user u ON u.id = ct.therapist_id"
                  + " WHERE ct.client_id = $1 AND u.disabled_at IS NULL ORDER BY ct.added_at, u.id").execute(Tuple.of(clientId))
              .map(team -> {
                List<UUID> first = new ArrayList<>();
                oncall.forEach(r -> first.add(r.getUUID(0)));
                List<UUID> second = new ArrayList<>();
                team.forEach(r -> second.add(r.getUUID(0)));
                return new PolicySnapshot(null, now, 0, Policy.DEFAULT_ACK_TIMEOUT, List.of(
                    new PolicySnapshot.Level(first, Policy.DEFAULT_WAIT_CRITICAL, Policy.DEFAULT_WAIT_HIGH),
                    new PolicySnapshot.Level(second, Policy.DEFAULT_WAIT_CRITICAL, Policy.DEFAULT_WAIT_HIGH)));
              }));
    });
  }

  // ---- administration ----

  private Future<Void> checkStaff(SqlConnection tx, UUID clinicId, List<UUID> users, String field) {
    if (users.isEmpty()) {
      return Future.succeededFuture();
    }
    return tx.preparedQuery("SELECT count(*) FROM app_user WHERE id = ANY($1) AND clinic_id = $2 AND disabled_at IS NULL"
            + " AND roles && ARRAY['therapist', 'oncall']::text[]")
        .execute(Tuple.of(users.stream().distinct().toArray(UUID[]::new), clinicId))
        .compose(rows -> rows.iterator().next().getLong(0) == users.stream().distinct().count()
            ? Future.succeededFuture()
            : Future.failedFuture(new InvalidInput("invalid_user", field,
                "every person must be an enabled therapist or on-call staff member of this clinic")));
  }

  private Future<Void> checkRotations(SqlConnection tx, UUID clinicId, List<UUID> rotations, String field) {
    if (rotations.isEmpty()) {
      return Future.succeededFuture();
    }
    UUID[] ids = rotations.stream().distinct().toArray(UUID[]::new);
    return tx.preparedQuery("SELECT count(*) FROM oncall_rotation WHERE id = ANY($1) AND clinic_id = $2")
        .execute(Tuple.of(ids, clinicId))
        .compose(rows -> rows.iterator().next().getLong(0) == ids.length
            ? Future.succeededFuture()
            : Future.failedFuture(new InvalidInput("invalid_rotation", field, "no such rotation in this clinic")));
  }

  private Future<Void> record(SqlConnection tx, Actor admin, String action, String type, UUID id) {
    return audit.record(tx, AuditEvent.of(action).clinic(admin.clinicId()).actor(admin.userId(), admin.auditRole())
        .object(type, id).source(admin.sourceIp(), admin.correlationId()).build());
  }

  private static <T> Future<T> duplicateName(Throwable t) {
    Throwable m = PgErrors.map(t);
    if (m instanceof StorageException.Duplicate) {
      return Future.failedFuture(new InvalidInput("name_taken", "name", "that name is already in use"));
    }
    return Future.failedFuture(m);
  }

  /** Creates a rotation in the admin's clinic. */
  public Future<UUID> createRotation(Actor admin, RotationSpec spec) {
    UUID id = UUID.randomUUID();
    Instant now = clock.instant();
    return Access.requireRole(admin, Role.ADMIN).compose(v -> audit.transaction(pool, tx ->
        checkStaff(tx, admin.clinicId(), spec.members(), "members")
            .compose(x -> tx.preparedQuery("INSERT INTO oncall_rotation (id, clinic_id, name, time_zone, handoff_time,"
                    + " shift_days, start_date, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$8)")
                .execute(Tuple.from(new Object[] {id, admin.clinicId(), spec.name(), spec.zone().getId(), spec.handoffTime(),
                    spec.shiftDays(), spec.startDate(), Times.odt(now)})))
            .compose(x -> insertMembers(tx, id, spec.members()))
            .compose(x -> record(tx, admin, "oncall.rotation.create", "oncall_rotation", id))
            .map(x -> id))).recover(OnCallSchedules::duplicateName);
  }

  /** Replaces a rotation's definition and members (overrides stay). */
  public Future<Void> updateRotation(Actor admin, UUID rotationId, RotationSpec spec) {
    Instant now = clock.instant();
    return Access.requireRole(admin, Role.ADMIN).compose(v -> audit.transaction(pool, tx ->
        tx.preparedQuery("UPDATE oncall_rotation SET name = $3, time_zone = $4, handoff_time = $5, shift_days = $6,"
                + " start_date = $7, updated_at = $8 WHERE id = $1 AND clinic_id = $2")
            .execute(Tuple.from(new Object[] {rotationId, admin.clinicId(), spec.name(), spec.zone().getId(),
                spec.handoffTime(), spec.shiftDays(), spec.startDate(), Times.odt(now)}))
            .compose(r -> r.rowCount() == 0 ? Future.<Void>failedFuture(Denied.notFound("rotation"))
                : checkStaff(tx, admin.clinicId(), spec.members(), "members"))
            .compose(x -> tx.preparedQuery("DELETE FROM oncall_rotation_member WHERE rotation_id = $1")
                .execute(Tuple.of(rotationId)))
            .compose(x -> insertMembers(tx, rotationId, spec.members()))
            .compose(x -> record(tx, admin, "oncall.rotation.update", "oncall_rotation", rotationId))))
        .recover(OnCallSchedules::duplicateName);
  }

  private static Future<Void> insertMembers(SqlConnection tx, UUID rotationId, List<UUID> members) {
    List<Tuple> batch = new ArrayList<>();
    for (int i = 0; i < members.size(); i++) {
      batch.add(Tuple.of(rotationId, i, members.get(i)));
    }
    return tx.preparedQuery("INSERT INTO oncall_rotation_member (rotation_id, position, user_id) VALUES ($1,$2,$3)")
        .executeBatch(batch).mapEmpty();
  }

  /** Puts {@code userId} on call instead of the rotation's member between the two instants. */
  public Future<UUID> addOverride(Actor admin, UUID rotationId, UUID userId, Instant startsAt, Instant endsAt) {
    if (startsAt == null || endsAt == null || !endsAt.isAfter(startsAt)) {
      return Future.failedFuture(new InvalidInput("invalid_interval", "endsAt", "endsAt must be after startsAt"));
    }
    if (Duration.between(startsAt, endsAt).compareTo(Duration.ofDays(90)) > 0) {
      return Future.failedFuture(new InvalidInput("invalid_interval", "endsAt", "an override lasts at most 90 days"));
    }
    if (!endsAt.isAfter(clock.instant())) {
      return Future.failedFuture(new InvalidInput("invalid_interval", "endsAt", "the override has already ended"));
    }
    UUID id = UUID.randomUUID();
    return Access.requireRole(admin, Role.ADMIN).compose(v -> audit.transaction(pool, tx ->
        tx.preparedQuery("SELECT 1 FROM oncall_rotation WHERE id = $1 AND clinic_id = $2")
            .execute(Tuple.of(rotationId, admin.clinicId()))
            .compose(r -> r.size() == 0 ? Future.<Void>failedFuture(Denied.notFound("rotation"))
                : checkStaff(tx, admin.clinicId(), List.of(userId), "userId"))
            .compose(x -> tx.preparedQuery("INSERT INTO oncall_override (id, rotation_id, user_id, starts_at, ends_at,"
                    + " created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7)")
                .execute(Tuple.from(new Object[] {id, rotationId, userId, Times.odt(startsAt), Times.odt(endsAt),
                    admin.userId(), Times.odt(clock.instant())})))
            .compose(x -> record(tx, admin, "oncall.override.create", "oncall_override", id))
            .map(x -> id)).recover(PgErrors::recover));
  }

  public Future<Void> deleteOverride(Actor admin, UUID overrideId) {
    return Access.requireRole(admin, Role.ADMIN).compose(v -> audit.transaction(pool, tx ->
        tx.preparedQuery("DELETE FROM oncall_override o USING oncall_rotation r WHERE o.id = $1 AND r.id = o.rotation_id"
                + " AND r.clinic_id = $2").execute(Tuple.of(overrideId, admin.clinicId()))
            .compose(r -> r.rowCount() == 0 ? Future.<Void>failedFuture(Denied.notFound("override"))
                : record(tx, admin, "oncall.override.delete", "oncall_override", overrideId)))
        .recover(PgErrors::recover));
  }

  /** The clinic's rotations with members, who is on call now, and overrides not yet ended. */
  public Future<JsonArray> listRotations(Actor admin) {
    Instant now = clock.instant();
    return Access.requireRole(admin, Role.ADMIN)
        .compose(v -> rotations(pool, admin.clinicId(), now))
        .compose(rots -> names(admin.clinicId()).map(names -> {
          JsonArray out = new JsonArray();
          for (Rotation r : rots.values()) {
            JsonArray members = new JsonArray();
            r.members().forEach(u -> members.add(person(u, names)));
            JsonArray overrides = new JsonArray();
            for (Rotation.Override o : r.overrides()) {
              overrides.add(new JsonObject().put("id", o.id().toString()).put("userId", o.userId().toString())
                  .put("displayName", names.get(o.userId())).put("startsAt", o.startsAt().toString())
                  .put("endsAt", o.endsAt().toString()));
            }
            Optional<UUID> current = r.onCallAt(now);
            out.add(new JsonObject().put("id", r.id().toString()).put("name", r.name()).put("timeZone", r.zone().getId())
                .put("handoffTime", r.handoffTime().toString()).put("shiftDays", r.shiftDays())
                .put("startDate", r.startDate().toString()).put("members", members).put("overrides", overrides)
                .put("onCallNow", current.map(u -> (Object) person(u, names)).orElse(null)));
          }
          return out;
        }));
  }

  private static JsonObject person(UUID id, Map<UUID, String> names) {
    return new JsonObject().put("userId", id.toString()).put("displayName", names.get(id));
  }

  /** Display names of the clinic's staff (not clients): admins manage staff, not clinical data. */
  private Future<Map<UUID, String>> names(UUID clinicId) {
    return pool.preparedQuery("SELECT id, display_name FROM app_user WHERE clinic_id = $1 AND NOT ('client' = ANY(roles))")
        .execute(Tuple.of(clinicId)).map(rows -> {
          Map<UUID, String> out = new HashMap<>();
          rows.forEach(r -> out.put(r.getUUID(0), r.getString(1)));
          return out;
        });
  }

  /** Creates a policy; the answer carries the coverage gaps of the next 14 days. */
  public Future<JsonObject> createPolicy(Actor admin, PolicySpec spec) {
    UUID id = UUID.randomUUID();
    return Access.requireRole(admin, Role.ADMIN).compose(v -> audit.transaction(pool, tx ->
            validateTargets(tx, admin.clinicId(), spec)
                .compose(x -> clearDefault(tx, admin.clinicId(), id, spec.isDefault()))
                .compose(x -> tx.preparedQuery("INSERT INTO escalation_policy (id, clinic_id, name, is_default, repeat_count,"
                        + " ack_timeout_seconds, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$7)")
                    .execute(Tuple.from(new Object[] {id, admin.clinicId(), spec.name(), spec.isDefault(), spec.repeat(),
                        (int) spec.ackTimeout().toSeconds(), Times.odt(clock.instant())})))
                .compose(x -> insertLevels(tx, id, spec))
                .compose(x -> record(tx, admin, "escalation.policy.create", "escalation_policy", id))))
        .recover(OnCallSchedules::duplicateName)
        .compose(x -> coverage(admin, id, null, null))
        .map(cov -> new JsonObject().put("id", id.toString()).put("coverageGaps", cov.getJsonArray("gaps")));
  }

  /** Replaces a policy; incidents already paging keep the snapshot they started with. */
  public Future<JsonObject> updatePolicy(Actor admin, UUID policyId, PolicySpec spec) {
    return Access.requireRole(admin, Role.ADMIN).compose(v -> audit.transaction(pool, tx ->
            // Another clinic's policy is "not found" before anything about the body is judged.
            tx.preparedQuery("SELECT 1 FROM escalation_policy WHERE id = $1 AND clinic_id = $2 FOR UPDATE")
                .execute(Tuple.of(policyId, admin.clinicId()))
                .compose(r -> r.size() == 0 ? Future.<Void>failedFuture(Denied.notFound("policy"))
                    : validateTargets(tx, admin.clinicId(), spec))
                .compose(x -> clearDefault(tx, admin.clinicId(), policyId, spec.isDefault()))
                .compose(x -> tx.preparedQuery("UPDATE escalation_policy SET name = $3, is_default = $4, repeat_count = $5,"
                        + " ack_timeout_seconds = $6, updated_at = $7 WHERE id = $1 AND clinic_id = $2")
                    .execute(Tuple.from(new Object[] {policyId, admin.clinicId(), spec.name(), spec.isDefault(),
                        spec.repeat(), (int) spec.ackTimeout().toSeconds(), Times.odt(clock.instant())})))
                .compose(r -> tx.preparedQuery("DELETE FROM escalation_level WHERE policy_id = $1").execute(Tuple.of(policyId))
                    .<Void>mapEmpty())
                .compose(x -> insertLevels(tx, policyId, spec))
                .compose(x -> record(tx, admin, "escalation.policy.update", "escalation_policy", policyId))))
        .recover(OnCallSchedules::duplicateName)
        .compose(x -> coverage(admin, policyId, null, null))
        .map(cov -> new JsonObject().put("id", policyId.toString()).put("coverageGaps", cov.getJsonArray("gaps")));
  }

  private Future<Void> validateTargets(SqlConnection tx, UUID clinicId, PolicySpec spec) {
    List<UUID> users = new ArrayList<>();
    List<UUID> rotations = new ArrayList<>();
    for (Policy.Level l : spec.levels()) {
      for (Policy.Target t : l.targets()) {
        if (t.userId() != null) {
          users.add(t.userId());
        } else {
          rotations.add(t.rotationId());
        }
      }
    }
    return checkStaff(tx, clinicId, users, "levels").compose(v -> checkRotations(tx, clinicId, rotations, "levels"));
  }

  private static Future<Void> clearDefault(SqlConnection tx, UUID clinicId, UUID keep, boolean makingDefault) {
    if (!makingDefault) {
      return Future.succeededFuture();
    }
    return tx.preparedQuery("UPDATE escalation_policy SET is_default = false WHERE clinic_id = $1 AND id <> $2 AND is_default")
        .execute(Tuple.of(clinicId, keep)).mapEmpty();
  }

  private static Future<Void> insertLevels(SqlConnection tx, UUID policyId, PolicySpec spec) {
    List<Tuple> levels = new ArrayList<>();
    List<Tuple> targets = new ArrayList<>();
    for (int i = 0; i < spec.levels().size(); i++) {
      Policy.Level l = spec.levels().get(i);
      levels.add(Tuple.of(policyId, i, (int) l.waitCritical().toSeconds(), (int) l.waitHigh().toSeconds()));
      for (int j = 0; j < l.targets().size(); j++) {
        Policy.Target t = l.targets().get(j);
        targets.add(Tuple.of(policyId, i, j, t.rotationId(), t.userId()));
      }
    }
    return tx.preparedQuery("INSERT INTO escalation_level (policy_id, position, wait_critical_seconds, wait_high_seconds)"
            + " VALUES ($1,$2,$3,$4)").executeBatch(levels)
        .compose(r -> tx.preparedQuery("INSERT INTO escalation_target (policy_id, position, ordinal, rotation_id, user_id)"
            + " VALUES ($1,$2,$3,$4,$5)").executeBatch(targets))
        .mapEmpty();
  }

  /** The clinic's policies as JSON. */
  public Future<JsonArray> listPolicies(Actor admin) {
    return Access.requireRole(admin, Role.ADMIN).compose(v -> policies(pool, admin.clinicId(), false, null)).map(list -> {
      JsonArray out = new JsonArray();
      for (Policy p : list) {
        out.add(policyJson(p));
      }
      return out;
    });
  }

  static JsonObject policyJson(Policy p) {
    JsonArray levels = new JsonArray();
    for (Policy.Level l : p.levels()) {
      JsonArray targets = new JsonArray();
      for (Policy.Target t : l.targets()) {
        targets.add(t.userId() != null ? new JsonObject().put("userId", t.userId().toString())
            : new JsonObject().put("rotationId", t.rotationId().toString()));
      }
      levels.add(new JsonObject().put("waitCriticalSeconds", l.waitCritical().toSeconds())
          .put("waitHighSeconds", l.waitHigh().toSeconds()).put("targets", targets));
    }
    return new JsonObject().put("id", p.id().toString()).put("name", p.name()).put("isDefault", p.isDefault())
        .put("repeat", p.repeat()).put("ackTimeoutMinutes", p.ackTimeout().toMinutes()).put("levels", levels);
  }

  /**
   * The coverage gaps of a policy (the default one when {@code policyId} is null) over
   * {@code [from, from + span)} (defaults: now and 14 days): every interval in which a level
   * would page nobody. Without a default policy the answer says so in {@code warnings}.
   */
  public Future<JsonObject> coverage(Actor admin, UUID policyId, Instant from, Duration span) {
    Instant start = from == null ? clock.instant() : from;
    Duration d = span == null ? COVERAGE_DEFAULT_SPAN : span;
    if (d.isNegative() || d.isZero() || d.compareTo(Duration.ofDays(90)) > 0) {
      return Future.failedFuture(new InvalidInput("invalid_days", "days", "check 1-90 days"));
    }
    Instant end = start.plus(d);
    return Access.requireRole(admin, Role.ADMIN)
        .compose(v -> policies(pool, admin.clinicId(), policyId == null, policyId))
        .compose(list -> {
          JsonObject out = new JsonObject().put("from", start.toString()).put("to", end.toString());
          if (list.isEmpty()) {
            if (policyId != null) {
              return Future.failedFuture(Denied.notFound("policy"));
            }
            return Future.succeededFuture(out.putNull("policyId").put("gaps", new JsonArray())
                .put("warnings", new JsonArray().add("no_default_policy")));
          }
          Policy p = list.get(0);
          return rotations(pool, admin.clinicId(), start).compose(rots -> enabledStaff(pool, admin.clinicId()).map(staff -> {
            JsonArray gaps = new JsonArray();
            for (Policy.Gap g : p.gaps(rots, staff, start, end)) {
              gaps.add(new JsonObject().put("level", g.level()).put("from", g.from().toString()).put("to", g.to().toString()));
            }
            JsonArray warnings = new JsonArray();
            if (!gaps.isEmpty()) {
              warnings.add("coverage_gap");
            }
            return out.put("policyId", p.id().toString()).put("gaps", gaps).put("warnings", warnings);
          }));
        });
  }

  // ---- demo ----

  /**
   * Seeds the demo clinic's on-call set-up inside the caller's transaction: a "Primary on call"
   * rotation with {@code primary} alone (on call around the clock, from {@code today}), a "Backup
   * on call" rotation with {@code backup}, and the default policy primary → backup →
   * {@code lead} with the default waits, one repeat and a 60-minute acknowledgement timeout.
   */
  public static Future<Void> seedDemo(SqlClient tx, UUID clinicId, String timeZone, UUID primary, UUID backup, UUID lead,
      Clock clock) {
    Instant now = clock.instant();
    ZoneId zone = ZoneId.of(timeZone);
    java.time.LocalDate start = now.atZone(zone).toLocalDate().minusDays(1);
    UUID primaryRotation = UUID.randomUUID();
    UUID backupRotation = UUID.randomUUID();
    UUID policy = UUID.randomUUID();
    String insertRotation = "INSERT INTO oncall_rotation (id, clinic_id, name, time_zone, handoff_time, shift_days,"
        + " start_date, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,7,$6,$7,$7)";
    return tx.preparedQuery(insertRotation).execute(Tuple.from(new Object[] {primaryRotation, clinicId, "Primary on call",
            zone.getId(), LocalTime.of(8, 0), start, Times.odt(now)}))
        .compose(r -> tx.preparedQuery(insertRotation).execute(Tuple.from(new Object[] {backupRotation, clinicId,
            "Backup on call", zone.getId(), LocalTime.of(8, 0), start, Times.odt(now)})))
        .compose(r -> tx.preparedQuery("INSERT INTO oncall_rotation_member (rotation_id, position, user_id) VALUES ($1,0,$2)")
            .executeBatch(List.of(Tuple.of(primaryRotation, primary), Tuple.of(backupRotation, backup))))
        .compose(r -> tx.preparedQuery("INSERT INTO escalation_policy (id, clinic_id, name, is_default, repeat_count,"
                + " ack_timeout_seconds, created_at, updated_at) VALUES ($1,$2,'Default',true,1,$3,$4,$4)")
            .execute(Tuple.of(policy, clinicId, (int) Policy.DEFAULT_ACK_TIMEOUT.toSeconds(), Times.odt(now))))
        .compose(r -> tx.preparedQuery("INSERT INTO escalation_level (policy_id, position, wait_critical_seconds,"
                + " wait_high_seconds) VALUES ($1,$2,$3,$4)")
            .executeBatch(List.of(0, 1, 2).stream().map(i -> Tuple.of(policy, i,
                (int) Policy.DEFAULT_WAIT_CRITICAL.toSeconds(), (int) Policy.DEFAULT_WAIT_HIGH.toSeconds())).toList()))
        .compose(r -> tx.preparedQuery("INSERT INTO escalation_target (policy_id, position, ordinal, rotation_id, user_id)"
                + " VALUES ($1,$2,0,$3,$4)")
            .executeBatch(List.of(Tuple.of(policy, 0, primaryRotation, null), Tuple.of(policy, 1, backupRotation, null),
                Tuple.of(policy, 2, null, lead))))
        .mapEmpty();
  }
}
