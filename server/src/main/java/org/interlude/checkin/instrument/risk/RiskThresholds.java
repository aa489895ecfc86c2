package org.interlude.checkin.instrument.risk;

import java.util.Set;

/**
 * The tunable thresholds of {@link CheckinRiskRules}. {@link #defaults()} holds the defaults of the
 * clinical reference; a clinic may tighten or loosen them, within the bounds the constructor checks.
 *
 * @param phq9Item9High PHQ-9 item 9 at or above this is HIGH (default 2)
 * @param phq9Item9NewOrRising PHQ-9 item 9 at or above this is HIGH when it is new (no previous
 *     PHQ-9, or item 9 was 0 before) or higher than the previous answer (default 1); a non-zero item 9
 *     that is neither new nor rising is still WATCH, because any non-zero answer calls for review
 * @param phq9TotalHigh PHQ-9 total at or above this is HIGH (default 20)
 * @param phq9TotalWatch PHQ-9 total at or above this (and below {@link #phq9TotalHigh}) is WATCH
 *     (default 15)
 * @param phq9RiseWatch a PHQ-9 total this much above the previous total is WATCH (default 5)
 * @param gad7TotalWatch GAD-7 total at or above this is WATCH (default 15)
 * @param who5RawWatch WHO-5 raw score at or below this is WATCH (default 7, i.e. 28 of 100)
 * @param dissociationHours still feeling unreal more than this many hours after the dose is HIGH
 *     (default 24)
 * @param unrealMinLevel lowest post-dose "unreal" grade that counts as still feeling unreal (default
 *     1, mild)
 * @param safetyCheckins instruments whose missed occurrences raise a signal (default the safety pulse
 *     and the post-dose check)
 */
public record RiskThresholds(
    int phq9Item9High,
    int phq9Item9NewOrRising,
    int phq9TotalHigh,
    int phq9TotalWatch,
    int phq9RiseWatch,
    int gad7TotalWatch,
    int who5RawWatch,
    int dissociationHours,
    int unrealMinLevel,
    Set<String> safetyCheckins) {

  /** Checks every threshold lies in the range its instrument can produce. */
  public RiskThresholds {
    within("phq9Item9NewOrRising", phq9Item9NewOrRising, 1, 3);
    within("phq9Item9High", phq9Item9High, phq9Item9NewOrRising, 3);
    within("phq9TotalWatch", phq9TotalWatch, 1, 27);
    within("phq9TotalHigh", phq9TotalHigh, phq9TotalWatch, 27);
    within("phq9RiseWatch", phq9RiseWatch, 1, 27);
    within("gad7TotalWatch", gad7TotalWatch, 1, 21);
    within("who5RawWatch", who5RawWatch, 0, 24);
    within("dissociationHours", dissociationHours, 1, 24 * 14);
    within("unrealMinLevel", unrealMinLevel, 1, 3);
    safetyCheckins = Set.copyOf(safetyCheckins);
  }

  /** The clinical reference's defaults. */
  public static RiskThresholds defaults() {
    return new RiskThresholds(2, 1, 20, 15, 5, 15, 7, 24, 1, Set.of("pulse", "postdose"));
  }

  private static void within(String name, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(name + " must be in " + min + ".." + max + ", was " + value);
    }
  }
}
