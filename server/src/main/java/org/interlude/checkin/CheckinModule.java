package org.interlude.checkin;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.util.UUID;
import org.interlude.audit.AuditLog;
import org.interlude.checkin.instrument.InstrumentCatalog;
import org.interlude.checkin.instrument.risk.CheckinRiskRules;
import org.interlude.config.InterludeConfig;
import org.interlude.crypto.DataKeys;
import org.interlude.crypto.KeyRotation;
import org.interlude.identity.Access;
import org.interlude.identity.IdentityStore;
import org.interlude.web.Frames;
import org.interlude.web.SocketHub;

/**
 * The check-in feature wired together: {@link DosingSessions}, {@link Plans}, {@link Checkins}
 * (services), the {@link Scheduler} (one per node), the WebSocket frames and the {@link RiskSink}.
 *
 * <p>{@link #start} is what a node calls (Features): it loads and validates the instrument catalog
 * (off the event loop), registers the {@code checkin.*} frames and nudge sources on the socket hub
 * and starts polling. {@link #create} builds the same services without sockets or timers, for
 * tests and tools that drive {@link Scheduler#tick} themselves. {@link #stop} stops polling and
 * waits for the tick under way.
 */
public final class CheckinModule {
  /** Where check-ins keep wrapped data keys, for master key rotation to re-wrap them. */
  public static final KeyRotation.WrappedColumn WRAPPED_KEYS = new KeyRotation.WrappedColumn("checkin_key", "client_id",
      "dk_version", "dk_wrapped", clientId -> FreeTextCipher.scope(UUID.fromString(clientId.toString())));

  private final Deps deps;
  private final DosingSessions sessions;
  private final Plans plans;
  private final Checkins checkins;
  private final Scheduler scheduler;
  private final PromptFrames frames;

  private CheckinModule(Vertx vertx, Deps deps, Scheduler.Nudger nudger) {
    this.deps = deps;
    RiskReports risk = new RiskReports(deps);
    this.sessions = new DosingSessions(deps);
    this.plans = new Plans(deps);
    this.checkins = new Checkins(deps, risk);
    this.scheduler = new Scheduler(vertx, deps, risk, nudger);
    this.frames = new PromptFrames(vertx, deps, checkins, nudger);
  }

  /**
   * Starts check-ins on a node with the default {@link DatabaseRiskSink}.
   *
   * @param settings {@code checkin.*} configuration
   * @param nodeId this node's id (lease owner in claimed rows)
   */
  public static Future<CheckinModule> start(Vertx vertx, InterludeConfig.Checkin settings, String nodeId, Pool pool,
      Clock clock, DataKeys dataKeys, AuditLog audit, Access access, IdentityStore identity, SocketHub hub, Frames frames) {
    return start(vertx, settings, nodeId, pool, clock, dataKeys, audit, access, identity, hub, frames,
        new DatabaseRiskSink(pool, clock));
  }

  /** As {@link #start(Vertx, InterludeConfig.Checkin, String, Pool, Clock, DataKeys, AuditLog, Access, IdentityStore, SocketHub, Frames)} with another risk sink (the escalation engine). */
  public static Future<CheckinModule> start(Vertx vertx, InterludeConfig.Checkin settings, String nodeId, Pool pool,
      Clock clock, DataKeys dataKeys, AuditLog audit, Access access, IdentityStore identity, SocketHub hub, Frames frames,
      RiskSink sink) {
    return vertx.executeBlocking(Catalogs::bundled).map(catalog -> {
      CheckinModule m = new CheckinModule(vertx,
          deps(settings, nodeId, pool, clock, dataKeys, audit, access, identity, sink, catalog), hub::nudge);
      m.frames.install(hub, frames);
      m.scheduler.start();
      return m;
    });
  }

  /**
   * The services and a scheduler that is not polling: call {@code scheduler().tick()} yourself.
   * Loads the instrument catalog on the calling thread the first time (not on an event loop).
   */
  public static CheckinModule create(Vertx vertx, InterludeConfig.Checkin settings, String nodeId, Pool pool, Clock clock,
      DataKeys dataKeys, AuditLog audit, Access access, IdentityStore identity, RiskSink sink, Scheduler.Nudger nudger) {
    return new CheckinModule(vertx, deps(settings, nodeId, pool, clock, dataKeys, audit, access, identity, sink,
        Catalogs.bundled()), nudger);
  }

  private static Deps deps(InterludeConfig.Checkin settings, String nodeId, Pool pool, Clock clock, DataKeys dataKeys,
      AuditLog audit, Access access, IdentityStore identity, RiskSink sink, InstrumentCatalog catalog) {
    return new Deps(pool, clock, nodeId, settings, catalog, CheckinRiskRules.withDefaults(), audit, access, identity,
        new FreeTextCipher(dataKeys), new Materializer(catalog, settings.horizon(), settings.materializeEvery()), sink);
  }

  public DosingSessions sessions() {
    return sessions;
  }

  public Plans plans() {
    return plans;
  }

  public Checkins checkins() {
    return checkins;
  }

  public Scheduler scheduler() {
    return scheduler;
  }

  public RiskSink riskSink() {
    return deps.riskSink();
  }

  public InstrumentCatalog catalog() {
    return deps.catalog();
  }

  /** The frame side (nudge sources, connect hook, submit), for tests in this package. */
  PromptFrames frames() {
    return frames;
  }

  /**
   * Recomputes one client's schedule now (as the materialiser would), e.g. after their time zone
   * changed.
   */
  public Future<Void> rematerialize(UUID clientId) {
    java.time.Instant now = deps.clock().instant();
    return deps.pool().withTransaction(tx -> Materializer.lockClient(tx, clientId, now)
        .compose(locked -> deps.materializer().reconcile(tx, locked, now)));
  }

  /** Stops polling; completes when the tick under way and the pending sent-records are done. */
  public Future<Void> stop() {
    return scheduler.stop().compose(v -> frames.stop());
  }

  /**
   * Seeds the demo history of one client for {@code scripts/run --demo}: two completed dosing
   * sessions (about 10 and 3 days ago), weeks of PHQ-9, GAD-7 and WHO-5 results, post-dose checks,
   * safety pulses and a journal entry, one missed pulse, and the client's schedule from now on
   * (which includes an open safety pulse). Does nothing when the client already has a dosing
   * session, so it can run on every start.
   *
   * @param therapistId recorded as the author of the sessions
   */
  public static Future<Void> seedDemoHistory(Pool pool, DataKeys dataKeys, Clock clock, UUID clientId, UUID therapistId) {
    return DemoHistory.seed(pool, dataKeys, clock, clientId, therapistId);
  }
}
