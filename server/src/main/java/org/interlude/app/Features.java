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
import org.interlude.chat.ChatFindings;
import org.interlude.chat.ChatService;
import org.interlude.chat.MessageScreen;
import org.interlude.escalation.screening.ChatScreener;
import org.interlude.escalation.screening.Screening;
import org.interlude.escalation.screening.ScreeningRules;
import org.interlude.chat.Conversations;
import org.interlude.chat.MessageWriter;
import org.interlude.chat.UnreadNotices;
import org.interlude.checkin.CheckinModule;
import org.interlude.checkin.EscalationRiskSink;
import org.interlude.cluster.Bus;
import org.interlude.cluster.ClusterNode;
import org.interlude.cluster.Presence;
import org.interlude.config.InterludeConfig;
import org.interlude.crypto.Argon2Params;
import org.interlude.crypto.DataKeys;
import org.interlude.crypto.KeyRing;
import org.interlude.crypto.KeyRotation;
import org.interlude.cluster.Addresses;
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
import org.interlude.web.ChatFrames;
import org.interlude.web.CheckinRoutes;
import org.interlude.web.FrameSchemas;
import org.interlude.web.Frames;
import org.interlude.web.SocketHub;
import org.interlude.web.WebSocketEndpoint;
import org.interlude.web.IdentityRoutes;
import org.interlude.web.KeyRoutes;
import org.interlude.web.OriginPolicy;
import org.interlude.web.RouteSpec;
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
  private WebSocketEndpoint webSocket;
  private Frames frames;
  private CheckinModule checkins;
  private EscalationModule escalation;

  /** The wired services, for the adapters and for tests. */
  public record Services(Clock clock, Bus bus, KeyRing keyRing, DataKeys dataKeys, AuditLog audit,
      IdentityStore identityStore, Passwords passwords, Sessions sessions, Access access, IdentityService identity,
      AdminService admin, SocketHub hub, ChatService chat) {}

  private Features(Vertx vertx, Services services) {
    this.vertx = vertx;
    this.services = services;
  }

  /**
   * @param cluster this node's cluster membership, or null for a single node
   */
  static Future<Features> start(Vertx vertx, InterludeConfig cfg, StartOptions options, Storage storage, Router router,
      MeterRegistry registry, ClusterNode cluster, org.interlude.storage.Urgent urgent) {
    Clock clock = Clock.systemUTC();
    return vertx.executeBlocking(() -> {
      if (cluster != null) {
        Presence.prepare(cluster.manager().getHazelcastInstance());
      }
      return loadKeyRing(cfg);
    }).compose(ring -> {
      var pool = storage.pool();
      Bus bus = new Bus(vertx);
      DataKeys dataKeys = new DataKeys(ring);
      AuditLog audit = new AuditLog(pool, cfg.node().id(), clock);
      IdentityStore store = new IdentityStore(pool);
      var id = cfg.identity();
      Passwords passwords = new Passwords(vertx,
          new Argon2Params(id.argon2MemoryKib(), id.argon2Iterations(), id.argon2Parallelism()), id.passwordMinLength());
      Sessions sessions = new Sessions(pool, bus, clock, id.clientIdleTimeout(), id.staffIdleTimeout(), id.absoluteTimeout());
      LoginThrottle throttle = new LoginThrottle(pool, clock, id.throttleFreeAttempts(), id.throttleFreeAttemptsPerAddress(),
          id.throttleMaxDelay());
      Access access = new Access(pool, clock);
      IdentityService identity = new IdentityService(pool, store, passwords, sessions, throttle, audit, dataKeys, clock);
      AdminService admin = new AdminService(pool, store, passwords, sessions, access, audit, clock,
          id.invitationLifetime(), id.breakGlassDuration(), cfg.http().publicUrl(), bus);
      // The hub's origin tag must be unique per running instance, not per configured node id:
      // two nodes sharing an id (or one JVM running several) would skip each other's nudges.
      SocketHub hub = new SocketHub(vertx, bus, cfg.node().id() + "#" + java.util.UUID.randomUUID());
      // Presence (who has a socket open anywhere) follows the hub's sockets: this node's exactly,
      // the others' through Hazelcast when clustered.
      Presence presence = cluster == null ? Presence.single(vertx, hub::users)
          : Presence.clustered(vertx, hub::users, cluster.manager().getHazelcastInstance());
      hub.onPresence(presence::changed);
      Conversations conversations = new Conversations(pool, dataKeys, bus, clock);
      ChatScreener screener;
      try {
        screener = new ChatScreener(cfg.screening().ruleFiles().isEmpty() ? ScreeningRules.bundled()
            : ScreeningRules.bundledWith(cfg.screening().ruleFiles().toArray(java.nio.file.Path[]::new)));
      } catch (java.io.IOException | IllegalArgumentException e) {
        return Future.failedFuture(new IllegalStateException("screening.rule_files: " + e.getMessage(), e));
      }
      MessageScreen screen = text -> {
        Screening found = screener.screen(text);
        return new MessageScreen.Finding(found.severity(), found.ruleId(), screener.rulesVersion());
      };
      ChatService chat = new ChatService(pool, conversations, new MessageWriter(pool, clock, cfg.chat().writeLanes(), screen, registry), audit, clock,
          cfg.chat().maxMessageChars());
      Services s = new Services(clock, bus, ring, dataKeys, audit, store, passwords, sessions, access, identity, admin,
          hub, chat);
      Features f = new Features(vertx, s);
      OriginPolicy origins = new OriginPolicy(cfg.http().allowedOrigins());
      f.frames = new Frames(FrameSchemas.load());
      ChatFindings findings = new ChatFindings(pool, clock, (clinicId, clientId, conversationId, seq, severity, ruleId) ->
          f.escalation.service().chatFinding(clinicId, clientId, conversationId, seq, severity, ruleId));
      // A client's message may carry a finding committed with it: hand it over at once (the
      // timer below retries anything a crash or failure left behind).
      new ChatFrames(chat, hub, cfg.chat(), (conversation, message) -> {
        if (message.flagged()) {
          findings.drain(100);
        }
      }).install(f.frames);
      f.escalation = EscalationModule.start(new EscalationModule.Deps(vertx, pool, urgent, clock, audit, dataKeys, hub, f.frames,
          registry, cfg.escalation(), cfg.http().publicUrl(), cfg.node().id()));
      f.webSocket = new WebSocketEndpoint(vertx, sessions, origins, hub, f.frames, cfg.chat(), () -> f.accepting);
      UnreadNotices unread = new UnreadNotices(pool, clock, cfg.chat().unreadNoticeAfter());
      hub.registerSource("notice", (socket, objectId) -> {
        String[] p = objectId.split("\\|");
        return Future.succeededFuture(List.of(new JsonObject().put("type", "notice").put("kind", p[0])
            .put("clientId", p[1]).put("at", p[2])));
      });
      Future<Void> seeded = options.demo() ? DemoClinic.seed(s) : Future.succeededFuture();
      return seeded
          .compose(v -> admin.bootstrap(cfg.admin().username(), cfg.admin().password().reveal(), cfg.clinic().name(),
              cfg.clinic().country(), cfg.clinic().timeZone().getId(), cfg.clinic().staffedHours()))
          .compose(pw -> {
            f.initialAdminPassword = pw;
            return CheckinModule.start(vertx, cfg.checkin(), cfg.node().id(), pool, clock, dataKeys, audit, access, store,
                hub, f.frames, new EscalationRiskSink(f.escalation.service()));
          })
          .compose(checkins -> {
            f.checkins = checkins;
            // Every feature has registered its frames by now.
            f.frames.checkComplete();
            List<RouteSpec> table = new ArrayList<>(new IdentityRoutes(identity, admin, access, audit, conversations,
                clientIds -> f.checkins.checkins().latestScores(clientIds), presence::online).routes());
            table.addAll(f.escalation.routes());
            table.addAll(new CheckinRoutes(checkins).routes());
            KeyRotation rotation = new KeyRotation(vertx, pool, dataKeys, cfg.crypto().masterKeyFile());
            rotation.register(new KeyRotation.WrappedColumn("conversation", "id", "dk_version", "dk_wrapped",
                rowId -> "conversation/" + rowId));
            rotation.register(new KeyRotation.WrappedColumn("app_user", "id", "totp_key_version", "totp_secret",
                rowId -> "totp/" + rowId));
            rotation.register(CheckinModule.WRAPPED_KEYS);
            EscalationModule.wrappedKeys().forEach(rotation::register);
            table.addAll(new KeyRoutes(rotation, audit, bus, !cfg.crypto().developmentKey()).routes());
            bus.subscribe(Addresses.KEY_RING_ROTATED, rotated -> vertx.executeBlocking(
                    () -> KeyRing.load(cfg.crypto().masterKeyFile()), false)
                .onSuccess(next -> {
                  if (next.currentVersion() > dataKeys.ring().currentVersion()) {
                    dataKeys.use(next);
                    log.info("master key ring reloaded: now at version {}", next.currentVersion());
                  }
                })
                .onFailure(err -> log.error("could not reload the master key ring after rotation to version {}: {}",
                    rotated.version(), err.getMessage())));
            return Api.build(vertx, sessions, origins, table);
          })
          .map(api -> {
            router.route("/*").order(0).subRouter(api);
            f.webSocket.install(router);
            long noticeEvery = Math.max(1000, Math.min(30_000, cfg.chat().unreadNoticeAfter().toMillis() / 4));
            f.timers.add(vertx.setPeriodic(noticeEvery, t -> unread.run()
                .onSuccess(raised -> raised.forEach(r -> hub.nudge(r.therapists(), "notice",
                    "unread_messages|" + r.clientId() + "|" + r.at().toInstant())))
                .onFailure(err -> log.warn("unread notices failed: {}", err.getClass().getSimpleName()))));
            f.timers.add(vertx.setPeriodic(1000, t -> findings.drain(100)));
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

  /** The check-in feature (services, scheduler), for the adapters and for tests. */
  public CheckinModule checkins() {
    return checkins;
  }

  /** The escalation feature (incidents, schedules, engine), for the adapters and for tests. */
  public EscalationModule escalation() {
    return escalation;
  }

  /** The inbound frame types with a handler (for the authorisation matrix). */
  public java.util.Set<String> frameTypes() {
    return frames.specs().keySet();
  }

  /** The generated first-admin password, when this start created it (printed once by Main). */
  public String initialAdminPassword() {
    return initialAdminPassword;
  }

  /** Extra readiness facts (cluster membership, scheduler state); {@code ready} false blocks readiness. */
  JsonObject readiness() {
    return new JsonObject();
  }

  /**
   * Stops taking frames, lets queued messages commit (their senders get acks), then closes every
   * socket with 1001 so clients reconnect (to another node) and resynchronise.
   */
  Future<Void> stop(long graceMs) {
    accepting = false;
    timers.forEach(vertx::cancelTimer);
    if (frames != null) {
      frames.stopAccepting();
    }
    if (webSocket != null) {
      webSocket.stop();
    }
    Future<Void> checkinsStopped = checkins == null ? Future.succeededFuture() : checkins.stop();
    Future<Void> escalationStopped = escalation == null ? Future.succeededFuture() : escalation.stop().otherwiseEmpty();
    return Future.all(checkinsStopped, escalationStopped).compose(x -> services.chat().drain())
        .timeout(graceMs, java.util.concurrent.TimeUnit.MILLISECONDS)
        .otherwise(err -> {
          log.error("chat writes, check-ins or escalation did not finish within the shutdown grace period");
          return null;
        })
        .compose(v -> vertx.timer(100))
        .map(t -> {
          services.hub().closeAll((short) 1001, "server shutting down");
          return null;
        });
  }
}
