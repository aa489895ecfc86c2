package org.interlude.checkin.instrument.risk;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import org.interlude.checkin.instrument.ScoredResult;
import org.interlude.escalation.Severity;

/**
 * The check-in risk rules: a pure function from a scored result and its {@link RiskContext} to the
 * risk signals the escalation engine acts on. Stateless and thread-safe; no I/O.
 *
 * <p>Default rules (clinical reference, thresholds in {@link RiskThresholds}):
 *
 * <ul>
 *   <li>CRITICAL: post-dose chest pain or trouble breathing; the signal tells the client to call the
 *       emergency number at once ({@link RiskSignal.ClientAction#CALL_EMERGENCY_NUMBER_NOW}).
 *   <li>HIGH: PHQ-9 item 9 ≥ 2; item 9 = 1 when new (no previous PHQ-9 or previous item 9 = 0) or
 *       rising; safety pulse "yes"; PHQ-9 total ≥ 20; still feeling unreal more than 24 h after the
 *       dose; drove on a dosing day.
 *   <li>WATCH: PHQ-9 total 15–19; PHQ-9 total risen by ≥ 5 since the previous; GAD-7 ≥ 15; WHO-5 raw
 *       ≤ 7 (≤ 28 of 100); a non-zero item 9 that is neither new nor rising (any non-zero answer calls
 *       for a same-day review, so it is never silent).
 * </ul>
 *
 * <p>Several rules can fire for one result (for example item 9 and the total); all are returned,
 * most severe first, because the engine deduplicates into one episode and the audit trail should
 * show every reason. Reasons hold scores only.
 */
public final class CheckinRiskRules {
  /** Post-dose chest pain or trouble breathing (CRITICAL). */
  public static final String POSTDOSE_CHEST_PAIN = "postdose.chestPain";
  /** PHQ-9 item 9 at or above the HIGH threshold. */
  public static final String PHQ9_ITEM9_HIGH = "phq9.item9.high";
  /** PHQ-9 item 9 non-zero and new or rising (HIGH). */
  public static final String PHQ9_ITEM9_NEW_OR_RISING = "phq9.item9.newOrRising";
  /** PHQ-9 item 9 non-zero but neither new nor rising (WATCH). */
  public static final String PHQ9_ITEM9_PERSISTING = "phq9.item9.persisting";
  /** Safety pulse: thoughts of being better off dead or of self-harm (HIGH). */
  public static final String PULSE_THOUGHTS = "pulse.thoughts";
  /** PHQ-9 total in the severe range (HIGH). */
  public static final String PHQ9_TOTAL_HIGH = "phq9.total.high";
  /** PHQ-9 total in the moderately severe range (WATCH). */
  public static final String PHQ9_TOTAL_WATCH = "phq9.total.watch";
  /** PHQ-9 total risen since the previous (WATCH). */
  public static final String PHQ9_RISE = "phq9.total.rise";
  /** GAD-7 total severe (WATCH). */
  public static final String GAD7_TOTAL_WATCH = "gad7.total.watch";
  /** WHO-5 low well-being (WATCH). */
  public static final String WHO5_LOW = "who5.low";
  /** Still feeling unreal beyond the dissociation threshold after the dose (HIGH). */
  public static final String POSTDOSE_DISSOCIATION = "postdose.dissociation";
  /** Drove on a dosing day (HIGH). */
  public static final String POSTDOSE_DROVE = "postdose.droveOnDosingDay";
  /** A safety check-in was missed (WATCH). */
  public static final String MISSED_CHECKIN = "checkin.missed";
  /** A safety check-in was missed within 7 days of a HIGH (HIGH). */
  public static final String MISSED_CHECKIN_AFTER_HIGH = "checkin.missedAfterHigh";

  private final RiskThresholds thresholds;

  /** Rules with the given thresholds. */
  public CheckinRiskRules(RiskThresholds thresholds) {
    this.thresholds = Objects.requireNonNull(thresholds, "thresholds");
  }

  /** Rules with the clinical reference's default thresholds. */
  public static CheckinRiskRules withDefaults() {
    return new CheckinRiskRules(RiskThresholds.defaults());
  }

  /** The thresholds in use. */
  public RiskThresholds thresholds() {
    return thresholds;
  }

  /**
   * The signals {@code current} raises, most severe first; empty when none.
   *
   * @throws IllegalArgumentException when {@code ctx.previous()} is a result of another instrument
   */
  public List<RiskSignal> evaluate(ScoredResult current, RiskContext ctx) {
    Objects.requireNonNull(current, "current");
    Objects.requireNonNull(ctx, "ctx");
    ScoredResult previous = ctx.previous();
    if (previous != null && !previous.instrumentId().equals(current.instrumentId())) {
      throw new IllegalArgumentException("previous result is of " + previous.instrumentId()
          + ", not " + current.instrumentId());
    }
    List<RiskSignal> signals = new ArrayList<>();
    switch (current.instrumentId()) {
      case "phq9" -> phq9(current, previous, signals);
      case "gad7" -> {
        if (current.total() != null && current.total() >= thresholds.gad7TotalWatch()) {
          signals.add(new RiskSignal(Severity.WATCH, GAD7_TOTAL_WATCH, "GAD-7 total = " + current.total()));
        }
      }
      case "who5" -> {
        if (current.total() != null && current.total() <= thresholds.who5RawWatch()) {
          signals.add(new RiskSignal(Severity.WATCH, WHO5_LOW, "WHO-5 raw = " + current.total()
              + " (" + current.percentage() + " of 100)"));
        }
      }
      case "pulse" -> {
        if (isYes(current.flag("pulse.thoughts"))) {
          signals.add(new RiskSignal(Severity.HIGH, PULSE_THOUGHTS,
              "Safety pulse: thoughts of being better off dead or of self-harm = yes"));
        }
      }
      case "postdose" -> postDose(current, ctx, signals);
      default -> {
        // Instruments without rules (PCL-5, journal) raise nothing here: journal text is screened
        // by the chat screening, and the PCL-5 is reviewed by the therapist.
      }
    }
    signals.sort(Comparator.comparing(RiskSignal::severity).reversed());
    return List.copyOf(signals);
  }

  /**
   * The signal for a missed occurrence of {@code instrumentId}: WATCH for a missed safety check-in
   * (by default the safety pulse or the post-dose check), HIGH when a HIGH fired for the client in the
   * last 7 days; empty for other instruments, whose misses are only shown in the review queue.
   */
  public Optional<RiskSignal> missedCheckin(String instrumentId, boolean highInLast7Days) {
    if (!thresholds.safetyCheckins().contains(instrumentId)) {
      return Optional.empty();
    }
    return Optional.of(highInLast7Days
        ? new RiskSignal(Severity.HIGH, MISSED_CHECKIN_AFTER_HIGH,
            "Missed safety check-in (" + instrumentId + ") within 7 days of a HIGH")
        : new RiskSignal(Severity.WATCH, MISSED_CHECKIN,
            "Missed safety check-in (" + instrumentId + ")"));
  }

  /** {@link #missedCheckin(String, boolean)} with the recent-HIGH fact taken from {@code ctx}. */
  public Optional<RiskSignal> missedCheckin(String instrumentId, RiskContext ctx) {
    return missedCheckin(instrumentId, ctx.highInLast7Days());
  }

  private void phq9(ScoredResult current, ScoredResult previous, List<RiskSignal> signals) {
    OptionalInt item9 = current.flag("phq9.item9");
    if (item9.isPresent() && item9.getAsInt() > 0) {
      int value = item9.getAsInt();
      OptionalInt before = previous == null ? OptionalInt.empty() : previous.flag("phq9.item9");
      boolean isNew = before.isEmpty() || before.getAsInt() == 0;
      boolean rising = before.isPresent() && value > before.getAsInt();
      String history = before.isEmpty() ? "no previous PHQ-9" : "previous " + before.getAsInt();
      if (value >= thresholds.phq9Item9High()) {
        signals.add(new RiskSignal(Severity.HIGH, PHQ9_ITEM9_HIGH, "PHQ-9 item 9 = " + value));
      } else if (value >= thresholds.phq9Item9NewOrRising() && (isNew || rising)) {
        signals.add(new RiskSignal(Severity.HIGH, PHQ9_ITEM9_NEW_OR_RISING, "PHQ-9 item 9 = " + value
            + ", " + (isNew ? "new" : "rising") + " (" + history + ")"));
      } else {
        signals.add(new RiskSignal(Severity.WATCH, PHQ9_ITEM9_PERSISTING, "PHQ-9 item 9 = " + value
            + ", not rising (" + history + ")"));
      }
    }
    Integer total = current.total();
    if (total == null) {
      return;
    }
    if (total >= thresholds.phq9TotalHigh()) {
      signals.add(new RiskSignal(Severity.HIGH, PHQ9_TOTAL_HIGH, "PHQ-9 total = " + total));
    } else if (total >= thresholds.phq9TotalWatch()) {
      signals.add(new RiskSignal(Severity.WATCH, PHQ9_TOTAL_WATCH, "PHQ-9 total = " + total));
    }
    if (previous != null && previous.total() != null
        && total - previous.total() >= thresholds.phq9RiseWatch()) {
      signals.add(new RiskSignal(Severity.WATCH, PHQ9_RISE, "PHQ-9 total rose by "
          + (total - previous.total()) + " (" + previous.total() + " to " + total + ")"));
    }
  }

  private void postDose(ScoredResult current, RiskContext ctx, List<RiskSignal> signals) {
    if (isYes(current.flag("postdose.chestPain"))) {
      signals.add(new RiskSignal(Severity.CRITICAL, POSTDOSE_CHEST_PAIN,
          "Post-dose: chest pain or trouble breathing = yes; the client must call the emergency number now",
          RiskSignal.ClientAction.CALL_EMERGENCY_NUMBER_NOW));
    }
    OptionalInt unreal = current.flag("postdose.unreal");
    if (unreal.isPresent() && unreal.getAsInt() >= thresholds.unrealMinLevel()) {
      Double hours = ctx.hoursSinceLastDose();
      boolean late = hours != null && hours > thresholds.dissociationHours();
      if (late || ctx.unrealReportedBeyond24h()) {
        signals.add(new RiskSignal(Severity.HIGH, POSTDOSE_DISSOCIATION,
            "Post-dose: still feeling unreal = grade " + unreal.getAsInt() + " of 3, "
                + (late ? String.format(Locale.ROOT, "%.0f h after the dose", Math.floor(hours))
                    : "also reported more than " + thresholds.dissociationHours() + " h after the dose")));
      }
    }
    if (ctx.dosingDay() && isYes(current.flag("postdose.drove"))) {
      signals.add(new RiskSignal(Severity.HIGH, POSTDOSE_DROVE, "Post-dose: drove on a dosing day = yes"));
    }
  }

  private static boolean isYes(OptionalInt flag) {
    return flag.isPresent() && flag.getAsInt() == 1;
  }
}
