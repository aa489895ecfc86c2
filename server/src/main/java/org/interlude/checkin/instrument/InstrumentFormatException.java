package org.interlude.checkin.instrument;

/**
 * Thrown when an instrument file is malformed. The message always starts with the file name and the
 * JSON path of the offending field ({@code phq9.v1.json: items[8].options[2].value: …}) so a broken
 * file can be fixed without a debugger; it never contains answers.
 */
public class InstrumentFormatException extends RuntimeException {
  private final String file;
  private final String field;

  /** A problem with {@code field} (a JSON path, or {@code "$"} for the whole file) of {@code file}. */
  public InstrumentFormatException(String file, String field, String problem) {
    super(file + ": " + field + ": " + problem);
    this.file = file;
    this.field = field;
  }

  /** A problem with {@code field} of {@code file} caused by {@code cause} (for example a JSON syntax error). */
  public InstrumentFormatException(String file, String field, String problem, Throwable cause) {
    super(file + ": " + field + ": " + problem, cause);
    this.file = file;
    this.field = field;
  }

  /** The file name the problem is in. */
  public String file() {
    return file;
  }

  /** The JSON path of the offending field. */
  public String field() {
    return field;
  }
}
