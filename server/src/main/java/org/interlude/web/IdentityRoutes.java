package org.interlude.web;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.interlude.audit.AuditEvent;
import org.interlude.audit.AuditLog;
import org.interlude.identity.Access;
import org.interlude.identity.Actor;
import org.interlude.identity.AdminService;
import org.interlude.identity.IdentityService;
import org.interlude.identity.InvalidInput;
import org.interlude.identity.LoginResult;
import org.interlude.identity.Role;
import org.interlude.identity.Sessions;

/** REST adapters for sign-in, the session, invitations, administration and break-glass. */
public final class IdentityRoutes {
  private final IdentityService identity;
  private final AdminService admin;
  private final Access access;
  private final AuditLog audit;
  private final org.interlude.chat.Conversations conversations;
  private final java.util.function.Function<java.util.Collection<java.util.UUID>,
      Future<java.util.Map<java.util.UUID, JsonObject>>> latestScores;
  private final java.util.function.Function<Set<java.util.UUID>, Future<Set<java.util.UUID>>> online;

  /**
   * @param latestScores the latest score per instrument of each client (check-ins), for the roster
   * @param online which of the given users have an open socket on any node (presence), for the roster
   */
  public IdentityRoutes(IdentityService identity, AdminService admin, Access access, AuditLog audit,
      org.interlude.chat.Conversations conversations,
      java.util.function.Function<java.util.Collection<java.util.UUID>, Future<java.util.Map<java.util.UUID, JsonObject>>>
          latestScores,
      java.util.function.Function<Set<java.util.UUID>, Future<Set<java.util.UUID>>> online) {
    this.identity = identity;
    this.admin = admin;
    this.access = access;
    this.audit = audit;
    this.conversations = conversations;
    this.latestScores = latestScores;
    this.online = online;
  }

  public List<RouteSpec> routes() {
    Set<Role> staff = EnumSet.of(Role.THERAPIST, Role.ONCALL);
    return List.of(
        RouteSpec.open("login", this::login),
        RouteSpec.session("logout", r -> identity.logout(r.actor())
            .map(v -> Reply.noContent().withCookie(Api.clearedSessionCookie()))).beforeSecondFactor(),
        RouteSpec.session("getMe", this::me).beforeSecondFactor(),
        RouteSpec.session("changePassword", r -> identity.changePassword(r.actor(),
            r.body().getString("currentPassword"), r.body().getString("newPassword")).map(v -> Reply.noContent())),
        RouteSpec.session("enrollTotp", r -> identity.enrollTotp(r.actor(), "Interlude")
            .map(uri -> Reply.ok(new JsonObject().put("otpauthUri", uri)))).beforeSecondFactor(),
        RouteSpec.session("confirmTotp", r -> identity.confirmTotp(r.actor(), r.body().getString("code"))
            .map(v -> Reply.noContent())).beforeSecondFactor(),
        RouteSpec.roles("createInvitation", EnumSet.of(Role.THERAPIST, Role.ADMIN), r -> admin.invite(r.actor(),
            r.body().getString("username"), r.body().getString("displayName"), r.body().getString("timeZone"))
            .map(Reply::created)),
        RouteSpec.open("acceptInvitation", r -> admin.acceptInvitation(r.body().getString("token"),
            r.body().getString("password"), r.ip(), r.correlationId()).map(v -> Reply.noContent())),
        RouteSpec.roles("listClients", staff, this::listClients),
        RouteSpec.session("getClient", this::getClient),
        RouteSpec.roles("breakGlass", staff, r -> admin.breakGlass(r.actor(), r.pathId("clientId"),
            r.body().getString("reason")).map(Reply::created)),
        RouteSpec.roles("addUser", EnumSet.of(Role.ADMIN), this::addUser),
        RouteSpec.roles("findUser", EnumSet.of(Role.ADMIN), r -> identity.store()
            .userByUsername(r.query("username").trim().toLowerCase(java.util.Locale.ROOT))
            .compose(u -> u.isPresent() && u.get().clinicId().equals(r.actor().clinicId())
                ? Future.succeededFuture(Reply.ok(new JsonObject().put("id", u.get().id().toString())
                    .put("username", u.get().username()).put("displayName", u.get().displayName())
                    .put("roles", new JsonArray(u.get().roles().stream().map(Role::code).sorted().toList()))
                    .put("disabled", u.get().disabled())))
                : Future.failedFuture(org.interlude.identity.Denied.notFound("user")))),
        RouteSpec.roles("updateClinic", EnumSet.of(Role.ADMIN), r -> admin.updateClinic(r.actor(),
            r.body().getBoolean("requireTotp"), r.body().getString("staffedHours")).map(c -> Reply.ok(c.toJson()))),
        RouteSpec.roles("disableUser", EnumSet.of(Role.ADMIN), r -> admin.disable(r.actor(), r.pathId("userId"))
            .map(v -> Reply.noContent())),
        RouteSpec.roles("addCareTeam", EnumSet.of(Role.ADMIN), r -> admin.careTeam(r.actor(), r.pathId("clientId"),
            r.pathId("therapistId"), true).map(v -> Reply.noContent())),
        RouteSpec.roles("removeCareTeam", EnumSet.of(Role.ADMIN), r -> admin.careTeam(r.actor(), r.pathId("clientId"),
            r.pathId("therapistId"), false).map(v -> Reply.noContent())),
        RouteSpec.roles("verifyAudit", EnumSet.of(Role.ADMIN), r -> audit.verify(r.actor().clinicId())
            .compose(result -> audit.record(AuditEvent.of("audit.verify").clinic(r.actor().clinicId())
                    .actor(r.actor().userId(), r.actor().auditRole())
                    .outcome(result.getBoolean("ok") ? AuditEvent.Outcome.SUCCESS : AuditEvent.Outcome.FAILURE)
                    .source(r.ip(), r.correlationId()).build())
                .map(v -> Reply.ok(result)))));
  }

  private Future<Reply> login(ApiRequest r) {
    JsonObject b = r.body();
    return identity.login(b.getString("username"), b.getString("password"), b.getString("totpCode"), r.ip(),
        r.correlationId()).compose(result -> {
          if (result instanceof LoginResult.Success s) {
            Sessions.Authenticated auth = new Sessions.Authenticated(
                new Actor(s.user().id(), s.user().clinicId(), s.user().username(), s.user().roles(), "", r.ip(),
                    r.correlationId()),
                s.user().displayName(), s.session().csrfToken(), s.secondFactor(), false, s.session().idleTimeout(),
                s.session().expiresAt());
            return meBody(auth, s.user().timeZone()).map(body -> Reply.ok(body)
                .withCookie(Api.sessionCookie(s.session().token(), Duration.ofHours(12).toSeconds())));
          }
          if (result instanceof LoginResult.Throttled t) {
            long secs = Math.max(1, t.retryAfter().toSeconds());
            return Future.succeededFuture(new Reply(429, Errors.body("too_many_attempts",
                "too many failed sign-in attempts: wait " + secs + " seconds and try again", null)
                .put("retryAfterSeconds", secs), List.of()));
          }
          if (result instanceof LoginResult.SecondFactorRequired sf) {
            return Future.succeededFuture(new Reply(401, Errors.body("second_factor_required",
                sf.codeWasWrong() ? "that authenticator code is not correct" : "enter the code from your authenticator app",
                "totpCode"), List.of()));
          }
          return Future.succeededFuture(new Reply(401, Errors.body("invalid_credentials",
              "the username or password is not correct", null), List.of()));
        });
  }

  private Future<Reply> me(ApiRequest r) {
    return identity.store().userById(r.actor().userId())
        .compose(u -> meBody(r.auth(), u.map(x -> x.timeZone()).orElse(null)))
        .map(Reply::ok);
  }

  private Future<JsonObject> meBody(Sessions.Authenticated a, String timeZone) {
    Actor actor = a.actor();
    return identity.store().clinic(actor.clinicId()).map(c -> new JsonObject()
        .put("user", new JsonObject().put("id", actor.userId().toString()).put("username", actor.username())
            .put("displayName", a.displayName())
            .put("roles", new JsonArray(actor.roles().stream().map(Role::code).sorted().toList()))
            .put("timeZone", timeZone == null ? c.timeZone() : timeZone))
        .put("clinic", c.toJson())
        .put("csrfToken", a.csrfToken())
        .put("idleTimeoutSeconds", a.idleTimeout().toSeconds())
        .put("secondFactor", a.secondFactor()));
  }

  private Future<Reply> addUser(ApiRequest r) {
    JsonObject b = r.body();
    Set<Role> roles = EnumSet.noneOf(Role.class);
    for (Object o : b.getJsonArray("roles")) {
      roles.add(Role.parse(String.valueOf(o)).orElseThrow(() -> new InvalidInput("invalid_roles", "roles", "unknown role")));
    }
    return admin.addUser(r.actor(), b.getString("username"), b.getString("displayName"), roles, b.getString("password"),
        b.getString("timeZone")).map(id -> Reply.created(new JsonObject().put("userId", id.toString())));
  }

  /**
   * The roster: therapists see their care team, on-call staff the clients of incidents routed to
   * them (and break-glass clients), each with the conversation, this user's unread count, the
   * latest scores, an open incident and whether the client is online (a socket open on any node).
   * Audited as one read of the roster.
   */
  private Future<Reply> listClients(ApiRequest r) {
    Actor a = r.actor();
    java.time.OffsetDateTime now = java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC);
    return identity.store().pool().preparedQuery("SELECT u.id, u.display_name, u.time_zone FROM app_user u"
            + " WHERE u.clinic_id = $1 AND 'client' = ANY(u.roles) AND u.disabled_at IS NULL AND ("
            + " EXISTS (SELECT 1 FROM care_team ct WHERE ct.client_id = u.id AND ct.therapist_id = $2)"
            + " OR EXISTS (SELECT 1 FROM incident_access ia WHERE ia.client_id = u.id AND ia.staff_id = $2)"
            + " OR EXISTS (SELECT 1 FROM break_glass b WHERE b.client_id = u.id AND b.actor_id = $2 AND b.expires_at > $3))"
            + " ORDER BY u.display_name")
        .execute(Tuple.of(a.clinicId(), a.userId(), now))
        .compose(rows -> {
          java.util.List<java.util.UUID> ids = new java.util.ArrayList<>();
          java.util.Map<java.util.UUID, JsonObject> byId = new java.util.LinkedHashMap<>();
          for (Row row : rows) {
            java.util.UUID id = row.getUUID("id");
            ids.add(id);
            byId.put(id, new JsonObject().put("id", id.toString()).put("displayName", row.getString("display_name"))
                .put("timeZone", row.getString("time_zone")));
          }
          if (ids.isEmpty()) {
            return Future.succeededFuture(Reply.ok(new JsonObject().put("clients", new JsonArray())));
          }
          java.util.List<Future<java.util.UUID>> convs = new java.util.ArrayList<>();
          for (java.util.UUID id : ids) {
            convs.add(conversations.ensureForClient(a.clinicId(), id));
          }
          return Future.all(convs).compose(done -> identity.store().pool().preparedQuery(
                  "SELECT c.client_id, c.id AS conversation_id,"
                      + " (SELECT count(*) FROM message m WHERE m.conversation_id = c.id AND m.sender_id <> $2 AND m.seq >"
                      + "   COALESCE((SELECT seq FROM read_marker rm WHERE rm.conversation_id = c.id AND rm.user_id = $2), 0))"
                      + "   AS unread,"
                      + " (SELECT i.id FROM incident i WHERE i.client_id = c.client_id AND i.state <> 'resolved' LIMIT 1) AS incident_id,"
                      + " (SELECT i.severity FROM incident i WHERE i.client_id = c.client_id AND i.state <> 'resolved' LIMIT 1)"
                      + "   AS incident_severity"
                      + " FROM conversation c WHERE c.client_id = ANY($1)")
              .execute(Tuple.of(ids.toArray(java.util.UUID[]::new), a.userId())))
              .compose(extra -> latestScores.apply(ids).compose(scores -> online.apply(Set.copyOf(ids)).map(here -> {
                for (java.util.UUID id : ids) {
                  byId.get(id).put("online", here.contains(id));
                }
                for (Row e : extra) {
                  JsonObject c = byId.get(e.getUUID("client_id"));
                  c.put("conversationId", e.getUUID("conversation_id").toString()).put("unread", e.getLong("unread"));
                  java.util.UUID incident = e.getUUID("incident_id");
                  c.put("openIncident", incident == null ? null
                      : new JsonObject().put("id", incident.toString()).put("severity", e.getString("incident_severity")));
                }
                JsonArray out = new JsonArray();
                for (var entry : byId.entrySet()) {
                  out.add(entry.getValue().put("latestScores", scores.getOrDefault(entry.getKey(), new JsonObject())));
                }
                return out;
              })))
              .compose(out -> audit.record(AuditEvent.of("roster.read").clinic(a.clinicId()).actor(a.userId(), a.auditRole())
                      .object("roster", a.userId()).source(r.ip(), r.correlationId()).build())
                  .map(v -> Reply.ok(new JsonObject().put("clients", out))));
        });
  }

  private Future<Reply> getClient(ApiRequest r) {
    Actor a = r.actor();
    return access.client(a, r.pathId("clientId"))
        .compose(u -> audit.record(AuditEvent.of("client.read").clinic(a.clinicId()).actor(a.userId(), a.auditRole())
                .subject(u.id()).object("client", u.id()).source(r.ip(), r.correlationId()).build())
            .map(v -> Reply.ok(new JsonObject().put("id", u.id().toString()).put("displayName", u.displayName())
                .put("timeZone", u.timeZone()))));
  }
}
