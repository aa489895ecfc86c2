package org.interlude.escalation.screening;

/**
 * A screening rule file that cannot be used. Clinicians edit these files, so the message names the
 * file, the line, the entry (for example {@code lexicon.ideation.patterns[3]}) and what is wrong in
 * plain words. A rule set is never loaded partially: one bad entry rejects the whole set, because
 * silently dropping a lexicon entry would silently stop detecting something.
 *
 * <p>The message never contains chat text; only rule-file text.
 */
public final class InvalidRulesException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final String source;
  private final int line;
  private final String entry;
  private final String problem;

  /**
   * @param source name of the rule file (file name or classpath resource)
   * @param line 1-based line in that file, or 0 when not known
   * @param entry path of the entry in the file, or empty for the whole file
   * @param problem what is wrong, in words a clinician can act on
   */
  public InvalidRulesException(String source, int line, String entry, String problem) {
    super(format(source, line, entry, problem));
    this.source = source;
    this.line = line;
    this.entry = entry;
    this.problem = problem;
  }

  private static String format(String source, int line, String entry, String problem) {
    StringBuilder sb = new StringBuilder(source);
    if (line > 0) {
      sb.append(':').append(line);
    }
    sb.append(": ");
    if (entry != null && !entry.isEmpty()) {
      sb.append(entry).append(": ");
    }
    return sb.append(problem).toString();
  }

  /** Name of the rule file. */
  public String source() {
    return source;
  }

  /** 1-based line of the entry, or 0 when not known. */
  public int line() {
    return line;
  }

  /** Path of the offending entry, such as {@code rules[4].when[0].all}; empty for the whole file. */
  public String entry() {
    return entry;
  }

  /** What is wrong, without the location. */
  public String problem() {
    return problem;
  }
}
