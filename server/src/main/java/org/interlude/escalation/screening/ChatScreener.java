package org.interlude.escalation.screening;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
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
 * <p>Immutable and thread-safe: one instance serves every connection. The work per message is
 * linear in its length (every cue check looks only inside its window), so a hostile message cannot
 * stall the caller; with the bundled rules a typical chat message takes about 10-20 microseconds
 * and a 500-character one about 100. Never logs anything; message text does not leave this method
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
    SentenceIndex[] index = new SentenceIndex[n];
    for (int i = 0; i < n; i++) {
      index[i] = new SentenceIndex(sentences.get(i), rules.index.findAll(sentences.get(i)));
    }

    int categories = rules.categories.size();
    List<Hit> hits = new ArrayList<>();
    for (int s = 0; s < n; s++) {
      SentenceIndex x = index[s];
      Match answer = s + 1 < n && x.sentence.question() ? index[s + 1].wholeSentenceAnswer() : null;
      for (Match m : x.lexicon) {
        hits.add(qualify(x, s, m, answer));
      }
    }

    List<Candidate> candidates = new ArrayList<>();
    boolean[] mentioned = new boolean[categories];
    List<List<Hit>> affirmedBySentence = new ArrayList<>(n);
    for (int s = 0; s < n; s++) {
      affirmedBySentence.add(new ArrayList<>());
    }
    List<Hit> affirmed = new ArrayList<>();
    for (Hit h : hits) {
      switch (h.status) {
        case AFFIRMED:
          affirmed.add(h);
          affirmedBySentence.get(h.sentence).add(h);
          mentioned[h.category()] = true;
          continue;
        case NEGATED:
        case HYPOTHETICAL:
        case PAST:
          mentioned[h.category()] = true;
          break;
        default:
          break;
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

    HitsByCategory message = new HitsByCategory(affirmed, categories);
    List<HitsByCategory> bySentence = new ArrayList<>(n);
    for (List<Hit> inSentence : affirmedBySentence) {
      bySentence.add(inSentence.isEmpty() ? null : new HitsByCategory(inSentence, categories));
    }
    for (CompiledRules.Rule rule : rules.rules) {
      for (CompiledRules.Condition c : rule.conditions()) {
        if (c.messageScope()) {
          evaluate(rule, c, message, mentioned, false, candidates);
        } else {
          for (HitsByCategory inSentence : bySentence) {
            if (inSentence != null) {
              evaluate(rule, c, inSentence, mentioned, true, candidates);
            }
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

  private Hit qualify(SentenceIndex x, int sentence, Match m, Match answer) {
    List<Token> tokens = x.sentence.tokens();
    Hit h = new Hit(m, sentence, tokens.get(m.start()).start(), tokens.get(m.end() - 1).end());
    int hs = m.start();
    int he = m.end();

    CompiledRules.Exception exception = null;
    Match exceptionMatch = null;
    for (int p = hs; p < he; p++) {
      for (Match e : x.exceptionsCovering(p)) {
        CompiledRules.Exception ex = rules.exceptions.get(e.entry().group());
        if (ex.appliesTo()[m.entry().group()] && (exception == null || ex.priority() < exception.priority())) {
          exception = ex;
          exceptionMatch = e;
        }
      }
    }
    if (exception != null) {
      return qualified(h, Status.EXCEPTED, "exception", exceptionMatch, exception);
    }

    Match negation = negation(x, hs, he);
    if (negation != null) {
      return qualified(h, Status.NEGATED, "negation", negation, null);
    }
    if (answer != null) {
      h.status = Status.NEGATED;
      h.qualifierCue = "negation \"" + answer.entry().source() + "\" (answer to a question)";
      return h;
    }
    Match hypothetical = hypothetical(x, hs);
    if (hypothetical != null) {
      return qualified(h, Status.HYPOTHETICAL, "hypothetical", hypothetical, null);
    }
    Match other = otherPerson(x, hs, he);
    if (other != null) {
      return qualified(h, Status.OTHER_PERSON, "other person", other, null);
    }
    Match past = past(x, hs, he);
    if (past != null) {
      return qualified(h, Status.PAST, "past", past, null);
    }
    return h;
  }

  private static Hit qualified(Hit h, Status status, String what, Match cue, CompiledRules.Exception exception) {
    h.status = status;
    h.exception = exception;
    h.qualifierCue = what + " \"" + cue.entry().source() + "\"";
    return h;
  }

  /** A trigger ending at most {@code window} words before the term, or starting just after it. */
  private Match negation(SentenceIndex x, int hs, int he) {
    int window = rules.negation.window();
    for (int p = hs; p >= Math.max(0, hs - window); p--) {
      for (Match t : x.endingAt(Kind.NEGATION_BEFORE, p)) {
        if (!x.masked(t, Kind.NEGATION_PSEUDO) && !x.clauseBreakBetween(p, hs) && !x.containsWithin(Kind.NEGATION_END, p, hs)) {
          return t;
        }
      }
    }
    int after = rules.negation.afterWindow();
    for (int p = he; p <= Math.min(x.size() - 1, he + after); p++) {
      for (Match t : x.startingAt(Kind.NEGATION_AFTER, p)) {
        if (!x.masked(t, Kind.NEGATION_PSEUDO) && !x.clauseBreakBetween(he, p) && !x.containsWithin(Kind.NEGATION_END, he, p)) {
          return t;
        }
      }
    }
    return null;
  }

  private Match hypothetical(SentenceIndex x, int hs) {
    int window = rules.hypothetical.window();
    for (int p = hs; p >= Math.max(0, hs - window); p--) {
      for (Match c : x.endingAt(Kind.HYPOTHETICAL_BEFORE, p)) {
        if (!x.masked(c, Kind.HYPOTHETICAL_PSEUDO) && !x.containsWithin(Kind.HYPOTHETICAL_END, p, hs)) {
          return c;
        }
      }
    }
    return null;
  }

  private Match otherPerson(SentenceIndex x, int hs, int he) {
    if (x.alsoMeAfter(he)) {
      return null; // "my brother wants to die and so do I"
    }
    for (int p = hs; p < he; p++) {
      for (Match c : x.startingAt(Kind.OTHER_WITHIN, p)) {
        if (c.end() <= he) {
          return c; // "kill himself": the experiencer is inside the term itself
        }
      }
    }
    int window = rules.otherPerson.window();
    for (int p = hs; p >= Math.max(0, hs - window); p--) {
      for (Match c : x.endingAt(Kind.OTHER_BEFORE, p)) {
        if (p < hs && x.sentence.token(p - 1).possessive()) {
          // "my husband's pistol ... pulling the trigger": the possessive names an owner, not who
          // acts. Directly before the term it does name the experiencer: "my brother's suicide".
          continue;
        }
        if (!x.masked(c, Kind.OTHER_PSEUDO) && !x.clauseBreakBetween(p, hs) && !x.containsWithin(Kind.OTHER_END, p, hs)
            && !x.firstPersonWithin(p, hs)) {
          return c;
        }
      }
    }
    int after = rules.otherPerson.afterWindow();
    for (int p = he; p <= Math.min(x.size() - 1, he + after); p++) {
      for (Match c : x.startingAt(Kind.OTHER_AFTER, p)) {
        if (!x.masked(c, Kind.OTHER_PSEUDO) && !x.clauseBreakBetween(he, p) && !x.containsWithin(Kind.OTHER_END, he, p)
            && !x.firstPersonWithin(he, p)) {
          return c;
        }
      }
    }
    return null;
  }

  /**
   * A remote-past cue in the term's clause (between scope-end words), unless a current cue sits
   * at the term: "I've started cutting again" is current even after "I used to". A current cue
   * far from the term ("when I was 15 I overdosed and I think about doing it again") belongs to
   * another verb and does not cancel the past.
   */
  private Match past(SentenceIndex x, int hs, int he) {
    int segStart = x.lastPastEndStartAtOrBefore(hs);
    int segEnd = x.nextPastEndStartAtOrAfter(he);
    int near = rules.past.afterWindow();
    int from = Math.max(segStart, hs - near - x.maxLength(Kind.PAST_CURRENT));
    int to = Math.min(segEnd - 1, he + near - 1);
    for (int p = from; p <= to; p++) {
      for (Match c : x.startingAt(Kind.PAST_CURRENT, p)) {
        if (c.end() <= segEnd && c.end() > hs - near) {
          return null;
        }
      }
    }
    Match cue = x.earliestEndingPastCueFrom(segStart);
    return cue != null && cue.end() <= segEnd ? cue : null;
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

  /** Affirmed hits of one scope grouped by category, each list in reading order. */
  private static final class HitsByCategory {
    final List<Hit>[] byCategory;

    @SuppressWarnings("unchecked")
    HitsByCategory(List<Hit> hits, int categories) {
      byCategory = new List[categories];
      for (Hit h : hits) {
        List<Hit> list = byCategory[h.category()];
        if (list == null) {
          list = new ArrayList<>(2);
          byCategory[h.category()] = list;
        }
        list.add(h);
      }
    }

    int count(int category) {
      List<Hit> list = byCategory[category];
      return list == null ? 0 : list.size();
    }
  }

  private void evaluate(
      CompiledRules.Rule rule,
      CompiledRules.Condition c,
      HitsByCategory scope,
      boolean[] mentioned,
      boolean local,
      List<Candidate> out) {
    int[] need = c.allCounts();
    for (int cat = 0; cat < need.length; cat++) {
      if (need[cat] > scope.count(cat)) {
        return;
      }
    }
    Hit firstAny = null;
    if (c.any().length > 0) {
      for (int cat : c.any()) {
        if (scope.count(cat) > 0) {
          Hit h = scope.byCategory[cat].get(0);
          if (firstAny == null || before(h, firstAny)) {
            firstAny = h;
          }
        }
      }
      if (firstAny == null) {
        return;
      }
    }
    if (c.mentioned().length > 0) {
      boolean found = false;
      for (int cat : c.mentioned()) {
        found |= mentioned[cat];
      }
      if (!found) {
        return;
      }
    }
    List<Hit> used = new ArrayList<>(4);
    for (int cat = 0; cat < need.length; cat++) {
      for (int k = 0; k < need[cat]; k++) {
        used.add(scope.byCategory[cat].get(k));
      }
    }
    if (firstAny != null && !used.contains(firstAny)) {
      used.add(firstAny);
    }
    used.sort((a, b) -> before(a, b) ? -1 : before(b, a) ? 1 : 0);
    int start = Integer.MAX_VALUE;
    int end = 0;
    StringBuilder cue = new StringBuilder();
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
   * ("die" as a death word inside "I want to die"), so staff see the reasons that matter. Sorting
   * plus a running maximum keeps this O(n log n) however many findings a message produces.
   */
  private static List<Candidate> prune(List<Candidate> all) {
    Set<String> seen = new HashSet<>();
    List<Candidate> unique = new ArrayList<>(all.size());
    for (Candidate c : all) {
      Finding f = c.finding;
      if (seen.add(f.ruleId() + '\u0000' + f.start() + '\u0000' + f.end())) {
        unique.add(c);
      }
    }
    Severity[] levels = Severity.values();
    // For each severity s, the local findings of severity s sorted by start, with a running
    // maximum of their ends: a finding is covered by some of them iff, among those starting at or
    // before it, the largest end reaches its end.
    int[][] starts = new int[levels.length][];
    int[][] maxEnds = new int[levels.length][];
    for (Severity s : levels) {
      List<Finding> local = new ArrayList<>();
      for (Candidate c : unique) {
        if (c.local && c.finding.severity() == s) {
          local.add(c.finding);
        }
      }
      local.sort(Comparator.comparingInt(Finding::start));
      int[] st = new int[local.size()];
      int[] me = new int[local.size()];
      int running = -1;
      for (int i = 0; i < local.size(); i++) {
        st[i] = local.get(i).start();
        running = Math.max(running, local.get(i).end());
        me[i] = running;
      }
      starts[s.ordinal()] = st;
      maxEnds[s.ordinal()] = me;
    }
    List<Candidate> out = new ArrayList<>(unique.size());
    for (Candidate c : unique) {
      Finding f = c.finding;
      boolean covered = false;
      for (int s = f.severity().ordinal() + 1; s < levels.length && !covered; s++) {
        int i = lastAtOrBefore(starts[s], f.start());
        covered = i >= 0 && maxEnds[s][i] >= f.end();
      }
      if (!covered) {
        out.add(c);
      }
    }
    return out;
  }

  private static int lastAtOrBefore(int[] sorted, int value) {
    int i = Arrays.binarySearch(sorted, value);
    if (i < 0) {
      return -i - 2;
    }
    while (i + 1 < sorted.length && sorted[i + 1] == value) {
      i++;
    }
    return i;
  }

  // ---------------------------------------------------------------- per-sentence positional index

  /**
   * The matches of one sentence indexed by token position, so that every cue check looks only at
   * the positions inside its window. Built once per sentence in time linear in its matches.
   */
  private static final class SentenceIndex {
    private static final List<Match> NONE = List.of();

    final Sentence sentence;
    final List<Match> lexicon = new ArrayList<>();
    private final List<Match>[][] startingAt;
    private final List<Match>[][] endingAt;
    private final List<Match>[] exceptionCovering;
    private final boolean[][] pseudoCovered;
    private final int[] maxLength;
    private final boolean[] firstPersonOutsideOther;
    private final int[] firstPersonPrefix;
    private final int[] nextBreak;
    private final int[] nextAlsoMe;
    private final int[] lastPastEndStart;
    private final int[] nextPastEndStart;
    private final Match[] earliestEndingPastCue;
    private final List<Match> answers = new ArrayList<>(1);

    @SuppressWarnings("unchecked")
    SentenceIndex(Sentence sentence, List<Match> matches) {
      this.sentence = sentence;
      int n = sentence.size();
      int kinds = Kind.values().length;
      startingAt = new List[kinds][];
      endingAt = new List[kinds][];
      maxLength = new int[kinds];
      exceptionCovering = new List[n];
      for (Match m : matches) {
        Kind kind = m.entry().kind();
        if (kind == Kind.LEXICON) {
          lexicon.add(m);
          continue;
        }
        if (kind == Kind.NEGATION_ANSWER) {
          answers.add(m);
        }
        int k = kind.ordinal();
        if (startingAt[k] == null) {
          startingAt[k] = new List[n + 1];
          endingAt[k] = new List[n + 1];
        }
        add(startingAt[k], m.start(), m);
        add(endingAt[k], m.end(), m);
        maxLength[k] = Math.max(maxLength[k], m.end() - m.start());
        if (kind == Kind.EXCEPTION) {
          for (int p = m.start(); p < m.end(); p++) {
            add(exceptionCovering, p, m);
          }
        }
      }

      pseudoCovered = new boolean[kinds][];
      for (Kind pseudo : new Kind[] {Kind.NEGATION_PSEUDO, Kind.HYPOTHETICAL_PSEUDO, Kind.OTHER_PSEUDO, Kind.PAST_PSEUDO}) {
        pseudoCovered[pseudo.ordinal()] = covered(pseudo, n);
      }

      // First-person words that are not part of a third-person cue ("my friend" is not "I").
      boolean[] inOther = covered(Kind.OTHER_BEFORE, n);
      firstPersonOutsideOther = new boolean[n + 1];
      firstPersonPrefix = new int[n + 1];
      for (int p = 0; p < n; p++) {
        for (Match fp : startingAt(Kind.OTHER_FIRST_PERSON, p)) {
          boolean inside = true;
          for (int q = fp.start(); q < fp.end(); q++) {
            inside &= inOther[q];
          }
          if (!inside) {
            firstPersonOutsideOther[p] = true;
          }
        }
        firstPersonPrefix[p + 1] = firstPersonPrefix[p] + (firstPersonOutsideOther[p] ? 1 : 0);
      }

      nextBreak = new int[n + 1];
      nextAlsoMe = new int[n + 1];
      nextBreak[n] = Integer.MAX_VALUE;
      nextAlsoMe[n] = Integer.MAX_VALUE;
      for (int p = n - 1; p >= 0; p--) {
        nextBreak[p] = p >= 1 && sentence.token(p).breakBefore() ? p : nextBreak[p + 1];
        nextAlsoMe[p] = startingAt(Kind.OTHER_ALSO_ME, p).isEmpty() ? nextAlsoMe[p + 1] : p;
      }

      lastPastEndStart = new int[n + 1];
      int last = 0;
      for (int p = 0; p <= n; p++) {
        if (p < n && !startingAt(Kind.PAST_END, p).isEmpty()) {
          last = p;
        }
        lastPastEndStart[p] = last;
      }
      nextPastEndStart = new int[n + 1];
      int next = n;
      for (int p = n; p >= 0; p--) {
        if (p < n && !startingAt(Kind.PAST_END, p).isEmpty()) {
          next = p;
        }
        nextPastEndStart[p] = next;
      }
      earliestEndingPastCue = new Match[n + 1];
      Match best = null;
      for (int p = n - 1; p >= 0; p--) {
        for (Match c : startingAt(Kind.PAST_CUE, p)) {
          if (!masked(c, Kind.PAST_PSEUDO) && (best == null || c.end() < best.end())) {
            best = c;
          }
        }
        earliestEndingPastCue[p] = best;
      }
    }

    private static void add(List<Match>[] lists, int p, Match m) {
      if (lists[p] == null) {
        lists[p] = new ArrayList<>(1);
      }
      lists[p].add(m);
    }

    private boolean[] covered(Kind kind, int n) {
      boolean[] out = new boolean[n + 1];
      for (int p = 0; p < n; p++) {
        for (Match m : startingAt(kind, p)) {
          for (int q = m.start(); q < m.end(); q++) {
            out[q] = true;
          }
        }
      }
      return out;
    }

    int size() {
      return sentence.size();
    }

    List<Match> startingAt(Kind kind, int p) {
      List<Match>[] lists = startingAt[kind.ordinal()];
      return lists == null || p < 0 || p >= lists.length || lists[p] == null ? NONE : lists[p];
    }

    List<Match> endingAt(Kind kind, int p) {
      List<Match>[] lists = endingAt[kind.ordinal()];
      return lists == null || p < 0 || p >= lists.length || lists[p] == null ? NONE : lists[p];
    }

    List<Match> exceptionsCovering(int p) {
      return exceptionCovering[p] == null ? NONE : exceptionCovering[p];
    }

    int maxLength(Kind kind) {
      return maxLength[kind.ordinal()];
    }

    /** A pseudo-trigger ("not sure", "no one") overlaps this trigger, so it is not one. */
    boolean masked(Match trigger, Kind pseudo) {
      boolean[] covered = pseudoCovered[pseudo.ordinal()];
      for (int q = trigger.start(); q < trigger.end(); q++) {
        if (covered[q]) {
          return true;
        }
      }
      return false;
    }

    /** A scope-end match lying entirely within {@code [from, to)}. */
    boolean containsWithin(Kind kind, int from, int to) {
      for (int p = from; p < to; p++) {
        for (Match e : startingAt(kind, p)) {
          if (e.end() <= to) {
            return true;
          }
        }
      }
      return false;
    }

    /** A comma between positions {@code from - 1} and {@code to}. */
    boolean clauseBreakBetween(int from, int to) {
      return nextBreak[Math.max(from, 1)] <= to;
    }

    boolean firstPersonWithin(int from, int to) {
      return firstPersonPrefix[to] - firstPersonPrefix[from] > 0;
    }

    /** "so do I" later in the same clause. */
    boolean alsoMeAfter(int he) {
      int also = nextAlsoMe[Math.min(he, size())];
      return also != Integer.MAX_VALUE && nextBreak[Math.max(he, 1)] > also;
    }

    int lastPastEndStartAtOrBefore(int p) {
      return lastPastEndStart[p];
    }

    int nextPastEndStartAtOrAfter(int p) {
      return nextPastEndStart[Math.min(p, size())];
    }

    /** Among unmasked past cues starting at or after {@code p}, the one that ends first. */
    Match earliestEndingPastCueFrom(int p) {
      return p < size() ? earliestEndingPastCue[p] : null;
    }

    /** This sentence is nothing but a negative answer ("No.", "not really"). */
    Match wholeSentenceAnswer() {
      for (Match a : answers) {
        if (a.start() == 0 && a.end() == size()) {
          return a;
        }
      }
      return null;
    }
  }
}
