/**
 * Chat screening: classifies one chat message from a client into a {@link
 * org.interlude.escalation.Severity} with the id of the rule that decided it and the character
 * spans that explain it.
 *
 * <p>This package owns the rule engine ({@link org.interlude.escalation.screening.ChatScreener}),
 * the loading, merging and validation of the rule files ({@link
 * org.interlude.escalation.screening.ScreeningRules}), the bundled rule data under {@code
 * resources/screening/}, and the dry-run command line ({@link
 * org.interlude.escalation.screening.ScreenCommand}). It does not page anyone, open incidents or
 * store messages: callers feed the {@link org.interlude.escalation.screening.Screening} into the
 * escalation state machine.
 *
 * <p>What is risk language lives in the YAML rule files, not in Java: the lexicon, the negation,
 * experiencer, time and hypothetical cues, the idiom and benign exceptions and the rules that turn
 * them into severities. Clinicians edit those files; the Java code only knows how to tokenise,
 * match token patterns, scope cues and combine categories. The screener advises; a human decides.
 *
 * <p>Message text is protected health information. Nothing in this package logs it, and no
 * exception message or {@code toString} contains it.
 */
package org.interlude.escalation.screening;
