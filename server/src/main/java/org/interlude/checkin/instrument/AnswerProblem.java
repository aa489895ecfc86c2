package org.interlude.checkin.instrument;

import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * One problem with a submitted set of answers, naming the item it concerns.
 *
 * <p>Messages describe the problem with types, counts and numeric values only; they never repeat a
 * submitted text, so a problem list can be returned to the client and logged safely.
 *
 * @param itemId the item the problem concerns (for {@link #UNKNOWN_ITEM}, the key that was sent,
 *     shortened to {@value #MAX_ITEM_ID_LENGTH} characters)
 * @param code one of the code constants of this class, stable for clients to switch on
 * @param message a short human-readable explanation
 */
public record AnswerProblem(String itemId, String code, String message) {
  /** An answer was sent for an item the instrument does not have. */
  public static final String UNKNOWN_ITEM = "unknown_item";
  /** A required item has no answer (absent, JSON null, or blank text). */
  public static final String MISSING_ITEM = "missing_item";
  /** The answer has the wrong JSON type for the item (for example a string for a choice). */
  public static final String WRONG_TYPE = "wrong_type";
  /** A number is outside a scale's range (or outside the integer range at all). */
  public static final String OUT_OF_RANGE = "out_of_range";
  /** A choice value is not one of the item's option values. */
  public static final String NOT_AN_OPTION = "not_an_option";
  /** A text answer is longer than the item's maximum length. */
  public static final String TOO_LONG = "too_long";
  /** A list of answers was sent for an item that takes exactly one answer. */
  public static final String WRONG_COUNT = "wrong_count";

  /** Longest item id a problem repeats, so a hostile key cannot blow up responses. */
  public static final int MAX_ITEM_ID_LENGTH = 64;

  /** Shortens the item id to {@value #MAX_ITEM_ID_LENGTH} characters. */
  public AnswerProblem {
    Objects.requireNonNull(itemId, "itemId");
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(message, "message");
    if (itemId.length() > MAX_ITEM_ID_LENGTH) {
      itemId = itemId.substring(0, MAX_ITEM_ID_LENGTH);
    }
  }

  /** This problem as {@code {"itemId":…, "code":…, "message":…}} for an API response. */
  public JsonObject toJson() {
    return new JsonObject().put("itemId", itemId).put("code", code).put("message", message);
  }
}
