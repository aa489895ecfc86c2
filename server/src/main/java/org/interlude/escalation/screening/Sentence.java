package org.interlude.escalation.screening;

import java.util.List;

/**
 * The tokens of one sentence. Patterns never match across sentences, which keeps a negation or a
 * third-person subject in one sentence from reaching a risk statement in the next.
 *
 * @param tokens the words in order; never modified after construction
 * @param question the sentence ended with a question mark
 */
record Sentence(List<Token> tokens, boolean question) {

  Sentence {
    tokens = List.copyOf(tokens);
  }

  int size() {
    return tokens.size();
  }

  Token token(int index) {
    return tokens.get(index);
  }
}
