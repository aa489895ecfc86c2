package org.interlude.escalation;

/**
 * How urgent a distress signal is. Ordered from least to most severe, so {@code compareTo} and
 * {@link #atLeast(Severity)} express "at or above".
 *
 * <ul>
 *   <li>{@link #NONE}: nothing to act on.
 *   <li>{@link #WATCH}: goes to the therapist's review queue; never pages.
 *   <li>{@link #HIGH}: opens or raises an incident and pages on-call staff.
 *   <li>{@link #CRITICAL}: pages at once with the shortest waits; the client is shown crisis lines.
 * </ul>
 */
public enum Severity {
  NONE,
  WATCH,
  HIGH,
  CRITICAL;

  /** True when this severity is the same as or more severe than {@code other}. */
  public boolean atLeast(Severity other) {
    return compareTo(other) >= 0;
  }

  /** True when this severity pages on-call staff. */
  public boolean pages() {
    return atLeast(HIGH);
  }

  /** The more severe of the two. */
  public static Severity max(Severity a, Severity b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
