package org.interlude.escalation;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * How webhook requests are signed, and how a receiver checks them. The signed string is
 * {@code <unix seconds> "." <raw body bytes>}; the signature is HMAC-SHA256 under the clinic's
 * shared secret, sent as {@code X-Interlude-Signature: sha256=<lower-case hex>} with the seconds
 * in {@code X-Interlude-Timestamp}. Binding the timestamp stops replays of a captured request
 * once it falls outside the receiver's tolerance (five minutes is suggested); the
 * {@code Idempotency-Key} header lets the receiver drop retries it has already acted on.
 */
public final class WebhookSignature {
  public static final String SIGNATURE_HEADER = "X-Interlude-Signature";
  public static final String TIMESTAMP_HEADER = "X-Interlude-Timestamp";
  public static final String IDEMPOTENCY_HEADER = "Idempotency-Key";

  private WebhookSignature() {}

  /** The header value ({@code sha256=<hex>}) for {@code body} sent at {@code epochSeconds}. */
  public static String sign(byte[] secret, long epochSeconds, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      mac.update(Long.toString(epochSeconds).getBytes(StandardCharsets.US_ASCII));
      mac.update((byte) '.');
      mac.update(body);
      return "sha256=" + HexFormat.of().formatHex(mac.doFinal());
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  /**
   * The receiver's check: the timestamp parses and lies within {@code tolerance} of {@code now},
   * and the signature matches (compared in constant time).
   */
  public static boolean verify(byte[] secret, String timestampHeader, String signatureHeader, byte[] body,
      Instant now, Duration tolerance) {
    if (timestampHeader == null || signatureHeader == null) {
      return false;
    }
    long ts;
    try {
      ts = Long.parseLong(timestampHeader.trim());
    } catch (NumberFormatException e) {
      return false;
    }
    if (Math.abs(now.getEpochSecond() - ts) > tolerance.toSeconds()) {
      return false;
    }
    byte[] expected = sign(secret, ts, body).getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(expected, signatureHeader.trim().getBytes(StandardCharsets.US_ASCII));
  }
}
