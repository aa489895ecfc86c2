package org.interlude.identity;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.util.UUID;

/**
 * A clinic: the top-level scope of every user and record. {@code country} selects the crisis
 * lines shown to its clients; {@code staffedHours} is shown beside every crisis entry point so
 * the product never implies round-the-clock monitoring the clinic does not staff.
 */
public record Clinic(UUID id, String name, String country, String timeZone, String staffedHours, boolean requireTotp) {
  static Clinic from(Row r) {
    return new Clinic(r.getUUID("id"), r.getString("name"), r.getString("country"), r.getString("time_zone"),
        r.getString("staffed_hours"), r.getBoolean("require_totp"));
  }

  public JsonObject toJson() {
    return new JsonObject().put("id", id.toString()).put("name", name).put("country", country)
        .put("timeZone", timeZone).put("staffedHours", staffedHours).put("requireTotp", requireTotp);
  }
}
