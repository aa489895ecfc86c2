package org.interlude.identity;

/**
 * Authentication or authorisation failed. {@link Kind#NOT_FOUND} is used for every object the
 * actor may not see, so a forbidden object and a missing one look the same.
 */
public final class Denied extends RuntimeException {
  /** Why. */
  public enum Kind {
    /** No valid session. */
    UNAUTHENTICATED,
    /** The object does not exist or the actor may not see it. */
    NOT_FOUND,
    /** The session must first complete a second factor or change something. */
    STEP_UP
  }

  private final Kind kind;
  private final String code;

  public Denied(Kind kind, String code, String message) {
    super(message, null, false, false);
    this.kind = kind;
    this.code = code;
  }

  public static Denied notFound(String what) {
    return new Denied(Kind.NOT_FOUND, "not_found", what + " not found");
  }

  public static Denied unauthenticated() {
    return new Denied(Kind.UNAUTHENTICATED, "unauthenticated", "sign in first");
  }

  public Kind kind() {
    return kind;
  }

  public String code() {
    return code;
  }
}
