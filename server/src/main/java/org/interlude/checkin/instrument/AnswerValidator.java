package org.interlude.checkin.instrument;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Collectors;

/**
 * Checks a set of answers, sent as {@code {"<itemId>": value, …}}, against an instrument.
 *
 * <p>Expected JSON per item type: {@code choice} an integer that is one of the option values;
 * {@code scale} an integer from min to max; {@code boolean} {@code true}/{@code false}; {@code text}
 * a string of at most {@code maxLength} UTF-16 code units. Integral numbers written with a fraction
 * ({@code 2.0}) are accepted as integers because JSON does not distinguish them. A JSON {@code null}
 * counts as no answer, and so does blank text. All problems are returned, never only the first.
 */
public final class AnswerValidator {
  private AnswerValidator() {}

  /**
   * Every problem with {@code answers} for {@code instrument}: problems of the instrument's items in
   * item order, then unknown keys in alphabetical order. An empty list means the answers are valid.
   */
  public static List<AnswerProblem> validate(Instrument instrument, JsonObject answers) {
    List<AnswerProblem> problems = new ArrayList<>();
    for (Item item : instrument.items()) {
      check(item, answers.getValue(item.id())).ifPresent(problems::add);
    }
    answers.fieldNames().stream()
        .filter(key -> instrument.item(key).isEmpty())
        .sorted()
        .map(key -> new AnswerProblem(key, AnswerProblem.UNKNOWN_ITEM,
            instrument.title() + " has no item with this id"))
        .forEach(problems::add);
    return List.copyOf(problems);
  }

  private static Optional<AnswerProblem> check(Item item, Object value) {
    if (value == null || (value instanceof String s && s.isBlank())) {
      return item.required()
          ? problem(item, AnswerProblem.MISSING_ITEM, "an answer is required")
          : Optional.empty();
    }
    if (value instanceof JsonArray list) {
      return problem(item, AnswerProblem.WRONG_COUNT,
          "takes exactly one answer, got a list of " + list.size());
    }
    return switch (item.type()) {
      case CHOICE -> {
        OptionalInt number = integral(value);
        if (number.isEmpty()) {
          yield wrongTypeOrRange(item, value, "an integer option value");
        }
        int v = number.getAsInt();
        yield item.option(v).isPresent()
            ? Optional.empty()
            : problem(item, AnswerProblem.NOT_AN_OPTION, "value " + v + " is not one of "
                + item.options().stream().map(o -> String.valueOf(o.value()))
                    .collect(Collectors.joining(", ")));
      }
      case SCALE -> {
        OptionalInt number = integral(value);
        if (number.isEmpty()) {
          yield wrongTypeOrRange(item, value, "an integer");
        }
        int v = number.getAsInt();
        yield v < item.min() || v > item.max()
            ? problem(item, AnswerProblem.OUT_OF_RANGE,
                "value " + v + " is outside " + item.min() + ".." + item.max())
            : Optional.empty();
      }
      case BOOLEAN -> value instanceof Boolean
          ? Optional.empty()
          : problem(item, AnswerProblem.WRONG_TYPE, "expects true or false, got " + jsonType(value));
      case TEXT -> {
        if (!(value instanceof String text)) {
          yield problem(item, AnswerProblem.WRONG_TYPE, "expects text, got " + jsonType(value));
        }
        yield text.length() > item.maxLength()
            ? problem(item, AnswerProblem.TOO_LONG, "text has " + text.length()
                + " characters, at most " + item.maxLength() + " are allowed")
            : Optional.empty();
      }
    };
  }

  private static Optional<AnswerProblem> wrongTypeOrRange(Item item, Object value, String expected) {
    if (value instanceof Number) {
      return isIntegralNumber(value)
          ? problem(item, AnswerProblem.OUT_OF_RANGE, "number is outside the integer range")
          : problem(item, AnswerProblem.WRONG_TYPE, "expects " + expected + ", got a fractional number");
    }
    return problem(item, AnswerProblem.WRONG_TYPE, "expects " + expected + ", got " + jsonType(value));
  }

  /**
   * The value as an int when it is an integral JSON number within int range; empty otherwise. Shared
   * with the scorer so validation and scoring read numbers the same way.
   */
  static OptionalInt integral(Object value) {
    if (!(value instanceof Number n) || !isIntegralNumber(value)) {
      return OptionalInt.empty();
    }
    try {
      return OptionalInt.of(new BigDecimal(n.toString()).intValueExact());
    } catch (ArithmeticException e) {
      return OptionalInt.empty();
    }
  }

  private static boolean isIntegralNumber(Object value) {
    if (value instanceof Integer || value instanceof Long || value instanceof Short
        || value instanceof Byte || value instanceof BigInteger) {
      return true;
    }
    if (value instanceof Double d) {
      return !d.isNaN() && !d.isInfinite() && d == Math.rint(d);
    }
    if (value instanceof Float f) {
      return !f.isNaN() && !f.isInfinite() && f == Math.rint(f);
    }
    if (value instanceof BigDecimal b) {
      return b.stripTrailingZeros().scale() <= 0;
    }
    return false;
  }

  private static String jsonType(Object value) {
    if (value instanceof String) {
      return "a string";
    }
    if (value instanceof Boolean) {
      return "a boolean";
    }
    if (value instanceof Number) {
      return "a number";
    }
    if (value instanceof JsonObject) {
      return "an object";
    }
    return "an unsupported value";
  }

  private static Optional<AnswerProblem> problem(Item item, String code, String message) {
    return Optional.of(new AnswerProblem(item.id(), code, message));
  }
}
