package org.interlude.escalation;

import java.util.Locale;

/** Where a distress signal came from. Stored and sent as {@link #code()}. */
public enum TriggerKind {
  /** The client pressed "I need help now". */
  CRISIS_BUTTON,
  /** A check-in answer raised a risk signal. */
  CHECKIN,
  /** Chat screening flagged a committed message. */
  CHAT,
  /** A safety check-in was not answered in its window. */
  MISSED_CHECKIN;

  public String code() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static TriggerKind fromCode(String code) {
    return valueOf(code.toUpperCase(Locale.ROOT));
  }
}
