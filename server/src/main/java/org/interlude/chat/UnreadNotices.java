package org.interlude.chat;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.interlude.storage.PgErrors;

/**
 * Raises a notice to the care team when a client's message has waited unread by every therapist
 * of the care team for longer than the configured time. At most one notice per waiting message
 * (the {@code unread_notice} row is the guard, so several nodes may run this at once). The
 * notice names the client only by id and carries no message content.
 */
public final class UnreadNotices {
  /** A notice raised: the care team to tell, and about which client. */
  public record Raised(UUID clinicId, UUID clientId, List<UUID> therapists, OffsetDateTime at) {}

  private final Pool pool;
  private final Clock clock;
  private final Duration after;

  public UnreadNotices(Pool pool, Clock clock, Duration after) {
    this.pool = pool;
    this.clock = clock;
    this.after = after;
  }

  public Future<List<Raised>> run() {
    OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    OffsetDateTime due = now.minus(after);
    // Only recent waits (one day past the threshold): older ones were either raised already or
    // predate this feature's history.
    return pool.withTransaction(tx -> tx.preparedQuery("WITH waiting AS ("
            + " SELECT c.id, c.clinic_id, c.client_id, c.last_client_seq AS seq FROM conversation c"
            + " WHERE c.last_client_at IS NOT NULL AND c.last_client_at <= $1 AND c.last_client_at > $2"
            + " AND NOT EXISTS (SELECT 1 FROM read_marker r JOIN care_team ct ON ct.therapist_id = r.user_id"
            + "   AND ct.client_id = c.client_id WHERE r.conversation_id = c.id AND r.seq >= c.last_client_seq))"
            + " INSERT INTO unread_notice (conversation_id, seq, raised_at) SELECT id, seq, $3 FROM waiting"
            + " ON CONFLICT DO NOTHING RETURNING conversation_id")
        .execute(Tuple.of(due, due.minusDays(1), now))
        .compose(raised -> {
          if (raised.rowCount() == 0) {
            return Future.succeededFuture(List.<Raised>of());
          }
          List<UUID> convs = new ArrayList<>();
          raised.forEach(r -> convs.add(r.getUUID(0)));
          return tx.preparedQuery("SELECT c.clinic_id, c.client_id, array_agg(ct.therapist_id) AS team FROM conversation c"
                  + " JOIN care_team ct ON ct.client_id = c.client_id WHERE c.id = ANY($1) GROUP BY c.clinic_id, c.client_id")
              .execute(Tuple.tuple().addArrayOfUUID(convs.toArray(UUID[]::new)))
              .compose(rows -> {
                List<Raised> out = new ArrayList<>();
                List<UUID> clinics = new ArrayList<>();
                List<UUID> users = new ArrayList<>();
                List<UUID> clients = new ArrayList<>();
                for (Row r : rows) {
                  List<UUID> team = List.of(r.getArrayOfUUIDs("team"));
                  out.add(new Raised(r.getUUID("clinic_id"), r.getUUID("client_id"), team, now));
                  for (UUID t : team) {
                    clinics.add(r.getUUID("clinic_id"));
                    users.add(t);
                    clients.add(r.getUUID("client_id"));
                  }
                }
                return tx.preparedQuery("INSERT INTO staff_notice (clinic_id, user_id, kind, client_id, created_at)"
                        + " SELECT c, u, 'unread_messages', cl, $4 FROM unnest($1::uuid[], $2::uuid[], $3::uuid[]) AS x(c, u, cl)")
                    .execute(Tuple.of(clinics.toArray(UUID[]::new), users.toArray(UUID[]::new),
                        clients.toArray(UUID[]::new), now))
                    .map(x -> out);
              });
        }))
        .recover(PgErrors::recover);
  }
}
