package org.interlude.app;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.interlude.audit.AuditLog;
import org.interlude.cluster.Bus;
import org.interlude.config.InterludeConfig;
import org.interlude.crypto.Argon2Params;
import org.interlude.crypto.DataKeys;
import org.interlude.crypto.KeyRing;
import org.interlude.escalation.EscalationModule;
import org.interlude.identity.Access;
import org.interlude.identity.AdminService;
import org.interlude.identity.IdentityService;
import org.interlude.identity.IdentityStore;
import org.interlude.identity.LoginThrottle;
import org.interlude.identity.Passwords;
import org.interlude.identity.Sessions;
import org.interlude.storage.Storage;
import org.interlude.web.Api;
import org.interlude.web.FrameSchemas;
import org.interlude.web.Frames;
import org.interlude.web.IdentityRoutes;
import org.interlude.web.OriginPolicy;
import org.interlude.web.RouteSpec;
import org.interlude.web.SocketHub;
import org.interlude.web.WebSocketEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the feature services (identity, chat, check-ins, escalation, audit) onto storage and
 * installs their routes and WebSocket frames. Created once storage is up; stopped first on
 * shutdown so sockets close with 1001 and pending writes commit before the pool closes.
 */
public final class Features {
  private static final Logger log = LoggerFactory.getLogger(Features.class);

  private final Vertx vertx;
  private final List<Long> timers = new ArrayList<>();
  private final Services services;
  private volatile String initialAdminPassword;
  private volatile boolean accepting = true;
  private SocketHub hub;
  private WebSocketEndpoint webSocket;
  private EscalationModule escalation;

  /** The wired services, for the adapters and for tests. */
  public record Services(Clock clock, Bus bus, KeyRing keyRing, DataKeys dataKeys, AuditLog audit,
      IdentityStore identityStore, Passwords passwords, Sessions sessions, Access access, IdentityService identity, AdminService admin) {}

  private Features(Vertx vertx, Services services) {
    this.vertx = vertx;
    this.services = services;
  }

  static Future<Features> start(
      Vertx vertx, InterludeConfig cfg, StartOptions options, Storage storage, Router router, MeterRegistry registry) {
    Clock clock = Clock.systemUTC();
    return vertx.executeBlocking(() -> loadKeyRing(cfg)).compose(ring -> {
      var pool = storage.pool();
      Bus bus = new Bus(vertx);
      DataKeys dataKeys = new DataKeys(ring);
      AuditLog audit = new AuditLog(pool, cfg.node().id(), clock);
      IdentityStore store = new IdentityStore(pool);
      var id = cfg.identity();
      Passwords passwords = new Passwords(vertx,
          new Argon2Params(id.argon2MemoryKib(), id.argon2Iterations(), id.argon2Parallelism()), id.passwordMinLength());
      Sessions sessions = new Sessions(pool, bus, clock, id.clientIdleTimeout(), id.staffIdleTimeout(), id.absoluteTimeout());
      LoginThrottle throttle = new LoginThrottle(pool, clock, id.throttleFreeAttempts(), id.throttleMaxDelay());
      Access access = new Access(pool, clock);
      IdentityService identity = new IdentityService(pool, store, passwords, sessions, throttle, audit, dataKeys, clock);
      AdminService admin = new AdminService(pool, store, passwords, sessions, access, audit, clock,
          id.invitationLifetime(), id.breakGlassDuration(), cfg.http().publicUrl());
      Services s = new Services(clock, bus, ring, dataKeys, audit, store, passwords, sessions, access, identity, admin);
      Features f = new Features(vertx, s);
      OriginPolicy origins = new OriginPolicy(cfg.http().allowedOrigins());
      f.hub = new SocketHub(vertx, bus);
      Frames frames = new Frames(FrameSchemas.load());
      f.escalation = EscalationModule.start(new EscalationModule.Deps(vertx, pool, clock, audit, dataKeys, f.hub, frames,
          registry, cfg.escalation(), cfg.http().publicUrl(), cfg.node().id()));
      f.webSocket = new WebSocketEndpoint(vertx, sessions, origins, f.hub, frames, cfg.chat(), () -> f.accepting);
      f.webSocket.install(router);
      Future<Void> seeded = options.demo() ? DemoClinic.seed(s) : Future.succeededFuture();
      return seeded
          .compose(v -> admin.bootstrap(cfg.admin().username(), cfg.admin().password().reveal(), cfg.clinic().name(),
              cfg.clinic().country(), cfg.clinic().timeZone().getId(), cfg.clinic().staffedHours()))
          .compose(pw -> {
            f.initialAdminPassword = pw;
            List<RouteSpec> table = new ArrayList<>(new IdentityRoutes(identity, admin, access, audit).routes());
            table.addAll(f.escalation.routes());
            return Api.build(vertx, sessions, origins, table);
          })
          .map(api -> {
            router.route("/*").order(0).subRouter(api);
            f.timers.add(vertx.setPeriodic(1000, t -> sessions.sweep()
                .onFailure(err -> log.warn("session sweep failed: {}", err.getClass().getSimpleName()))));
            return f;
          });
    });
  }

  private static KeyRing loadKeyRing(InterludeConfig cfg) throws Exception {
    if (!cfg.crypto().developmentKey()) {
      return KeyRing.fromBase64(cfg.crypto().masterKey().reveal());
    }
    KeyRing.Loaded loaded = KeyRing.loadOrCreate(cfg.crypto().masterKeyFile(), true);
    if (loaded.createdDevelopmentKey()) {
      log.warn("!!! created a DEVELOPMENT master key ring at {}: message text is encrypted with it. Back it up"
          + " separately from the database, or configure crypto.master_key_file / INTERLUDE_CRYPTO_MASTER_KEY for"
          + " production !!!", cfg.crypto().masterKeyFile());
    }
    if (loaded.permissionsTooOpen()) {
      log.warn("the master key ring {} is readable by other users: chmod 600 it", cfg.crypto().masterKeyFile());
    }
    return loaded.ring();
  }

  public Services services() {
    return services;
  }

  /** The escalation feature (incidents, schedules, engine), for the adapters and for tests. */
  public EscalationModule escalation() {
    return escalation;
  }

  /** This node's open WebSockets. */
  public SocketHub hub() {
    return hub;
  }

  /** The generated first-admin password, when this start created it (printed once by Main). */
  public String initialAdminPassword() {
    return initialAdminPassword;
  }

  /** Extra readiness facts (cluster membership, scheduler state); {@code ready} false blocks readiness. */
  JsonObject readiness() {
    return new JsonObject();
  }

  Future<Void> stop(long graceMs) {
    timers.forEach(vertx::cancelTimer);
    accepting = false;
    if (webSocket != null) {
      webSocket.stop();
    }
    if (hub != null) {
      hub.closeAll((short) 1001, "server shutting down");
    }
    return escalation == null ? Future.succeededFuture() : escalation.stop().otherwiseEmpty();
  }
}
