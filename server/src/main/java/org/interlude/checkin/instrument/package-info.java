/**
 * Check-in instruments as versioned data: the model ({@link org.interlude.checkin.instrument.Instrument}),
 * the bundled catalog loaded from {@code instruments/*.json}, answer validation and scoring.
 *
 * <p>Owns everything that turns a client's answers into a {@link
 * org.interlude.checkin.instrument.ScoredResult}. It is pure logic: no database, no event loop, no
 * logging of answers or free text (free text leaves the scorer separately so the server can encrypt
 * it before it is stored).
 */
package org.interlude.checkin.instrument;
