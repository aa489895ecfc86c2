-- Chat screening findings, written in the same transaction as the message they concern, so a
-- crash between the commit and the escalation cannot lose a distress signal. A processor on
-- every node hands unhandled rows to the escalation engine (claimed with SKIP LOCKED).
CREATE TABLE chat_finding (
  conversation_id  uuid NOT NULL,
  seq              bigint NOT NULL,
  clinic_id        uuid NOT NULL REFERENCES clinic (id),
  client_id        uuid NOT NULL REFERENCES app_user (id),
  severity         text NOT NULL CHECK (severity IN ('WATCH', 'HIGH', 'CRITICAL')),
  rule_id          text NOT NULL,
  rules_version    text NOT NULL,
  created_at       timestamptz NOT NULL,
  handled_at       timestamptz,
  PRIMARY KEY (conversation_id, seq),
  FOREIGN KEY (conversation_id, seq) REFERENCES message (conversation_id, seq)
);
CREATE INDEX chat_finding_unhandled ON chat_finding (created_at) WHERE handled_at IS NULL;
