package org.interlude.checkin.instrument;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What {@link Scorer} returns: the scored result and, kept apart from it, the free-text answers,
 * which the server encrypts before storing. {@link #toString()} never prints the text.
 *
 * @param result the scored result (no free text)
 * @param freeText non-blank answers to text items, item id → text exactly as submitted, in item order
 */
public record ScoringOutcome(ScoredResult result, Map<String, String> freeText) {
  /** Copies the text map, keeping its order. */
  public ScoringOutcome {
    Objects.requireNonNull(result, "result");
    freeText = Collections.unmodifiableMap(new LinkedHashMap<>(freeText));
  }

  /** The result and the ids of the text items answered, never their content. */
  @Override
  public String toString() {
    return "ScoringOutcome[" + result + ", freeText items=" + freeText.keySet() + "]";
  }
}
