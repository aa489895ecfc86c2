package org.interlude.identity;

/**
 * A request that is well-formed but not acceptable (a weak password, an unknown role, a time in
 * the past). Carries a stable code and the field it concerns; the message is safe to show.
 */
public final class InvalidInput extends RuntimeException {
  private final String code;
  private final String field;

  public InvalidInput(String code, String field, String message) {
    super(message, null, false, false);
    this.code = code;
    this.field = field;
  }

  public String code() {
    return code;
  }

  public String field() {
    return field;
  }
}
