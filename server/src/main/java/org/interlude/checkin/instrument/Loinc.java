package org.interlude.checkin.instrument;

import java.util.regex.Pattern;

/**
 * LOINC code syntax checks used when instrument files are loaded.
 *
 * <p>A term code ({@code 44249-1}) ends in a mod-10 check digit; checking it catches a mistyped code
 * before a wrong code reaches an exported record. Answer codes ({@code LA6568-5}) only have their
 * syntax checked, because their check digit is computed differently and is not published as an
 * algorithm.
 */
public final class Loinc {
  /** The LOINC code system URI used in FHIR codings. */
  public static final String SYSTEM = "http://loinc.org";

  private static final Pattern TERM = Pattern.compile("[1-9][0-9]{0,6}-[0-9]");
  private static final Pattern ANSWER = Pattern.compile("LA[1-9][0-9]{0,6}-[0-9]");

  private Loinc() {}

  /** True when {@code code} is a syntactically valid LOINC term code with a correct check digit. */
  public static boolean isValidTermCode(String code) {
    if (code == null || !TERM.matcher(code).matches()) {
      return false;
    }
    int dash = code.indexOf('-');
    return checkDigit(code.substring(0, dash)) == code.charAt(dash + 1) - '0';
  }

  /** True when {@code code} has the syntax of a LOINC answer code ({@code LA<digits>-<digit>}). */
  public static boolean isValidAnswerCode(String code) {
    return code != null && ANSWER.matcher(code).matches();
  }

  /**
   * The LOINC mod-10 check digit of the digits before the dash: digits in odd positions from the
   * right are doubled, the digit sum of the result is taken, and the check digit brings it to the
   * next multiple of ten.
   */
  static int checkDigit(String digits) {
    int sum = 0;
    for (int i = 0; i < digits.length(); i++) {
      int d = digits.charAt(digits.length() - 1 - i) - '0';
      if (i % 2 == 0) {
        d *= 2;
        if (d > 9) {
          d -= 9;
        }
      }
      sum += d;
    }
    return (10 - sum % 10) % 10;
  }
}
