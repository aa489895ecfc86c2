package org.interlude.identity;

import java.util.EnumSet;
import java.util.Set;
import java.util.UUID;

/**
 * The authenticated caller of one request or frame: who, in which clinic, with which roles, on
 * which session, from where. Services take an {@code Actor} and check it against the object
 * named; they never trust ids from the request body for identity.
 */
public record Actor(
    UUID userId,
    UUID clinicId,
    String username,
    Set<Role> roles,
    String sessionHash,
    String sourceIp,
    String correlationId) {

  public Actor {
    roles = roles.isEmpty() ? EnumSet.noneOf(Role.class) : EnumSet.copyOf(roles);
  }

  public boolean has(Role r) {
    return roles.contains(r);
  }

  public boolean hasAny(Set<Role> any) {
    for (Role r : any) {
      if (roles.contains(r)) {
        return true;
      }
    }
    return false;
  }

  public boolean isClient() {
    return roles.contains(Role.CLIENT);
  }

  public boolean isStaff() {
    return !isClient();
  }

  /** The role recorded in audit rows: the most privileged one held. */
  public String auditRole() {
    if (has(Role.ADMIN)) {
      return "admin";
    }
    if (has(Role.THERAPIST)) {
      return has(Role.ONCALL) ? "therapist+oncall" : "therapist";
    }
    if (has(Role.ONCALL)) {
      return "oncall";
    }
    return "client";
  }

  /** The same actor for another correlation id (one per request or frame). */
  public Actor withCorrelation(String id) {
    return new Actor(userId, clinicId, username, roles, sessionHash, sourceIp, id);
  }
}
