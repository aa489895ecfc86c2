package org.interlude.identity;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.Set;
import java.util.UUID;
import org.interlude.storage.PgErrors;

/**
 * The authorisation rules, called by every service before it touches an object. Nothing crosses
 * clinics. A client sees only themself; a therapist sees the clients of their care team; on-call
 * staff see a client while that client has an open incident routed to them; therapists and
 * on-call staff see any client of their clinic for the duration of a break-glass access. Admins
 * manage users but read no clinical data. Every denial is {@link Denied#notFound}, so a
 * forbidden object looks exactly like a missing one.
 */
public final class Access {
  private final Pool pool;
  private final Clock clock;

  public Access(Pool pool, Clock clock) {
    this.pool = pool;
    this.clock = clock;
  }

  /** Succeeds when the actor holds any of {@code roles}. */
  public static Future<Void> requireRole(Actor a, Set<Role> roles) {
    return a.hasAny(roles) ? Future.succeededFuture() : Future.failedFuture(Denied.notFound("resource"));
  }

  public static Future<Void> requireRole(Actor a, Role first, Role... more) {
    return requireRole(a, EnumSet.of(first, more));
  }

  /**
   * The client {@code clientId}, when the actor may see that client's clinical record (chat,
   * check-ins, trends, dosing sessions); fails with NotFound otherwise.
   */
  public Future<User> client(Actor a, UUID clientId) {
    boolean therapist = a.has(Role.THERAPIST);
    boolean clinical = therapist || a.has(Role.ONCALL);
    OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    return pool.preparedQuery("SELECT " + User.COLUMNS + " FROM app_user u WHERE u.id = $1 AND u.clinic_id = $2"
            + " AND 'client' = ANY(u.roles) AND ("
            + "   u.id = $3"
            + "   OR ($4 AND EXISTS (SELECT 1 FROM care_team ct WHERE ct.client_id = u.id AND ct.therapist_id = $3))"
            + "   OR ($5 AND EXISTS (SELECT 1 FROM break_glass b WHERE b.actor_id = $3 AND b.client_id = u.id"
            + "        AND b.expires_at > $6))"
            + "   OR ($5 AND EXISTS (SELECT 1 FROM incident_access ia WHERE ia.client_id = u.id AND ia.staff_id = $3))"
            + ")")
        .execute(Tuple.from(new Object[] {clientId, a.clinicId(), a.userId(), therapist, clinical, now}))
        .recover(PgErrors::recover)
        .compose(rows -> rows.size() == 0
            ? Future.failedFuture(Denied.notFound("client"))
            : Future.succeededFuture(User.from(rows.iterator().next())));
  }

  /** A user of the actor's own clinic (admin actions); NotFound for anyone elsewhere. */
  public Future<User> clinicUser(Actor a, UUID userId) {
    return pool.preparedQuery("SELECT " + User.COLUMNS + " FROM app_user u WHERE u.id = $1 AND u.clinic_id = $2")
        .execute(Tuple.of(userId, a.clinicId()))
        .recover(PgErrors::recover)
        .compose(rows -> rows.size() == 0
            ? Future.failedFuture(Denied.notFound("user"))
            : Future.succeededFuture(User.from(rows.iterator().next())));
  }
}
