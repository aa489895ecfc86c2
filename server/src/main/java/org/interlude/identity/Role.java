package org.interlude.identity;

import java.util.Locale;
import java.util.Optional;

/** What a user may do. A staff member may hold several; a client holds only {@link #CLIENT}. */
public enum Role {
  CLIENT,
  THERAPIST,
  ONCALL,
  ADMIN;

  public String code() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Role> parse(String code) {
    for (Role r : values()) {
      if (r.code().equals(code)) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  public boolean staff() {
    return this != CLIENT;
  }
}
