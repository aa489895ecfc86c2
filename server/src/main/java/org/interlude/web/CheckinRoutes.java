package org.interlude.web;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.interlude.checkin.CheckinModule;
import org.interlude.identity.InvalidInput;
import org.interlude.identity.Role;

/**
 * REST adapters for check-ins: dosing sessions, plans, the check-in list, trends and the FHIR
 * export. Thin: bodies are already validated against docs/openapi.yaml; authorisation, audit and
 * rules live in the services. Changes need a therapist or on-call role; reads are open to any
 * signed-in user and the service decides who may see the client.
 */
public final class CheckinRoutes {
  private static final int DEFAULT_LIMIT = 100;

  private final CheckinModule checkins;

  public CheckinRoutes(CheckinModule checkins) {
    this.checkins = checkins;
  }

  public List<RouteSpec> routes() {
    Set<Role> staff = EnumSet.of(Role.THERAPIST, Role.ONCALL);
    return List.of(
        RouteSpec.session("listDosingSessions", r -> checkins.sessions().list(r.actor(), r.pathId("clientId"))
            .map(list -> Reply.ok(new JsonObject().put("dosingSessions", list)))),
        RouteSpec.roles("createDosingSession", staff, r -> checkins.sessions().create(r.actor(), r.pathId("clientId"),
            instant(r.body().getString("startsAt")), r.body().getString("route")).map(Reply::created)),
        RouteSpec.roles("updateDosingSession", staff, r -> {
          JsonObject b = r.body();
          return checkins.sessions().update(r.actor(), r.pathId("sessionId"),
              b.getString("startsAt") == null ? null : instant(b.getString("startsAt")), b.getString("route"),
              b.getString("status")).map(Reply::ok);
        }),
        RouteSpec.session("getCheckinPlan", r -> checkins.plans().get(r.actor(), r.pathId("clientId")).map(Reply::ok)),
        RouteSpec.roles("putCheckinPlan", staff, r -> checkins.plans().put(r.actor(), r.pathId("clientId"), r.body())
            .map(Reply::ok)),
        RouteSpec.roles("resetCheckinPlan", staff, r -> checkins.plans().reset(r.actor(), r.pathId("clientId"))
            .map(Reply::ok)),
        RouteSpec.session("listCheckins", r -> checkins.checkins().list(r.actor(), r.pathId("clientId"), r.query("state"),
                r.query("limit") == null ? DEFAULT_LIMIT : Integer.parseInt(r.query("limit")))
            .map(list -> Reply.ok(new JsonObject().put("checkins", list)))),
        RouteSpec.session("getTrends", r -> checkins.checkins().trends(r.actor(), r.pathId("clientId"),
            r.query("instrument")).map(Reply::ok)),
        RouteSpec.session("exportFhir", this::exportFhir));
  }

  // FHIR has its own media type; the bundle is written here rather than as a JSON reply.
  private Future<Reply> exportFhir(ApiRequest r) {
    return checkins.checkins().exportFhir(r.actor(), r.pathId("clientId")).map(bundle -> {
      r.ctx().response().setStatusCode(200)
          .putHeader("Content-Type", "application/fhir+json")
          .putHeader("Cache-Control", "no-store")
          .end(bundle.encode());
      return Reply.noContent();
    });
  }

  private static Instant instant(String value) {
    try {
      return OffsetDateTime.parse(value).toInstant();
    } catch (DateTimeParseException | NullPointerException e) {
      throw new InvalidInput("invalid_start", "startsAt", "startsAt must be an ISO date-time with an offset, e.g. 2026-03-09T14:00:00Z");
    }
  }
}
