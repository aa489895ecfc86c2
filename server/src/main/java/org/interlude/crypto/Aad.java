package org.interlude.crypto;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Unambiguous associated data for {@link Aead}, binding a ciphertext to the row it belongs to.
 *
 * <p>Encoding: for each part, its UTF-8 length as a 4-byte big-endian integer followed by the UTF-8
 * bytes. Because every part is length-prefixed, different part lists never encode to the same bytes:
 * {@code of("ab", "c")} differs from {@code of("a", "bc")}, and {@code of()} from {@code of("")}.
 * Callers should start with a constant purpose label, e.g.
 * {@code Aad.of("interlude/message/v1", conversationId, messageId)}, so that ciphertexts of one kind
 * cannot be passed off as another. The encoding is persistent: changing it would make every stored
 * ciphertext fail to open.
 */
public final class Aad {

    private Aad() {
    }

    /** The length-prefixed encoding of {@code parts}; no part may be null. */
    public static byte[] of(String... parts) {
        Objects.requireNonNull(parts, "parts");
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * (parts.length + 1));
        for (String part : parts) {
            byte[] bytes = Objects.requireNonNull(part, "AAD part").getBytes(StandardCharsets.UTF_8);
            int length = bytes.length;
            out.write(length >>> 24);
            out.write(length >>> 16);
            out.write(length >>> 8);
            out.write(length);
            out.write(bytes, 0, length);
        }
        return out.toByteArray();
    }
}
