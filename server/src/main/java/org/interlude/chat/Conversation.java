package org.interlude.chat;

import java.util.Map;
import java.util.UUID;

/**
 * A client's conversation with their care team as cached on this node: its data key (unwrapped)
 * and who currently participates (the client, the care team's therapists, staff routed by an
 * open incident or holding a break-glass access). Immutable; replaced when it expires or when
 * access to the client changes.
 */
public record Conversation(
    UUID id,
    UUID clinicId,
    UUID clientId,
    byte[] dataKey,
    Map<UUID, Participant> participants,
    long loadedAtNanos) {

  public boolean hasParticipant(UUID userId) {
    return participants.containsKey(userId);
  }

  public Participant client() {
    return participants.get(clientId);
  }
}
