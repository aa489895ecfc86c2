-- Check-ins: dosing sessions, per-client plans, the durable prompt schedule, results and the
-- default sink of risk signals. Times are timestamptz (instants); the zone a prompt's times were
-- computed in is kept beside them so what the client was asked, and when on their own clock, can
-- always be reconstructed.

-- Dosing sessions a client's plan is relative to. A cancelled session keeps its row (and any
-- prompt already delivered or answered for it); it only stops producing new prompts.
CREATE TABLE dosing_session (
  id          uuid PRIMARY KEY,
  clinic_id   uuid NOT NULL REFERENCES clinic (id),
  client_id   uuid NOT NULL REFERENCES app_user (id),
  starts_at   timestamptz NOT NULL,
  route       text NOT NULL CHECK (route IN ('sublingual', 'intranasal', 'intramuscular', 'intravenous')),
  status      text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'completed', 'cancelled')),
  created_by  uuid NOT NULL REFERENCES app_user (id),
  created_at  timestamptz NOT NULL,
  updated_by  uuid NOT NULL REFERENCES app_user (id),
  updated_at  timestamptz NOT NULL
);
CREATE INDEX dosing_session_client ON dosing_session (client_id, starts_at);

-- One row per client with a schedule: the plan (NULL = the default integration plan) and when the
-- materialiser should next extend the client's horizon. The row is also the per-client lock that
-- serialises every recomputation of the client's prompts (session changes, plan changes, the
-- periodic materialiser on any node).
CREATE TABLE checkin_client (
  client_id            uuid PRIMARY KEY REFERENCES app_user (id),
  clinic_id            uuid NOT NULL REFERENCES clinic (id),
  plan                 jsonb,
  plan_updated_by      uuid REFERENCES app_user (id),
  plan_updated_at      timestamptz,
  next_materialize_at  timestamptz NOT NULL
);
CREATE INDEX checkin_client_materialize ON checkin_client (next_materialize_at);

-- The client's data key for check-in free text, wrapped by a master key version (scope
-- "checkin/<clientId>").
CREATE TABLE checkin_key (
  client_id   uuid PRIMARY KEY REFERENCES app_user (id),
  dk_version  int NOT NULL,
  dk_wrapped  bytea NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- Token source for leases: every claim takes a new, larger token, so a node that lost its lease
-- (paused, partitioned) can no longer confirm work on rows another node took over.
CREATE SEQUENCE checkin_lease_token;

-- One prompt per instrument of each occurrence of a plan step. The unique key makes every
-- (client, step, occurrence, instrument) exist once, whatever the number of nodes, restarts or
-- recomputations; recomputing after a session moves updates the still-pending row in place.
--   state: pending (scheduled) -> delivered (claimed by a poller and pushed) -> answered | missed;
--          pending -> cancelled (its session was cancelled or moved away, or its step removed);
--          cancelled -> pending (the session was reinstated) while it was never delivered.
--   nudge_pending / signal_pending: post-commit work (pushing to sockets, reporting a missed
--          safety check-in) still owed; lease_* say which node owes it until when (database clock).
CREATE TABLE checkin_prompt (
  id                  uuid PRIMARY KEY,
  clinic_id           uuid NOT NULL REFERENCES clinic (id),
  client_id           uuid NOT NULL REFERENCES app_user (id),
  step_id             text NOT NULL,
  occurrence_key      text NOT NULL,
  instrument_id       text NOT NULL,
  instrument_version  int NOT NULL,
  position            int NOT NULL,
  dosing_session_id   uuid REFERENCES dosing_session (id),
  message             text,
  due_at              timestamptz NOT NULL,
  remind_at           timestamptz,
  expires_at          timestamptz NOT NULL,
  time_zone           text NOT NULL,
  state               text NOT NULL DEFAULT 'pending'
                      CHECK (state IN ('pending', 'delivered', 'answered', 'missed', 'cancelled')),
  created_at          timestamptz NOT NULL,
  delivered_at        timestamptz,
  first_sent_at       timestamptz,
  reminded_at         timestamptz,
  answered_at         timestamptz,
  missed_at           timestamptz,
  cancelled_at        timestamptz,
  result_id           uuid,
  nudge_pending       boolean NOT NULL DEFAULT false,
  signal_pending      boolean NOT NULL DEFAULT false,
  signalled_at        timestamptz,
  lease_owner         text,
  lease_token         bigint,
  lease_until         timestamptz,
  UNIQUE (client_id, step_id, occurrence_key, instrument_id),
  CHECK (expires_at > due_at),
  CHECK (remind_at IS NULL OR (remind_at > due_at AND remind_at < expires_at))
);
CREATE INDEX checkin_prompt_due ON checkin_prompt (due_at) WHERE state = 'pending';
CREATE INDEX checkin_prompt_remind ON checkin_prompt (remind_at)
  WHERE state = 'delivered' AND reminded_at IS NULL AND remind_at IS NOT NULL;
CREATE INDEX checkin_prompt_expiry ON checkin_prompt (expires_at) WHERE state IN ('pending', 'delivered');
CREATE INDEX checkin_prompt_owed ON checkin_prompt (lease_until) WHERE nudge_pending OR signal_pending;
CREATE INDEX checkin_prompt_client ON checkin_prompt (client_id, due_at);
CREATE INDEX checkin_prompt_session ON checkin_prompt (dosing_session_id);

-- Scored results. Item values and flags are scores (plain JSON, for trends and rules); free text is
-- AES-256-GCM under the client's data key with associated data binding client and result id.
-- prompt_id is unique, so a prompt has at most one result (submitting twice is idempotent).
CREATE TABLE checkin_result (
  id                  uuid PRIMARY KEY,
  clinic_id           uuid NOT NULL REFERENCES clinic (id),
  client_id           uuid NOT NULL REFERENCES app_user (id),
  prompt_id           uuid UNIQUE REFERENCES checkin_prompt (id),
  instrument_id       text NOT NULL,
  instrument_version  int NOT NULL,
  total               int,
  percentage          int,
  band_id             text,
  band_label          text,
  item_values         jsonb NOT NULL,
  flags               jsonb NOT NULL,
  free_text           bytea,
  answered_at         timestamptz NOT NULL,
  signals             jsonb NOT NULL DEFAULT '[]',
  signal_pending      boolean NOT NULL DEFAULT false,
  signalled_at        timestamptz,
  lease_owner         text,
  lease_token         bigint,
  lease_until         timestamptz
);
CREATE INDEX checkin_result_client ON checkin_result (client_id, instrument_id, answered_at);
CREATE INDEX checkin_result_owed ON checkin_result (lease_until) WHERE signal_pending;

ALTER TABLE checkin_prompt ADD CONSTRAINT checkin_prompt_result
  FOREIGN KEY (result_id) REFERENCES checkin_result (id) DEFERRABLE INITIALLY DEFERRED;

-- The default risk sink: every signal raised by a check-in (risky answers, missed safety
-- check-ins), kept until the escalation engine takes them over. Unique per source and rule so a
-- retried report never doubles a signal.
CREATE TABLE risk_signal (
  id                  uuid PRIMARY KEY,
  clinic_id           uuid NOT NULL REFERENCES clinic (id),
  client_id           uuid NOT NULL REFERENCES app_user (id),
  severity            text NOT NULL CHECK (severity IN ('WATCH', 'HIGH', 'CRITICAL')),
  rule_id             text NOT NULL,
  reason              text NOT NULL,
  client_action       text NOT NULL,
  source_object_type  text NOT NULL,
  source_object_id    text NOT NULL,
  created_at          timestamptz NOT NULL,
  UNIQUE (source_object_type, source_object_id, rule_id)
);
CREATE INDEX risk_signal_client ON risk_signal (client_id, created_at);
