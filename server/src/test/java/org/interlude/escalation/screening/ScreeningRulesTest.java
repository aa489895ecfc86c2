package org.interlude.escalation.screening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.interlude.escalation.Severity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading, validation and merging of rule files; error messages are for clinicians. */
class ScreeningRulesTest {

  /** A minimal complete rule set, so each test changes one thing. */
  private static final String MINIMAL =
      String.join(
          "\n",
          "format: 1",
          "version: \"t1\"",
          "lexicon:",
          "  ideation:",
          "    when-qualified: WATCH",
          "    patterns:",
          "      - \"want to die\"",
          "cues:",
          "  negation: {rule: watch.negated, window: 4, after-window: 3, before: [\"not\"]}",
          "  hypothetical: {rule: watch.hypothetical, window: 8}",
          "  other-person: {rule: watch.other-person, window: 8, after-window: 6, before: [\"she\"]}",
          "  past: {rule: watch.past, current-window: 2, cues: [\"years ago\"]}",
          "rules:",
          "  - id: ideation.first-person",
          "    severity: HIGH",
          "    when:",
          "      - all: [ideation]",
          "");

  private static ScreeningRules.Source source(String name, String yaml) {
    return new ScreeningRules.Source(name, yaml);
  }

  private static InvalidRulesException invalid(String yaml) {
    return assertThrows(InvalidRulesException.class, () -> ScreeningRules.load(source("clinic.yaml", yaml)));
  }

  @Test
  void bundledRulesLoadAndNameTheirVersion() {
    ScreeningRules rules = ScreeningRules.bundled();
    assertTrue(rules.version().startsWith("screening/rules.yaml@"), rules.version());
    assertTrue(rules.compiled().index.size() > 300, "bundled patterns: " + rules.compiled().index.size());
  }

  @Test
  void minimalRuleSetWorks() {
    ChatScreener s = new ChatScreener(ScreeningRules.load(source("min.yaml", MINIMAL)));
    assertEquals(Severity.HIGH, s.screen("I want to die").severity());
    assertEquals("watch.negated", s.screen("I do not want to die").ruleId());
    assertEquals("watch.other-person", s.screen("she said she want to die").ruleId());
    assertEquals("min.yaml@t1", s.rulesVersion());
  }

  @Test
  void yamlSyntaxErrorNamesFileAndLine() {
    InvalidRulesException e = invalid(MINIMAL.replace("      - \"want to die\"", "      - [want to die"));
    assertEquals("clinic.yaml", e.source());
    assertTrue(e.line() > 0);
    assertTrue(e.getMessage().startsWith("clinic.yaml:"), e.getMessage());
  }

  @Test
  void patternErrorNamesFileLineAndEntry() {
    InvalidRulesException e = invalid(MINIMAL.replace("\"want to die\"", "\"want to (die\""));
    assertEquals("lexicon.ideation.patterns[0]", e.entry());
    assertEquals(7, e.line());
    assertTrue(e.getMessage().contains("clinic.yaml:7: lexicon.ideation.patterns[0]"), e.getMessage());
    assertTrue(e.problem().contains("not closed"), e.problem());
  }

  @Test
  void unknownCategoryInRule() {
    InvalidRulesException e = invalid(MINIMAL.replace("all: [ideation]", "all: [ideaton]"));
    assertTrue(e.entry().contains("rules[0] (ideation.first-person).when[0].all[0]"), e.entry());
    assertTrue(e.problem().contains("no lexicon category 'ideaton'"), e.problem());
  }

  @Test
  void unknownClass() {
    InvalidRulesException e = invalid(MINIMAL.replace("\"want to die\"", "\"want to <dye>\""));
    assertTrue(e.problem().contains("no class <dye>"), e.problem());
  }

  @Test
  void classesMayNotReferToThemselves() {
    String yaml = MINIMAL.replace("lexicon:", "classes:\n  a: [\"x <b>\"]\n  b: [\"y <a>\"]\nlexicon:");
    InvalidRulesException e = invalid(yaml);
    assertTrue(e.problem().contains("refers to itself"), e.problem());
  }

  @Test
  void badSeverity() {
    InvalidRulesException e = invalid(MINIMAL.replace("severity: HIGH", "severity: URGENT"));
    assertTrue(e.problem().contains("'URGENT' is not a severity"), e.problem());
  }

  @Test
  void unknownKeyIsReportedNotIgnored() {
    InvalidRulesException e = invalid(MINIMAL.replace("    when-qualified: WATCH", "    when-qualifed: WATCH"));
    assertTrue(e.problem().contains("unknown key 'when-qualifed'"), e.problem());
  }

  @Test
  void duplicateKeyIsReported() {
    InvalidRulesException e = invalid(MINIMAL.replace("version: \"t1\"", "version: \"t1\"\nversion: \"t2\""));
    assertTrue(e.problem().contains("appears twice"), e.problem());
  }

  @Test
  void categoryThatNothingUsesIsReported() {
    String yaml = MINIMAL.replace("\ncues:\n", "\n  ideaton:\n    patterns: [\"x\"]\ncues:\n");
    InvalidRulesException e = invalid(yaml);
    assertTrue(e.problem().contains("not used by any rule"), e.problem());
  }

  @Test
  void punctuationInsideAPatternIsReported() {
    InvalidRulesException e = invalid(MINIMAL.replace("\"want to die\"", "\"want to die. now\""));
    assertTrue(e.problem().contains("sentence punctuation"), e.problem());
  }

  @Test
  void patternThatMatchesNothingIsReported() {
    InvalidRulesException e = invalid(MINIMAL.replace("\"want to die\"", "\"[want]\""));
    assertTrue(e.problem().contains("can match no words"), e.problem());
  }

  @Test
  void wrongFormatVersion() {
    InvalidRulesException e = invalid(MINIMAL.replace("format: 1", "format: 2"));
    assertTrue(e.problem().contains("format 1"), e.problem());
  }

  @Test
  void yamlBooleansAreReadAsText() {
    // In YAML 1.1 a bare `no` is false; in a rule file it must stay the word "no".
    String yaml = MINIMAL.replace("before: [\"not\"]", "before: [no]");
    ChatScreener s = new ChatScreener(ScreeningRules.load(source("min.yaml", yaml)));
    assertEquals("watch.negated", s.screen("no want to die").ruleId());
  }

  @Test
  void nonUtf8FileIsReported() {
    byte[] latin1 = "format: 1\nversion: \"caf\u00e9\"\n".getBytes(StandardCharsets.ISO_8859_1);
    InvalidRulesException e =
        assertThrows(InvalidRulesException.class, () -> ScreeningRules.Source.of("clinic.yaml", new ByteArrayInputStream(latin1)));
    assertTrue(e.problem().contains("UTF-8"), e.problem());
  }

  // ---------------------------------------------------------------- overrides

  @Test
  void overrideAddsLexiconEntriesAndIdioms(@TempDir Path dir) throws Exception {
    Path clinic = dir.resolve("clinic.yaml");
    Files.writeString(
        clinic,
        String.join(
            "\n",
            "format: 1",
            "version: \"clinic-3\"",
            "lexicon:",
            "  ideation:",
            "    patterns: [\"want to yeet myself off this planet\"]",
            "exceptions:",
            "  - id: none.benign",
            "    severity: NONE",
            "    applies-to: [death-word]",
            "    patterns: [\"dead (lift|lifts)\"]",
            ""));
    ChatScreener bundled = new ChatScreener(ScreeningRules.bundled());
    ChatScreener merged = new ChatScreener(ScreeningRules.bundledWith(clinic));

    assertEquals(Severity.NONE, bundled.screen("I want to yeet myself off this planet").severity());
    assertEquals(Severity.HIGH, merged.screen("I want to yeet myself off this planet").severity());
    assertEquals(Severity.WATCH, bundled.screen("I did dead lifts at the gym").severity());
    assertEquals(Severity.NONE, merged.screen("I did dead lifts at the gym").severity());
    // Everything bundled still works after the merge.
    assertEquals(Severity.CRITICAL, merged.screen("I'm going to kill myself tonight").severity());
    assertTrue(merged.rulesVersion().endsWith(" + clinic.yaml@clinic-3"), merged.rulesVersion());
  }

  @Test
  void overrideAddsARuleWithItsOwnCategory() {
    String override =
        String.join(
            "\n",
            "format: 1",
            "version: \"c1\"",
            "lexicon:",
            "  stockpile-question:",
            "    patterns: [\"can i get (extra|more) lozenges\"]",
            "rules:",
            "  - id: watch.refill-request",
            "    severity: WATCH",
            "    when:",
            "      - all: [stockpile-question]",
            "");
    ChatScreener s = new ChatScreener(ScreeningRules.load(ScreeningRules.Source.bundled(), source("c.yaml", override)));
    Screening r = s.screen("can I get extra lozenges this month?");
    assertEquals(Severity.WATCH, r.severity());
    assertEquals("watch.refill-request", r.ruleId());
  }

  @Test
  void overrideMayAddConditionsButNotChangeSeverity() {
    String changesSeverity =
        "format: 1\nversion: \"c1\"\nrules:\n  - id: ideation.first-person\n    severity: WATCH\n    when:\n      - all: [hopeless]\n";
    InvalidRulesException e =
        assertThrows(
            InvalidRulesException.class,
            () -> ScreeningRules.load(ScreeningRules.Source.bundled(), source("c.yaml", changesSeverity)));
    assertEquals("c.yaml", e.source());
    assertTrue(e.problem().contains("not change its severity"), e.problem());

    String addsCondition =
        "format: 1\nversion: \"c1\"\nrules:\n  - id: ideation.first-person\n    when:\n      - all: [hopeless, hopeless]\n        scope: message\n";
    ChatScreener s = new ChatScreener(ScreeningRules.load(ScreeningRules.Source.bundled(), source("c.yaml", addsCondition)));
    assertEquals("ideation.first-person", s.screen("I feel hopeless. I can't do this anymore.").ruleId());
  }

  @Test
  void overrideCannotRenameAQualifierRule() {
    String rename = "format: 1\nversion: \"c1\"\ncues:\n  negation:\n    rule: watch.denied\n";
    InvalidRulesException e =
        assertThrows(InvalidRulesException.class, () -> ScreeningRules.load(ScreeningRules.Source.bundled(), source("c.yaml", rename)));
    assertTrue(e.problem().contains("cannot be renamed"), e.problem());
  }

  @Test
  void overrideErrorsNameTheOverrideFile(@TempDir Path dir) throws Exception {
    Path clinic = dir.resolve("clinic-rules.yaml");
    Files.writeString(clinic, "format: 1\nversion: \"c\"\nlexicon:\n  ideation:\n    patterns:\n      - \"want to <nope>\"\n");
    InvalidRulesException e = assertThrows(InvalidRulesException.class, () -> ScreeningRules.bundledWith(clinic));
    assertEquals("clinic-rules.yaml", e.source());
    assertEquals(6, e.line());
    assertEquals("lexicon.ideation.patterns[0]", e.entry());
  }
}
