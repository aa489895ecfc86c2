package org.interlude.escalation;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.interlude.crypto.DataKeys;
import org.interlude.crypto.WrappedKey;
import org.interlude.identity.Actor;
import org.interlude.identity.Denied;
import org.interlude.identity.Role;

/**
 * Reads incidents for people, always from the database and always through the visibility rule:
 * a staff member (therapist or on-call) of the incident's clinic sees an incident when the client
 * is in their care team (therapists), when they were paged for it or joined it, or while they
 * hold a break-glass access to the client. Clients see only their own crisis and status frames;
 * admins see no incidents. Builds the {@code alert}, {@code crisis.info} and
 * {@code incident.status} frames and the REST bodies. The client's display name appears only in
 * what authorised staff receive.
 */
public final class IncidentViews {
  static final String SUMMARY = "SELECT i.id, i.client_id, c.display_name AS client_name, i.severity, i.state, i.opened_at,"
      + " i.acknowledged_by, a.display_name AS ack_name, i.acknowledged_at, i.resolved_at, i.disposition, i.unanswered_at,"
      + " t.kind AS t_kind, t.rule_id AS t_rule, t.summary AS t_summary"
      + " FROM incident i JOIN app_user c ON c.id = i.client_id LEFT JOIN app_user a ON a.id = i.acknowledged_by"
      + " LEFT JOIN incident_trigger t ON t.id = i.decisive_trigger";

  private final Pool pool;
  private final DataKeys dataKeys;
  private final Clock clock;

  public IncidentViews(Pool pool, DataKeys dataKeys, Clock clock) {
    this.pool = pool;
    this.dataKeys = dataKeys;
    this.clock = clock;
  }

  /** Therapists and on-call staff may see incidents at all; everyone else is refused as not found. */
  static boolean clinical(Actor a) {
    return !a.isClient() && a.hasAny(java.util.EnumSet.of(Role.THERAPIST, Role.ONCALL));
  }

  /**
   * The SQL condition "the user may see incident {@code alias}", over parameters numbered
   * {@code clinic}, {@code user}, {@code therapist} (boolean) and {@code now}.
   */
  static String visible(String alias, int clinic, int user, int therapist, int now) {
    return alias + ".clinic_id = $" + clinic + " AND ("
        + "($" + therapist + " AND EXISTS (SELECT 1 FROM care_team ct WHERE ct.client_id = " + alias + ".client_id"
        + " AND ct.therapist_id = $" + user + "))"
        + " OR EXISTS (SELECT 1 FROM incident_access ia WHERE ia.incident_id = " + alias + ".id AND ia.staff_id = $" + user + ")"
        + " OR EXISTS (SELECT 1 FROM page p WHERE p.incident_id = " + alias + ".id AND p.user_id = $" + user + ")"
        + " OR EXISTS (SELECT 1 FROM break_glass b WHERE b.actor_id = $" + user + " AND b.client_id = " + alias + ".client_id"
        + " AND b.expires_at > $" + now + "))";
  }

  static Object[] visibleParams(Actor a, Instant now) {
    return new Object[] {a.clinicId(), a.userId(), a.has(Role.THERAPIST), Times.odt(now)};
  }

  static JsonObject summary(Row r) {
    JsonObject o = new JsonObject().put("id", r.getUUID("id").toString()).put("clientId", r.getUUID("client_id").toString())
        .put("clientName", r.getString("client_name")).put("severity", r.getString("severity"))
        .put("state", r.getString("state")).put("openedAt", IncidentRow.instant(r, "opened_at").toString());
    if (r.getString("t_kind") != null) {
      o.put("trigger", new JsonObject().put("kind", r.getString("t_kind")).put("ruleId", r.getString("t_rule"))
          .put("summary", r.getString("t_summary")));
    }
    if (r.getUUID("acknowledged_by") != null) {
      o.put("acknowledgedBy", r.getString("ack_name")).put("acknowledgedById", r.getUUID("acknowledged_by").toString())
          .put("acknowledgedAt", IncidentRow.instant(r, "acknowledged_at").toString());
    }
    if (r.getValue("unanswered_at") != null && !"resolved".equals(r.getString("state"))) {
      o.put("unansweredAt", IncidentRow.instant(r, "unanswered_at").toString());
    }
    if (r.getValue("resolved_at") != null) {
      o.put("resolvedAt", IncidentRow.instant(r, "resolved_at").toString()).put("disposition", r.getString("disposition"));
    }
    return o;
  }

  /** The incident as {@code a} may see it, or empty (missing and forbidden look the same). */
  Future<Optional<JsonObject>> summaryFor(SqlClient c, Actor a, UUID incidentId) {
    if (!clinical(a)) {
      return Future.succeededFuture(Optional.empty());
    }
    Object[] p = visibleParams(a, clock.instant());
    return c.preparedQuery(SUMMARY + " WHERE i.id = $5 AND " + visible("i", 1, 2, 3, 4))
        .execute(Tuple.from(new Object[] {p[0], p[1], p[2], p[3], incidentId}))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(summary(rows.iterator().next())));
  }

  /** The {@code alert} frame for one incident, when {@code a} may see it. */
  public Future<List<JsonObject>> alertFrames(Actor a, UUID incidentId) {
    return alertFrames(pool, a, incidentId);
  }

  /** {@link #alertFrames(Actor, UUID)} through {@code c} (the urgent pool, for a fresh incident's alert). */
  Future<List<JsonObject>> alertFrames(SqlClient c, Actor a, UUID incidentId) {
    return summaryFor(c, a, incidentId).map(s -> s.map(inc -> List.of(alert(inc))).orElse(List.of()));
  }

  static JsonObject alert(JsonObject incident) {
    return new JsonObject().put("type", "alert").put("incident", incident);
  }

  /** Incidents {@code a} may see, newest first; {@code openOnly} leaves out resolved ones. */
  Future<JsonArray> list(Actor a, boolean openOnly) {
    if (!clinical(a)) {
      return Future.failedFuture(Denied.notFound("resource"));
    }
    Object[] p = visibleParams(a, clock.instant());
    return pool.preparedQuery(SUMMARY + " WHERE " + visible("i", 1, 2, 3, 4) + " AND ($5 = false OR i.state <> 'resolved')"
            + " ORDER BY i.opened_at DESC LIMIT 200")
        .execute(Tuple.from(new Object[] {p[0], p[1], p[2], p[3], openOnly}))
        .map(rows -> {
          JsonArray out = new JsonArray();
          rows.forEach(r -> out.add(summary(r)));
          return out;
        });
  }

  /** Alert frames for every open incident {@code a} may see (sent when their socket opens). */
  public Future<List<JsonObject>> openAlerts(Actor a) {
    if (!clinical(a)) {
      return Future.succeededFuture(List.of());
    }
    return list(a, true).map(arr -> {
      List<JsonObject> out = new ArrayList<>();
      for (int i = arr.size() - 1; i >= 0; i--) {
        out.add(alert(arr.getJsonObject(i)));
      }
      return out;
    });
  }

  /** The incident with its triggers and full timeline (notes opened), when {@code a} may see it. */
  Future<JsonObject> detail(Actor a, UUID incidentId) {
    return summaryFor(pool, a, incidentId).compose(s -> {
      if (s.isEmpty()) {
        return Future.failedFuture(Denied.notFound("incident"));
      }
      JsonObject inc = s.get();
      return pool.preparedQuery("SELECT dk_version, dk_wrapped FROM incident WHERE id = $1").execute(Tuple.of(incidentId))
          .compose(keyRows -> {
            Row k = keyRows.iterator().next();
            WrappedKey dk = new WrappedKey(k.getInteger("dk_version"), k.getBuffer("dk_wrapped").getBytes());
            return pool.preparedQuery("SELECT e.id, e.at, e.kind, e.actor_id, ua.display_name AS actor_name, e.user_id,"
                    + " uu.display_name AS user_name, e.level, e.round, e.severity, e.disposition, e.detail, e.note_id,"
                    + " e.note_sealed, t.kind AS t_kind, t.rule_id AS t_rule, t.summary AS t_summary"
                    + " FROM incident_event e LEFT JOIN app_user ua ON ua.id = e.actor_id"
                    + " LEFT JOIN app_user uu ON uu.id = e.user_id LEFT JOIN incident_trigger t ON t.id = e.trigger_id"
                    + " WHERE e.incident_id = $1 ORDER BY e.id").execute(Tuple.of(incidentId))
                .map(rows -> {
                  JsonArray timeline = new JsonArray();
                  for (Row r : rows) {
                    timeline.add(event(r, dk, incidentId));
                  }
                  return new JsonObject().put("incident", inc).put("timeline", timeline);
                });
          });
    });
  }

  private JsonObject event(Row r, WrappedKey dk, UUID incidentId) {
    JsonObject e = new JsonObject().put("id", r.getLong("id")).put("at", IncidentRow.instant(r, "at").toString())
        .put("kind", r.getString("kind"));
    if (r.getUUID("actor_id") != null) {
      e.put("actor", new JsonObject().put("id", r.getUUID("actor_id").toString()).put("displayName", r.getString("actor_name")));
    }
    if (r.getUUID("user_id") != null) {
      e.put("user", new JsonObject().put("id", r.getUUID("user_id").toString()).put("displayName", r.getString("user_name")));
    }
    if (r.getInteger("level") != null) {
      e.put("level", r.getInteger("level"));
    }
    if (r.getInteger("round") != null) {
      e.put("round", r.getInteger("round"));
    }
    if (r.getString("severity") != null) {
      e.put("severity", r.getString("severity"));
    }
    if (r.getString("disposition") != null) {
      e.put("disposition", r.getString("disposition"));
    }
    if (r.getValue("detail") instanceof JsonObject d) {
      e.put("detail", d);
    }
    if (r.getString("t_kind") != null) {
      e.put("trigger", new JsonObject().put("kind", r.getString("t_kind")).put("ruleId", r.getString("t_rule"))
          .put("summary", r.getString("t_summary")));
    }
    if (r.getUUID("note_id") != null) {
      String text = Notes.open(dataKeys, dk, incidentId, r.getUUID("note_id"), r.getBuffer("note_sealed").getBytes());
      if (text == null) {
        e.put("noteUnreadable", true);
      } else {
        e.put("note", text);
      }
    }
    return e;
  }

  // ---- the client's side ----

  private static final String CLIENT_VIEW = "SELECT i.id, i.severity, i.state, i.unanswered_at, i.acknowledged_at,"
      + " a.display_name AS ack_name, cl.country, cl.staffed_hours,"
      + " EXISTS (SELECT 1 FROM incident_trigger t WHERE t.incident_id = i.id"
      + "   AND t.client_action = 'call_emergency_number_now') AS emergency,"
      + " EXISTS (SELECT 1 FROM page p WHERE p.incident_id = i.id) AS paged"
      + " FROM incident i JOIN clinic cl ON cl.id = i.clinic_id LEFT JOIN app_user a ON a.id = i.acknowledged_by";

  /** The {@code crisis.info} frame of the client's incident, for HIGH and CRITICAL incidents. */
  public Future<Optional<JsonObject>> crisisInfo(UUID clientId, UUID incidentId) {
    return crisisInfo(pool, clientId, incidentId);
  }

  /** {@link #crisisInfo(UUID, UUID)} through {@code c} (the urgent pool, right after a report). */
  Future<Optional<JsonObject>> crisisInfo(SqlClient c, UUID clientId, UUID incidentId) {
    return c.preparedQuery(CLIENT_VIEW + " WHERE i.id = $1 AND i.client_id = $2").execute(Tuple.of(incidentId, clientId))
        .map(rows -> rows.size() == 0 ? Optional.<JsonObject>empty() : crisisInfo(rows.iterator().next()));
  }

  static Optional<JsonObject> crisisInfo(Row r) {
    Severity severity = Severity.valueOf(r.getString("severity"));
    if (!severity.pages()) {
      return Optional.empty();
    }
    CrisisLines lines = CrisisLines.forCountry(r.getString("country"));
    boolean emergency = r.getBoolean("emergency");
    boolean paged = r.getBoolean("paged");
    String message;
    if (emergency) {
      message = "Call " + lines.emergencyNumber() + " now for emergency help. "
          + (paged ? "The on-call clinician has also been notified."
              : "No on-call clinician could be reached right now.");
    } else if (paged) {
      message = "The on-call clinician has been notified";
    } else {
      message = "No on-call clinician could be reached right now. Please " + lines.direct() + " now, or call "
          + lines.emergencyNumber() + " if you are in immediate danger.";
    }
    return Optional.of(new JsonObject().put("type", "crisis.info").put("incidentId", r.getUUID("id").toString())
        .put("severity", severity.name()).put("lines", lines.linesJson()).put("emergencyNumber", lines.emergencyNumber())
        .put("staffedHours", r.getString("staffed_hours")).put("message", message).put("callEmergencyNow", emergency));
  }

  /**
   * The {@code incident.status} frame: {@code acknowledged} with the acknowledger's name, or
   * {@code unanswered} when the chain ran out before anyone acknowledged; empty otherwise.
   */
  public Future<Optional<JsonObject>> status(UUID clientId, UUID incidentId) {
    return pool.preparedQuery(CLIENT_VIEW + " WHERE i.id = $1 AND i.client_id = $2").execute(Tuple.of(incidentId, clientId))
        .map(rows -> rows.size() == 0 ? Optional.<JsonObject>empty() : status(rows.iterator().next()));
  }

  static Optional<JsonObject> status(Row r) {
    if (!Severity.valueOf(r.getString("severity")).pages()) {
      return Optional.empty();
    }
    String state = r.getString("state");
    String id = r.getUUID("id").toString();
    if (state.equals("acknowledged")) {
      String name = r.getString("ack_name");
      return Optional.of(new JsonObject().put("type", "incident.status").put("incidentId", id).put("state", "acknowledged")
          .put("acknowledgedBy", name).put("at", IncidentRow.instant(r, "acknowledged_at").toString())
          .put("message", name + " has seen your message"));
    }
    if (state.equals("triggered") && r.getValue("unanswered_at") != null && r.getValue("acknowledged_at") == null) {
      CrisisLines lines = CrisisLines.forCountry(r.getString("country"));
      return Optional.of(new JsonObject().put("type", "incident.status").put("incidentId", id).put("state", "unanswered")
          .put("at", IncidentRow.instant(r, "unanswered_at").toString())
          .put("message", "No clinician has been able to answer yet. Please " + lines.direct() + " now, or call "
              + lines.emergencyNumber() + " if you are in immediate danger.")
          .put("lines", lines.linesJson()).put("emergencyNumber", lines.emergencyNumber()));
    }
    return Optional.empty();
  }

  /** Frames for a client's socket when it opens: crisis information and status of an open HIGH/CRITICAL incident. */
  public Future<List<JsonObject>> clientFrames(UUID clientId) {
    return pool.preparedQuery(CLIENT_VIEW + " WHERE i.client_id = $1 AND i.state <> 'resolved'").execute(Tuple.of(clientId))
        .map(rows -> {
          List<JsonObject> out = new ArrayList<>();
          for (Row r : rows) {
            crisisInfo(r).ifPresent(out::add);
            status(r).ifPresent(out::add);
          }
          return out;
        });
  }
}
