package org.interlude.checkin.instrument;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class InstrumentCatalogTest {
  private static final InstrumentCatalog CATALOG = Answers.CATALOG;

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "phq9, PHQ-9, 10",
    "gad7, GAD-7, 7",
    "who5, WHO-5, 5",
    "pcl5, PCL-5, 20",
    "postdose, Post-dose check, 10",
    "pulse, Safety pulse, 2",
    "journal, Integration journal, 1",
  })
  void bundledInstrumentsLoad(String id, String title, int items) {
    Instrument instrument = CATALOG.requireLatest(id);
    assertEquals(1, instrument.version());
    assertEquals(title, instrument.title());
    assertEquals(items, instrument.items().size());
    assertFalse(instrument.source().isBlank());
    assertFalse(instrument.licence().isBlank());
    assertEquals(id, instrument.json().getString("id"));
    assertEquals("urn:interlude:instrument:" + id + "|1", instrument.canonical());
  }

  @Test
  void catalogHoldsExactlyTheBundledInstruments() {
    assertEquals(Set.of("phq9", "gad7", "who5", "pcl5", "postdose", "pulse", "journal"), CATALOG.ids());
    assertEquals(7, CATALOG.all().size());
  }

  @Test
  void lookupByIdAndVersion() {
    assertTrue(CATALOG.find("phq9", 1).isPresent());
    assertTrue(CATALOG.find("phq9", 2).isEmpty());
    assertTrue(CATALOG.latest("cssrs").isEmpty());
    assertEquals("phq9", CATALOG.json("phq9", 1).orElseThrow().getString("id"));
  }

  @Test
  void latestVersionWinsAndOldVersionsStayAvailable() {
    String v1 = resource("pulse.v1.json");
    String v2 = new JsonObject(v1).put("version", 2).put("title", "Safety pulse 2").encode();
    InstrumentCatalog catalog = InstrumentCatalog.fromFiles(Map.of("pulse.v1.json", v1, "pulse.v2.json", v2));
    assertEquals(2, catalog.requireLatest("pulse").version());
    assertEquals("Safety pulse", catalog.require("pulse", 1).title());
  }

  @Test
  void rawJsonIsACopy() {
    JsonObject json = CATALOG.requireLatest("phq9").json();
    json.put("title", "changed");
    assertEquals("PHQ-9", CATALOG.requireLatest("phq9").json().getString("title"));
  }

  @Test
  void phq9MatchesTheReference() {
    Instrument phq9 = CATALOG.requireLatest("phq9");
    assertEquals("Over the last 2 weeks, how often have you been bothered by any of the following problems?", phq9.stem());
    assertEquals("44249-1", phq9.loincPanel());
    assertEquals("44261-6", phq9.loincTotal());
    assertEquals(List.of("44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2", "44252-5", "44253-3", "44260-8"),
        phq9.scoredItems().stream().map(Item::loinc).toList());
    Item q9 = phq9.item("q9").orElseThrow();
    assertEquals("Thoughts that you would be better off dead or of hurting yourself in some way", q9.text());
    assertTrue(q9.safety());
    assertEquals("phq9.item9", q9.flag());
    assertEquals(List.of("LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"), q9.options().stream().map(AnswerOption::loinc).toList());
    assertEquals(List.of("Not at all", "Several days", "More than half the days", "Nearly every day"),
        q9.options().stream().map(AnswerOption::label).toList());
    Item difficulty = phq9.item("difficulty").orElseThrow();
    assertFalse(difficulty.scored());
    assertFalse(difficulty.required());
    assertEquals("69722-7", difficulty.loinc());
    assertEquals(0, phq9.scoring().min());
    assertEquals(27, phq9.scoring().max());
  }

  @Test
  void gad7AndWho5AndPcl5MatchTheReference() {
    Instrument gad7 = CATALOG.requireLatest("gad7");
    assertEquals("69737-5", gad7.loincPanel());
    assertEquals("70274-6", gad7.loincTotal());
    assertEquals(21, gad7.scoring().max());
    Instrument who5 = CATALOG.requireLatest("who5");
    assertEquals(4, who5.scoring().multiplier());
    assertEquals(Scoring.BandBasis.PERCENTAGE, who5.scoring().bandsOn());
    assertEquals(List.of(5, 4, 3, 2, 1, 0), who5.items().get(0).options().stream().map(AnswerOption::value).toList());
    assertNull(who5.loincPanel());
    Instrument pcl5 = CATALOG.requireLatest("pcl5");
    assertEquals(80, pcl5.scoring().max());
    assertTrue(pcl5.scoring().note().contains("31-33"));
    assertEquals(33, pcl5.scoring().bands().get(1).min());
    assertEquals("Being \"superalert\" or watchful or on guard?", pcl5.item("q17").orElseThrow().text());
    assertEquals(List.of("Not at all", "A little bit", "Moderately", "Quite a bit", "Extremely"),
        pcl5.item("q1").orElseThrow().options().stream().map(AnswerOption::label).toList());
  }

  @Test
  void pulseAsksTheReferenceQuestion() {
    Instrument pulse = CATALOG.requireLatest("pulse");
    assertEquals("Since your last check-in, have you had thoughts that you would be better off dead or of hurting yourself?",
        pulse.item("thoughts").orElseThrow().text());
    Item mood = pulse.item("mood").orElseThrow();
    assertEquals(0, mood.min());
    assertEquals(10, mood.max());
    assertEquals(4000, CATALOG.requireLatest("journal").item("entry").orElseThrow().maxLength());
  }

  @ParameterizedTest
  @CsvSource({"44249-1", "44261-6", "69737-5", "70274-6", "69722-7", "44250-9", "44260-8"})
  void referenceLoincCodesPassTheCheckDigit(String code) {
    assertTrue(Loinc.isValidTermCode(code));
  }

  @ParameterizedTest
  @CsvSource({"44249-2", "44261", "4424-91", "LA6568-5", "0-0"})
  void malformedLoincCodesAreRejected(String code) {
    assertFalse(Loinc.isValidTermCode(code));
  }

  static Stream<Arguments> brokenFiles() {
    return Stream.<Arguments>of(
        broken("title missing", j -> j.remove("title"), "title", "required"),
        broken("unknown top field", j -> j.put("titel", "x"), "titel", "unknown field"),
        broken("bad item type", j -> item(j, 0).put("type", "slider"), "items[0].type", "unknown type"),
        broken("misspelt required", j -> item(j, 1).put("requried", true), "items[1].requried", "unknown field"),
        broken("duplicate item id", j -> item(j, 1).put("id", "q1"), "items[1].id", "duplicate"),
        broken("duplicate option value", j -> option(j, 8, 2).put("value", 1), "items[8].options[2].value", "duplicate"),
        broken("option value not an integer", j -> option(j, 8, 2).put("value", "2"), "items[8].options[2].value", "integer"),
        broken("bad LOINC check digit", j -> item(j, 8).put("loinc", "44260-9"), "items[8].loinc", "check digit"),
        broken("bad answer code", j -> option(j, 0, 0).put("loinc", "XX1-1"), "items[0].options[0].loinc", "answer code"),
        broken("scored but optional", j -> item(j, 0).put("required", false), "items[0].required", "scored"),
        broken("wrong max", j -> j.getJsonObject("scoring").put("max", 26), "scoring.max", "27"),
        broken("band gap", j -> band(j, 1).put("min", 6), "scoring.bands[1].min", "gaps"),
        broken("bands stop short", j -> band(j, 4).put("max", 26), "scoring.bands[4].max", "27"),
        broken("flag of another instrument", j -> item(j, 8).put("flag", "gad7.item9"), "items[8].flag", "phq9."),
        broken("text field on choice", j -> item(j, 0).put("maxLength", 10), "items[0].maxLength", "not allowed"),
        broken("version zero", j -> j.put("version", 0), "version", "at least 1"),
        broken("version not matching file", j -> j.put("version", 2), "$", "file name"));
  }

  private static Arguments broken(String name, Consumer<JsonObject> change, String field, String message) {
    return Arguments.of(name, change, field, message);
  }

  private static JsonObject item(JsonObject json, int index) {
    return json.getJsonArray("items").getJsonObject(index);
  }

  private static JsonObject option(JsonObject json, int item, int option) {
    return item(json, item).getJsonArray("options").getJsonObject(option);
  }

  private static JsonObject band(JsonObject json, int index) {
    return json.getJsonObject("scoring").getJsonArray("bands").getJsonObject(index);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("brokenFiles")
  void brokenFilesFailNamingFileAndField(String name, Consumer<JsonObject> change, String field, String message) {
    JsonObject json = new JsonObject(resource("phq9.v1.json"));
    change.accept(json);
    InstrumentFormatException e = assertThrows(InstrumentFormatException.class,
        () -> InstrumentCatalog.fromFiles(Map.of("phq9.v1.json", json.encode())));
    assertEquals("phq9.v1.json", e.file());
    assertEquals(field, e.field());
    assertTrue(e.getMessage().startsWith("phq9.v1.json: " + field + ": "), e.getMessage());
    assertTrue(e.getMessage().contains(message), e.getMessage());
  }

  @Test
  void textThatIsNotJsonFailsNamingTheFile() {
    InstrumentFormatException e = assertThrows(InstrumentFormatException.class,
        () -> InstrumentCatalog.fromFiles(Map.of("pulse.v1.json", "{\"id\": ")));
    assertEquals("pulse.v1.json", e.file());
  }

  @Test
  void theSameVersionTwiceIsRejected() {
    Map<String, String> files = new LinkedHashMap<>();
    files.put("pulse.v1.json", resource("pulse.v1.json"));
    Instrument pulse = CATALOG.requireLatest("pulse");
    InstrumentFormatException e = assertThrows(InstrumentFormatException.class,
        () -> InstrumentCatalog.of(List.of(pulse, pulse)));
    assertTrue(e.getMessage().contains("twice"));
    assertNotNull(InstrumentCatalog.fromFiles(files));
  }

  @Test
  void everyBundledFileIsListedInTheIndex() {
    JsonArray files = new JsonObject(resource(InstrumentCatalog.INDEX_FILE)).getJsonArray("files");
    assertEquals(CATALOG.all().stream().map(Instrument::fileName).sorted().toList(),
        files.stream().map(Object::toString).sorted().toList());
  }

  private static String resource(String file) {
    try (InputStream in = InstrumentCatalogTest.class.getClassLoader()
        .getResourceAsStream(InstrumentCatalog.RESOURCE_DIR + file)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
