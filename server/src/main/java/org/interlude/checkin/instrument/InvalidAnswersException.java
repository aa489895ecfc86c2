package org.interlude.checkin.instrument;

import java.util.List;

/**
 * Thrown by {@link Scorer} when answers fail validation; carries every problem found, not only the
 * first, so the client can mark all faulty items at once. The message names items and codes only.
 */
public class InvalidAnswersException extends RuntimeException {
  private final transient List<AnswerProblem> problems;

  /** Answers to {@code instrumentId} that have the given (non-empty) problems. */
  public InvalidAnswersException(String instrumentId, List<AnswerProblem> problems) {
    super("invalid answers to " + instrumentId + ": "
        + problems.stream().map(p -> p.itemId() + " " + p.code()).toList());
    this.problems = List.copyOf(problems);
  }

  /** The problems found, in the instrument's item order, unknown items last. */
  public List<AnswerProblem> problems() {
    return problems;
  }
}
