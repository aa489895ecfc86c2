package org.interlude.escalation.screening;

import java.util.List;
import org.interlude.escalation.Severity;

/**
 * A merged, validated and compiled rule set: what {@link ChatScreener} runs. Built only by {@link
 * RuleCompiler}. Immutable: every field is final and holds immutable values, so one instance is
 * shared by all threads.
 */
final class CompiledRules {

  /**
   * A rule condition.
   *
   * @param allCounts for each category index, how many affirmed matches are required (0 = none)
   * @param any category indexes of which at least one must be affirmed (empty = no such demand)
   * @param mentioned category indexes of which at least one must be mentioned by the client in any
   *     form, negated, hypothetical or in the remote past included, but not about someone else
   *     and not explained away by an exception (empty = no such demand)
   * @param messageScope the condition looks at the whole message instead of one sentence
   */
  record Condition(int[] allCounts, int[] any, int[] mentioned, boolean messageScope) {}

  /** A rule from the {@code rules} section, in file order; the order breaks severity ties. */
  record Rule(String id, Severity severity, int priority, List<Condition> conditions) {}

  /** An exception group: matches explain away overlapping lexicon matches of some categories. */
  record Exception(String id, Severity severity, int priority, boolean[] appliesTo) {}

  /**
   * A qualifier (negation, hypothetical, other person, past) with its rule id and windows; for the
   * past qualifier {@code afterWindow} holds the current-window (how near a current cue must be).
   */
  record Qualifier(String id, int priority, int window, int afterWindow) {}

  final String version;
  final TextNormalizer normalizer;
  final PatternIndex index;
  final List<String> categories;
  final List<Severity> whenQualified;
  final List<Rule> rules;
  final List<Exception> exceptions;
  final Qualifier negation;
  final Qualifier hypothetical;
  final Qualifier otherPerson;
  final Qualifier past;

  CompiledRules(
      String version,
      TextNormalizer normalizer,
      PatternIndex index,
      List<String> categories,
      List<Severity> whenQualified,
      List<Rule> rules,
      List<Exception> exceptions,
      Qualifier negation,
      Qualifier hypothetical,
      Qualifier otherPerson,
      Qualifier past) {
    this.version = version;
    this.normalizer = normalizer;
    this.index = index;
    this.categories = List.copyOf(categories);
    this.whenQualified = List.copyOf(whenQualified);
    this.rules = List.copyOf(rules);
    this.exceptions = List.copyOf(exceptions);
    this.negation = negation;
    this.hypothetical = hypothetical;
    this.otherPerson = otherPerson;
    this.past = past;
  }
}
