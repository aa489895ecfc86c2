package org.interlude.checkin.instrument;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Parses and validates one instrument file.
 *
 * <p>Validation is strict because a silently wrong file would mean wrong clinical scores: unknown
 * fields are rejected (a misspelt {@code "requried"} would otherwise make an item optional), LOINC
 * term codes must carry a correct check digit, a scored item must be required, the declared score
 * range must equal what the scored items can actually sum to, and the bands must cover that range
 * without gaps or overlaps. Every failure is an {@link InstrumentFormatException} naming the file and
 * the JSON path of the field.
 */
public final class InstrumentParser {
  private static final Pattern INSTRUMENT_ID = Pattern.compile("[a-z][a-z0-9]{0,31}");
  private static final Pattern ITEM_ID = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,31}");
  private static final Pattern BAND_ID = Pattern.compile("[a-z][a-z0-9_]{0,47}");
  private static final Pattern FLAG = Pattern.compile("[a-z][a-z0-9]*\\.[A-Za-z][A-Za-z0-9]*");
  private static final int MAX_TEXT_LENGTH = 100_000;

  private static final Set<String> TOP_KEYS =
      Set.of(
          "id", "version", "title", "stem", "instructions", "source", "licence", "notes", "loinc",
          "items", "scoring");
  private static final Set<String> LOINC_KEYS = Set.of("panel", "total");
  private static final Set<String> ITEM_KEYS =
      Set.of(
          "id", "text", "type", "required", "scored", "safety", "flag", "loinc", "options", "min",
          "max", "minLabel", "maxLabel", "maxLength");
  private static final Set<String> OPTION_KEYS = Set.of("value", "label", "loinc");
  private static final Set<String> SCORING_KEYS =
      Set.of("method", "min", "max", "multiplier", "bandsOn", "bands", "note");
  private static final Set<String> BAND_KEYS = Set.of("id", "label", "min", "max");

  private final String file;

  private InstrumentParser(String file) {
    this.file = file;
  }

  /**
   * Parses {@code content}, the text of the file named {@code fileName}, into a validated instrument.
   * The file name must be {@code <id>.v<version>.json} matching the content, so the name a file is
   * looked up by can never disagree with what it holds.
   *
   * @throws InstrumentFormatException naming the file and field when anything is wrong
   */
  public static Instrument parse(String fileName, String content) {
    return new InstrumentParser(fileName).parse(content);
  }

  private Instrument parse(String content) {
    JsonObject root;
    try {
      root = new JsonObject(content);
    } catch (DecodeException | ClassCastException e) {
      throw fail("$", "not a JSON object: " + e.getMessage(), e);
    }
    checkKeys(root, "$", TOP_KEYS);
    String id = string(root, "$", "id", true);
    if (!INSTRUMENT_ID.matcher(id).matches()) {
      throw fail("id", "must match " + INSTRUMENT_ID.pattern());
    }
    int version = integer(root, "$", "version");
    if (version < 1) {
      throw fail("version", "must be at least 1");
    }
    if (!file.equals(Instrument.fileName(id, version))) {
      throw fail("$", "file name must be " + Instrument.fileName(id, version) + " for id " + id
          + " version " + version);
    }
    String title = string(root, "$", "title", true);
    String stem = string(root, "$", "stem", true);
    String instructions = string(root, "$", "instructions", false);
    String source = string(root, "$", "source", true);
    String licence = string(root, "$", "licence", true);
    String notes = string(root, "$", "notes", false);

    String loincPanel = null;
    String loincTotal = null;
    if (root.containsKey("loinc")) {
      JsonObject loinc = object(root, "$", "loinc");
      checkKeys(loinc, "loinc", LOINC_KEYS);
      loincPanel = loincTerm(loinc, "loinc", "panel");
      loincTotal = loincTerm(loinc, "loinc", "total");
    }

    List<Item> items = items(id, root);
    Scoring scoring = root.containsKey("scoring") ? scoring(root, items) : null;
    if (scoring == null) {
      for (int i = 0; i < items.size(); i++) {
        if (items.get(i).scored()) {
          throw fail("items[" + i + "].scored", "instrument has no scoring, so no item can be scored");
        }
      }
      if (loincTotal != null) {
        throw fail("loinc.total", "instrument has no scoring, so it has no total to code");
      }
    }
    return new Instrument(
        id, version, title, stem, instructions, items, scoring, loincPanel, loincTotal, source,
        licence, notes, root);
  }

  private List<Item> items(String instrumentId, JsonObject root) {
    JsonArray array = array(root, "$", "items");
    if (array.isEmpty()) {
      throw fail("items", "must not be empty");
    }
    List<Item> items = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    Set<String> flags = new HashSet<>();
    for (int i = 0; i < array.size(); i++) {
      String path = "items[" + i + "]";
      if (!(array.getValue(i) instanceof JsonObject json)) {
        throw fail(path, "must be an object");
      }
      Item item = item(instrumentId, json, path);
      if (!ids.add(item.id())) {
        throw fail(path + ".id", "duplicate item id " + item.id());
      }
      if (item.flag() != null && !flags.add(item.flag())) {
        throw fail(path + ".flag", "duplicate flag " + item.flag());
      }
      items.add(item);
    }
    return items;
  }

  private Item item(String instrumentId, JsonObject json, String path) {
    checkKeys(json, path, ITEM_KEYS);
    String id = string(json, path, "id", true);
    if (!ITEM_ID.matcher(id).matches()) {
      throw fail(path + ".id", "must match " + ITEM_ID.pattern());
    }
    String text = string(json, path, "text", true);
    String typeName = string(json, path, "type", true);
    ItemType type =
        ItemType.fromJsonName(typeName)
            .orElseThrow(
                () -> fail(path + ".type", "unknown type '" + typeName
                    + "' (expected choice, boolean, scale or text)"));
    boolean required = bool(json, path, "required");
    boolean scored = bool(json, path, "scored");
    boolean safety = bool(json, path, "safety");
    String flag = string(json, path, "flag", false);
    if (flag != null && (!FLAG.matcher(flag).matches() || !flag.startsWith(instrumentId + "."))) {
      throw fail(path + ".flag", "must be '" + instrumentId + ".<name>'");
    }
    String loinc = loincTerm(json, path, "loinc");

    List<AnswerOption> options = List.of();
    Integer min = null;
    Integer max = null;
    String minLabel = null;
    String maxLabel = null;
    Integer maxLength = null;
    switch (type) {
      case CHOICE -> {
        forbid(json, path, type, "min", "max", "minLabel", "maxLabel", "maxLength");
        options = options(json, path);
      }
      case SCALE -> {
        forbid(json, path, type, "options", "maxLength");
        min = integer(json, path, "min");
        max = integer(json, path, "max");
        if (min >= max) {
          throw fail(path + ".max", "must be greater than min " + min);
        }
        minLabel = string(json, path, "minLabel", false);
        maxLabel = string(json, path, "maxLabel", false);
      }
      case BOOLEAN -> forbid(json, path, type, "options", "min", "max", "minLabel", "maxLabel",
          "maxLength");
      case TEXT -> {
        forbid(json, path, type, "options", "min", "max", "minLabel", "maxLabel", "scored", "flag");
        maxLength = integer(json, path, "maxLength");
        if (maxLength < 1 || maxLength > MAX_TEXT_LENGTH) {
          throw fail(path + ".maxLength", "must be between 1 and " + MAX_TEXT_LENGTH);
        }
      }
      default -> throw new IllegalStateException(type.name());
    }
    if (scored && !required) {
      throw fail(path + ".required", "a scored item must be required: totals are never prorated");
    }
    return new Item(id, text, type, required, scored, safety, flag, loinc, options, min, max,
        minLabel, maxLabel, maxLength);
  }

  private List<AnswerOption> options(JsonObject json, String path) {
    JsonArray array = array(json, path, "options");
    if (array.size() < 2) {
      throw fail(path + ".options", "a choice item needs at least two options");
    }
    List<AnswerOption> options = new ArrayList<>();
    Set<Integer> values = new HashSet<>();
    for (int i = 0; i < array.size(); i++) {
      String optionPath = path + ".options[" + i + "]";
      if (!(array.getValue(i) instanceof JsonObject option)) {
        throw fail(optionPath, "must be an object");
      }
      checkKeys(option, optionPath, OPTION_KEYS);
      int value = integer(option, optionPath, "value");
      if (!values.add(value)) {
        throw fail(optionPath + ".value", "duplicate option value " + value);
      }
      String label = string(option, optionPath, "label", true);
      String loinc = string(option, optionPath, "loinc", false);
      if (loinc != null && !Loinc.isValidAnswerCode(loinc)) {
        throw fail(optionPath + ".loinc", "not a LOINC answer code (LA…-n): " + loinc);
      }
      options.add(new AnswerOption(value, label, loinc));
    }
    return options;
  }

  private Scoring scoring(JsonObject root, List<Item> items) {
    JsonObject json = object(root, "$", "scoring");
    checkKeys(json, "scoring", SCORING_KEYS);
    String method = string(json, "scoring", "method", true);
    if (!method.equals("sum")) {
      throw fail("scoring.method", "unsupported method '" + method + "' (only 'sum')");
    }
    List<Item> scored = items.stream().filter(Item::scored).toList();
    if (scored.isEmpty()) {
      throw fail("scoring", "no item is marked scored");
    }
    int min = integer(json, "scoring", "min");
    int max = integer(json, "scoring", "max");
    int sumMin = scored.stream().mapToInt(Item::lowestValue).sum();
    int sumMax = scored.stream().mapToInt(Item::highestValue).sum();
    if (min != sumMin) {
      throw fail("scoring.min", "declared " + min + " but the scored items sum to at least " + sumMin);
    }
    if (max != sumMax) {
      throw fail("scoring.max", "declared " + max + " but the scored items sum to at most " + sumMax);
    }
    Integer multiplier = json.containsKey("multiplier")
        ? integer(json, "scoring", "multiplier") : null;
    if (multiplier != null && (multiplier < 1 || max * multiplier != 100)) {
      throw fail("scoring.multiplier", "must turn the maximum " + max + " into 100");
    }
    String basisName = json.containsKey("bandsOn") ? string(json, "scoring", "bandsOn", true) : "total";
    Scoring.BandBasis basis =
        switch (basisName) {
          case "total" -> Scoring.BandBasis.TOTAL;
          case "percentage" -> Scoring.BandBasis.PERCENTAGE;
          default -> throw fail("scoring.bandsOn", "must be 'total' or 'percentage'");
        };
    if (basis == Scoring.BandBasis.PERCENTAGE && multiplier == null) {
      throw fail("scoring.bandsOn", "bands on the percentage need a multiplier");
    }
    int low = basis == Scoring.BandBasis.PERCENTAGE ? min * multiplier : min;
    int high = basis == Scoring.BandBasis.PERCENTAGE ? max * multiplier : max;
    List<Band> bands = bands(json, low, high);
    String note = string(json, "scoring", "note", false);
    return new Scoring(min, max, multiplier, basis, bands, note);
  }

  private List<Band> bands(JsonObject scoring, int low, int high) {
    JsonArray array = array(scoring, "scoring", "bands");
    if (array.isEmpty()) {
      throw fail("scoring.bands", "must not be empty");
    }
    List<Band> bands = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    int expectedMin = low;
    for (int i = 0; i < array.size(); i++) {
      String path = "scoring.bands[" + i + "]";
      if (!(array.getValue(i) instanceof JsonObject json)) {
        throw fail(path, "must be an object");
      }
      checkKeys(json, path, BAND_KEYS);
      String id = string(json, path, "id", true);
      if (!BAND_ID.matcher(id).matches()) {
        throw fail(path + ".id", "must match " + BAND_ID.pattern());
      }
      if (!ids.add(id)) {
        throw fail(path + ".id", "duplicate band id " + id);
      }
      String label = string(json, path, "label", true);
      int min = integer(json, path, "min");
      int max = integer(json, path, "max");
      if (min != expectedMin) {
        throw fail(path + ".min", "must be " + expectedMin
            + " so the bands cover the range without gaps or overlaps");
      }
      if (max < min) {
        throw fail(path + ".max", "must not be below min " + min);
      }
      bands.add(new Band(id, label, min, max));
      expectedMin = max + 1;
    }
    if (expectedMin != high + 1) {
      throw fail("scoring.bands[" + (array.size() - 1) + "].max", "must be " + high
          + ", the highest possible score");
    }
    return bands;
  }

  private String loincTerm(JsonObject json, String path, String key) {
    String code = string(json, path, key, false);
    if (code != null && !Loinc.isValidTermCode(code)) {
      throw fail(join(path, key), "not a valid LOINC code (syntax or check digit): " + code);
    }
    return code;
  }

  private void forbid(JsonObject json, String path, ItemType type, String... keys) {
    for (String key : keys) {
      if (json.containsKey(key)) {
        throw fail(path + "." + key, "not allowed on a " + type.jsonName() + " item");
      }
    }
  }

  private void checkKeys(JsonObject json, String path, Set<String> allowed) {
    for (String key : json.fieldNames()) {
      if (!allowed.contains(key)) {
        throw fail(join(path, key), "unknown field (allowed: " + allowed.stream().sorted().toList() + ")");
      }
    }
  }

  private String string(JsonObject json, String path, String key, boolean required) {
    Object value = json.getValue(key);
    if (value == null) {
      if (required) {
        throw fail(join(path, key), "required");
      }
      return null;
    }
    if (!(value instanceof String s)) {
      throw fail(join(path, key), "must be a string");
    }
    if (s.isBlank()) {
      throw fail(join(path, key), "must not be blank");
    }
    return s;
  }

  private int integer(JsonObject json, String path, String key) {
    Object value = json.getValue(key);
    if (value == null) {
      throw fail(join(path, key), "required");
    }
    if (value instanceof Integer i) {
      return i;
    }
    if (value instanceof Number n) {
      try {
        return new BigDecimal(n.toString()).intValueExact();
      } catch (ArithmeticException | NumberFormatException e) {
        throw fail(join(path, key), "must be an integer");
      }
    }
    throw fail(join(path, key), "must be an integer");
  }

  private boolean bool(JsonObject json, String path, String key) {
    Object value = json.getValue(key);
    if (value == null) {
      return false;
    }
    if (!(value instanceof Boolean b)) {
      throw fail(join(path, key), "must be true or false");
    }
    return b;
  }

  private JsonObject object(JsonObject json, String path, String key) {
    Object value = json.getValue(key);
    if (!(value instanceof JsonObject o)) {
      throw fail(join(path, key), value == null ? "required" : "must be an object");
    }
    return o;
  }

  private JsonArray array(JsonObject json, String path, String key) {
    Object value = json.getValue(key);
    if (!(value instanceof JsonArray a)) {
      throw fail(join(path, key), value == null ? "required" : "must be an array");
    }
    return a;
  }

  private static String join(String path, String key) {
    return path.equals("$") ? key : path + "." + key;
  }

  private InstrumentFormatException fail(String field, String problem) {
    return new InstrumentFormatException(file, field, problem);
  }

  private InstrumentFormatException fail(String field, String problem, Throwable cause) {
    return new InstrumentFormatException(file, field, problem, cause);
  }
}
