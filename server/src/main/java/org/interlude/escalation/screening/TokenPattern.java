package org.interlude.escalation.screening;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The pattern language of the rule files, over normalised words rather than characters, so
 * clinicians never have to think about word boundaries, case or apostrophes.
 *
 * <pre>
 *   kill myself            words in sequence
 *   (die|be dead)          one of the alternatives
 *   [just]                 optional
 *   overdos*               any word starting with "overdos"
 *   &lt;pills&gt;                any entry of the class "pills" (classes may contain phrases)
 *   &lt;num&gt; &lt;num:10+&gt; &lt;num:1900-2099&gt;   a number, at least 10, within a range
 *   &lt;gap:3&gt;                up to three arbitrary words
 *   &lt;end&gt;                  end of the sentence
 * </pre>
 *
 * <p>Words go through the same normalisation as messages, so "don't" in a pattern means "do not".
 * A pattern never crosses a sentence end; commas are transparent to patterns.
 */
final class TokenPattern {

  private TokenPattern() {}

  /** A compiled pattern node. Immutable. */
  sealed interface Node permits Lit, LitSet, Prefix, Num, Gap, End, Seq, Alt, Dispatch, ClassRef {}

  record Lit(String text) implements Node {}

  /** Any one of several single words; what {@link #optimize} makes of word alternatives. */
  record LitSet(Set<String> words) implements Node {}

  record Prefix(String prefix) implements Node {}

  record Num(double min, double max) implements Node {}

  record Gap(int max) implements Node {}

  record End() implements Node {}

  record Seq(List<Node> items) implements Node {}

  record Alt(List<Node> options) implements Node {}

  /**
   * Alternatives grouped by the word they start with, so that only the options that can start at
   * a token are tried; {@code others} start with something else (prefix, number, optional part).
   * Built by {@link #optimize} from large alternations such as {@code <intend>}.
   */
  record Dispatch(Map<String, List<Node>> byFirstWord, List<Node> others) implements Node {}

  /** A class reference before classes are resolved; never present in a resolved pattern. */
  record ClassRef(String name) implements Node {}

  /** A syntax error in one pattern; the caller adds the file and entry. */
  static final class SyntaxException extends Exception {
    SyntaxException(String message) {
      super(message);
    }
  }

  static final int MAX_GAP = 6;

  /** Reserved names inside angle brackets. */
  static final Set<String> RESERVED = Set.of("num", "gap", "end");

  // ---------------------------------------------------------------- parsing

  /**
   * Parses one pattern. {@code normalizeWords} turns a run of literal words into normalised words
   * (or throws for text that cannot be a word, such as sentence punctuation).
   */
  static Node parse(String source, Function<String, List<String>> normalizeWords)
      throws SyntaxException {
    Parser p = new Parser(source, normalizeWords);
    Node node = p.parseAlternatives();
    if (p.pos < source.length()) {
      char c = source.charAt(p.pos);
      if (c == ')' || c == ']') {
        throw new SyntaxException("'" + c + "' at position " + (p.pos + 1) + " has no opening bracket");
      }
      throw new SyntaxException("unexpected '" + c + "' at position " + (p.pos + 1));
    }
    return node;
  }

  private static final class Parser {
    final String s;
    final Function<String, List<String>> normalizeWords;
    int pos;

    Parser(String s, Function<String, List<String>> normalizeWords) {
      this.s = s;
      this.normalizeWords = normalizeWords;
    }

    Node parseAlternatives() throws SyntaxException {
      List<Node> options = new ArrayList<>();
      options.add(parseSequence());
      while (pos < s.length() && s.charAt(pos) == '|') {
        pos++;
        options.add(parseSequence());
      }
      return options.size() == 1 ? options.get(0) : new Alt(List.copyOf(options));
    }

    Node parseSequence() throws SyntaxException {
      List<Node> items = new ArrayList<>();
      StringBuilder words = new StringBuilder();
      while (pos < s.length()) {
        char c = s.charAt(pos);
        if (c == '|' || c == ')' || c == ']') {
          break;
        }
        if (Character.isWhitespace(c)) {
          words.append(' ');
          pos++;
          continue;
        }
        if (c == '(' || c == '[' || c == '<') {
          flushWords(words, items);
          int open = pos;
          pos++;
          if (c == '<') {
            items.add(parseSpecial(open));
            continue;
          }
          char close = c == '(' ? ')' : ']';
          Node inner = parseAlternatives();
          if (pos >= s.length() || s.charAt(pos) != close) {
            throw new SyntaxException("'" + c + "' at position " + (open + 1) + " is not closed");
          }
          pos++;
          if (c == '[') {
            inner = new Alt(List.of(inner, new Seq(List.of())));
          }
          items.add(inner);
          continue;
        }
        if (c == '>') {
          throw new SyntaxException("'>' at position " + (pos + 1) + " has no opening '<'");
        }
        // A word; a trailing '*' makes it a prefix.
        int start = pos;
        while (pos < s.length() && !isSyntax(s.charAt(pos)) && !Character.isWhitespace(s.charAt(pos))) {
          pos++;
        }
        String word = s.substring(start, pos);
        if (word.endsWith("*") && word.indexOf('*') == word.length() - 1) {
          flushWords(words, items);
          // Only case folding for a prefix: rewriting "od" to "overdose" would change its meaning.
          String prefix = word.substring(0, word.length() - 1).toLowerCase(java.util.Locale.ROOT)
              .replace('\u2019', '\'');
          if (prefix.isEmpty() || !prefix.chars().allMatch(ch -> Character.isLetterOrDigit(ch) || ch == '\'')) {
            throw new SyntaxException("'" + word + "': a prefix is letters followed by '*'");
          }
          items.add(new Prefix(prefix));
        } else {
          words.append(word);
        }
      }
      flushWords(words, items);
      if (items.size() == 1) {
        return items.get(0);
      }
      return new Seq(List.copyOf(items));
    }

    private void flushWords(StringBuilder words, List<Node> items) throws SyntaxException {
      String text = words.toString().trim();
      words.setLength(0);
      if (text.isEmpty()) {
        return;
      }
      List<String> normalized;
      try {
        normalized = normalizeWords.apply(text);
      } catch (IllegalArgumentException e) {
        throw new SyntaxException(e.getMessage());
      }
      for (String w : normalized) {
        items.add(new Lit(w));
      }
    }

    private Node parseSpecial(int open) throws SyntaxException {
      int close = s.indexOf('>', pos);
      if (close < 0) {
        throw new SyntaxException("'<' at position " + (open + 1) + " is not closed");
      }
      String spec = s.substring(pos, close).trim().toLowerCase(java.util.Locale.ROOT);
      pos = close + 1;
      if (spec.equals("end")) {
        return new End();
      }
      if (spec.equals("num")) {
        return new Num(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
      }
      if (spec.startsWith("num:")) {
        String range = spec.substring(4).trim();
        try {
          if (range.endsWith("+")) {
            return new Num(Double.parseDouble(range.substring(0, range.length() - 1)), Double.POSITIVE_INFINITY);
          }
          int dash = range.indexOf('-');
          if (dash > 0) {
            double min = Double.parseDouble(range.substring(0, dash));
            double max = Double.parseDouble(range.substring(dash + 1));
            if (max < min) {
              throw new SyntaxException("<" + spec + ">: the range is empty");
            }
            return new Num(min, max);
          }
        } catch (NumberFormatException e) {
          // fall through to the error below
        }
        throw new SyntaxException("<" + spec + ">: write <num:10+> or <num:1900-2099>");
      }
      if (spec.startsWith("gap:")) {
        try {
          int n = Integer.parseInt(spec.substring(4).trim());
          if (n >= 1 && n <= MAX_GAP) {
            return new Gap(n);
          }
        } catch (NumberFormatException e) {
          // fall through to the error below
        }
        throw new SyntaxException("<" + spec + ">: a gap is <gap:N> with N from 1 to " + MAX_GAP);
      }
      if (spec.isEmpty() || !spec.matches("[a-z][a-z0-9-]*")) {
        throw new SyntaxException("<" + spec + ">: a class name uses lower-case letters, digits and '-'");
      }
      return new ClassRef(spec);
    }

    private static boolean isSyntax(char c) {
      return c == '(' || c == ')' || c == '[' || c == ']' || c == '|' || c == '<' || c == '>';
    }
  }

  // ---------------------------------------------------------------- class resolution

  /** Names of classes referenced by a parsed node. */
  static Set<String> classRefs(Node node) {
    Set<String> out = new HashSet<>();
    collectRefs(node, out);
    return out;
  }

  private static void collectRefs(Node node, Set<String> out) {
    if (node instanceof ClassRef r) {
      out.add(r.name());
    } else if (node instanceof Seq seq) {
      for (Node n : seq.items()) {
        collectRefs(n, out);
      }
    } else if (node instanceof Alt alt) {
      for (Node n : alt.options()) {
        collectRefs(n, out);
      }
    }
  }

  /** Replaces class references by the resolved class nodes. */
  static Node resolve(Node node, Map<String, Node> classes) {
    if (node instanceof ClassRef r) {
      Node resolved = classes.get(r.name());
      if (resolved == null) {
        throw new IllegalStateException("unresolved class " + r.name());
      }
      return resolved;
    }
    if (node instanceof Seq seq) {
      List<Node> items = new ArrayList<>(seq.items().size());
      for (Node n : seq.items()) {
        items.add(resolve(n, classes));
      }
      return new Seq(List.copyOf(items));
    }
    if (node instanceof Alt alt) {
      List<Node> options = new ArrayList<>(alt.options().size());
      for (Node n : alt.options()) {
        options.add(resolve(n, classes));
      }
      return new Alt(List.copyOf(options));
    }
    return node;
  }

  // ---------------------------------------------------------------- optimisation

  /**
   * Flattens nested sequences and alternatives and turns alternatives of single words into one
   * set lookup. Classes such as {@code <drug>} have dozens of words; testing them one by one made
   * matching several times slower. Matches exactly the same token sequences as {@code node}.
   */
  static Node optimize(Node node) {
    if (node instanceof Seq seq) {
      List<Node> items = new ArrayList<>();
      for (Node n : seq.items()) {
        Node o = optimize(n);
        if (o instanceof Seq inner) {
          items.addAll(inner.items());
        } else {
          items.add(o);
        }
      }
      return items.size() == 1 ? items.get(0) : new Seq(List.copyOf(items));
    }
    if (node instanceof Alt alt) {
      List<Node> flat = new ArrayList<>();
      flattenAlt(alt, flat);
      Set<String> words = new java.util.LinkedHashSet<>();
      List<Node> others = new ArrayList<>();
      for (Node o : flat) {
        if (o instanceof Lit lit) {
          words.add(lit.text());
        } else if (o instanceof LitSet set) {
          words.addAll(set.words());
        } else {
          others.add(o);
        }
      }
      List<Node> options = new ArrayList<>();
      if (words.size() == 1) {
        options.add(new Lit(words.iterator().next()));
      } else if (!words.isEmpty()) {
        options.add(new LitSet(Set.copyOf(words)));
      }
      options.addAll(others);
      if (options.size() == 1) {
        return options.get(0);
      }
      return options.size() >= DISPATCH_THRESHOLD ? dispatch(options) : new Alt(List.copyOf(options));
    }
    return node;
  }

  private static final int DISPATCH_THRESHOLD = 4;

  private static Node dispatch(List<Node> options) {
    Map<String, List<Node>> byWord = new java.util.HashMap<>();
    List<Node> others = new ArrayList<>();
    for (Node option : options) {
      First first = new First();
      boolean nullable = first(option, first);
      if (nullable || first.any) {
        others.add(option);
        continue;
      }
      for (String w : first.words) {
        byWord.computeIfAbsent(w, k -> new ArrayList<>()).add(option);
      }
    }
    Map<String, List<Node>> frozen = new java.util.HashMap<>();
    byWord.forEach((w, list) -> frozen.put(w, List.copyOf(list)));
    return new Dispatch(Map.copyOf(frozen), List.copyOf(others));
  }

  private static void flattenAlt(Alt alt, List<Node> out) {
    for (Node option : alt.options()) {
      Node o = optimize(option);
      if (o instanceof Alt inner) {
        out.addAll(inner.options());
      } else {
        out.add(o);
      }
    }
  }

  // ---------------------------------------------------------------- analysis

  /** What a pattern can start with: literal first words, or anything (prefix, number, gap). */
  static final class First {
    final Set<String> words = new HashSet<>();
    boolean any;
  }

  /** Adds the possible first words of {@code node}; returns true when the node can match nothing. */
  static boolean first(Node node, First out) {
    if (node instanceof Lit lit) {
      out.words.add(lit.text());
      return false;
    }
    if (node instanceof LitSet set) {
      out.words.addAll(set.words());
      return false;
    }
    if (node instanceof Prefix || node instanceof Num) {
      out.any = true;
      return false;
    }
    if (node instanceof Gap || node instanceof End) {
      out.any = true;
      return true;
    }
    if (node instanceof Seq seq) {
      for (Node item : seq.items()) {
        if (!first(item, out)) {
          return false;
        }
      }
      return true;
    }
    if (node instanceof Alt alt) {
      boolean nullable = false;
      for (Node option : alt.options()) {
        nullable |= first(option, out);
      }
      return nullable;
    }
    if (node instanceof Dispatch d) {
      out.words.addAll(d.byFirstWord().keySet());
      boolean nullable = false;
      for (Node option : d.others()) {
        nullable |= first(option, out);
      }
      return nullable;
    }
    throw new IllegalStateException("unresolved class reference in pattern");
  }

  /** Every literal word in a pattern, for repairing elongated words in messages. */
  static void literals(Node node, Set<String> out) {
    if (node instanceof Lit lit) {
      out.add(lit.text());
    } else if (node instanceof LitSet set) {
      out.addAll(set.words());
    } else if (node instanceof Seq seq) {
      for (Node n : seq.items()) {
        literals(n, out);
      }
    } else if (node instanceof Alt alt) {
      for (Node n : alt.options()) {
        literals(n, out);
      }
    } else if (node instanceof Dispatch d) {
      for (List<Node> options : d.byFirstWord().values()) {
        for (Node n : options) {
          literals(n, out);
        }
      }
      for (Node n : d.others()) {
        literals(n, out);
      }
    }
  }

  // ---------------------------------------------------------------- matching

  /** Receives each position at which a match can end. */
  interface Ends {
    void at(int end);
  }

  /**
   * Calls {@code k} with every end position of a match of {@code node} starting at {@code pos}.
   * Backtracking over small patterns; the first-word index keeps the number of attempts small.
   */
  static void match(Node node, List<Token> tokens, int pos, Ends k) {
    if (node instanceof Lit lit) {
      if (pos < tokens.size() && tokens.get(pos).text().equals(lit.text())) {
        k.at(pos + 1);
      }
    } else if (node instanceof LitSet set) {
      if (pos < tokens.size() && set.words().contains(tokens.get(pos).text())) {
        k.at(pos + 1);
      }
    } else if (node instanceof Seq seq) {
      matchSeq(seq.items(), 0, tokens, pos, k);
    } else if (node instanceof Alt alt) {
      for (Node option : alt.options()) {
        match(option, tokens, pos, k);
      }
    } else if (node instanceof Dispatch d) {
      if (pos < tokens.size()) {
        List<Node> options = d.byFirstWord().get(tokens.get(pos).text());
        if (options != null) {
          for (Node option : options) {
            match(option, tokens, pos, k);
          }
        }
      }
      for (Node option : d.others()) {
        match(option, tokens, pos, k);
      }
    } else if (node instanceof Prefix p) {
      if (pos < tokens.size() && tokens.get(pos).text().startsWith(p.prefix())) {
        k.at(pos + 1);
      }
    } else if (node instanceof Num num) {
      if (pos < tokens.size()) {
        double v = tokens.get(pos).number();
        if (!Double.isNaN(v) && v >= num.min() && v <= num.max()) {
          k.at(pos + 1);
        }
      }
    } else if (node instanceof Gap gap) {
      int max = Math.min(gap.max(), tokens.size() - pos);
      for (int g = 0; g <= max; g++) {
        k.at(pos + g);
      }
    } else if (node instanceof End) {
      if (pos == tokens.size()) {
        k.at(pos);
      }
    } else {
      throw new IllegalStateException("unresolved class reference in pattern");
    }
  }

  private static void matchSeq(List<Node> items, int index, List<Token> tokens, int pos, Ends k) {
    if (index == items.size()) {
      k.at(pos);
      return;
    }
    Node item = items.get(index);
    if (index == items.size() - 1) {
      match(item, tokens, pos, k);
      return;
    }
    match(item, tokens, pos, end -> matchSeq(items, index + 1, tokens, end, k));
  }

  /** The end of the longest match starting at {@code pos}, or -1. */
  static int longest(Node node, List<Token> tokens, int pos) {
    int[] best = {-1};
    match(node, tokens, pos, end -> {
      if (end > best[0]) {
        best[0] = end;
      }
    });
    return best[0];
  }
}
