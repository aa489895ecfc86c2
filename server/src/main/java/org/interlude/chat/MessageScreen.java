package org.interlude.chat;

import org.interlude.escalation.Severity;

/**
 * Screens a client's message as it is written, so the finding commits with the message. Returns
 * null (or a NONE finding) when there is nothing to act on. Must be fast and thread-safe: it runs
 * inside the writer's batch.
 */
@FunctionalInterface
public interface MessageScreen {
  /** What screening found in one message. */
  record Finding(Severity severity, String ruleId, String rulesVersion) {}

  Finding screen(String text);
}
