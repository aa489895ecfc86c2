package org.interlude.storage;

/**
 * The few typed errors the storage edge turns database failures into. Services and adapters
 * react to these, never to driver exceptions or SQL states; the web layer maps them to HTTP
 * statuses and error frames in one place.
 */
public sealed class StorageException extends RuntimeException
    permits StorageException.NotFound,
        StorageException.Conflict,
        StorageException.Duplicate,
        StorageException.Unavailable {

  private StorageException(String message, Throwable cause) {
    super(message, cause, false, cause != null);
  }

  /** The object does not exist, or the caller may not see it (the two are never told apart). */
  public static final class NotFound extends StorageException {
    public NotFound(String what) {
      super(what + " not found", null);
    }
  }

  /** The change clashes with the current state (a constraint, a lost race, a stale token). */
  public static final class Conflict extends StorageException {
    public Conflict(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** A unique key already exists. */
  public static final class Duplicate extends StorageException {
    private final String constraint;

    public Duplicate(String constraint, Throwable cause) {
      super("duplicate " + constraint, cause);
      this.constraint = constraint;
    }

    public String constraint() {
      return constraint;
    }
  }

  /** The database cannot be reached or failed transiently; the caller may retry later. */
  public static final class Unavailable extends StorageException {
    public Unavailable(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
