package org.interlude.checkin.instrument;

import java.util.Arrays;
import java.util.Optional;

/**
 * The kinds of item an instrument can hold, with the name each has in the instrument files.
 *
 * <ul>
 *   <li>{@link #CHOICE}: one option from a fixed list; the answer is the option's integer value.
 *   <li>{@link #BOOLEAN}: yes/no; the answer is JSON {@code true} or {@code false}.
 *   <li>{@link #SCALE}: an integer from {@code min} to {@code max} inclusive.
 *   <li>{@link #TEXT}: free text of at most {@code maxLength} UTF-16 code units.
 * </ul>
 */
public enum ItemType {
  CHOICE("choice"),
  BOOLEAN("boolean"),
  SCALE("scale"),
  TEXT("text");

  private final String jsonName;

  ItemType(String jsonName) {
    this.jsonName = jsonName;
  }

  /** The name used for this type in instrument files and in answer problems. */
  public String jsonName() {
    return jsonName;
  }

  /** The type named {@code name} in an instrument file, if there is one. */
  public static Optional<ItemType> fromJsonName(String name) {
    return Arrays.stream(values()).filter(t -> t.jsonName.equals(name)).findFirst();
  }
}
