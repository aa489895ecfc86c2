package org.interlude.escalation;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Instant;
import java.util.UUID;

/**
 * The JSON bodies of outbound webhooks. They carry ids, the severity, the level and a link into
 * the console only: never the client's name, the trigger's summary, message text or answers,
 * because pagers and SMS gateways are outside the clinic's protection. Two formats:
 *
 * <ul>
 *   <li>{@code interlude}: {@code {type, eventId, incidentId, clinicId, severity, link, occurredAt}}
 *       plus {@code recipientId} and {@code level} for a page, {@code acknowledgedById} for an
 *       acknowledgement. {@code type} is page, acknowledged, resolved or unanswered.
 *   <li>{@code pagerduty}: PagerDuty Events API v2 ({@code routing_key}, {@code event_action}
 *       trigger/acknowledge/resolve, {@code dedup_key} per incident, {@code payload} with a PHI-free
 *       summary, source and severity). The routing key is added at send time so it is never
 *       stored in clear in the outbox.
 * </ul>
 */
final class WebhookPayloads {
  static final String INTERLUDE = "interlude";
  static final String PAGERDUTY = "pagerduty";

  private WebhookPayloads() {}

  static String link(URI publicUrl, UUID incidentId) {
    String base = publicUrl.toString();
    while (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    return base + "/#/incidents/" + incidentId;
  }

  /** The body for {@code event} in {@code format}, or null when the format has no such event. */
  static JsonObject body(String format, String event, String eventId, UUID incidentId, UUID clinicId, Severity severity,
      URI publicUrl, Instant at, UUID userId, Integer level) {
    String link = link(publicUrl, incidentId);
    if (PAGERDUTY.equals(format)) {
      String action = switch (event) {
        case "page" -> "trigger";
        case "acknowledged" -> "acknowledge";
        case "resolved" -> "resolve";
        default -> null;
      };
      if (action == null) {
        return null;
      }
      JsonObject o = new JsonObject().put("event_action", action).put("dedup_key", "interlude-" + incidentId);
      if (action.equals("trigger")) {
        JsonObject details = new JsonObject().put("incidentId", incidentId.toString()).put("clinicId", clinicId.toString())
            .put("eventId", eventId);
        if (userId != null) {
          details.put("recipientId", userId.toString());
        }
        if (level != null) {
          details.put("level", level);
        }
        o.put("payload", new JsonObject()
                .put("summary", "Interlude " + severity.name() + " incident: open the Interlude console")
                .put("source", "interlude/" + clinicId)
                .put("severity", severity == Severity.CRITICAL ? "critical" : "error")
                .put("timestamp", at.toString())
                .put("custom_details", details))
            .put("client", "Interlude").put("client_url", link)
            .put("links", new JsonArray().add(new JsonObject().put("href", link).put("text", "Open in Interlude")));
      }
      return o;
    }
    JsonObject o = new JsonObject().put("type", event).put("eventId", eventId).put("incidentId", incidentId.toString())
        .put("clinicId", clinicId.toString()).put("severity", severity.name()).put("link", link)
        .put("occurredAt", at.toString());
    if (event.equals("page")) {
      o.put("recipientId", userId.toString());
      if (level != null) {
        o.put("level", level);
      }
    } else if (event.equals("acknowledged") && userId != null) {
      o.put("acknowledgedById", userId.toString());
    }
    return o;
  }
}
