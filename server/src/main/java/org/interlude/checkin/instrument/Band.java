package org.interlude.checkin.instrument;

import java.util.Objects;

/**
 * A published severity band: a closed integer range of the banded score with a stable id and label.
 *
 * @param id stable identifier stored with results and used in codes (for example {@code moderate})
 * @param label the band's name as published (for example "Moderately severe")
 * @param min lowest score in the band, inclusive
 * @param max highest score in the band, inclusive
 */
public record Band(String id, String label, int min, int max) {
  /** Checks the id and label are present and the range is not empty. */
  public Band {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(label, "label");
    if (min > max) {
      throw new IllegalArgumentException("band " + id + ": min " + min + " > max " + max);
    }
  }

  /** True when {@code score} lies within this band, bounds included. */
  public boolean contains(int score) {
    return score >= min && score <= max;
  }
}
