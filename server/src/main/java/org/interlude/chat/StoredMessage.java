package org.interlude.chat;

import java.time.Instant;
import java.util.UUID;

/**
 * A committed message. {@code duplicate} is true when the send repeated a client message id that
 * was already stored (the same seq is answered and nothing is delivered again); {@code flagged}
 * when screening committed a finding with it.
 */
public record StoredMessage(UUID conversationId, long seq, Instant at, UUID clientMsgId, UUID senderId, String text,
    boolean duplicate, boolean flagged) {}
