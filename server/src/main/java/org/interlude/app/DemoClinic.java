package org.interlude.app;

import io.vertx.core.Future;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.interlude.checkin.CheckinModule;
import org.interlude.escalation.OnCallSchedules;
import org.interlude.identity.Actor;
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
      Map<String, UUID> ids = new java.util.concurrent.ConcurrentHashMap<>();
      UUID[] clinicId = new UUID[1];
      return s.passwords().hashNew(PASSWORD).compose(hash -> store.pool().withTransaction(tx ->
          store.createClinic(tx, NAME, "US", "America/New_York", "Monday to Friday, 9:00 to 17:00 (Eastern)")
              .compose(clinic -> {
                clinicId[0] = clinic.id();
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
              })))
          .compose(v -> CheckinModule.seedDemoHistory(store.pool(), s.dataKeys(), s.clock(), ids.get("client"),
              ids.get("therapist")))
          .compose(v -> conversation(s, clinicId[0], ids));
    });
  }

  /** A short exchange so the chat shows history on first open (content written for the demo). */
  private static Future<Void> conversation(Features.Services s, UUID clinicId, Map<String, UUID> ids) {
    UUID client = ids.get("client");
    UUID therapist = ids.get("therapist");
    Actor alex = new Actor(client, clinicId, "client", EnumSet.of(Role.CLIENT), "", null, "demo-seed");
    Actor sam = new Actor(therapist, clinicId, "therapist", EnumSet.of(Role.THERAPIST), "", null, "demo-seed");
    java.util.List<Object[]> lines = java.util.List.of(
        new Object[] {alex, "Hi Dr. Rivera, the session on Tuesday brought up a lot about my father."},
        new Object[] {sam, "Thank you for telling me. How have the days since felt?"},
        new Object[] {alex, "Tired, but lighter. I wrote in the journal like you suggested."},
        new Object[] {sam, "That's a good sign. Let's talk about it on Friday; the check-ins will ask how you sleep."});
    return s.chat().conversations().ensureForClient(clinicId, client).compose(conv -> {
      Future<Void> f = Future.succeededFuture();
      for (Object[] line : lines) {
        f = f.compose(v -> s.chat().send((Actor) line[0], conv, UUID.randomUUID(), (String) line[1]).mapEmpty());
      }
      return f;
    });
  }
}
