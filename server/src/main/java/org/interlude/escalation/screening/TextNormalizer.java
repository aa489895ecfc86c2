package org.interlude.escalation.screening;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns message text into sentences of normalised tokens that keep their offsets in the original
 * text, so a finding can point at exactly what the client wrote.
 *
 * <p>Steps: Unicode NFC; case folding; curly apostrophes and quotes, dashes and odd spaces mapped
 * to plain ones; zero-width characters dropped; split into sentences at {@code . ! ? ; …} and line
 * breaks; split into words at anything that is not a letter or digit (so "self-harm" is two words);
 * a number glued to letters is split ("900mg" is "900" "mg"); letters repeated three or more times
 * are shortened when that yields a known word ("goodbyeee"); then the rewrite table from the rule
 * files is applied (contractions, texting spellings, misspellings, slang), and a possessive "'s"
 * left over is dropped. Patterns in the rule files go through the same steps, so a clinician can
 * write "don't" or "I'm" in a pattern and it matches "dont", "do not" and "Im".
 *
 * <p>Immutable and thread-safe.
 */
final class TextNormalizer {

  /** One rewrite: a run of words replaced by another run of words. */
  record Rewrite(List<String> from, List<String> to) {}

  private static final int MAX_ELONGATED_RUNS = 3;

  private final Map<String, List<Rewrite>> rewritesByFirstWord;
  private final Set<String> vocabulary;

  private TextNormalizer(Map<String, List<Rewrite>> rewritesByFirstWord, Set<String> vocabulary) {
    this.rewritesByFirstWord = rewritesByFirstWord;
    this.vocabulary = vocabulary;
  }

  /**
   * A normaliser with the given rewrites and no vocabulary for repeated-letter repair. The rewrite
   * sides must already be tokenised with {@link #tokenizeOnly(String)}.
   */
  static TextNormalizer withRewrites(List<Rewrite> rewrites) {
    Map<String, List<Rewrite>> byFirst = new HashMap<>();
    for (Rewrite r : rewrites) {
      byFirst.computeIfAbsent(r.from().get(0), k -> new ArrayList<>()).add(r);
    }
    Map<String, List<Rewrite>> frozen = new HashMap<>();
    for (Map.Entry<String, List<Rewrite>> e : byFirst.entrySet()) {
      List<Rewrite> list = new ArrayList<>(e.getValue());
      // Longest source first, so "sewer slide" wins over a rewrite of "sewer" alone.
      list.sort(Comparator.comparingInt((Rewrite r) -> r.from().size()).reversed());
      frozen.put(e.getKey(), List.copyOf(list));
    }
    return new TextNormalizer(Map.copyOf(frozen), Set.of());
  }

  /** The same normaliser that also repairs elongated words ("pleeease") towards {@code words}. */
  TextNormalizer withVocabulary(Set<String> words) {
    Set<String> all = new HashSet<>(words);
    for (List<Rewrite> list : rewritesByFirstWord.values()) {
      for (Rewrite r : list) {
        all.addAll(r.from());
      }
    }
    return new TextNormalizer(rewritesByFirstWord, Set.copyOf(all));
  }

  /** Full normalisation of a message into sentences. */
  List<Sentence> analyse(String text) {
    List<RawSentence> raw = tokenize(text);
    List<Sentence> out = new ArrayList<>(raw.size());
    for (RawSentence s : raw) {
      out.add(new Sentence(rewrite(s.tokens), s.question));
    }
    return out;
  }

  /**
   * Case folding and word splitting only, without rewrites; used to read the rewrite table itself,
   * whose left-hand sides must be compared with words before any rewriting.
   */
  static List<List<String>> tokenizeOnly(String text) {
    List<List<String>> sentences = new ArrayList<>();
    for (RawSentence s : tokenize(text)) {
      List<String> words = new ArrayList<>(s.tokens.size());
      for (Token t : s.tokens) {
        words.add(t.text());
      }
      sentences.add(words);
    }
    return sentences;
  }

  /** True when some token was preceded by a comma; patterns cannot express one. */
  static boolean hasClauseBreak(String text) {
    for (RawSentence s : tokenize(text)) {
      for (int i = 1; i < s.tokens.size(); i++) {
        if (s.tokens.get(i).breakBefore()) {
          return true;
        }
      }
    }
    return false;
  }

  // ---------------------------------------------------------------- rewriting

  private List<Token> rewrite(List<Token> in) {
    List<Token> out = new ArrayList<>(in.size() + 4);
    int i = 0;
    while (i < in.size()) {
      Token first = repairElongation(in.get(i));
      Rewrite applied = null;
      List<Rewrite> candidates = rewritesByFirstWord.get(first.text());
      if (candidates != null) {
        for (Rewrite r : candidates) {
          if (matchesAt(in, i, first, r.from())) {
            applied = r;
            break;
          }
        }
      }
      if (applied != null) {
        Token last = in.get(i + applied.from().size() - 1);
        boolean breakBefore = first.breakBefore();
        for (String word : applied.to()) {
          out.add(new Token(word, first.start(), last.end(), breakBefore, parseNumber(word), false));
          breakBefore = false;
        }
        i += applied.from().size();
      } else {
        String text = first.text();
        boolean possessive = text.length() > 2 && text.endsWith("'s");
        if (possessive) {
          text = text.substring(0, text.length() - 2);
        }
        out.add(new Token(text, first.start(), first.end(), first.breakBefore(), parseNumber(text), possessive));
        i++;
      }
    }
    return out;
  }

  private boolean matchesAt(List<Token> in, int at, Token first, List<String> from) {
    if (at + from.size() > in.size()) {
      return false;
    }
    if (!first.text().equals(from.get(0))) {
      return false;
    }
    for (int k = 1; k < from.size(); k++) {
      Token t = in.get(at + k);
      if (t.breakBefore() || !repairElongation(t).text().equals(from.get(k))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Texting stretches words ("noooo", "byeeee"). Shorten each run of three or more equal letters
   * to two or one letter and keep the first variant that is a word the rules know; otherwise leave
   * the word alone, so nothing is invented.
   */
  private Token repairElongation(Token t) {
    String text = t.text();
    if (vocabulary.isEmpty() || vocabulary.contains(text) || text.length() < 3) {
      return t;
    }
    List<int[]> runs = new ArrayList<>();
    int i = 0;
    while (i < text.length()) {
      int j = i + 1;
      while (j < text.length() && text.charAt(j) == text.charAt(i)) {
        j++;
      }
      if (j - i >= 3 && Character.isLetter(text.charAt(i))) {
        runs.add(new int[] {i, j});
      }
      i = j;
    }
    if (runs.isEmpty() || runs.size() > MAX_ELONGATED_RUNS) {
      return t;
    }
    int combos = 1 << runs.size();
    for (int mask = 0; mask < combos; mask++) {
      StringBuilder sb = new StringBuilder(text.length());
      int pos = 0;
      for (int r = 0; r < runs.size(); r++) {
        int[] run = runs.get(r);
        sb.append(text, pos, run[0]);
        int keep = (mask & (1 << r)) == 0 ? 2 : 1;
        for (int k = 0; k < keep; k++) {
          sb.append(text.charAt(run[0]));
        }
        pos = run[1];
      }
      sb.append(text, pos, text.length());
      String candidate = sb.toString();
      if (vocabulary.contains(candidate)) {
        return t.withText(candidate);
      }
    }
    return t;
  }

  private static double parseNumber(String word) {
    if (word.isEmpty() || word.length() > 12) {
      return Double.NaN;
    }
    int dots = 0;
    for (int i = 0; i < word.length(); i++) {
      char c = word.charAt(i);
      if (c == '.') {
        dots++;
      } else if (c < '0' || c > '9') {
        return Double.NaN;
      }
    }
    if (dots > 1 || word.charAt(0) == '.' || word.charAt(word.length() - 1) == '.') {
      return Double.NaN;
    }
    return Double.parseDouble(word);
  }

  // ---------------------------------------------------------------- tokenising

  private static final class RawSentence {
    final List<Token> tokens = new ArrayList<>();
    boolean question;
  }

  /** Characters after NFC, each with the span of original characters it came from. */
  private static final class Mapped {
    final char[] chars;
    final int[] from;
    final int[] to;
    final int length;

    Mapped(char[] chars, int[] from, int[] to, int length) {
      this.chars = chars;
      this.from = from;
      this.to = to;
      this.length = length;
    }
  }

  private static Mapped nfc(String text) {
    int n = text.length();
    if (Normalizer.isNormalized(text, Normalizer.Form.NFC)) {
      int[] from = new int[n];
      int[] to = new int[n];
      for (int i = 0; i < n; i++) {
        from[i] = i;
        to[i] = i + 1;
      }
      return new Mapped(text.toCharArray(), from, to, n);
    }
    // Normalise one base character with its combining marks at a time, so every output character
    // still knows which original characters it came from.
    char[] chars = new char[n + 16];
    int[] from = new int[chars.length];
    int[] to = new int[chars.length];
    int len = 0;
    int i = 0;
    while (i < n) {
      int j = i + Character.charCount(text.codePointAt(i));
      while (j < n && isCombiningMark(text.codePointAt(j))) {
        j += Character.charCount(text.codePointAt(j));
      }
      String segment = Normalizer.normalize(text.substring(i, j), Normalizer.Form.NFC);
      if (len + segment.length() > chars.length) {
        int size = Math.max(chars.length * 2, len + segment.length());
        chars = Arrays.copyOf(chars, size);
        from = Arrays.copyOf(from, size);
        to = Arrays.copyOf(to, size);
      }
      for (int k = 0; k < segment.length(); k++) {
        chars[len] = segment.charAt(k);
        from[len] = i;
        to[len] = j;
        len++;
      }
      i = j;
    }
    return new Mapped(chars, from, to, len);
  }

  private static boolean isCombiningMark(int cp) {
    int type = Character.getType(cp);
    return type == Character.NON_SPACING_MARK
        || type == Character.ENCLOSING_MARK
        || type == Character.COMBINING_SPACING_MARK;
  }

  private static boolean isIgnorable(int cp) {
    return cp == 0x200B // zero width space
        || cp == 0x200C
        || cp == 0x200D
        || cp == 0x2060
        || cp == 0xFEFF
        || cp == 0x00AD // soft hyphen
        || (cp >= 0xFE00 && cp <= 0xFE0F) // variation selectors
        || (cp >= 0x1F3FB && cp <= 0x1F3FF); // skin tone modifiers
  }

  private static int fold(int cp) {
    switch (cp) {
      case 0x2018: // ‘
      case 0x2019: // ’
      case 0x201A:
      case 0x201B:
      case 0x02BC: // ʼ
      case 0x02B9:
      case 0x2032: // ′
      case 0x0060: // `
      case 0x00B4: // ´
      case 0xFF07:
        return '\'';
      default:
        return Character.toLowerCase(cp);
    }
  }

  private static boolean isSentenceEnd(int cp) {
    return cp == '.'
        || cp == '!'
        || cp == '?'
        || cp == ';'
        || cp == '\n'
        || cp == '\r'
        || cp == 0x2026 // …
        || cp == 0x203C // ‼
        || cp == 0x2047 // ⁇
        || cp == 0x2048
        || cp == 0x2049
        || cp == 0xFF01
        || cp == 0xFF1F
        || cp == 0x2028
        || cp == 0x2029;
  }

  private static boolean isQuestionMark(int cp) {
    return cp == '?' || cp == 0x2047 || cp == 0x2048 || cp == 0x2049 || cp == 0xFF1F;
  }

  private static boolean isClauseBreak(int cp) {
    return cp == ',' || cp == 0xFF0C || cp == 0x3001;
  }

  private static boolean isWordChar(int cp) {
    return Character.isLetterOrDigit(cp) || isCombiningMark(cp);
  }

  private static boolean isSymbolToken(int cp) {
    int type = Character.getType(cp);
    return type == Character.OTHER_SYMBOL;
  }

  /** Builds one word while remembering where each of its characters came from. */
  private static final class WordBuilder {
    final StringBuilder text = new StringBuilder();
    int[] starts = new int[32];
    int[] ends = new int[32];

    boolean isEmpty() {
      return text.length() == 0;
    }

    char last() {
      return text.charAt(text.length() - 1);
    }

    void append(int cp, int start, int end) {
      int before = text.length();
      text.appendCodePoint(cp);
      int after = text.length();
      if (after > starts.length) {
        starts = Arrays.copyOf(starts, after * 2);
        ends = Arrays.copyOf(ends, after * 2);
      }
      for (int k = before; k < after; k++) {
        starts[k] = start;
        ends[k] = end;
      }
    }

    boolean allDigits() {
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        if ((c < '0' || c > '9') && c != '.') {
          return false;
        }
      }
      return true;
    }

    void clear() {
      text.setLength(0);
    }
  }

  private static List<RawSentence> tokenize(String text) {
    Mapped m = nfc(text);
    List<RawSentence> sentences = new ArrayList<>();
    RawSentence current = new RawSentence();
    RawSentence lastClosed = null;
    WordBuilder word = new WordBuilder();
    boolean pendingBreak = false;

    int i = 0;
    while (i < m.length) {
      int cp = Character.codePointAt(m.chars, i, m.length);
      int width = Character.charCount(cp);
      int origStart = m.from[i];
      int origEnd = m.to[i + width - 1];
      int next = i + width < m.length ? Character.codePointAt(m.chars, i + width, m.length) : -1;
      i += width;
      if (isIgnorable(cp)) {
        continue;
      }
      int c = fold(cp);
      if (isWordChar(c)) {
        boolean digit = c >= '0' && c <= '9';
        if (!digit && !word.isEmpty() && word.allDigits() && Character.isLetter(c)) {
          // "900mg": the number and the unit are separate words.
          pendingBreak = flush(word, current, pendingBreak);
        }
        word.append(c, origStart, origEnd);
        continue;
      }
      int foldedNext = next < 0 ? -1 : fold(next);
      boolean nextIsWord = foldedNext >= 0 && isWordChar(foldedNext);
      if (c == '\'' && !word.isEmpty() && nextIsWord) {
        word.append('\'', origStart, origEnd);
        continue;
      }
      if (c == '*' && !word.isEmpty() && Character.isLetter(word.last()) && nextIsWord) {
        // "sh*t" stays one word instead of leaving a stray "sh" behind.
        word.append('*', origStart, origEnd);
        continue;
      }
      if (c == '.' && !word.isEmpty() && Character.isDigit(word.last()) && foldedNext >= '0'
          && foldedNext <= '9') {
        word.append('.', origStart, origEnd);
        continue;
      }
      pendingBreak = flush(word, current, pendingBreak);
      if (isSentenceEnd(c)) {
        if (!current.tokens.isEmpty()) {
          current.question = isQuestionMark(c);
          sentences.add(current);
          lastClosed = current;
          current = new RawSentence();
        } else if (lastClosed != null && isQuestionMark(c)) {
          lastClosed.question = true; // "?!" or "!?" still asks a question
        }
        pendingBreak = false;
      } else if (isClauseBreak(c)) {
        pendingBreak = !current.tokens.isEmpty();
      } else if (isSymbolToken(c)) {
        current.tokens.add(
            new Token(new String(Character.toChars(c)), origStart, origEnd, pendingBreak, Double.NaN, false));
        pendingBreak = false;
      }
    }
    flush(word, current, pendingBreak);
    if (!current.tokens.isEmpty()) {
      sentences.add(current);
    }
    return Collections.unmodifiableList(sentences);
  }

  /** Emits the word being built, if any; returns the new pending-break state. */
  private static boolean flush(WordBuilder word, RawSentence sentence, boolean pendingBreak) {
    if (word.isEmpty()) {
      return pendingBreak;
    }
    String text = word.text.toString();
    int start = word.starts[0];
    int end = word.ends[text.length() - 1];
    sentence.tokens.add(new Token(text, start, end, pendingBreak, Double.NaN, false));
    word.clear();
    return false;
  }
}
