package org.interlude.escalation;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/**
 * The crisis lines and emergency number for each country a clinic may be in, from the clinical
 * reference (docs: /work/shared/clinical-reference.md, "Crisis lines"). Pure data. {@code direct}
 * is the short instruction used in sentences ("call or text 988").
 */
public record CrisisLines(String country, List<Line> lines, String emergencyNumber, String direct) {

  /** One line: its name and how to reach it. */
  public record Line(String name, String contact) {
    JsonObject toJson() {
      return new JsonObject().put("name", name).put("contact", contact);
    }
  }

  private static final Map<String, CrisisLines> BY_COUNTRY = Map.of(
      "US", new CrisisLines("US", List.of(
          new Line("988 Suicide & Crisis Lifeline", "Call or text 988 (veterans press 1)"),
          new Line("Crisis Text Line", "Text HOME to 741741")), "911", "call or text 988"),
      "CA", new CrisisLines("CA", List.of(
          new Line("9-8-8 Suicide Crisis Helpline", "Call or text 9-8-8")), "911", "call or text 9-8-8"),
      "GB", new CrisisLines("GB", List.of(
          new Line("Samaritans", "Call 116 123 (free, 24/7)"),
          new Line("Shout", "Text 85258")), "999", "call Samaritans on 116 123"),
      "AU", new CrisisLines("AU", List.of(
          new Line("Lifeline", "Call 13 11 14 or text 0477 13 11 14")), "000", "call Lifeline on 13 11 14"));

  public CrisisLines {
    lines = List.copyOf(lines);
  }

  /**
   * The lines for {@code country} (ISO code as stored on the clinic). Clinics can only be created
   * in the four supported countries; an unknown code falls back to the United States so a client
   * is never shown an empty list.
   */
  public static CrisisLines forCountry(String country) {
    return BY_COUNTRY.getOrDefault(country, BY_COUNTRY.get("US"));
  }

  public JsonArray linesJson() {
    JsonArray a = new JsonArray();
    lines.forEach(l -> a.add(l.toJson()));
    return a;
  }
}
