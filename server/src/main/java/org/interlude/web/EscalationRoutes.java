package org.interlude.web;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.interlude.escalation.EscalationService;
import org.interlude.escalation.OnCallSchedules;
import org.interlude.escalation.PolicySpec;
import org.interlude.escalation.RotationSpec;
import org.interlude.escalation.Webhooks;
import org.interlude.identity.InvalidInput;
import org.interlude.identity.Role;

/**
 * REST adapters for incidents (therapists and on-call staff; object-level checks in the service)
 * and for on-call schedules, escalation policies, coverage and the clinic's webhook (admins).
 */
public final class EscalationRoutes {
  private static final Set<Role> CLINICAL = EnumSet.of(Role.THERAPIST, Role.ONCALL);
  private static final Set<Role> ADMIN = EnumSet.of(Role.ADMIN);

  private final EscalationService incidents;
  private final OnCallSchedules schedules;
  private final Webhooks webhooks;

  public EscalationRoutes(EscalationService incidents, OnCallSchedules schedules, Webhooks webhooks) {
    this.incidents = incidents;
    this.schedules = schedules;
    this.webhooks = webhooks;
  }

  public List<RouteSpec> routes() {
    return List.of(
        RouteSpec.roles("listIncidents", CLINICAL, r -> incidents.list(r.actor(), !"all".equals(r.query("state")))
            .map(list -> Reply.ok(new JsonObject().put("incidents", list)))),
        RouteSpec.roles("getIncident", CLINICAL, r -> incidents.get(r.actor(), r.pathId("incidentId")).map(Reply::ok)),
        RouteSpec.roles("acknowledgeIncident", CLINICAL, r -> incidents.acknowledge(r.actor(), r.pathId("incidentId"))
            .map(Reply::ok)),
        RouteSpec.roles("resolveIncident", CLINICAL, r -> incidents.resolve(r.actor(), r.pathId("incidentId"),
            r.body().getString("disposition"), r.body().getString("note")).map(Reply::ok)),
        RouteSpec.roles("addIncidentNote", CLINICAL, r -> incidents.addNote(r.actor(), r.pathId("incidentId"),
            r.body().getString("note")).map(Reply::ok)),
        RouteSpec.roles("reopenIncident", CLINICAL, r -> incidents.reopen(r.actor(), r.pathId("incidentId"))
            .map(Reply::ok)),
        RouteSpec.roles("listRotations", ADMIN, r -> schedules.listRotations(r.actor())
            .map(list -> Reply.ok(new JsonObject().put("rotations", list)))),
        RouteSpec.roles("createRotation", ADMIN, r -> parse(() -> RotationSpec.from(r.body()))
            .compose(spec -> schedules.createRotation(r.actor(), spec))
            .map(id -> Reply.created(new JsonObject().put("id", id.toString())))),
        RouteSpec.roles("updateRotation", ADMIN, r -> parse(() -> RotationSpec.from(r.body()))
            .compose(spec -> schedules.updateRotation(r.actor(), r.pathId("rotationId"), spec))
            .map(v -> Reply.noContent())),
        RouteSpec.roles("createOverride", ADMIN, r -> parse(() -> instant(r.body().getString("startsAt"), "startsAt"))
            .compose(from -> parse(() -> instant(r.body().getString("endsAt"), "endsAt"))
                .compose(to -> schedules.addOverride(r.actor(), r.pathId("rotationId"),
                    UUID.fromString(r.body().getString("userId")), from, to)))
            .map(id -> Reply.created(new JsonObject().put("id", id.toString())))),
        RouteSpec.roles("deleteOverride", ADMIN, r -> schedules.deleteOverride(r.actor(), r.pathId("overrideId"))
            .map(v -> Reply.noContent())),
        RouteSpec.roles("listPolicies", ADMIN, r -> schedules.listPolicies(r.actor())
            .map(list -> Reply.ok(new JsonObject().put("policies", list)))),
        RouteSpec.roles("createPolicy", ADMIN, r -> parse(() -> PolicySpec.from(r.body()))
            .compose(spec -> schedules.createPolicy(r.actor(), spec)).map(Reply::created)),
        RouteSpec.roles("updatePolicy", ADMIN, r -> parse(() -> PolicySpec.from(r.body()))
            .compose(spec -> schedules.updatePolicy(r.actor(), r.pathId("policyId"), spec)).map(Reply::ok)),
        RouteSpec.roles("checkCoverage", ADMIN, r -> {
          String policy = r.query("policyId");
          String days = r.query("days");
          return schedules.coverage(r.actor(), policy == null ? null : UUID.fromString(policy), null,
              days == null ? null : Duration.ofDays(Long.parseLong(days))).map(Reply::ok);
        }),
        RouteSpec.roles("getWebhook", ADMIN, r -> webhooks.get(r.actor()).map(Reply::ok)),
        RouteSpec.roles("putWebhook", ADMIN, r -> webhooks.put(r.actor(), r.body().getString("url"),
            r.body().getString("format"), r.body().getString("secret"), r.body().getString("routingKey"))
            .compose(v -> webhooks.get(r.actor())).map(Reply::ok)),
        RouteSpec.roles("deleteWebhook", ADMIN, r -> webhooks.disable(r.actor()).map(v -> Reply.noContent())));
  }

  /** Runs a parser that reports bad input as {@link InvalidInput}, as a future. */
  private static <T> Future<T> parse(java.util.function.Supplier<T> parser) {
    try {
      return Future.succeededFuture(parser.get());
    } catch (InvalidInput e) {
      return Future.failedFuture(e);
    }
  }

  private static Instant instant(String value, String field) {
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException | NullPointerException e) {
      throw new InvalidInput("invalid_time", field, "use an ISO-8601 instant such as 2026-01-05T08:00:00Z");
    }
  }
}
