package org.interlude.checkin.plan;

/**
 * Whether quiet hours may delay a step's prompt.
 *
 * <ul>
 *   <li>{@link #ROUTINE}: delayed to the end of quiet hours when due inside them.
 *   <li>{@link #CRISIS_PATH}: never delayed; used for safety checks whose value depends on timing,
 *       such as the post-dose check a few hours after an evening dose.
 * </ul>
 */
public enum PromptPath {
  ROUTINE,
  CRISIS_PATH
}
