package org.interlude.app;

import io.vertx.core.Future;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.interlude.escalation.OnCallSchedules;
import org.interlude.identity.Role;

/**
 * Seeds the demo clinic for {@code scripts/run --demo}: "Demo Clinic" (United States,
 * America/New_York) with a client Alex Morgan, a client Jordan Lee, their therapist Dr. Sam
 * Rivera, on-call Casey Kim (primary) and Robin Park (backup), and an admin, all with the
 * password {@value #PASSWORD}, and the escalation chain Casey → Robin → Dr. Rivera.
 * Insecure by design; Main prints a warning. Idempotent: does
 * nothing when the clinic exists.
 */
final class DemoClinic {
  static final String PASSWORD = "interlude-demo";
  static final String NAME = "Demo Clinic";

  private DemoClinic() {}

  record Person(String username, String displayName, Set<Role> roles) {}

  static final java.util.List<Person> PEOPLE = java.util.List.of(
      new Person("client", "Alex Morgan", EnumSet.of(Role.CLIENT)),
      new Person("client2", "Jordan Lee", EnumSet.of(Role.CLIENT)),
      new Person("therapist", "Dr. Sam Rivera", EnumSet.of(Role.THERAPIST)),
      new Person("oncall", "Casey Kim", EnumSet.of(Role.ONCALL)),
      new Person("oncall2", "Robin Park", EnumSet.of(Role.ONCALL)),
      new Person("admin", "Demo Administrator", EnumSet.of(Role.ADMIN)));

  static Future<Void> seed(Features.Services s) {
    var store = s.identityStore();
    return store.clinicByName(NAME).compose(existing -> {
      if (existing.isPresent()) {
        return Future.succeededFuture();
      }
      return s.passwords().hashNew(PASSWORD).compose(hash -> store.pool().withTransaction(tx ->
          store.createClinic(tx, NAME, "US", "America/New_York", "Monday to Friday, 9:00 to 17:00 (Eastern)")
              .compose(clinic -> {
                Map<String, UUID> ids = new java.util.HashMap<>();
                Future<Void> f = Future.succeededFuture();
                for (Person p : PEOPLE) {
                  f = f.compose(v -> store.insertUser(tx, clinic.id(), p.username(), p.displayName(), p.roles(), hash,
                      "America/New_York").map(id -> {
                        ids.put(p.username(), id);
                        return null;
                      }));
                }
                return f.compose(v -> tx.preparedQuery("INSERT INTO care_team (client_id, therapist_id) VALUES ($1,$3), ($2,$3)")
                        .execute(io.vertx.sqlclient.Tuple.of(ids.get("client"), ids.get("client2"), ids.get("therapist"))))
                    // Casey Kim primary on call around the clock, Robin Park backup, Dr. Sam Rivera last.
                    .compose(v -> OnCallSchedules.seedDemo(tx, clinic.id(), "America/New_York", ids.get("oncall"),
                        ids.get("oncall2"), ids.get("therapist"), s.clock()));
              })));
    });
  }
}
