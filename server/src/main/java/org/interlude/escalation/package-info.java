/** Distress triggers, chat screening, incidents and the persisted escalation state machine that pages on-call staff until someone acknowledges. */
package org.interlude.escalation;
