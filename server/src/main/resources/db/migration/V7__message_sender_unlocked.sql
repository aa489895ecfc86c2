-- A message's sender is no longer a foreign key to app_user. The key made PostgreSQL lock the
-- sender's user row (FOR KEY SHARE) for every message inserted: measured with EXPLAIN ANALYZE on
-- a chat batch, that check was about a third of the statement's time, and it dirtied (and wrote
-- WAL for) the same hot user rows over and over, turning one therapist's messages committed by
-- concurrent batches into multixact lockers. The sender is already checked before the insert:
-- the chat service writes only for an authenticated participant of the conversation, and user
-- rows are never deleted (accounts are disabled). The conversation key stays: the batch insert
-- relies on it to refuse a message for a conversation that does not exist.
ALTER TABLE message DROP CONSTRAINT message_sender_id_fkey;
