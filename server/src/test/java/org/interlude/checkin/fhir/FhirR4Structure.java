package org.interlude.checkin.fhir;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A structural check of the FHIR R4 rules the exporter's output must meet (resource types, required
 * elements, value sets of status codes, choice types, primitive formats, references that resolve,
 * and the JSON rule that no element is empty or null). Not a full profile validator.
 */
final class FhirR4Structure {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9\\-.]{1,64}");
  // FHIR R4 instant and dateTime (with time) regular expressions.
  private static final Pattern INSTANT = Pattern.compile(
      "([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)-(0[1-9]|1[0-2])-(0[1-9]|[1-2][0-9]|3[0-1])"
          + "T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\\.[0-9]+)?(Z|(\\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))");
  private static final Pattern URI = Pattern.compile("\\S+:\\S+");
  private static final Pattern CODE = Pattern.compile("[^\\s]+(\\s[^\\s]+)*");
  private static final Set<String> BUNDLE_TYPES = Set.of("document", "message", "transaction",
      "transaction-response", "batch", "batch-response", "history", "searchset", "collection");
  private static final Set<String> QR_STATUS = Set.of("in-progress", "completed", "amended",
      "entered-in-error", "stopped");
  private static final Set<String> OBS_STATUS = Set.of("registered", "preliminary", "final", "amended",
      "corrected", "cancelled", "entered-in-error", "unknown");
  private static final Set<String> QR_ANSWER_VALUES = Set.of("valueBoolean", "valueDecimal", "valueInteger",
      "valueDate", "valueDateTime", "valueTime", "valueString", "valueUri", "valueAttachment", "valueCoding",
      "valueQuantity", "valueReference");
  private static final Set<String> OBS_VALUES = Set.of("valueQuantity", "valueCodeableConcept", "valueString",
      "valueBoolean", "valueInteger", "valueRange", "valueRatio", "valueSampledData", "valueTime",
      "valueDateTime", "valuePeriod");
  private static final Set<String> QR_KEYS = Set.of("resourceType", "id", "identifier", "questionnaire",
      "status", "subject", "authored", "item");
  private static final Set<String> OBS_KEYS = Set.of("resourceType", "id", "status", "category", "code",
      "subject", "effectiveDateTime", "derivedFrom", "hasMember", "interpretation", "valueQuantity",
      "valueCodeableConcept", "valueBoolean", "valueInteger");

  private final List<String> errors = new ArrayList<>();

  private FhirR4Structure() {}

  /** Every structural problem of {@code bundle}; empty when it conforms. */
  static List<String> check(JsonObject bundle) {
    FhirR4Structure checker = new FhirR4Structure();
    checker.noEmptyValues(bundle, "Bundle");
    checker.bundle(bundle);
    return checker.errors;
  }

  private void bundle(JsonObject bundle) {
    expect("Bundle".equals(bundle.getString("resourceType")), "Bundle.resourceType");
    expect(oneOf(BUNDLE_TYPES, bundle.getString("type")), "Bundle.type");
    String timestamp = bundle.getString("timestamp");
    expect(timestamp == null || INSTANT.matcher(timestamp).matches(), "Bundle.timestamp format");
    JsonArray entries = bundle.getJsonArray("entry", new JsonArray());
    Set<String> fullUrls = new HashSet<>();
    for (int i = 0; i < entries.size(); i++) {
      String fullUrl = entries.getJsonObject(i).getString("fullUrl");
      expect(fullUrl != null && URI.matcher(fullUrl).matches(), "entry[" + i + "].fullUrl");
      expect(fullUrls.add(fullUrl), "entry[" + i + "].fullUrl unique");
    }
    for (int i = 0; i < entries.size(); i++) {
      JsonObject resource = entries.getJsonObject(i).getJsonObject("resource");
      String path = "entry[" + i + "].resource";
      if (resource == null) {
        errors.add(path + " missing");
        continue;
      }
      String id = resource.getString("id");
      expect(id == null || ID.matcher(id).matches(), path + ".id syntax");
      switch (String.valueOf(resource.getString("resourceType"))) {
        case "QuestionnaireResponse" -> questionnaireResponse(resource, path, fullUrls);
        case "Observation" -> observation(resource, path, fullUrls);
        default -> errors.add(path + ".resourceType unexpected: " + resource.getString("resourceType"));
      }
    }
  }

  private void questionnaireResponse(JsonObject qr, String path, Set<String> fullUrls) {
    onlyKeys(qr, QR_KEYS, path);
    expect(oneOf(QR_STATUS, qr.getString("status")), path + ".status");
    String canonical = qr.getString("questionnaire");
    expect(canonical != null && URI.matcher(canonical).matches(), path + ".questionnaire canonical");
    expect(qr.getString("authored") == null || INSTANT.matcher(qr.getString("authored")).matches(),
        path + ".authored format");
    reference(qr.getJsonObject("subject"), path + ".subject", fullUrls);
    JsonArray items = qr.getJsonArray("item", new JsonArray());
    for (int i = 0; i < items.size(); i++) {
      JsonObject item = items.getJsonObject(i);
      String itemPath = path + ".item[" + i + "]";
      expect(item.getString("linkId") != null, itemPath + ".linkId required");
      expect(!(item.containsKey("answer") && item.containsKey("item")), itemPath + " qrs-1");
      JsonArray answers = item.getJsonArray("answer", new JsonArray());
      for (int a = 0; a < answers.size(); a++) {
        JsonObject answer = answers.getJsonObject(a);
        long values = answer.fieldNames().stream().filter(QR_ANSWER_VALUES::contains).count();
        expect(values == 1, itemPath + ".answer[" + a + "] has exactly one value[x]");
        if (answer.containsKey("valueCoding")) {
          coding(answer.getJsonObject("valueCoding"), itemPath + ".answer[" + a + "].valueCoding");
        }
      }
    }
  }

  private void observation(JsonObject obs, String path, Set<String> fullUrls) {
    onlyKeys(obs, OBS_KEYS, path);
    expect(oneOf(OBS_STATUS, obs.getString("status")), path + ".status");
    JsonObject code = obs.getJsonObject("code");
    expect(code != null && (code.containsKey("coding") || code.containsKey("text")), path + ".code required");
    if (code != null) {
      concept(code, path + ".code");
    }
    reference(obs.getJsonObject("subject"), path + ".subject", fullUrls);
    String effective = obs.getString("effectiveDateTime");
    expect(effective == null || INSTANT.matcher(effective).matches(), path + ".effectiveDateTime format");
    long values = obs.fieldNames().stream().filter(OBS_VALUES::contains).count();
    expect(values <= 1, path + " has at most one value[x]");
    if (obs.containsKey("valueCodeableConcept")) {
      concept(obs.getJsonObject("valueCodeableConcept"), path + ".valueCodeableConcept");
    }
    if (obs.containsKey("valueQuantity")) {
      JsonObject q = obs.getJsonObject("valueQuantity");
      expect(q.getValue("value") instanceof Number, path + ".valueQuantity.value");
      expect(!q.containsKey("code") || q.containsKey("system"), path + " qty-3");
    }
    for (String list : List.of("derivedFrom", "hasMember")) {
      JsonArray refs = obs.getJsonArray(list, new JsonArray());
      for (int i = 0; i < refs.size(); i++) {
        reference(refs.getJsonObject(i), path + "." + list + "[" + i + "]", fullUrls);
      }
    }
    JsonArray categories = obs.getJsonArray("category", new JsonArray());
    for (int i = 0; i < categories.size(); i++) {
      concept(categories.getJsonObject(i), path + ".category[" + i + "]");
    }
  }

  private void reference(JsonObject ref, String path, Set<String> fullUrls) {
    if (ref == null) {
      errors.add(path + " missing");
      return;
    }
    String reference = ref.getString("reference");
    boolean patient = reference != null && reference.startsWith("Patient/")
        && ID.matcher(reference.substring("Patient/".length())).matches();
    expect(patient || fullUrls.contains(reference), path + " resolves: " + reference);
  }

  private void concept(JsonObject concept, String path) {
    JsonArray codings = concept.getJsonArray("coding", new JsonArray());
    for (int i = 0; i < codings.size(); i++) {
      coding(codings.getJsonObject(i), path + ".coding[" + i + "]");
    }
  }

  private void coding(JsonObject coding, String path) {
    String system = coding.getString("system");
    String code = coding.getString("code");
    expect(system != null && URI.matcher(system).matches(), path + ".system");
    expect(code != null && CODE.matcher(code).matches(), path + ".code");
  }

  private void onlyKeys(JsonObject json, Set<String> allowed, String path) {
    for (String key : json.fieldNames()) {
      expect(allowed.contains(key), path + "." + key + " is not an element this export uses");
    }
  }

  private void noEmptyValues(Object value, String path) {
    if (value == null) {
      errors.add(path + " is null");
    } else if (value instanceof String s) {
      expect(!s.isEmpty() && s.equals(s.strip()) || path.endsWith("valueString"), path + " empty or padded");
    } else if (value instanceof JsonObject o) {
      expect(!o.isEmpty(), path + " empty object");
      o.forEach(e -> noEmptyValues(e.getValue(), path + "." + e.getKey()));
    } else if (value instanceof JsonArray a) {
      expect(!a.isEmpty(), path + " empty array");
      for (int i = 0; i < a.size(); i++) {
        noEmptyValues(a.getValue(i), path + "[" + i + "]");
      }
    }
  }

  private static boolean oneOf(Set<String> allowed, String value) {
    return value != null && allowed.contains(value);
  }

  private void expect(boolean ok, String what) {
    if (!ok) {
      errors.add(what);
    }
  }
}
