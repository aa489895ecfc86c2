package org.interlude.checkin.instrument;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One item of an instrument, as read from its data file.
 *
 * <p>Only the fields that apply to the item's {@link #type()} are set; the others are {@code null}
 * (or an empty option list). The catalog loader guarantees that combination, so code that switches on
 * the type can rely on it.
 *
 * @param id stable item id, unique in the instrument; answers are keyed by it
 * @param text the question or statement shown, exactly as published
 * @param type what kind of answer the item takes
 * @param required whether a submission without an answer to it is rejected
 * @param scored whether its value counts towards the instrument's total (scored items are always
 *     required, so a total is never computed from a partial set)
 * @param safety whether an answer to it can raise a risk signal: the client view shows the crisis
 *     notice next to it and clinicians review non-zero answers
 * @param flag the derived flag name under which its value appears in {@link ScoredResult#flags()}
 *     (for example {@code phq9.item9}), or {@code null}
 * @param loinc the item's LOINC code, or {@code null} when the reference gives none
 * @param options the options of a {@link ItemType#CHOICE} item in display order; empty otherwise
 * @param min lowest value of a {@link ItemType#SCALE} item
 * @param max highest value of a {@link ItemType#SCALE} item
 * @param minLabel label of the low end of a scale, or {@code null}
 * @param maxLabel label of the high end of a scale, or {@code null}
 * @param maxLength most UTF-16 code units a {@link ItemType#TEXT} answer may have (the unit the
 *     browser's {@code maxlength} counts in, so anything the form accepts is accepted here)
 */
public record Item(
    String id,
    String text,
    ItemType type,
    boolean required,
    boolean scored,
    boolean safety,
    String flag,
    String loinc,
    List<AnswerOption> options,
    Integer min,
    Integer max,
    String minLabel,
    String maxLabel,
    Integer maxLength) {

  /** Copies the option list so the record stays immutable. */
  public Item {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(type, "type");
    options = List.copyOf(options == null ? List.of() : options);
  }

  /** The option with {@code value}, if this is a choice item that has one. */
  public Optional<AnswerOption> option(int value) {
    return options.stream().filter(o -> o.value() == value).findFirst();
  }

  /** Lowest value the item can contribute to a sum: 0 for booleans, the least option or scale min. */
  public int lowestValue() {
    return switch (type) {
      case CHOICE -> options.stream().mapToInt(AnswerOption::value).min().orElseThrow();
      case SCALE -> min;
      case BOOLEAN -> 0;
      case TEXT -> throw new IllegalStateException("text item " + id + " has no numeric value");
    };
  }

  /** Highest value the item can contribute to a sum: 1 for booleans, the greatest option or scale max. */
  public int highestValue() {
    return switch (type) {
      case CHOICE -> options.stream().mapToInt(AnswerOption::value).max().orElseThrow();
      case SCALE -> max;
      case BOOLEAN -> 1;
      case TEXT -> throw new IllegalStateException("text item " + id + " has no numeric value");
    };
  }
}
