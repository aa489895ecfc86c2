package org.interlude.identity;

import io.vertx.sqlclient.Row;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;
import java.util.UUID;

/** A user row. {@code passwordHash} is null until an invited client chooses a password. */
public record User(
    UUID id,
    UUID clinicId,
    String username,
    String displayName,
    Set<Role> roles,
    String passwordHash,
    String timeZone,
    boolean totpEnrolled,
    Instant disabledAt) {

  static final String COLUMNS =
      "u.id, u.clinic_id, u.username, u.display_name, u.roles, u.password_hash, u.time_zone, "
          + "u.totp_confirmed AS totp_enrolled, u.disabled_at";

  static User from(Row r) {
    Set<Role> roles = EnumSet.noneOf(Role.class);
    for (String code : r.getArrayOfStrings("roles")) {
      Role.parse(code).ifPresent(roles::add);
    }
    return new User(r.getUUID("id"), r.getUUID("clinic_id"), r.getString("username"), r.getString("display_name"),
        roles, r.getString("password_hash"), r.getString("time_zone"), r.getBoolean("totp_enrolled"),
        r.getOffsetDateTime("disabled_at") == null ? null : r.getOffsetDateTime("disabled_at").toInstant());
  }

  public boolean has(Role r) {
    return roles.contains(r);
  }

  public boolean isClient() {
    return roles.contains(Role.CLIENT);
  }

  public boolean disabled() {
    return disabledAt != null;
  }

  static String[] roleCodes(Set<Role> roles) {
    return roles.stream().map(Role::code).sorted().toArray(String[]::new);
  }
}
