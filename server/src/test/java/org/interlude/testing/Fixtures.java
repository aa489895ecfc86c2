package org.interlude.testing;

import io.vertx.core.Future;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.interlude.app.Server;
import org.interlude.identity.Role;

/**
 * Builds clinics and users directly through a running node's services (real database, real
 * hashing), so tests can set up several clinics and care teams quickly.
 */
public final class Fixtures {
  public static final String PASSWORD = "correct-horse-battery-staple-42";

  private Fixtures() {}

  /** A clinic and its users by username. */
  public record Clinic(UUID id, Map<String, UUID> users) {
    public UUID user(String username) {
      UUID id = users.get(username);
      if (id == null) {
        throw new IllegalArgumentException("no fixture user " + username);
      }
      return id;
    }
  }

  static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("fixture step failed: " + e, e);
    }
  }

  /**
   * Creates a clinic with, for prefix p: p-client, p-client2, p-therapist (care team of p-client
   * only), p-therapist2 (no clients), p-oncall, p-admin. All share {@link #PASSWORD}.
   */
  public static Clinic clinic(Server server, String prefix) {
    var s = server.features().services();
    var store = s.identityStore();
    String hash = await(s.passwords().hashNew(PASSWORD));
    Map<String, Set<Role>> people = new LinkedHashMap<>();
    people.put(prefix + "-client", EnumSet.of(Role.CLIENT));
    people.put(prefix + "-client2", EnumSet.of(Role.CLIENT));
    people.put(prefix + "-therapist", EnumSet.of(Role.THERAPIST));
    people.put(prefix + "-therapist2", EnumSet.of(Role.THERAPIST));
    people.put(prefix + "-oncall", EnumSet.of(Role.ONCALL));
    people.put(prefix + "-admin", EnumSet.of(Role.ADMIN));
    return await(store.pool().withTransaction(tx -> store.createClinic(tx, prefix + " Clinic", "US", "America/New_York",
            "Monday to Friday, 9:00 to 17:00")
        .compose(clinic -> {
          Map<String, UUID> ids = new LinkedHashMap<>();
          Future<Void> f = Future.succeededFuture();
          for (var e : people.entrySet()) {
            f = f.compose(v -> store.insertUser(tx, clinic.id(), e.getKey(), displayName(e.getKey()), e.getValue(), hash,
                "America/New_York").map(id -> {
                  ids.put(e.getKey(), id);
                  return null;
                }));
          }
          return f.compose(v -> tx.preparedQuery("INSERT INTO care_team (client_id, therapist_id) VALUES ($1, $2)")
                  .execute(io.vertx.sqlclient.Tuple.of(ids.get(prefix + "-client"), ids.get(prefix + "-therapist"))))
              .map(v -> new Clinic(clinic.id(), Map.copyOf(ids)));
        })));
  }

  /** A display name derived from the username, distinct per user. */
  public static String displayName(String username) {
    return "Person " + username;
  }
}
