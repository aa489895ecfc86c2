package org.interlude.escalation.screening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dry-run command line: output format, overrides, explanations and failures. */
class ScreenCommandTest {

  private record Result(int status, String out, String err) {
    List<String> lines() {
      return out.lines().toList();
    }
  }

  private static Result run(String input, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        ScreenCommand.run(
            args,
            new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void printsSeverityRuleAndTextPerLine() {
    Result r = run("I'm going to kill myself tonight\nI want to die\nI would never kill myself\nsee you thursday\n\n");
    assertEquals(0, r.status(), r.err());
    assertEquals(
        List.of(
            "CRITICAL\tintent.first-person.current\tI'm going to kill myself tonight",
            "HIGH\tideation.first-person\tI want to die",
            "WATCH\twatch.negated\tI would never kill myself",
            "NONE\tnone\tsee you thursday",
            "NONE\tnone\t"),
        r.lines());
    assertEquals("", r.err());
  }

  @Test
  void handlesWindowsLineEndsUnicodeAndByteOrderMark() {
    Result r = run("\uFEFFI\u2019m going to kill myself\r\nkms \uD83D\uDE14\r\n");
    assertEquals(
        List.of("CRITICAL\tintent.first-person.current\tI\u2019m going to kill myself", "HIGH\tideation.first-person\tkms \uD83D\uDE14"),
        r.lines());
  }

  @Test
  void explainListsFindingsWithSpans() {
    Result r = run("I'm not suicidal. I want to die.\n", "--explain");
    List<String> lines = r.lines();
    assertEquals("HIGH\tideation.first-person\tI'm not suicidal. I want to die.", lines.get(0));
    assertTrue(lines.get(1).startsWith("\tWATCH\twatch.negated\t8-16\t"), lines.get(1));
    assertTrue(lines.get(2).startsWith("\tHIGH\tideation.first-person\t20-31\t"), lines.get(2));
    assertEquals(3, lines.size());
  }

  @Test
  void overrideRulesFileIsApplied(@TempDir Path dir) throws Exception {
    Path rules = dir.resolve("clinic.yaml");
    Files.writeString(rules, "format: 1\nversion: \"c\"\nlexicon:\n  ideation:\n    patterns: [\"want to yeet myself\"]\n");
    assertEquals("NONE\tnone\tI want to yeet myself", run("I want to yeet myself\n").lines().get(0));
    Result r = run("I want to yeet myself\n", "--rules", rules.toString());
    assertEquals(0, r.status(), r.err());
    assertEquals("HIGH\tideation.first-person\tI want to yeet myself", r.lines().get(0));
  }

  @Test
  void invalidRulesFileFailsWithTheFileNameAndNoOutput(@TempDir Path dir) throws Exception {
    Path rules = dir.resolve("broken.yaml");
    Files.writeString(rules, "format: 1\nversion: \"c\"\nlexicon:\n  ideation:\n    patterns: [\"want to (die\"]\n");
    Result r = run("I want to die\n", "--rules", rules.toString());
    assertEquals(1, r.status());
    assertEquals("", r.out());
    assertTrue(r.err().contains("broken.yaml:5: lexicon.ideation.patterns[0]"), r.err());
  }

  @Test
  void missingRulesFileFails(@TempDir Path dir) {
    Result r = run("hello\n", "--rules", dir.resolve("nope.yaml").toString());
    assertEquals(1, r.status());
    assertTrue(r.err().startsWith("screen: cannot read rules file"), r.err());
  }

  @Test
  void usageErrors() {
    assertEquals(2, run("", "--rule", "x").status());
    assertEquals(2, run("", "--rules").status());
    Result help = run("", "--help");
    assertEquals(0, help.status());
    assertTrue(help.out().startsWith("usage: screen"), help.out());
  }

  @Test
  void errorsNeverEchoMessages() {
    Result r = run("my name is Avery and I want to die\n", "--bogus");
    assertTrue(!r.err().contains("Avery"), r.err());
  }
}
