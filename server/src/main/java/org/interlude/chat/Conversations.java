package org.interlude.chat;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.interlude.cluster.Addresses;
import org.interlude.cluster.Bus;
import org.interlude.crypto.DataKeys;
import org.interlude.crypto.TamperedCiphertextException;
import org.interlude.crypto.WrappedKey;
import org.interlude.identity.Actor;
import org.interlude.identity.Denied;
import org.interlude.storage.PgErrors;

/**
 * Finds conversations and decides who takes part. Membership follows the authorisation rules of
 * {@link org.interlude.identity.Access}: the client, their care team, staff routed to the client
 * by an open incident, and staff holding an unexpired break-glass access. Entries are cached for
 * a few seconds and dropped at once on {@link Addresses#ACCESS_CHANGED}, so a removed therapist
 * loses access within the bus latency (and at the latest when the entry expires).
 */
public final class Conversations {
  private static final Duration TTL = Duration.ofSeconds(10);

  private final Pool pool;
  private final DataKeys dataKeys;
  private final Clock clock;
  private final Map<UUID, Conversation> byId = new ConcurrentHashMap<>();
  private final Map<UUID, UUID> idByClient = new ConcurrentHashMap<>();
  // Concurrent lookups of one conversation share one load, and their callbacks run in arrival
  // order: a burst of sends on a cold cache still reaches the writer in the order it was sent.
  private final Map<UUID, Future<Optional<Conversation>>> loading = new ConcurrentHashMap<>();

  public Conversations(Pool pool, DataKeys dataKeys, Bus bus, Clock clock) {
    this.pool = pool;
    this.dataKeys = dataKeys;
    this.clock = clock;
    bus.subscribe(Addresses.ACCESS_CHANGED, changed -> evictClient(changed.clientId()));
  }

  static String keyScope(UUID conversationId) {
    return "conversation/" + conversationId;
  }

  public void evictClient(UUID clientId) {
    UUID id = idByClient.get(clientId);
    if (id != null) {
      byId.remove(id);
    }
  }

  /** The conversation if the actor takes part in it; NotFound otherwise (also when missing). */
  public Future<Conversation> forActor(Actor a, UUID conversationId) {
    return get(conversationId).compose(c -> c.isPresent() && c.get().clinicId().equals(a.clinicId())
        && c.get().hasParticipant(a.userId())
        ? Future.succeededFuture(c.get())
        : Future.failedFuture(Denied.notFound("conversation")));
  }

  public Future<Optional<Conversation>> get(UUID conversationId) {
    Conversation c = byId.get(conversationId);
    if (c != null && System.nanoTime() - c.loadedAtNanos() < TTL.toNanos()) {
      return Future.succeededFuture(Optional.of(c));
    }
    Future<Optional<Conversation>> inFlight = loading.get(conversationId);
    if (inFlight != null) {
      return inFlight;
    }
    Future<Optional<Conversation>> f = load(conversationId);
    if (!f.isComplete()) {
      loading.put(conversationId, f);
      f.onComplete(ar -> loading.remove(conversationId, f));
    }
    return f;
  }

  private Future<Optional<Conversation>> load(UUID conversationId) {
    OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    return pool.preparedQuery("SELECT c.id, c.clinic_id, c.client_id, c.dk_version, c.dk_wrapped FROM conversation c"
            + " WHERE c.id = $1").execute(Tuple.of(conversationId))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture(Optional.<Conversation>empty());
          }
          Row r = rows.iterator().next();
          UUID clientId = r.getUUID("client_id");
          byte[] key;
          try {
            key = dataKeys.unwrap(new WrappedKey(r.getInteger("dk_version"), r.getBuffer("dk_wrapped").getBytes()),
                keyScope(conversationId));
          } catch (TamperedCiphertextException e) {
            return Future.failedFuture(new IllegalStateException("conversation data key failed authentication"));
          }
          // Same membership rules as Access.client, seen from the conversation's side.
          return pool.preparedQuery("SELECT u.id, u.display_name, u.roles FROM app_user u WHERE u.disabled_at IS NULL AND ("
                  + " u.id = $1"
                  + " OR u.id IN (SELECT therapist_id FROM care_team WHERE client_id = $1)"
                  + " OR u.id IN (SELECT staff_id FROM incident_access WHERE client_id = $1)"
                  + " OR u.id IN (SELECT actor_id FROM break_glass WHERE client_id = $1 AND expires_at > $2))")
              .execute(Tuple.of(clientId, now))
              .map(people -> {
                Map<UUID, Participant> ps = new LinkedHashMap<>();
                for (Row p : people) {
                  ps.put(p.getUUID("id"), new Participant(p.getUUID("id"), p.getString("display_name"),
                      roleOf(p.getArrayOfStrings("roles"))));
                }
                Conversation c = new Conversation(conversationId, r.getUUID("clinic_id"), clientId, key, Map.copyOf(ps),
                    System.nanoTime());
                byId.put(conversationId, c);
                idByClient.put(clientId, conversationId);
                return Optional.of(c);
              });
        })
        .recover(PgErrors::recover);
  }

  private static String roleOf(String[] roles) {
    List<String> list = List.of(roles);
    return list.contains("client") ? "client" : list.contains("therapist") ? "therapist" : "oncall";
  }

  /** The client's conversation, created with a fresh wrapped data key on first use. */
  public Future<UUID> ensureForClient(UUID clinicId, UUID clientId) {
    UUID known = idByClient.get(clientId);
    if (known != null) {
      return Future.succeededFuture(known);
    }
    UUID id = UUID.randomUUID();
    byte[] key = dataKeys.newDataKey();
    WrappedKey wrapped = dataKeys.wrap(key, keyScope(id));
    java.util.Arrays.fill(key, (byte) 0);
    return pool.preparedQuery("INSERT INTO conversation (id, clinic_id, client_id, dk_version, dk_wrapped)"
            + " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (client_id) DO NOTHING")
        .execute(Tuple.of(id, clinicId, clientId, wrapped.version(), Buffer.buffer(wrapped.bytes())))
        .compose(r -> pool.preparedQuery("SELECT id FROM conversation WHERE client_id = $1").execute(Tuple.of(clientId)))
        .map(rows -> {
          UUID actual = rows.iterator().next().getUUID(0);
          idByClient.put(clientId, actual);
          return actual;
        })
        .recover(PgErrors::recover);
  }

  /**
   * The conversations the actor takes part in, creating a client's own on first connect: the
   * client's own; for staff, those of their care team, incident-routed and break-glass clients.
   */
  public Future<List<UUID>> idsFor(Actor a) {
    if (a.isClient()) {
      return ensureForClient(a.clinicId(), a.userId()).map(List::of);
    }
    OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    return pool.preparedQuery("SELECT u.id FROM app_user u WHERE u.clinic_id = $1 AND 'client' = ANY(u.roles)"
            + " AND u.disabled_at IS NULL AND (u.id IN (SELECT client_id FROM care_team WHERE therapist_id = $2)"
            + " OR u.id IN (SELECT client_id FROM incident_access WHERE staff_id = $2)"
            + " OR u.id IN (SELECT client_id FROM break_glass WHERE actor_id = $2 AND expires_at > $3))"
            + " ORDER BY u.display_name")
        .execute(Tuple.of(a.clinicId(), a.userId(), now))
        .compose(rows -> {
          List<Future<UUID>> ids = new ArrayList<>();
          for (Row r : rows) {
            ids.add(ensureForClient(a.clinicId(), r.getUUID(0)));
          }
          return Future.all(ids).map(cf -> {
            List<UUID> out = new ArrayList<>();
            for (int i = 0; i < cf.size(); i++) {
              out.add(cf.resultAt(i));
            }
            return out;
          });
        })
        .recover(PgErrors::recover);
  }

  /** Display names of users who may no longer take part (e.g. a former therapist's old messages). */
  public Future<Participant> person(UUID userId) {
    return pool.preparedQuery("SELECT id, display_name, roles FROM app_user WHERE id = $1").execute(Tuple.of(userId))
        .map(rows -> {
          Row r = rows.iterator().next();
          return new Participant(r.getUUID("id"), r.getString("display_name"), roleOf(r.getArrayOfStrings("roles")));
        })
        .recover(PgErrors::recover);
  }
}
