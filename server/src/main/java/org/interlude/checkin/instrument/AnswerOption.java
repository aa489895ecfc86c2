package org.interlude.checkin.instrument;

import java.util.Objects;

/**
 * One option of a {@link ItemType#CHOICE} item.
 *
 * @param value the integer the client sends and that is scored (for example 0–3 on the PHQ-9)
 * @param label the text shown to the client, exactly as published
 * @param loinc the LOINC answer code ({@code LA…}), or {@code null} when the reference gives none
 */
public record AnswerOption(int value, String label, String loinc) {
  /** Checks that the label is present; the catalog loader checks the rest with file context. */
  public AnswerOption {
    Objects.requireNonNull(label, "label");
  }
}
