package org.interlude.web;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.EnumSet;
import java.util.List;
import org.interlude.audit.AuditEvent;
import org.interlude.audit.AuditLog;
import org.interlude.cluster.Addresses;
import org.interlude.cluster.Bus;
import org.interlude.cluster.KeyRingRotated;
import org.interlude.crypto.KeyRotation;
import org.interlude.identity.InvalidInput;
import org.interlude.identity.Role;

/**
 * Master key rotation for administrators: start it, then poll its progress (the CLI draws a
 * progress bar). One rotation at a time per node; other nodes reload the key ring when told.
 */
public final class KeyRoutes {
  private final KeyRotation rotation;
  private final AuditLog audit;
  private final Bus bus;
  private final boolean fromEnvironment;
  private volatile JsonObject state = new JsonObject().put("state", "idle").put("done", 0).put("total", 0);

  public KeyRoutes(KeyRotation rotation, AuditLog audit, Bus bus, boolean fromEnvironment) {
    this.rotation = rotation;
    this.audit = audit;
    this.bus = bus;
    this.fromEnvironment = fromEnvironment;
  }

  public List<RouteSpec> routes() {
    return List.of(
        RouteSpec.roles("startKeyRotation", EnumSet.of(Role.ADMIN), this::start),
        RouteSpec.roles("getKeyRotation", EnumSet.of(Role.ADMIN), r -> Future.succeededFuture(Reply.ok(state.copy()))));
  }

  private synchronized Future<Reply> start(ApiRequest r) {
    if (fromEnvironment) {
      return Future.failedFuture(new InvalidInput("key_from_environment", null,
          "the master key comes from INTERLUDE_CRYPTO_MASTER_KEY; use a key ring file (crypto.master_key_file) to rotate"));
    }
    if ("running".equals(state.getString("state"))) {
      return Future.succeededFuture(new Reply(409, Errors.body("rotation_running", "a rotation is already running", null),
          List.of()));
    }
    state = new JsonObject().put("state", "running").put("done", 0).put("total", 0);
    var actor = r.actor();
    rotation.rotate(p -> state = new JsonObject().put("state", "running").put("version", p.version()).put("done", p.done())
            .put("total", p.total()))
        .onSuccess(p -> {
          state = new JsonObject().put("state", "done").put("version", p.version()).put("done", p.done())
              .put("total", p.total());
          bus.publish(Addresses.KEY_RING_ROTATED, new KeyRingRotated(p.version()));
          audit.record(AuditEvent.of("keys.rotate").clinic(actor.clinicId()).actor(actor.userId(), actor.auditRole())
              .object("key_version", p.version()).source(actor.sourceIp(), actor.correlationId()).build());
        })
        .onFailure(err -> state = state.copy().put("state", "failed").put("error", err.getMessage()));
    return Future.succeededFuture(new Reply(202, state.copy(), List.of()));
  }
}
