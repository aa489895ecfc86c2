package org.interlude.checkin.fhir;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;
import org.interlude.checkin.instrument.AnswerOption;
import org.interlude.checkin.instrument.Instrument;
import org.interlude.checkin.instrument.Item;
import org.interlude.checkin.instrument.ItemType;
import org.interlude.checkin.instrument.Loinc;
import org.interlude.checkin.instrument.ScoredResult;

/**
 * Exports a client's check-in results as a FHIR R4 Bundle of type {@code collection}, as JSON.
 *
 * <p>Per result the bundle holds:
 *
 * <ul>
 *   <li>a {@code QuestionnaireResponse} (status {@code completed}, questionnaire {@code
 *       urn:interlude:instrument:<id>|<version>}, authored time, one item per answered item; text
 *       answers only when the caller passed them in {@link ExportResult#freeText()});
 *   <li>a panel {@code Observation} whose {@code hasMember} lists a total-score Observation (scored
 *       instruments), a percentage Observation (WHO-5) and one Observation per answered non-text item.
 * </ul>
 *
 * <p>Codes: LOINC ({@code http://loinc.org}) wherever the instrument file gives one (PHQ-9 panel
 * 44249-1, total 44261-6, items and answers; GAD-7 panel 69737-5, total 70274-6, answers; PHQ-9
 * difficulty 69722-7); otherwise the local system {@value #LOCAL_SYSTEM} with codes {@code <id>}
 * (panel), {@code <id>.<itemId>} (item), {@code <id>.total}, {@code <id>.percentage}, {@code
 * <id>.band.<bandId>} and {@code <id>.<itemId>.<value>} (answer). LOINC codes carry no display, since
 * only LOINC's own display names would be correct there; the item text goes in {@code
 * CodeableConcept.text}. Choice answers carry their score in the R4 {@code ordinalValue} extension.
 *
 * <p>The client appears only as {@code Patient/<opaque id>}: the exporter never receives a name.
 * Resource ids are name-based UUIDs of the result id, so re-exporting gives the same ids. Pure and
 * thread-safe.
 *
 * <p>Why not HAPI FHIR: 8.12.x and 8.10.x cannot be resolved from Maven Central (their POMs import
 * artifacts that are not published there) and 8.8.2, the newest that resolves, brings about 59 MB in
 * 55 jars (ICU4J, Saxon, Jena, Guava, the R4 model), far beyond what this export needs.
 */
public final class FhirBundleExporter {
  /** Local code system for instruments without LOINC codes. */
  public static final String LOCAL_SYSTEM = "urn:interlude:instrument";
  /** Identifier system of exported check-in results. */
  public static final String RESULT_ID_SYSTEM = "urn:interlude:checkin-result";
  /** The R4 extension carrying a coded answer's score. */
  public static final String ORDINAL_VALUE_URL = "http://hl7.org/fhir/StructureDefinition/ordinalValue";
  private static final String OBSERVATION_CATEGORY =
      "http://terminology.hl7.org/CodeSystem/observation-category";
  private static final String UCUM = "http://unitsofmeasure.org";
  private static final Pattern FHIR_ID = Pattern.compile("[A-Za-z0-9\\-.]{1,64}");

  private FhirBundleExporter() {}

  /**
   * The bundle of {@code results} for the client with opaque id {@code patientId}.
   *
   * @param patientId the client's opaque id (FHIR id syntax: letters, digits, '-' and '.', at most
   *     64); never a name or e-mail address, which the syntax rules out
   * @param results the results to export, in the order they should appear
   * @param timestamp when the bundle is assembled (the caller's clock, to keep this function pure)
   * @throws IllegalArgumentException when the patient id is not a FHIR id or two results share an id
   */
  public static JsonObject export(String patientId, List<ExportResult> results, Instant timestamp) {
    Objects.requireNonNull(patientId, "patientId");
    Objects.requireNonNull(results, "results");
    Objects.requireNonNull(timestamp, "timestamp");
    if (!FHIR_ID.matcher(patientId).matches()) {
      throw new IllegalArgumentException("patient id must be an opaque FHIR id ([A-Za-z0-9-.]{1,64})");
    }
    if (results.stream().map(ExportResult::resultId).distinct().count() != results.size()) {
      throw new IllegalArgumentException("two results share an id");
    }
    JsonObject subject = new JsonObject().put("reference", "Patient/" + patientId);
    JsonArray entries = new JsonArray();
    for (ExportResult result : results) {
      resultEntries(result, subject).forEach(entries::add);
    }
    JsonObject bundle = new JsonObject()
        .put("resourceType", "Bundle")
        .put("type", "collection")
        .put("timestamp", instant(timestamp));
    if (!entries.isEmpty()) {
      bundle.put("entry", entries);
    }
    return bundle;
  }

  private static List<JsonObject> resultEntries(ExportResult export, JsonObject subject) {
    Instrument instrument = export.instrument();
    ScoredResult result = export.result();
    String authored = instant(export.authoredAt());
    String resultId = export.resultId();
    String qrId = uuid("qr:" + resultId);

    List<JsonObject> entries = new ArrayList<>();
    entries.add(entry(qrId, questionnaireResponse(qrId, export, subject, authored)));

    List<JsonObject> members = new ArrayList<>();
    if (result.total() != null) {
      String id = uuid("obs:" + resultId + ":total");
      JsonObject code = instrument.loincTotal() != null
          ? concept(coding(Loinc.SYSTEM, instrument.loincTotal(), null), instrument.title() + " total score")
          : concept(coding(LOCAL_SYSTEM, instrument.id() + ".total", null), instrument.title() + " total score");
      JsonObject band = coding(LOCAL_SYSTEM, instrument.id() + ".band." + result.bandId(), result.bandLabel());
      JsonObject obs = observation(id, code, subject, authored, qrId)
          .put("valueInteger", result.total())
          .put("interpretation", new JsonArray().add(concept(band, result.bandLabel())));
      members.add(entry(id, obs));
    }
    if (result.percentage() != null) {
      String id = uuid("obs:" + resultId + ":percentage");
      JsonObject code = concept(coding(LOCAL_SYSTEM, instrument.id() + ".percentage", null),
          instrument.title() + " percentage score");
      JsonObject obs = observation(id, code, subject, authored, qrId)
          .put("valueQuantity", new JsonObject().put("value", result.percentage()).put("unit", "%")
              .put("system", UCUM).put("code", "%"));
      members.add(entry(id, obs));
    }
    for (Item item : instrument.items()) {
      if (item.type() == ItemType.TEXT || result.item(item.id()).isEmpty()) {
        continue;
      }
      String id = uuid("obs:" + resultId + ":" + item.id());
      JsonObject obs = observation(id, itemCode(instrument, item), subject, authored, qrId);
      putObservationValue(obs, instrument, item, result.item(item.id()).getAsInt());
      members.add(entry(id, obs));
    }

    String panelId = uuid("obs:" + resultId + ":panel");
    JsonObject panelCode = instrument.loincPanel() != null
        ? concept(coding(Loinc.SYSTEM, instrument.loincPanel(), null), instrument.title())
        : concept(coding(LOCAL_SYSTEM, instrument.id(), null), instrument.title());
    JsonObject panel = observation(panelId, panelCode, subject, authored, qrId);
    if (!members.isEmpty()) {
      JsonArray hasMember = new JsonArray();
      members.forEach(m -> hasMember.add(new JsonObject().put("reference", m.getString("fullUrl"))));
      panel.put("hasMember", hasMember);
    }
    entries.add(entry(panelId, panel));
    entries.addAll(members);
    return entries;
  }

  private static JsonObject questionnaireResponse(String id, ExportResult export, JsonObject subject,
      String authored) {
    Instrument instrument = export.instrument();
    JsonArray items = new JsonArray();
    for (Item item : instrument.items()) {
      JsonObject answer;
      if (item.type() == ItemType.TEXT) {
        String text = export.freeText().get(item.id());
        if (text == null || text.isEmpty()) {
          continue;
        }
        answer = new JsonObject().put("valueString", text);
      } else {
        var value = export.result().item(item.id());
        if (value.isEmpty()) {
          continue;
        }
        answer = answerValue(instrument, item, value.getAsInt());
      }
      items.add(new JsonObject()
          .put("linkId", item.id())
          .put("text", item.text())
          .put("answer", new JsonArray().add(answer)));
    }
    JsonObject qr = new JsonObject()
        .put("resourceType", "QuestionnaireResponse")
        .put("id", id)
        .put("identifier", new JsonObject().put("system", RESULT_ID_SYSTEM).put("value", export.resultId()))
        .put("questionnaire", instrument.canonical())
        .put("status", "completed")
        .put("subject", subject.copy())
        .put("authored", authored);
    if (!items.isEmpty()) {
      qr.put("item", items);
    }
    return qr;
  }

  private static JsonObject answerValue(Instrument instrument, Item item, int value) {
    return switch (item.type()) {
      case CHOICE -> new JsonObject().put("valueCoding", answerCoding(instrument, item, value));
      case BOOLEAN -> new JsonObject().put("valueBoolean", value == 1);
      case SCALE -> new JsonObject().put("valueInteger", value);
      case TEXT -> throw new IllegalStateException("text answers are not numeric");
    };
  }

  private static void putObservationValue(JsonObject obs, Instrument instrument, Item item, int value) {
    switch (item.type()) {
      case CHOICE -> {
        JsonObject coding = answerCoding(instrument, item, value);
        obs.put("valueCodeableConcept", concept(coding, coding.getString("display")));
      }
      case BOOLEAN -> obs.put("valueBoolean", value == 1);
      case SCALE -> obs.put("valueInteger", value);
      case TEXT -> throw new IllegalStateException("text items have no observation");
    }
  }

  private static JsonObject answerCoding(Instrument instrument, Item item, int value) {
    AnswerOption option = item.option(value).orElseThrow(() -> new IllegalArgumentException(
        instrument.id() + "." + item.id() + " has no option " + value));
    JsonObject coding = option.loinc() != null
        ? coding(Loinc.SYSTEM, option.loinc(), option.label())
        : coding(LOCAL_SYSTEM, instrument.id() + "." + item.id() + "." + value, option.label());
    return coding.put("extension", new JsonArray().add(
        new JsonObject().put("url", ORDINAL_VALUE_URL).put("valueDecimal", value)));
  }

  private static JsonObject itemCode(Instrument instrument, Item item) {
    return item.loinc() != null
        ? concept(coding(Loinc.SYSTEM, item.loinc(), null), item.text())
        : concept(coding(LOCAL_SYSTEM, instrument.id() + "." + item.id(), null), item.text());
  }

  private static JsonObject observation(String id, JsonObject code, JsonObject subject, String effective,
      String questionnaireResponseId) {
    return new JsonObject()
        .put("resourceType", "Observation")
        .put("id", id)
        .put("status", "final")
        .put("category", new JsonArray().add(concept(
            coding(OBSERVATION_CATEGORY, "survey", "Survey"), null)))
        .put("code", code)
        .put("subject", subject.copy())
        .put("effectiveDateTime", effective)
        .put("derivedFrom", new JsonArray().add(
            new JsonObject().put("reference", "urn:uuid:" + questionnaireResponseId)));
  }

  private static JsonObject coding(String system, String code, String display) {
    JsonObject coding = new JsonObject().put("system", system).put("code", code);
    if (display != null) {
      coding.put("display", display);
    }
    return coding;
  }

  private static JsonObject concept(JsonObject coding, String text) {
    JsonObject concept = new JsonObject().put("coding", new JsonArray().add(coding));
    if (text != null) {
      concept.put("text", text);
    }
    return concept;
  }

  private static JsonObject entry(String id, JsonObject resource) {
    return new JsonObject().put("fullUrl", "urn:uuid:" + id).put("resource", resource);
  }

  /** FHIR instants need a time zone; millisecond precision is what clients and stores keep. */
  private static String instant(Instant instant) {
    return instant.truncatedTo(ChronoUnit.MILLIS).toString();
  }

  private static String uuid(String seed) {
    return UUID.nameUUIDFromBytes(seed.getBytes(StandardCharsets.UTF_8)).toString();
  }
}
