package org.interlude.escalation;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;
import org.interlude.crypto.Aad;
import org.interlude.crypto.Aead;
import org.interlude.crypto.DataKeys;
import org.interlude.crypto.TamperedCiphertextException;
import org.interlude.crypto.WrappedKey;

/**
 * Staff notes on an incident are clinical text: they are sealed (AES-256-GCM) under the
 * incident's own data key, bound to the incident and the note's id, and never logged.
 */
final class Notes {
  private static final String AAD_LABEL = "interlude/incident-note/v1";

  private Notes() {}

  static String scope(UUID incidentId) {
    return "incident/" + incidentId;
  }

  static byte[] seal(DataKeys keys, WrappedKey wrapped, UUID incidentId, UUID noteId, String text) {
    byte[] dk;
    try {
      dk = keys.unwrap(wrapped, scope(incidentId));
    } catch (TamperedCiphertextException e) {
      throw new IllegalStateException("the incident's data key does not open", e);
    }
    try {
      return Aead.seal(dk, text.getBytes(StandardCharsets.UTF_8), Aad.of(AAD_LABEL, incidentId.toString(), noteId.toString()));
    } finally {
      Arrays.fill(dk, (byte) 0);
    }
  }

  /** The note's text, or null when it fails authentication (shown as unreadable, never guessed). */
  static String open(DataKeys keys, WrappedKey wrapped, UUID incidentId, UUID noteId, byte[] sealed) {
    try {
      byte[] dk = keys.unwrap(wrapped, scope(incidentId));
      try {
        return new String(Aead.open(dk, sealed, Aad.of(AAD_LABEL, incidentId.toString(), noteId.toString())),
            StandardCharsets.UTF_8);
      } finally {
        Arrays.fill(dk, (byte) 0);
      }
    } catch (TamperedCiphertextException e) {
      return null;
    }
  }
}
