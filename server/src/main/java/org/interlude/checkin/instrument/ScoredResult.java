package org.interlude.checkin.instrument;

import io.vertx.core.json.JsonObject;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * The scored, non-free-text part of one completed check-in.
 *
 * <p>Free text is deliberately not part of this record: it travels separately (see {@link
 * ScoringOutcome}) so the server can encrypt it while storing this record as plain data. {@link
 * #toString()} leaves out item values and flags so that logging a result by accident does not log
 * answers.
 *
 * @param instrumentId the instrument answered, for example {@code phq9}
 * @param version the instrument version answered
 * @param total the raw sum of the scored items, or {@code null} for unscored instruments
 * @param percentage total × multiplier (WHO-5: 0–100), or {@code null} when the instrument has none
 * @param bandId the id of the published band the score falls in, or {@code null} when unscored
 * @param bandLabel the band's label, or {@code null} when unscored
 * @param itemValues the value of every answered non-text item, in item order: the option value of a
 *     choice, the number of a scale, 1/0 for a yes/no item
 * @param flags derived flags, for example {@code phq9.item9 → 2} or {@code postdose.chestPain → 1},
 *     holding the value of the flagged item (yes/no as 1/0); only answered items appear
 */
public record ScoredResult(
    String instrumentId,
    int version,
    Integer total,
    Integer percentage,
    String bandId,
    String bandLabel,
    Map<String, Integer> itemValues,
    Map<String, Integer> flags) {

  /** Copies the maps, keeping their order, so the record stays immutable. */
  public ScoredResult {
    Objects.requireNonNull(instrumentId, "instrumentId");
    itemValues = Collections.unmodifiableMap(new LinkedHashMap<>(itemValues));
    flags = Collections.unmodifiableMap(new LinkedHashMap<>(flags));
    if ((total == null) != (bandId == null)) {
      throw new IllegalArgumentException("a total and a band go together");
    }
  }

  /** The value of derived flag {@code name}, if the flagged item was answered. */
  public OptionalInt flag(String name) {
    Integer value = flags.get(name);
    return value == null ? OptionalInt.empty() : OptionalInt.of(value);
  }

  /** The value of item {@code itemId}, if it was answered (text items never appear). */
  public OptionalInt item(String itemId) {
    Integer value = itemValues.get(itemId);
    return value == null ? OptionalInt.empty() : OptionalInt.of(value);
  }

  /** True when this is a result of a scored instrument. */
  public boolean isScored() {
    return total != null;
  }

  /** This result as JSON, for storage; {@link #fromJson(JsonObject)} reads it back. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("instrumentId", instrumentId).put("version", version);
    if (total != null) {
      json.put("total", total).put("bandId", bandId).put("bandLabel", bandLabel);
    }
    if (percentage != null) {
      json.put("percentage", percentage);
    }
    JsonObject items = new JsonObject();
    itemValues.forEach(items::put);
    JsonObject flagJson = new JsonObject();
    flags.forEach(flagJson::put);
    return json.put("itemValues", items).put("flags", flagJson);
  }

  /** Reads a result written by {@link #toJson()}. */
  public static ScoredResult fromJson(JsonObject json) {
    Map<String, Integer> items = new LinkedHashMap<>();
    json.getJsonObject("itemValues", new JsonObject()).forEach(e -> items.put(e.getKey(),
        ((Number) e.getValue()).intValue()));
    Map<String, Integer> flags = new LinkedHashMap<>();
    json.getJsonObject("flags", new JsonObject()).forEach(e -> flags.put(e.getKey(),
        ((Number) e.getValue()).intValue()));
    return new ScoredResult(
        json.getString("instrumentId"), json.getInteger("version"), json.getInteger("total"),
        json.getInteger("percentage"), json.getString("bandId"), json.getString("bandLabel"),
        items, flags);
  }

  /** Instrument, version, total and band only: item values and flags are answers and stay out of logs. */
  @Override
  public String toString() {
    return "ScoredResult[" + instrumentId + " v" + version
        + (total == null ? ", unscored" : ", total=" + total + ", band=" + bandId)
        + (percentage == null ? "" : ", percentage=" + percentage)
        + ", " + itemValues.size() + " items answered]";
  }
}
