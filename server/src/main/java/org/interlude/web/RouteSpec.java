package org.interlude.web;

import io.vertx.core.Future;
import java.util.Set;
import org.interlude.identity.Role;

/**
 * One REST operation of docs/openapi.yaml and how it is served. {@code roles} empty with
 * {@code authenticated} true means any signed-in user; object-level checks happen in the
 * services the handler calls. {@code allowedBeforeSecondFactor} marks the few operations a staff
 * member of a TOTP-enforcing clinic may use before enrolling.
 */
public record RouteSpec(String operationId, boolean authenticated, Set<Role> roles, boolean allowedBeforeSecondFactor,
    Handler handler) {

  /** Serves a validated request. */
  @FunctionalInterface
  public interface Handler {
    Future<Reply> handle(ApiRequest request);
  }

  public static RouteSpec open(String operationId, Handler h) {
    return new RouteSpec(operationId, false, Set.of(), true, h);
  }

  public static RouteSpec session(String operationId, Handler h) {
    return new RouteSpec(operationId, true, Set.of(), false, h);
  }

  public static RouteSpec roles(String operationId, Set<Role> roles, Handler h) {
    return new RouteSpec(operationId, true, Set.copyOf(roles), false, h);
  }

  public RouteSpec beforeSecondFactor() {
    return new RouteSpec(operationId, authenticated, roles, true, handler);
  }
}
