package org.interlude.checkin;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.interlude.crypto.Aad;
import org.interlude.crypto.Aead;
import org.interlude.crypto.DataKeys;
import org.interlude.crypto.TamperedCiphertextException;
import org.interlude.crypto.WrappedKey;
import org.interlude.storage.PgErrors;

/**
 * Encryption at rest of check-in free text (journal entries), exactly as chat does it: AES-256-GCM
 * ({@link Aead}) under a per-client data key, the key stored wrapped by the master key ring
 * ({@link DataKeys}, scope {@code checkin/<clientId>}) in {@code checkin_key}, and associated data
 * {@code Aad.of("interlude/checkin-result/v1", clientId, resultId)} so a ciphertext moved to
 * another result or client fails to open. The plaintext is the JSON object itemId → text.
 *
 * <p>Data keys returned here are fresh copies; callers wipe them with {@link #wipe} when done.
 */
final class FreeTextCipher {
  static final String AAD_LABEL = "interlude/checkin-result/v1";

  private final DataKeys dataKeys;

  FreeTextCipher(DataKeys dataKeys) {
    this.dataKeys = dataKeys;
  }

  static String scope(UUID clientId) {
    return "checkin/" + clientId;
  }

  /** The client's data key, created (and stored wrapped) on first use. */
  Future<byte[]> dataKey(SqlClient c, UUID clientId) {
    return existingKey(c, clientId).compose(key -> {
      if (key != null) {
        return Future.succeededFuture(key);
      }
      byte[] fresh = dataKeys.newDataKey();
      WrappedKey wrapped = dataKeys.wrap(fresh, scope(clientId));
      wipe(fresh);
      // Two first uses may race: the first insert wins and both read the winner back.
      return c.preparedQuery("INSERT INTO checkin_key (client_id, dk_version, dk_wrapped) VALUES ($1, $2, $3)"
              + " ON CONFLICT (client_id) DO NOTHING")
          .execute(Tuple.of(clientId, wrapped.version(), Buffer.buffer(wrapped.bytes())))
          .recover(PgErrors::recover)
          .compose(v -> existingKey(c, clientId))
          .compose(k -> k == null
              ? Future.failedFuture(new IllegalStateException("check-in data key missing after insert"))
              : Future.succeededFuture(k));
    });
  }

  /** The client's data key, or null when the client has none yet (no free text was ever stored). */
  Future<byte[]> existingKey(SqlClient c, UUID clientId) {
    return c.preparedQuery("SELECT dk_version, dk_wrapped FROM checkin_key WHERE client_id = $1")
        .execute(Tuple.of(clientId))
        .recover(PgErrors::recover)
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture(null);
          }
          Row r = rows.iterator().next();
          WrappedKey w = new WrappedKey(r.getInteger("dk_version"), r.getBuffer("dk_wrapped").getBytes());
          try {
            return Future.succeededFuture(dataKeys.unwrap(w, scope(clientId)));
          } catch (TamperedCiphertextException e) {
            return Future.failedFuture(new IllegalStateException("the check-in data key of a client failed to unwrap"));
          }
        });
  }

  static byte[] seal(byte[] key, UUID clientId, UUID resultId, Map<String, String> text) {
    JsonObject json = new JsonObject();
    text.forEach(json::put);
    byte[] plain = json.encode().getBytes(StandardCharsets.UTF_8);
    try {
      return Aead.seal(key, plain, aad(clientId, resultId));
    } finally {
      Arrays.fill(plain, (byte) 0);
    }
  }

  static Map<String, String> open(byte[] key, UUID clientId, UUID resultId, byte[] sealed)
      throws TamperedCiphertextException {
    byte[] plain = Aead.open(key, sealed, aad(clientId, resultId));
    try {
      JsonObject json = new JsonObject(new String(plain, StandardCharsets.UTF_8));
      Map<String, String> out = new LinkedHashMap<>();
      json.forEach(e -> out.put(e.getKey(), String.valueOf(e.getValue())));
      return out;
    } finally {
      Arrays.fill(plain, (byte) 0);
    }
  }

  static void wipe(byte[] key) {
    if (key != null) {
      Arrays.fill(key, (byte) 0);
    }
  }

  private static byte[] aad(UUID clientId, UUID resultId) {
    return Aad.of(AAD_LABEL, clientId.toString(), resultId.toString());
  }
}
