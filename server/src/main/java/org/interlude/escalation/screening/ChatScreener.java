package org.interlude.escalation.screening;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.interlude.escalation.Severity;
import org.interlude.escalation.screening.PatternIndex.Kind;
import org.interlude.escalation.screening.PatternIndex.Match;

/**
 * Screens one client chat message for suicide and self-harm risk language and returns a {@link
 * Screening}: the severity, the decisive rule id and every finding with its span.
 *
 * <p>How a message is read (the words and rules themselves come from the rule files):
 *
 * <ol>
 *   <li>The text is normalised and split into sentences of words (see the rule file's {@code
 *       normalize} section).
 *   <li>Lexicon patterns find risk terms, each in a category (ideation, intent, plan, means, time
 *       frame, overdose, self-injury, farewell, ...).
 *   <li>Each term is checked, in this order, for an exception that explains it away (idiom,
 *       ketamine-session description, benign use), a negation, a hypothetical or question frame,
 *       another person as the experiencer, and a remote-past time frame. A term with any of these
 *       is <em>qualified</em>: it is reported under that cue's rule id at the category's {@code
 *       when-qualified} severity (usually WATCH, never paging), and it does not count towards any
 *       rule. A negation never clears a term to NONE on its own: "I would never kill myself" is
 *       still WATCH.
 *   <li>The remaining, affirmed terms (first person, current) are combined by the rules: each rule
 *       demands categories within one sentence or within the whole message.
 *   <li>The message severity is the maximum over all findings.
 * </ol>
 *
 * <p>Immutable and thread-safe: one instance serves every connection. Screening is allocation-light
 * and linear in message length for practical purposes (about ten microseconds for a typical chat
 * message with the bundled rules). Never logs anything; message text does not leave this method
 * except through the offsets in the result.
 */
public final class ChatScreener {

  private final CompiledRules rules;

  /** A screener running the given rule set. */
  public ChatScreener(ScreeningRules rules) {
    this.rules = Objects.requireNonNull(rules, "rules").compiled();
  }

  /** Version of the rule set in use; record it next to each screening for the audit trail. */
  public String rulesVersion() {
    return rules.version;
  }

  /**
   * Screens one message.
   *
   * @param text the message exactly as the client sent it
   * @return the screening; offsets refer to {@code text}
   */
  public Screening screen(String text) {
    Objects.requireNonNull(text, "text");
    List<Sentence> sentences = rules.normalizer.analyse(text);
    int n = sentences.size();
    Buckets[] buckets = new Buckets[n];
    for (int i = 0; i < n; i++) {
      buckets[i] = new Buckets(rules.index.findAll(sentences.get(i)));
    }

    List<Hit> hits = new ArrayList<>();
    for (int s = 0; s < n; s++) {
      Sentence sentence = sentences.get(s);
      boolean answeredNo = s + 1 < n && sentence.question() && isNegativeAnswer(buckets[s + 1], sentences.get(s + 1));
      for (Match m : buckets[s].lexicon) {
        hits.add(qualify(sentence, s, m, buckets[s], answeredNo ? buckets[s + 1] : null));
      }
    }

    List<Candidate> candidates = new ArrayList<>();
    for (Hit h : hits) {
      if (h.status == Status.AFFIRMED) {
        continue;
      }
      Severity severity;
      String id;
      int priority;
      if (h.status == Status.EXCEPTED) {
        severity = h.exception.severity();
        id = h.exception.id();
        priority = h.exception.priority();
      } else {
        severity = rules.whenQualified.get(h.category());
        if (severity == Severity.NONE) {
          continue;
        }
        CompiledRules.Qualifier q = qualifier(h.status);
        id = q.id();
        priority = q.priority();
      }
      candidates.add(new Candidate(
          new Finding(severity, id, h.start, h.end, describe(h) + " + " + h.qualifierCue), priority, true));
    }

    List<Hit> mentions = new ArrayList<>();
    List<List<Hit>> affirmedBySentence = new ArrayList<>(n);
    List<Hit> affirmed = new ArrayList<>();
    for (int s = 0; s < n; s++) {
      affirmedBySentence.add(new ArrayList<>());
    }
    for (Hit h : hits) {
      if (h.status == Status.AFFIRMED) {
        affirmed.add(h);
        affirmedBySentence.get(h.sentence).add(h);
      }
      if (h.status == Status.AFFIRMED || h.status == Status.NEGATED || h.status == Status.HYPOTHETICAL
          || h.status == Status.PAST) {
        mentions.add(h);
      }
    }

    for (CompiledRules.Rule rule : rules.rules) {
      for (CompiledRules.Condition c : rule.conditions()) {
        if (c.messageScope()) {
          evaluate(rule, c, affirmed, mentions, false, candidates);
        } else {
          for (List<Hit> inSentence : affirmedBySentence) {
            evaluate(rule, c, inSentence, mentions, true, candidates);
          }
        }
      }
    }

    List<Candidate> kept = prune(candidates);
    Candidate decisive = null;
    for (Candidate c : kept) {
      if (decisive == null || isMoreDecisive(c, decisive)) {
        decisive = c;
      }
    }
    kept.sort(Comparator.comparingInt((Candidate c) -> c.finding.start())
        .thenComparing((Candidate c) -> c.finding.severity(), Comparator.reverseOrder())
        .thenComparingInt(c -> c.priority));
    List<Finding> findings = new ArrayList<>(kept.size());
    for (Candidate c : kept) {
      findings.add(c.finding);
    }
    if (decisive == null || decisive.finding.severity() == Severity.NONE) {
      return new Screening(Severity.NONE, Screening.NO_RULE, findings);
    }
    return new Screening(decisive.finding.severity(), decisive.finding.ruleId(), findings);
  }

  // ---------------------------------------------------------------- qualifying one term

  private enum Status {
    AFFIRMED,
    EXCEPTED,
    NEGATED,
    HYPOTHETICAL,
    OTHER_PERSON,
    PAST
  }

  /** One lexicon match with its verdict. */
  private static final class Hit {
    final Match match;
    final int sentence;
    final int start;
    final int end;
    Status status = Status.AFFIRMED;
    CompiledRules.Exception exception;
    String qualifierCue = "";

    Hit(Match match, int sentence, int start, int end) {
      this.match = match;
      this.sentence = sentence;
      this.start = start;
      this.end = end;
    }

    int category() {
      return match.entry().group();
    }
  }

  private Hit qualify(Sentence sentence, int index, Match m, Buckets b, Buckets answer) {
    List<Token> tokens = sentence.tokens();
    Hit h = new Hit(m, index, tokens.get(m.start()).start(), tokens.get(m.end() - 1).end());
    int hs = m.start();
    int he = m.end();
    int category = m.entry().group();

    for (Match x : b.exceptions) {
      CompiledRules.Exception ex = rules.exceptions.get(x.entry().group());
      if (ex.appliesTo()[category] && x.overlaps(hs, he)) {
        h.status = Status.EXCEPTED;
        h.exception = ex;
        h.qualifierCue = "exception \"" + x.entry().source() + "\"";
        return h;
      }
    }

    Match neg = negation(sentence, b, hs, he);
    if (neg != null) {
      h.status = Status.NEGATED;
      h.qualifierCue = "negation \"" + neg.entry().source() + "\"";
      return h;
    }
    if (answer != null) {
      h.status = Status.NEGATED;
      h.qualifierCue = "negation \"" + answer.answers.get(0).entry().source() + "\" (answer to a question)";
      return h;
    }

    int window = rules.hypothetical.window();
    for (Match c : b.hypotheticalBefore) {
      if (c.end() <= hs && hs - c.end() <= window && !masked(c, b.hypotheticalPseudo)
          && !containsWithin(b.hypotheticalEnd, c.end(), hs)) {
        h.status = Status.HYPOTHETICAL;
        h.qualifierCue = "hypothetical \"" + c.entry().source() + "\"";
        return h;
      }
    }

    Match other = otherPerson(sentence, b, hs, he);
    if (other != null) {
      h.status = Status.OTHER_PERSON;
      h.qualifierCue = "other person \"" + other.entry().source() + "\"";
      return h;
    }

    Match past = past(b, hs, he, tokens.size(), rules.past.afterWindow());
    if (past != null) {
      h.status = Status.PAST;
      h.qualifierCue = "past \"" + past.entry().source() + "\"";
      return h;
    }
    return h;
  }

  private Match negation(Sentence sentence, Buckets b, int hs, int he) {
    int window = rules.negation.window();
    for (Match t : b.negationBefore) {
      if (t.end() <= hs && hs - t.end() <= window && !masked(t, b.negationPseudo)
          && !clauseBreakBetween(sentence, t.end(), hs) && !containsWithin(b.negationEnd, t.end(), hs)) {
        return t;
      }
    }
    int after = rules.negation.afterWindow();
    for (Match t : b.negationAfter) {
      if (t.start() >= he && t.start() - he <= after && !masked(t, b.negationPseudo)
          && !clauseBreakBetween(sentence, he, t.start()) && !containsWithin(b.negationEnd, he, t.start())) {
        return t;
      }
    }
    return null;
  }

  private Match otherPerson(Sentence sentence, Buckets b, int hs, int he) {
    for (Match also : b.otherAlsoMe) {
      if (also.start() >= he && !clauseBreakBetween(sentence, he, also.start())) {
        return null; // "my brother wants to die and so do I"
      }
    }
    for (Match c : b.otherWithin) {
      if (c.start() >= hs && c.end() <= he) {
        return c; // "kill himself": the experiencer is inside the term itself
      }
    }
    int window = rules.otherPerson.window();
    for (Match c : b.otherBefore) {
      if (c.end() < hs && sentence.token(c.end() - 1).possessive()) {
        // "my husband's pistol ... pulling the trigger": the possessive names an owner, not who
        // acts. Directly before the term it does name the experiencer: "my brother's suicide".
        continue;
      }
      if (c.end() <= hs && hs - c.end() <= window && !masked(c, b.otherPseudo) && !clauseBreakBetween(sentence, c.end(), hs)
          && !containsWithin(b.otherEnd, c.end(), hs) && !firstPersonWithin(b, c.end(), hs)) {
        return c;
      }
    }
    int after = rules.otherPerson.afterWindow();
    for (Match c : b.otherAfter) {
      if (c.start() >= he && c.start() - he <= after && !masked(c, b.otherPseudo) && !clauseBreakBetween(sentence, he, c.start())
          && !containsWithin(b.otherEnd, he, c.start()) && !firstPersonWithin(b, he, c.start())) {
        return c;
      }
    }
    return null;
  }

  /** A first-person word between two positions that is not part of a third-person cue ("my friend"). */
  private static boolean firstPersonWithin(Buckets b, int from, int to) {
    for (Match fp : b.firstPerson) {
      if (fp.start() >= from && fp.end() <= to) {
        boolean partOfOther = false;
        for (Match c : b.otherBefore) {
          if (c.start() <= fp.start() && fp.end() <= c.end()) {
            partOfOther = true;
            break;
          }
        }
        if (!partOfOther) {
          return true;
        }
      }
    }
    return false;
  }

  private static Match past(Buckets b, int hs, int he, int size, int currentWindow) {
    int segStart = 0;
    int segEnd = size;
    for (Match e : b.pastEnd) {
      if (e.start() <= hs && e.start() > segStart) {
        segStart = e.start();
      }
      if (e.start() >= he && e.start() < segEnd) {
        segEnd = e.start();
      }
    }
    for (Match c : b.pastCurrent) {
      // "I've started cutting again": a current cue at the term wins. A distant one ("when I was
      // 15 I overdosed and I think about doing it again") belongs to another verb.
      if (c.start() >= segStart && c.end() <= segEnd && c.start() < he + currentWindow && c.end() > hs - currentWindow) {
        return null;
      }
    }
    for (Match p : b.pastCue) {
      if (p.start() >= segStart && p.end() <= segEnd && !masked(p, b.pastPseudo)) {
        return p;
      }
    }
    return null;
  }

  private static boolean isNegativeAnswer(Buckets next, Sentence nextSentence) {
    for (Match a : next.answers) {
      if (a.start() == 0 && a.end() == nextSentence.size()) {
        return true;
      }
    }
    return false;
  }

  private static boolean masked(Match trigger, List<Match> pseudo) {
    for (Match p : pseudo) {
      if (p.overlaps(trigger.start(), trigger.end())) {
        return true;
      }
    }
    return false;
  }

  private static boolean containsWithin(List<Match> ends, int from, int to) {
    for (Match e : ends) {
      if (e.start() >= from && e.end() <= to) {
        return true;
      }
    }
    return false;
  }

  /** A comma between token positions {@code from - 1} and {@code to}. */
  private static boolean clauseBreakBetween(Sentence sentence, int from, int to) {
    int last = Math.min(to, sentence.size() - 1);
    for (int j = Math.max(from, 1); j <= last; j++) {
      if (sentence.token(j).breakBefore()) {
        return true;
      }
    }
    return false;
  }

  private CompiledRules.Qualifier qualifier(Status status) {
    switch (status) {
      case NEGATED:
        return rules.negation;
      case HYPOTHETICAL:
        return rules.hypothetical;
      case OTHER_PERSON:
        return rules.otherPerson;
      case PAST:
        return rules.past;
      default:
        throw new IllegalStateException("no qualifier for " + status);
    }
  }

  // ---------------------------------------------------------------- rules

  private void evaluate(
      CompiledRules.Rule rule,
      CompiledRules.Condition c,
      List<Hit> scope,
      List<Hit> mentions,
      boolean local,
      List<Candidate> out) {
    if (scope.isEmpty()) {
      return;
    }
    int[] need = c.allCounts();
    List<Hit> used = new ArrayList<>(4);
    for (int cat = 0; cat < need.length; cat++) {
      if (need[cat] == 0) {
        continue;
      }
      int found = 0;
      for (Hit h : scope) {
        if (h.category() == cat && found < need[cat]) {
          used.add(h);
          found++;
        }
      }
      if (found < need[cat]) {
        return;
      }
    }
    if (c.any().length > 0) {
      Hit first = null;
      for (Hit h : scope) {
        if (contains(c.any(), h.category()) && (first == null || before(h, first))) {
          first = h;
        }
      }
      if (first == null) {
        return;
      }
      if (!used.contains(first)) {
        used.add(first);
      }
    }
    if (c.mentioned().length > 0) {
      boolean found = false;
      for (Hit h : mentions) {
        if (contains(c.mentioned(), h.category())) {
          found = true;
          break;
        }
      }
      if (!found) {
        return;
      }
    }
    int start = Integer.MAX_VALUE;
    int end = 0;
    StringBuilder cue = new StringBuilder();
    used.sort((a, b) -> before(a, b) ? -1 : before(b, a) ? 1 : 0);
    for (Hit h : used) {
      start = Math.min(start, h.start);
      end = Math.max(end, h.end);
      if (cue.length() > 0) {
        cue.append(" + ");
      }
      cue.append(describe(h));
    }
    out.add(new Candidate(new Finding(rule.severity(), rule.id(), start, end, cue.toString()), rule.priority(), local));
  }

  private static boolean before(Hit a, Hit b) {
    return a.sentence < b.sentence || (a.sentence == b.sentence && a.match.start() < b.match.start());
  }

  private static boolean contains(int[] values, int v) {
    for (int x : values) {
      if (x == v) {
        return true;
      }
    }
    return false;
  }

  private String describe(Hit h) {
    return rules.categories.get(h.category()) + " \"" + h.match.entry().source() + "\"";
  }

  // ---------------------------------------------------------------- findings

  /** A finding with what is needed to rank it. {@code local} = from one term or one sentence. */
  private static final class Candidate {
    final Finding finding;
    final int priority;
    final boolean local;

    Candidate(Finding finding, int priority, boolean local) {
      this.finding = finding;
      this.priority = priority;
      this.local = local;
    }
  }

  private static boolean isMoreDecisive(Candidate a, Candidate b) {
    int bySeverity = a.finding.severity().compareTo(b.finding.severity());
    if (bySeverity != 0) {
      return bySeverity > 0;
    }
    if (a.priority != b.priority) {
      return a.priority < b.priority;
    }
    return a.finding.start() < b.finding.start();
  }

  /**
   * Drops exact duplicates, and findings that only restate part of a more severe local finding
   * ("die" as a death word inside "I want to die"), so staff see the reasons that matter.
   */
  private static List<Candidate> prune(List<Candidate> all) {
    List<Candidate> out = new ArrayList<>(all.size());
    for (int i = 0; i < all.size(); i++) {
      Candidate f = all.get(i);
      boolean drop = false;
      for (int j = 0; j < all.size() && !drop; j++) {
        if (i == j) {
          continue;
        }
        Candidate g = all.get(j);
        Finding ff = f.finding;
        Finding gf = g.finding;
        boolean sameSpan = ff.start() == gf.start() && ff.end() == gf.end();
        if (sameSpan && ff.ruleId().equals(gf.ruleId()) && j < i) {
          drop = true; // exact duplicate; keep the first
        } else if (g.local && gf.severity().compareTo(ff.severity()) > 0
            && gf.start() <= ff.start() && ff.end() <= gf.end()) {
          drop = true;
        }
      }
      if (!drop) {
        out.add(f);
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- per-sentence match buckets

  /** The matches of one sentence sorted by what they are for. */
  private static final class Buckets {
    final List<Match> lexicon = new ArrayList<>();
    final List<Match> exceptions = new ArrayList<>(2);
    final List<Match> negationBefore = new ArrayList<>(2);
    final List<Match> negationAfter = new ArrayList<>(1);
    final List<Match> negationPseudo = new ArrayList<>(1);
    final List<Match> negationEnd = new ArrayList<>(2);
    final List<Match> answers = new ArrayList<>(1);
    final List<Match> hypotheticalBefore = new ArrayList<>(1);
    final List<Match> hypotheticalPseudo = new ArrayList<>(1);
    final List<Match> hypotheticalEnd = new ArrayList<>(1);
    final List<Match> otherBefore = new ArrayList<>(2);
    final List<Match> otherWithin = new ArrayList<>(1);
    final List<Match> otherAfter = new ArrayList<>(1);
    final List<Match> firstPerson = new ArrayList<>(4);
    final List<Match> otherPseudo = new ArrayList<>(1);
    final List<Match> otherAlsoMe = new ArrayList<>(1);
    final List<Match> otherEnd = new ArrayList<>(1);
    final List<Match> pastCue = new ArrayList<>(1);
    final List<Match> pastPseudo = new ArrayList<>(1);
    final List<Match> pastCurrent = new ArrayList<>(1);
    final List<Match> pastEnd = new ArrayList<>(1);

    Buckets(List<Match> matches) {
      for (Match m : matches) {
        list(m.entry().kind()).add(m);
      }
    }

    private List<Match> list(Kind kind) {
      switch (kind) {
        case LEXICON:
          return lexicon;
        case EXCEPTION:
          return exceptions;
        case NEGATION_BEFORE:
          return negationBefore;
        case NEGATION_AFTER:
          return negationAfter;
        case NEGATION_PSEUDO:
          return negationPseudo;
        case NEGATION_END:
          return negationEnd;
        case NEGATION_ANSWER:
          return answers;
        case HYPOTHETICAL_BEFORE:
          return hypotheticalBefore;
        case HYPOTHETICAL_PSEUDO:
          return hypotheticalPseudo;
        case HYPOTHETICAL_END:
          return hypotheticalEnd;
        case OTHER_BEFORE:
          return otherBefore;
        case OTHER_WITHIN:
          return otherWithin;
        case OTHER_AFTER:
          return otherAfter;
        case OTHER_FIRST_PERSON:
          return firstPerson;
        case OTHER_PSEUDO:
          return otherPseudo;
        case OTHER_ALSO_ME:
          return otherAlsoMe;
        case OTHER_END:
          return otherEnd;
        case PAST_CUE:
          return pastCue;
        case PAST_PSEUDO:
          return pastPseudo;
        case PAST_CURRENT:
          return pastCurrent;
        case PAST_END:
          return pastEnd;
        default:
          throw new IllegalStateException("unknown kind " + kind);
      }
    }
  }
}
