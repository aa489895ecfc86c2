-- Chat: one conversation per client with their care team. Message bodies are AES-256-GCM
-- ciphertext under the conversation's data key, which is itself wrapped by a master key version.
CREATE TABLE conversation (
  id          uuid PRIMARY KEY,
  clinic_id   uuid NOT NULL REFERENCES clinic (id),
  client_id   uuid NOT NULL UNIQUE REFERENCES app_user (id),
  last_seq    bigint NOT NULL DEFAULT 0,
  -- The client's latest message, for the unread-by-staff notice.
  last_client_seq  bigint,
  last_client_at   timestamptz,
  dk_version  int NOT NULL,
  dk_wrapped  bytea NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX conversation_last_client_at ON conversation (last_client_at) WHERE last_client_at IS NOT NULL;

-- seq is per conversation, gapless and increasing (assigned under the conversation row lock);
-- client_msg_id makes retries idempotent.
CREATE TABLE message (
  conversation_id  uuid NOT NULL REFERENCES conversation (id),
  seq              bigint NOT NULL,
  client_msg_id    uuid NOT NULL,
  sender_id        uuid NOT NULL REFERENCES app_user (id),
  sent_at          timestamptz NOT NULL,
  body             bytea NOT NULL,
  PRIMARY KEY (conversation_id, seq),
  UNIQUE (conversation_id, client_msg_id)
);

-- Read receipts: the highest seq each participant has read.
CREATE TABLE read_marker (
  conversation_id  uuid NOT NULL REFERENCES conversation (id),
  user_id          uuid NOT NULL REFERENCES app_user (id),
  seq              bigint NOT NULL,
  updated_at       timestamptz NOT NULL,
  PRIMARY KEY (conversation_id, user_id)
);

-- Unread notices already raised, so each waiting client message raises at most one.
CREATE TABLE unread_notice (
  conversation_id  uuid NOT NULL REFERENCES conversation (id),
  seq              bigint NOT NULL,
  raised_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (conversation_id, seq)
);
