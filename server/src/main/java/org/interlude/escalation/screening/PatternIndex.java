package org.interlude.escalation.screening;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * All patterns of a rule set (lexicon, cues, exceptions) in one index keyed by the words a match
 * can start with. A sentence is scanned once; at each word only the patterns that can start with
 * that word are tried, which is what keeps screening well under a millisecond with hundreds of
 * patterns. Immutable and thread-safe.
 */
final class PatternIndex {

  /** What a pattern is for; {@code group} indexes the category, exception or cue list. */
  enum Kind {
    LEXICON,
    EXCEPTION,
    NEGATION_BEFORE,
    NEGATION_AFTER,
    NEGATION_PSEUDO,
    NEGATION_END,
    NEGATION_ANSWER,
    HYPOTHETICAL_BEFORE,
    HYPOTHETICAL_PSEUDO,
    HYPOTHETICAL_END,
    OTHER_BEFORE,
    OTHER_WITHIN,
    OTHER_AFTER,
    OTHER_FIRST_PERSON,
    OTHER_PSEUDO,
    OTHER_ALSO_ME,
    OTHER_END,
    PAST_CUE,
    PAST_PSEUDO,
    PAST_CURRENT,
    PAST_END
  }

  /**
   * One compiled pattern.
   *
   * @param kind what the pattern is for
   * @param group index of the lexicon category or exception it belongs to (0 for cues)
   * @param source the pattern as written in the rule file, shown to staff as the cue
   * @param node the resolved pattern
   */
  record Entry(Kind kind, int group, String source, TokenPattern.Node node) {}

  /** A match of entry {@code entry} over tokens {@code [start, end)} of one sentence. */
  record Match(Entry entry, int start, int end) {}

  private final List<Entry> entries;
  private final Map<String, Entry[]> byFirstWord;
  private final Entry[] anyFirstWord;

  PatternIndex(List<Entry> entries) {
    this.entries = List.copyOf(entries);
    Map<String, List<Entry>> byWord = new HashMap<>();
    List<Entry> any = new ArrayList<>();
    for (Entry e : this.entries) {
      TokenPattern.First first = new TokenPattern.First();
      TokenPattern.first(e.node(), first);
      if (first.any) {
        // Tried at every position anyway; indexing it by word too would report it twice.
        any.add(e);
        continue;
      }
      for (String w : first.words) {
        byWord.computeIfAbsent(w, k -> new ArrayList<>()).add(e);
      }
    }
    Map<String, Entry[]> frozen = new HashMap<>();
    for (Map.Entry<String, List<Entry>> e : byWord.entrySet()) {
      frozen.put(e.getKey(), e.getValue().toArray(new Entry[0]));
    }
    this.byFirstWord = Map.copyOf(frozen);
    this.anyFirstWord = any.toArray(new Entry[0]);
  }

  int size() {
    return entries.size();
  }

  /** Every longest match of every pattern at every start position of the sentence. */
  List<Match> findAll(Sentence sentence) {
    List<Token> tokens = sentence.tokens();
    List<Match> out = new ArrayList<>();
    for (int pos = 0; pos < tokens.size(); pos++) {
      Entry[] candidates = byFirstWord.get(tokens.get(pos).text());
      if (candidates != null) {
        tryAll(candidates, tokens, pos, out);
      }
      tryAll(anyFirstWord, tokens, pos, out);
    }
    return out;
  }

  private static void tryAll(Entry[] candidates, List<Token> tokens, int pos, List<Match> out) {
    for (Entry e : candidates) {
      int end = TokenPattern.longest(e.node(), tokens, pos);
      if (end > pos) {
        out.add(new Match(e, pos, end));
      }
    }
  }
}
