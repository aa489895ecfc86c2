package org.interlude.checkin.instrument;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One version of a check-in instrument, loaded from {@code instruments/<id>.v<version>.json}.
 *
 * <p>Instances come from {@link InstrumentParser} (via {@link InstrumentCatalog}), which validates
 * the file; the record itself only guards against nulls. A result is always scored against the exact
 * version the client answered, so a new version of a file never changes old scores.
 *
 * @param id stable instrument id, for example {@code phq9}
 * @param version version of the file, starting at 1
 * @param title short title shown to clients and clinicians, for example "PHQ-9"
 * @param stem the question stem shown above the items
 * @param instructions longer instructions shown before the stem, or {@code null}
 * @param items the items in display order
 * @param scoring how the instrument is scored, or {@code null} for unscored instruments
 * @param loincPanel LOINC code of the whole panel, or {@code null} when it has none
 * @param loincTotal LOINC code of the total score, or {@code null}
 * @param source citation of the published instrument (or a note that it is a product instrument)
 * @param licence licence or permission note of the instrument's text
 * @param notes further notes for clinicians, or {@code null}
 * @param json the file's JSON, as sent to the browser to render the form; see {@link #json()}
 */
public record Instrument(
    String id,
    int version,
    String title,
    String stem,
    String instructions,
    List<Item> items,
    Scoring scoring,
    String loincPanel,
    String loincTotal,
    String source,
    String licence,
    String notes,
    JsonObject json) {

  /** Prefix of the canonical URI of an instrument version (used as the FHIR questionnaire). */
  public static final String CANONICAL_PREFIX = "urn:interlude:instrument:";

  /** Copies the item list and the JSON so later changes to the inputs cannot reach this record. */
  public Instrument {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(stem, "stem");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(licence, "licence");
    items = List.copyOf(items);
    json = Objects.requireNonNull(json, "json").copy();
  }

  /**
   * A copy of the file's JSON, for the web client to render. The copy keeps callers (who may add
   * fields before sending it to a browser) from changing the catalog's instance.
   */
  @Override
  public JsonObject json() {
    return json.copy();
  }

  /** The item with {@code itemId}, if the instrument has one. */
  public Optional<Item> item(String itemId) {
    return items.stream().filter(i -> i.id().equals(itemId)).findFirst();
  }

  /** The items whose values are summed into the total, in display order. */
  public List<Item> scoredItems() {
    return items.stream().filter(Item::scored).toList();
  }

  /** True when the instrument has a total score. */
  public boolean isScored() {
    return scoring != null;
  }

  /** The canonical URI of this version: {@code urn:interlude:instrument:<id>|<version>}. */
  public String canonical() {
    return CANONICAL_PREFIX + id + "|" + version;
  }

  /** The file name this version is loaded from: {@code <id>.v<version>.json}. */
  public String fileName() {
    return fileName(id, version);
  }

  /** The file name of instrument {@code id} at {@code version}. */
  public static String fileName(String id, int version) {
    return id + ".v" + version + ".json";
  }
}
