package org.interlude.escalation;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;
import org.interlude.audit.AuditLog;
import org.interlude.config.InterludeConfig;
import org.interlude.crypto.DataKeys;
import org.interlude.crypto.KeyRotation;
import org.interlude.identity.Role;
import org.interlude.storage.Urgent;
import org.interlude.web.EscalationRoutes;
import org.interlude.web.Frames;
import org.interlude.web.RouteSpec;
import org.interlude.web.SocketHub;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the escalation feature onto a node: the services, the engine, the webhook dispatcher and
 * the watchdog (periodic on every node), the {@code crisis.report} frame, the nudge sources that
 * turn "incident changed" into {@code alert}, {@code crisis.info} and {@code incident.status}
 * frames on each node's sockets, the on-connect hook that replays open incidents, and the REST
 * routes. {@link #start} is what the composition root calls; {@link #stop} cancels the timers.
 */
public final class EscalationModule {
  /** The watchdog looks this often (independent of the poll interval, which is much shorter). */
  static final Duration WATCHDOG_INTERVAL = Duration.ofSeconds(5);
  private static final Logger log = LoggerFactory.getLogger(EscalationModule.class);

  /** What the feature needs from the node. */
  public record Deps(Vertx vertx, Pool pool, Urgent urgent, Clock clock, AuditLog audit, DataKeys dataKeys, SocketHub hub,
      Frames frames, MeterRegistry registry, InterludeConfig.Escalation config, URI publicUrl, String nodeId) {}

  private final Deps deps;
  private final EscalationService service;
  private final OnCallSchedules schedules;
  private final Webhooks webhooks;
  private final EscalationEngine engine;
  private final WebhookDispatcher dispatcher;
  private final EscalationMetrics metrics;
  private final List<Long> timers = new ArrayList<>();

  private EscalationModule(Deps d) {
    this.deps = d;
    this.metrics = new EscalationMetrics(d.registry());
    this.schedules = new OnCallSchedules(d.pool(), d.audit(), d.clock());
    this.webhooks = new Webhooks(d.pool(), d.dataKeys(), d.audit(), d.clock(), d.publicUrl());
    this.dispatcher = new WebhookDispatcher(d.vertx(), d.pool(), d.clock(), webhooks, metrics,
        d.config().webhookTimeout(), d.config().webhookMaxAttempts());
    Chain chain = new Chain(schedules, webhooks, d.audit(), d.nodeId());
    Notifier notifier = new Notifier(d.hub(), dispatcher, metrics);
    IncidentViews views = new IncidentViews(d.pool(), d.dataKeys(), d.clock());
    this.service = new EscalationService(d.pool(), d.urgent(), d.clock(), d.dataKeys(), d.audit(), chain, webhooks,
        notifier, views);
    this.engine = new EscalationEngine(d.pool(), d.audit(), d.clock(), chain, notifier, metrics, d.config().claimTimeout(),
        d.config().watchdogAfter(), d.nodeId());
  }

  /**
   * Builds the feature and registers its frame, nudge sources and on-connect hook, without
   * starting the periodic engine (tests drive {@link EscalationEngine#tick} themselves).
   */
  public static EscalationModule create(Deps d) {
    EscalationModule m = new EscalationModule(d);
    m.registerSocketParts();
    return m;
  }

  /** {@link #create}, then starts the engine, dispatcher and watchdog timers on this node. */
  public static EscalationModule start(Deps d) {
    EscalationModule m = create(d);
    m.dispatcher.activate();
    long poll = d.config().pollInterval().toMillis();
    m.timers.add(d.vertx().setPeriodic(poll, t -> m.engine.tick()));
    m.timers.add(d.vertx().setPeriodic(poll, t -> m.dispatcher.poll()));
    m.timers.add(d.vertx().setPeriodic(WATCHDOG_INTERVAL.toMillis(), t -> m.engine.watchdog()));
    log.info("escalation engine started pollMs={} watchdogAfterSeconds={}", poll, d.config().watchdogAfter().toSeconds());
    return m;
  }

  private void registerSocketParts() {
    IncidentViews views = service.views();
    deps.frames().register("crisis.report", EnumSet.of(Role.CLIENT), (socket, frame) ->
        service.crisisReport(socket.actor().withCorrelation("ws-" + socket.id()),
                UUID.fromString(frame.getString("clientReportId")))
            .map(info -> {
              String ref = frame.getString("ref");
              if (ref != null) {
                info.put("ref", ref);
              }
              socket.send(info);
              return null;
            }));
    deps.hub().registerSource(Notifier.STAFF_KIND, (socket, objectId) -> socket.actor().isClient()
        ? Future.succeededFuture(List.of())
        // A new alert is what on-call staff wait for: read through the urgent pool, off the
        // listener's loop (Urgent).
        : deps.urgent().run(p -> views.alertFrames(p, socket.actor(), UUID.fromString(objectId))));
    deps.hub().registerSource(Notifier.CLIENT_KIND, (socket, objectId) -> {
      if (!socket.actor().isClient()) {
        return Future.succeededFuture(List.of());
      }
      int colon = objectId.indexOf(':');
      UUID incident = UUID.fromString(objectId.substring(0, colon));
      Future<java.util.Optional<JsonObject>> frame = objectId.endsWith(":crisis")
          ? deps.urgent().run(p -> views.crisisInfo(p, socket.actor().userId(), incident))
          : views.status(socket.actor().userId(), incident);
      return frame.map(o -> o.map(List::of).orElse(List.of()));
    });
    deps.hub().onConnect(socket -> socket.actor().isClient()
        ? views.clientFrames(socket.actor().userId())
        : views.openAlerts(socket.actor()));
  }

  /**
   * The columns holding data keys wrapped under the master key ring, for key rotation: each
   * incident's key (sealing its notes) and each webhook endpoint's key (sealing its secrets).
   */
  public static List<KeyRotation.WrappedColumn> wrappedKeys() {
    return List.of(
        new KeyRotation.WrappedColumn("incident", "id", "dk_version", "dk_wrapped", rowId -> Notes.scope((UUID) rowId)),
        new KeyRotation.WrappedColumn("webhook_endpoint", "id", "dk_version", "dk_wrapped",
            rowId -> Webhooks.scope((UUID) rowId)));
  }

  /** The REST operations of the feature (incidents for staff; schedules, policies, webhook for admins). */
  public List<RouteSpec> routes() {
    return new EscalationRoutes(service, schedules, webhooks).routes();
  }

  public EscalationService service() {
    return service;
  }

  public OnCallSchedules schedules() {
    return schedules;
  }

  public Webhooks webhooks() {
    return webhooks;
  }

  public EscalationEngine engine() {
    return engine;
  }

  public WebhookDispatcher dispatcher() {
    return dispatcher;
  }

  public EscalationMetrics metrics() {
    return metrics;
  }

  /** Stops the timers and the webhook client; steps in flight finish or roll back on their own. */
  public Future<Void> stop() {
    timers.forEach(deps.vertx()::cancelTimer);
    timers.clear();
    return dispatcher.close();
  }
}
