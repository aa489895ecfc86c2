package org.interlude.checkin.fhir;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.interlude.checkin.instrument.Instrument;
import org.interlude.checkin.instrument.ItemType;
import org.interlude.checkin.instrument.ScoredResult;

/**
 * One stored check-in result to export.
 *
 * @param resultId the server's opaque id of the result; it seeds the exported resources' ids, so
 *     exporting the same result twice yields the same resource ids
 * @param instrument the exact instrument version the result was answered on
 * @param result the scored result
 * @param authoredAt when the client submitted the answers
 * @param freeText decrypted free-text answers to include (item id → text); pass an empty map to
 *     leave free text out of the export
 */
public record ExportResult(
    String resultId,
    Instrument instrument,
    ScoredResult result,
    Instant authoredAt,
    Map<String, String> freeText) {

  /**
   * Checks that the result belongs to the instrument version and that free text is only given for
   * the instrument's text items.
   */
  public ExportResult {
    Objects.requireNonNull(resultId, "resultId");
    Objects.requireNonNull(instrument, "instrument");
    Objects.requireNonNull(result, "result");
    Objects.requireNonNull(authoredAt, "authoredAt");
    if (resultId.isBlank()) {
      throw new IllegalArgumentException("resultId must not be blank");
    }
    if (!result.instrumentId().equals(instrument.id()) || result.version() != instrument.version()) {
      throw new IllegalArgumentException("result " + resultId + " is of " + result.instrumentId() + " v"
          + result.version() + ", not " + instrument.id() + " v" + instrument.version());
    }
    freeText = Collections.unmodifiableMap(new LinkedHashMap<>(freeText == null ? Map.of() : freeText));
    for (Map.Entry<String, String> e : freeText.entrySet()) {
      boolean textItem = instrument.item(e.getKey()).map(i -> i.type() == ItemType.TEXT).orElse(false);
      if (!textItem) {
        throw new IllegalArgumentException("free text given for " + e.getKey() + ", which is not a text item of "
            + instrument.id());
      }
      Objects.requireNonNull(e.getValue(), "free text of " + e.getKey());
    }
  }

  /** Identifies the result without printing free text. */
  @Override
  public String toString() {
    return "ExportResult[" + resultId + ", " + result + ", authoredAt=" + authoredAt
        + ", freeText items=" + freeText.keySet() + "]";
  }
}
