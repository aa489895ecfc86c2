package org.interlude.checkin.fhir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.interlude.checkin.instrument.Instrument;
import org.interlude.checkin.instrument.InstrumentCatalog;
import org.interlude.checkin.instrument.Scorer;
import org.interlude.checkin.instrument.ScoringOutcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FhirBundleExporterTest {
  private static final InstrumentCatalog CATALOG = InstrumentCatalog.loadBundled();
  private static final Instant AUTHORED = Instant.parse("2026-05-13T14:05:09.123456Z");
  private static final Instant NOW = Instant.parse("2026-06-01T09:00:00Z");
  private static final String PATIENT = "c-7f3a9e";

  private static ExportResult export(String resultId, String instrumentId, JsonObject answers,
      boolean includeFreeText) {
    Instrument instrument = CATALOG.requireLatest(instrumentId);
    ScoringOutcome outcome = Scorer.score(instrument, answers);
    return new ExportResult(resultId, instrument, outcome.result(), AUTHORED,
        includeFreeText ? outcome.freeText() : Map.of());
  }

  private static JsonObject phq9Answers() {
    JsonObject answers = new JsonObject();
    for (int i = 1; i <= 9; i++) {
      answers.put("q" + i, i % 4);
    }
    return answers.put("difficulty", 1);
  }

  private static JsonObject gad7Answers() {
    JsonObject answers = new JsonObject();
    for (int i = 1; i <= 7; i++) {
      answers.put("q" + i, 2);
    }
    return answers;
  }

  private static JsonObject who5Answers() {
    return new JsonObject().put("q1", 1).put("q2", 2).put("q3", 1).put("q4", 0).put("q5", 3);
  }

  private static List<ExportResult> everything(boolean freeText) {
    JsonObject pcl = new JsonObject();
    for (int i = 1; i <= 20; i++) {
      pcl.put("q" + i, i % 5);
    }
    return List.of(
        export("r1", "phq9", phq9Answers(), freeText),
        export("r2", "gad7", gad7Answers(), freeText),
        export("r3", "who5", who5Answers(), freeText),
        export("r4", "pcl5", pcl, freeText),
        export("r5", "postdose", new JsonObject().put("homeSafely", true).put("withWhom", 2).put("nausea", 1)
            .put("dizziness", 0).put("unreal", 2).put("drowsiness", 0).put("anxiety", 3).put("chestPain", false)
            .put("urinaryPain", false).put("drove", true), freeText),
        export("r6", "pulse", new JsonObject().put("mood", 4).put("thoughts", false), freeText),
        export("r7", "journal", new JsonObject().put("entry", "Walking by the river helped."), freeText));
  }

  private static List<JsonObject> resources(JsonObject bundle, String type) {
    List<JsonObject> out = new ArrayList<>();
    JsonArray entries = bundle.getJsonArray("entry");
    for (int i = 0; i < entries.size(); i++) {
      JsonObject resource = entries.getJsonObject(i).getJsonObject("resource");
      if (type.equals(resource.getString("resourceType"))) {
        out.add(resource);
      }
    }
    return out;
  }

  private static Set<String> codes(JsonObject bundle, String system) {
    Set<String> codes = new java.util.TreeSet<>();
    collectCodes(bundle, system, codes);
    return codes;
  }

  private static void collectCodes(Object json, String system, Set<String> out) {
    if (json instanceof JsonObject o) {
      if (system.equals(o.getString("system")) && o.getValue("code") instanceof String code) {
        out.add(code);
      }
      o.forEach(e -> collectCodes(e.getValue(), system, out));
    } else if (json instanceof JsonArray a) {
      a.forEach(v -> collectCodes(v, system, out));
    }
  }

  private static JsonObject observationWithCode(JsonObject bundle, String system, String code) {
    return resources(bundle, "Observation").stream()
        .filter(o -> o.getJsonObject("code").getJsonArray("coding").getJsonObject(0).getString("code").equals(code)
            && o.getJsonObject("code").getJsonArray("coding").getJsonObject(0).getString("system").equals(system))
        .findFirst().orElseThrow(() -> new AssertionError("no observation " + code));
  }

  @Test
  void bundleConformsToTheR4Structure() {
    JsonObject bundle = FhirBundleExporter.export(PATIENT, everything(true), NOW);
    assertEquals(List.of(), FhirR4Structure.check(bundle));
    assertEquals("Bundle", bundle.getString("resourceType"));
    assertEquals("collection", bundle.getString("type"));
    assertEquals("2026-06-01T09:00:00Z", bundle.getString("timestamp"));
    assertEquals(7, resources(bundle, "QuestionnaireResponse").size());
  }

  @Test
  void questionnaireResponsesCarryCanonicalStatusAuthoredAndAnswers() {
    JsonObject bundle = FhirBundleExporter.export(PATIENT, everything(false), NOW);
    JsonObject qr = resources(bundle, "QuestionnaireResponse").get(0);
    assertEquals("completed", qr.getString("status"));
    assertEquals("urn:interlude:instrument:phq9|1", qr.getString("questionnaire"));
    assertEquals("2026-05-13T14:05:09.123Z", qr.getString("authored"));
    assertEquals(new JsonObject().put("reference", "Patient/" + PATIENT), qr.getJsonObject("subject"));
    assertEquals("r1", qr.getJsonObject("identifier").getString("value"));
    JsonArray items = qr.getJsonArray("item");
    assertEquals(10, items.size());
    JsonObject q9 = items.getJsonObject(8);
    assertEquals("q9", q9.getString("linkId"));
    JsonObject coding = q9.getJsonArray("answer").getJsonObject(0).getJsonObject("valueCoding");
    assertEquals("http://loinc.org", coding.getString("system"));
    assertEquals("LA6569-3", coding.getString("code"), "item 9 = 9 % 4 = 1, Several days");
  }

  @Test
  void phq9CarriesItsLoincCodes() {
    JsonObject bundle = FhirBundleExporter.export(PATIENT, List.of(export("r1", "phq9", phq9Answers(), false)), NOW);
    Set<String> loinc = codes(bundle, "http://loinc.org");
    assertTrue(loinc.containsAll(Set.of("44249-1", "44261-6", "44250-9", "44255-8", "44259-0", "44254-1",
        "44251-7", "44258-2", "44252-5", "44253-3", "44260-8", "69722-7")), loinc.toString());
    assertTrue(loinc.containsAll(Set.of("LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9")), loinc.toString());

    JsonObject panel = observationWithCode(bundle, "http://loinc.org", "44249-1");
    assertEquals(11, panel.getJsonArray("hasMember").size(), "total + 9 items + difficulty");
    assertFalse(panel.containsKey("valueInteger"));
    JsonObject total = observationWithCode(bundle, "http://loinc.org", "44261-6");
    assertEquals(13, total.getInteger("valueInteger"), "1+2+3+0+1+2+3+0+1");
    assertEquals("Moderate", total.getJsonArray("interpretation").getJsonObject(0).getString("text"));
    assertEquals("final", total.getString("status"));
    assertEquals("survey", total.getJsonArray("category").getJsonObject(0).getJsonArray("coding")
        .getJsonObject(0).getString("code"));
    JsonObject item9 = observationWithCode(bundle, "http://loinc.org", "44260-8");
    JsonObject answer = item9.getJsonObject("valueCodeableConcept").getJsonArray("coding").getJsonObject(0);
    assertEquals("LA6569-3", answer.getString("code"));
    assertEquals("Several days", answer.getString("display"));
    assertEquals(1, answer.getJsonArray("extension").getJsonObject(0).getInteger("valueDecimal"));
    String qrUrl = bundle.getJsonArray("entry").getJsonObject(0).getString("fullUrl");
    assertEquals(qrUrl, item9.getJsonArray("derivedFrom").getJsonObject(0).getString("reference"));
  }

  @Test
  void gad7CarriesPanelAndTotalLoinc() {
    JsonObject bundle = FhirBundleExporter.export(PATIENT, List.of(export("r2", "gad7", gad7Answers(), false)), NOW);
    assertTrue(codes(bundle, "http://loinc.org").containsAll(Set.of("69737-5", "70274-6", "LA6570-1")));
    assertEquals(14, observationWithCode(bundle, "http://loinc.org", "70274-6").getInteger("valueInteger"));
  }

  @Test
  void instrumentsWithoutLoincUseTheLocalSystem() {
    JsonObject bundle = FhirBundleExporter.export(PATIENT, List.of(export("r3", "who5", who5Answers(), false)), NOW);
    assertEquals(Set.of(), codes(bundle, "http://loinc.org"));
    Set<String> local = codes(bundle, FhirBundleExporter.LOCAL_SYSTEM);
    assertTrue(local.containsAll(Set.of("who5", "who5.total", "who5.percentage", "who5.q1", "who5.q5",
        "who5.band.likely_depression", "who5.q1.1")), local.toString());
    assertEquals(7, observationWithCode(bundle, FhirBundleExporter.LOCAL_SYSTEM, "who5.total").getInteger("valueInteger"));
    JsonObject percentage = observationWithCode(bundle, FhirBundleExporter.LOCAL_SYSTEM, "who5.percentage")
        .getJsonObject("valueQuantity");
    assertEquals(28, percentage.getInteger("value"));
    assertEquals("%", percentage.getString("code"));
  }

  @Test
  void postDoseAndPulseAnswersKeepTheirTypes() {
    JsonObject bundle = FhirBundleExporter.export(PATIENT, everything(false), NOW);
    assertEquals(true, observationWithCode(bundle, FhirBundleExporter.LOCAL_SYSTEM, "postdose.drove").getBoolean("valueBoolean"));
    assertEquals("Friend", observationWithCode(bundle, FhirBundleExporter.LOCAL_SYSTEM, "postdose.withWhom")
        .getJsonObject("valueCodeableConcept").getString("text"));
    assertEquals(4, observationWithCode(bundle, FhirBundleExporter.LOCAL_SYSTEM, "pulse.mood").getInteger("valueInteger"));
    JsonObject postDosePanel = observationWithCode(bundle, FhirBundleExporter.LOCAL_SYSTEM, "postdose");
    assertEquals(10, postDosePanel.getJsonArray("hasMember").size());
  }

  @Test
  void freeTextIsIncludedOnlyWhenTheCallerGivesIt() {
    String without = FhirBundleExporter.export(PATIENT, everything(false), NOW).encode();
    assertFalse(without.contains("river"));
    JsonObject with = FhirBundleExporter.export(PATIENT, everything(true), NOW);
    JsonObject journal = resources(with, "QuestionnaireResponse").get(6);
    assertEquals("Walking by the river helped.", journal.getJsonArray("item").getJsonObject(0)
        .getJsonArray("answer").getJsonObject(0).getString("valueString"));
    assertTrue(resources(with, "Observation").stream().noneMatch(o -> o.encode().contains("river")),
        "free text never becomes an observation");
  }

  @Test
  void theClientIsOnlyAnOpaquePatientReference() {
    JsonObject bundle = FhirBundleExporter.export(PATIENT, everything(true), NOW);
    List<JsonObject> all = new ArrayList<>();
    all.addAll(resources(bundle, "QuestionnaireResponse"));
    all.addAll(resources(bundle, "Observation"));
    for (JsonObject resource : all) {
      assertEquals(new JsonObject().put("reference", "Patient/" + PATIENT), resource.getJsonObject("subject"));
    }
    assertEquals(Set.of("Patient/" + PATIENT), references(bundle).stream()
        .filter(r -> r.startsWith("Patient/")).collect(Collectors.toSet()));
    String encoded = bundle.encode();
    assertFalse(encoded.contains("\"name\""));
    assertFalse(encoded.contains("\"Patient\""), "no Patient resource with demographics is included");
  }

  @ParameterizedTest
  @ValueSource(strings = {"Jane Doe", "jane@example.org", "", "Dr. Smith's client", "x/y"})
  void namesAndEmailsAreRejectedAsPatientIds(String patientId) {
    assertThrows(IllegalArgumentException.class, () -> FhirBundleExporter.export(patientId, List.of(), NOW));
  }

  @Test
  void exportIsDeterministic() {
    assertEquals(FhirBundleExporter.export(PATIENT, everything(true), NOW),
        FhirBundleExporter.export(PATIENT, everything(true), NOW));
    JsonObject bundle = FhirBundleExporter.export(PATIENT, everything(true), NOW);
    Set<String> fullUrls = new java.util.HashSet<>();
    bundle.getJsonArray("entry").forEach(e -> fullUrls.add(((JsonObject) e).getString("fullUrl")));
    assertEquals(bundle.getJsonArray("entry").size(), fullUrls.size());
  }

  @Test
  void theStructureCheckCatchesBrokenBundles() {
    JsonObject bundle = FhirBundleExporter.export(PATIENT, List.of(export("r1", "phq9", phq9Answers(), false)), NOW);
    JsonObject qr = bundle.getJsonArray("entry").getJsonObject(0).getJsonObject("resource");
    qr.remove("status");
    JsonObject obs = bundle.getJsonArray("entry").getJsonObject(1).getJsonObject("resource");
    obs.getJsonArray("derivedFrom").getJsonObject(0).put("reference", "urn:uuid:nowhere");
    obs.put("valueString", "");
    List<String> errors = FhirR4Structure.check(bundle);
    assertTrue(errors.stream().anyMatch(e -> e.endsWith(".status")), errors.toString());
    assertTrue(errors.stream().anyMatch(e -> e.contains("resolves: urn:uuid:nowhere")), errors.toString());
    assertTrue(errors.stream().anyMatch(e -> e.contains("not an element")), errors.toString());
  }

  @Test
  void emptyExportIsAnEmptyCollection() {
    JsonObject bundle = FhirBundleExporter.export(PATIENT, List.of(), NOW);
    assertEquals(List.of(), FhirR4Structure.check(bundle));
    assertFalse(bundle.containsKey("entry"));
  }

  @Test
  void mismatchesAreRejected() {
    Instrument phq9 = CATALOG.requireLatest("phq9");
    ScoringOutcome pulse = Scorer.score(CATALOG.requireLatest("pulse"), new JsonObject().put("mood", 1).put("thoughts", false));
    assertThrows(IllegalArgumentException.class, () -> new ExportResult("r", phq9, pulse.result(), AUTHORED, Map.of()));
    ScoringOutcome journal = Scorer.score(CATALOG.requireLatest("journal"), new JsonObject().put("entry", "x"));
    assertThrows(IllegalArgumentException.class, () -> new ExportResult("r", CATALOG.requireLatest("journal"),
        journal.result(), AUTHORED, Map.of("other", "x")));
    ExportResult one = export("same", "pulse", new JsonObject().put("mood", 1).put("thoughts", false), false);
    assertThrows(IllegalArgumentException.class, () -> FhirBundleExporter.export(PATIENT, List.of(one, one), NOW));
    assertNotNull(one.toString());
    assertFalse(export("j", "journal", new JsonObject().put("entry", "secret words"), true).toString().contains("secret"));
  }

  private static Set<String> references(Object json) {
    Set<String> out = new java.util.HashSet<>();
    if (json instanceof JsonObject o) {
      if (o.getValue("reference") instanceof String r) {
        out.add(r);
      }
      o.forEach(e -> out.addAll(references(e.getValue())));
    } else if (json instanceof JsonArray a) {
      a.forEach(v -> out.addAll(references(v)));
    }
    return out;
  }
}
