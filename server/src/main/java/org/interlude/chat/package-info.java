/** Conversations and messages: idempotent, gapless, encrypted persistence with group commit; sync, history, read receipts, typing, unread notices. */
package org.interlude.chat;
