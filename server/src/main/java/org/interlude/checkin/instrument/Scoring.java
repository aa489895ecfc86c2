package org.interlude.checkin.instrument;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How an instrument is scored: the sum of its {@link Item#scored() scored} items, optionally
 * multiplied into a percentage, and the published bands over the total or the percentage.
 *
 * <p>The loader checks that {@link #min()}..{@link #max()} equals the range the scored items can
 * actually sum to and that the bands cover the banded range without gaps or overlaps, so every
 * possible score falls in exactly one band.
 *
 * @param min lowest possible total (raw score)
 * @param max highest possible total (raw score)
 * @param multiplier factor from raw total to a 0–100 percentage (WHO-5: 4), or {@code null}
 * @param bandsOn whether the bands apply to the raw total or to the percentage
 * @param bands the published bands, in ascending order
 * @param note scoring caveats worth showing to clinicians (for example the PCL-5 cut-point range), or
 *     {@code null}
 */
public record Scoring(
    int min, int max, Integer multiplier, BandBasis bandsOn, List<Band> bands, String note) {

  /** Which score the bands are expressed in. */
  public enum BandBasis {
    /** Bands apply to the raw sum. */
    TOTAL,
    /** Bands apply to raw sum × multiplier. */
    PERCENTAGE
  }

  /** Copies the band list so the record stays immutable. */
  public Scoring {
    Objects.requireNonNull(bandsOn, "bandsOn");
    bands = List.copyOf(bands);
  }

  /** The percentage for a raw total, or {@code null} when this instrument has no multiplier. */
  public Integer percentageOf(int total) {
    return multiplier == null ? null : total * multiplier;
  }

  /** The band a raw total falls in (applying the multiplier first when bands are on the percentage). */
  public Optional<Band> bandFor(int total) {
    int banded = bandsOn == BandBasis.PERCENTAGE ? total * multiplier : total;
    return bands.stream().filter(b -> b.contains(banded)).findFirst();
  }
}
