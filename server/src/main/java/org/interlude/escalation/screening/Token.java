package org.interlude.escalation.screening;

/**
 * One normalised word of a message: lower case, contractions and slang already rewritten.
 *
 * @param text normalised text matched by patterns
 * @param start offset of the first character in the original message (inclusive)
 * @param end offset after the last character in the original message (exclusive)
 * @param breakBefore a comma (or other clause mark) separates this token from the previous one
 * @param number the numeric value when the token is a number, otherwise {@code NaN}
 * @param possessive the word carried a possessive "'s" that normalisation removed ("husband's")
 */
record Token(String text, int start, int end, boolean breakBefore, double number, boolean possessive) {

  Token withText(String newText) {
    return new Token(newText, start, end, breakBefore, number, possessive);
  }
}
