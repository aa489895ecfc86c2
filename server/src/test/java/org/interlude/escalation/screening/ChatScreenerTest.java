package org.interlude.escalation.screening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.interlude.escalation.Severity;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Focused behaviour of the bundled rules: each test names the clinical reason it exists. */
class ChatScreenerTest {

  private static final ChatScreener SCREENER = new ChatScreener(ScreeningRules.bundled());

  private static Screening screen(String text) {
    return SCREENER.screen(text);
  }

  private static void assertScreened(Severity severity, String ruleId, String text) {
    Screening s = screen(text);
    assertEquals(severity, s.severity(), () -> "severity of: " + text + " findings " + s.findings());
    assertEquals(ruleId, s.ruleId(), () -> "rule of: " + text + " findings " + s.findings());
  }

  private static Finding findingWith(Screening s, String ruleId) {
    return s.findings().stream().filter(f -> f.ruleId().equals(ruleId)).findFirst()
        .orElseThrow(() -> new AssertionError("no finding " + ruleId + " in " + s.findings()));
  }

  @Nested
  class ExamplesFromTheIssue {

    @ParameterizedTest
    @ValueSource(strings = {
        "I took all my pills",
        "I'm cutting right now",
        "I'm going to kill myself tonight",
        "I have the rope ready",
        "I bought a gun to end it",
        "this is goodbye, I won't be here tomorrow"})
    void criticalStatementsAreCritical(String text) {
      assertEquals(Severity.CRITICAL, screen(text).severity(), text);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "I keep thinking about killing myself",
        "I want to die",
        "I've been cutting again",
        "I wish I wasn't alive"})
    void thoughtsWithoutPlanAreHigh(String text) {
      assertEquals(Severity.HIGH, screen(text).severity(), text);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "I would never kill myself",
        "this traffic is killing me",
        "I could die of embarrassment",
        "my feet are killing me",
        "killed it at work today",
        "my brother tried to kill himself",
        "years ago I attempted suicide"})
    void qualifiedRiskWordsAreWatch(String text) {
      assertEquals(Severity.WATCH, screen(text).severity(), text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"can I take ibuprofen after my dose?", "how many mg was my dose?"})
    void medicationQuestionsAreNone(String text) {
      assertScreened(Severity.NONE, Screening.NO_RULE, text);
    }
  }

  @Nested
  class Negation {

    @Test
    void negationIsWatchNeverNone() {
      // "I would never hurt myself" is not proof of safety: it is logged for the therapist.
      assertScreened(Severity.WATCH, "watch.negated", "I would never kill myself");
      assertScreened(Severity.WATCH, "watch.negated", "I don't want to die");
      assertScreened(Severity.WATCH, "watch.negated", "I have no intention of hurting myself");
      assertScreened(Severity.WATCH, "watch.negated", "I'm not going to kill myself");
    }

    @Test
    void butEndsTheScope() {
      assertScreened(Severity.HIGH, "ideation.first-person", "I'm not suicidal but I want to die");
    }

    @Test
    void commaAndNewClauseEndTheScope() {
      assertScreened(Severity.HIGH, "ideation.first-person", "No, I want to die");
      assertScreened(Severity.HIGH, "ideation.first-person", "I'm not ok I want to die");
      assertScreened(Severity.HIGH, "ideation.first-person", "I quit my job and want to die");
    }

    @Test
    void negationOutsideTheWindowDoesNotApply() {
      assertScreened(Severity.HIGH, "ideation.first-person", "nothing I try ever really seems to work and honestly I want to die");
    }

    @Test
    void pseudoNegationsAreNotNegations() {
      assertScreened(Severity.HIGH, "ideation.first-person", "I can't stop thinking about suicide");
      assertScreened(Severity.HIGH, "ideation.first-person", "not going to lie, I want to die");
      assertScreened(Severity.HIGH, "ideation.first-person", "I'm not sure I want to live anymore");
    }

    @Test
    void negationInsideTheRiskPhraseIsPartOfIt() {
      assertScreened(Severity.HIGH, "ideation.first-person", "I don't want to live anymore");
      assertScreened(Severity.HIGH, "ideation.first-person", "i wish i could go to sleep and not wake up");
    }

    @Test
    void negationAfterTheTerm() {
      assertScreened(Severity.WATCH, "watch.negated", "I want to die lol jk");
    }

    @Test
    void negativeAnswerToOwnQuestion() {
      assertScreened(Severity.WATCH, "watch.negated", "Suicidal? No.");
      assertScreened(Severity.HIGH, "ideation.first-person", "Suicidal? Yes.");
    }

    @Test
    void negatedThenAnaphoricThoughtIsStillIdeation() {
      assertScreened(Severity.HIGH, "ideation.first-person", "I don't want to kill myself but I keep thinking about it");
    }
  }

  @Nested
  class Experiencer {

    @Test
    void someoneElseIsWatch() {
      assertScreened(Severity.WATCH, "watch.other-person", "my brother tried to kill himself");
      assertScreened(Severity.WATCH, "watch.other-person", "She said she wants to kill herself");
      assertScreened(Severity.WATCH, "watch.other-person", "my sister keeps saying she wants to die");
      assertScreened(Severity.WATCH, "watch.other-person", "My mom overdosed when I was a kid");
      assertScreened(Severity.WATCH, "watch.other-person", "he said kys in the group chat");
    }

    @Test
    void firstPersonAfterTheOtherPersonIsTheClient() {
      assertScreened(Severity.HIGH, "ideation.first-person", "my sister called and I want to die");
      assertScreened(Severity.HIGH, "ideation.first-person", "Me and my brother both want to die");
      assertScreened(Severity.HIGH, "ideation.first-person", "My brother wants to die and honestly so do I");
    }

    @Test
    void aPersonInsideTheTermIsNotTheExperiencer() {
      // "tell my mom I love her" is the client's own farewell.
      assertScreened(Severity.CRITICAL, "farewell.first-person", "Goodbye. I'm sorry. Tell my mom I love her");
      assertScreened(Severity.HIGH, "self-harm.first-person", "I've been scratching my arms until they bleed again");
    }

    @Test
    void aPossessiveNamesAnOwnerNotTheActor() {
      assertScreened(Severity.CRITICAL, "plan.first-person.current",
          "I'm holding my husband's pistol right now and thinking about pulling the trigger");
      assertScreened(Severity.WATCH, "watch.other-person", "my brother's suicide anniversary is coming up");
    }

    @Test
    void naturalDeathOfSomeoneElseIsNotRiskLanguage() {
      assertScreened(Severity.NONE, Screening.NO_RULE, "my dad died last year and the anniversary is coming up");
    }
  }

  @Nested
  class Time {

    @Test
    void remotePastIsWatch() {
      assertScreened(Severity.WATCH, "watch.past", "years ago I attempted suicide");
      assertScreened(Severity.WATCH, "watch.past", "when I was 16 I used to cut");
      assertScreened(Severity.WATCH, "watch.past", "Back in 2015 I overdosed on purpose");
      assertScreened(Severity.WATCH, "watch.past", "I had suicidal thoughts in college but that was a long time ago");
    }

    @Test
    void recentPastIsNotRemote() {
      assertScreened(Severity.HIGH, "attempt.first-person", "I tried to kill myself last month");
      assertScreened(Severity.HIGH, "self-harm.first-person", "I cut myself last night");
    }

    @Test
    void currentCueAtTheTermWins() {
      assertScreened(Severity.HIGH, "self-harm.first-person", "I used to cut myself and now I'm cutting again");
      assertScreened(Severity.HIGH, "self-harm.first-person", "I used to cut but I started again last week");
    }

    @Test
    void clockTimeIsNotAge() {
      assertScreened(Severity.CRITICAL, "intent.first-person.current", "I'm going to kill myself at 9");
    }
  }

  @Nested
  class IdiomsAndSessions {

    @ParameterizedTest
    @ValueSource(strings = {
        "this traffic is killing me",
        "I'm dying to know what you think",
        "i'd rather die than go to another zumba class",
        "I'm dead tired after the session",
        "I nailed that presentation, absolutely killed it",
        "I want to die of embarrassment"})
    void idiomsAreWatchNotPaging(String text) {
      assertScreened(Severity.WATCH, "watch.idiom", text);
    }

    @Test
    void anIdiomDoesNotExplainAwayIdeation() {
      assertScreened(Severity.HIGH, "ideation.first-person", "I wish I was dead lol");
      assertScreened(Severity.HIGH, "ideation.first-person", "this week is killing me and honestly I want to die");
    }

    @Test
    void egoDeathInASessionIsNoneButRecorded() {
      Screening s = screen("during the session I felt like I died and was reborn");
      assertEquals(Severity.NONE, s.severity());
      assertEquals(Screening.NO_RULE, s.ruleId());
      assertEquals(Severity.NONE, findingWith(s, "none.session-experience").severity());
    }

    @Test
    void aWishToBeDeadNextToEgoDeathStillPages() {
      assertScreened(Severity.HIGH, "ideation.first-person", "In the session I felt like I died, and honestly I want to die");
    }

    @Test
    void ordinaryDeathWordsAreNone() {
      assertScreened(Severity.NONE, Screening.NO_RULE, "my phone died, sorry for the late reply");
      assertScreened(Severity.NONE, Screening.NO_RULE, "I'm dying my hair this weekend");
    }
  }

  @Nested
  class SpellingAndSlang {

    @ParameterizedTest
    @ValueSource(strings = {
        "kms",
        "lowkey want to kms",
        "I want to unalive myself",
        "i keep wanting to sewer slide",
        "thinking about suiside",
        "Im having sucidal thoughts again",
        "I WANT TO DIEEEE",
        "feeling sui today",
        "i want to end it all",
        "better off dead tbh"})
    void ideationSpellings(String text) {
      assertScreened(Severity.HIGH, "ideation.first-person", text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"been doing self-harm again", "selfharm again", "sh urges are bad", "s/h urges bad"})
    void selfHarmSpellings(String text) {
      assertScreened(Severity.HIGH, "self-harm.first-person", text);
    }

    @Test
    void contractionsWithoutApostrophesAndCurlyQuotes() {
      assertScreened(Severity.CRITICAL, "intent.first-person.current", "im gonna kms tonight");
      assertScreened(Severity.CRITICAL, "intent.first-person.current", "I\u2019m going to kill myself");
      assertScreened(Severity.CRITICAL, "intent.first-person.current", "ill kill myself");
      assertScreened(Severity.CRITICAL, "overdose.first-person.current", "I OD'd");
      assertScreened(Severity.CRITICAL, "overdose.first-person.current", "I OD\u2019d");
    }

    @Test
    void invisibleCharactersDoNotHideWords() {
      assertScreened(Severity.HIGH, "ideation.first-person", "I want to k\u200Bill myself");
    }

    @Test
    void offsetsPointIntoTheOriginalTextEvenWhenNotNormalised() {
      // "é" as e + combining accent (NFD) before the risk phrase shifts NFC positions.
      String text = "Cafe\u0301 was fine. I\u2019m going to kill myself \uD83D\uDE14";
      Screening s = screen(text);
      assertEquals(Severity.CRITICAL, s.severity());
      Finding f = findingWith(s, "intent.first-person.current");
      assertEquals("going to kill myself", text.substring(f.start(), f.end()));
    }
  }

  @Nested
  class Messages {

    @Test
    void severityIsTheMaximumOverSentences() {
      Screening s = screen("Good session today. Then my brother tried to kill himself. I want to die.");
      assertEquals(Severity.HIGH, s.severity());
      assertEquals("ideation.first-person", s.ruleId());
      findingWith(s, "watch.other-person");
    }

    @Test
    void riskFactorsCombineAcrossSentences() {
      assertScreened(Severity.CRITICAL, "plan.first-person.current", "I want to die. I have the pills right here.");
      assertScreened(Severity.CRITICAL, "timeframe.first-person.current", "I want to die. Tonight.");
    }

    @Test
    void aNegationDoesNotReachTheNextSentence() {
      assertScreened(Severity.HIGH, "ideation.first-person", "I'm not okay. Want to die.");
    }

    @Test
    void findingsAreInReadingOrderWithTheirSpans() {
      String text = "I'm not suicidal. I want to die.";
      Screening s = screen(text);
      assertEquals(2, s.findings().size(), s.findings().toString());
      Finding negated = s.findings().get(0);
      Finding ideation = s.findings().get(1);
      assertEquals("watch.negated", negated.ruleId());
      assertEquals("suicidal", text.substring(negated.start(), negated.end()));
      assertEquals("ideation.first-person", ideation.ruleId());
      assertEquals("want to die", text.substring(ideation.start(), ideation.end()));
      assertTrue(negated.cue().contains("negation"), negated.cue());
    }

    @Test
    void aDeathWordInsideIdeationIsNotReportedTwice() {
      Screening s = screen("I want to die");
      assertEquals(1, s.findings().size(), s.findings().toString());
    }

    @Test
    void emptyAndPunctuationOnlyMessagesAreNone() {
      assertScreened(Severity.NONE, Screening.NO_RULE, "");
      assertScreened(Severity.NONE, Screening.NO_RULE, "?!... \uD83D\uDE4F");
      assertTrue(screen("").findings().isEmpty());
    }

    @Test
    void veryLongMessagesAreScreenedToTheEnd() {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < 2000; i++) {
        sb.append("work was long and the bus was late again, ");
      }
      sb.append("and tonight I'm going to kill myself");
      assertScreened(Severity.CRITICAL, "intent.first-person.current", sb.toString());
    }

    @Test
    void hostileMessagesCannotStallTheServer() {
      // One endless sentence full of terms and cues: any check that scanned every cue for every
      // term would take minutes here. The limit is generous; it guards complexity, not speed.
      String unit = "she said i would never kill myself years ago and so do i but not now my brother ";
      String hostile = unit.repeat(4000);
      Screening s = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> screen(hostile));
      assertEquals(screen(unit).severity(), s.severity());
      assertEquals(screen(unit).ruleId(), s.ruleId());
    }

    @Test
    void resultsDoNotContainTheMessageText() {
      Screening s = screen("I would never kill myself, my name is Avery");
      assertFalse(s.toString().contains("Avery"));
      assertFalse(s.toString().contains("would never"));
    }
  }

  @Test
  void screeningIsThreadSafe() throws Exception {
    List<LabelledCorpus.Example> corpus = LabelledCorpus.read("screening/corpus.tsv");
    List<Screening> expected = new ArrayList<>();
    for (LabelledCorpus.Example e : corpus) {
      expected.add(SCREENER.screen(e.text()));
    }
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<List<Screening>>> futures = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        futures.add(pool.submit(() -> {
          List<Screening> got = new ArrayList<>();
          for (int round = 0; round < 5; round++) {
            got.clear();
            for (LabelledCorpus.Example e : corpus) {
              got.add(SCREENER.screen(e.text()));
            }
          }
          return got;
        }));
      }
      for (Future<List<Screening>> f : futures) {
        assertEquals(expected, f.get());
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
