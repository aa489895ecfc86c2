-- Identity: clinics are the top-level scope; every user and record belongs to exactly one.
CREATE TABLE clinic (
  id             uuid PRIMARY KEY,
  name           text NOT NULL,
  country        text NOT NULL CHECK (country IN ('US', 'CA', 'GB', 'AU')),
  time_zone      text NOT NULL,
  -- Shown beside every crisis entry point: never imply round-the-clock monitoring.
  staffed_hours  text NOT NULL,
  require_totp   boolean NOT NULL DEFAULT false,
  created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE app_user (
  id                   uuid PRIMARY KEY,
  clinic_id            uuid NOT NULL REFERENCES clinic (id),
  username             text NOT NULL UNIQUE,
  display_name         text NOT NULL,
  roles                text[] NOT NULL CHECK (roles <@ ARRAY['client', 'therapist', 'oncall', 'admin']::text[]
                                              AND cardinality(roles) > 0),
  password_hash        text,
  password_changed_at  timestamptz,
  time_zone            text,
  totp_secret          bytea,
  totp_key_version     int,
  totp_last_step       bigint,
  totp_confirmed       boolean NOT NULL DEFAULT false,
  disabled_at          timestamptz,
  created_at           timestamptz NOT NULL DEFAULT now(),
  -- A client is never staff: keeps the care-team and authorisation rules unambiguous.
  CHECK (NOT ('client' = ANY (roles)) OR cardinality(roles) = 1)
);
CREATE INDEX app_user_clinic ON app_user (clinic_id);

-- A client's care team: the therapists assigned to them.
CREATE TABLE care_team (
  client_id     uuid NOT NULL REFERENCES app_user (id),
  therapist_id  uuid NOT NULL REFERENCES app_user (id),
  added_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (client_id, therapist_id)
);
CREATE INDEX care_team_therapist ON care_team (therapist_id);

-- Sessions: only a SHA-256 of the token is stored.
CREATE TABLE user_session (
  token_hash     text PRIMARY KEY,
  user_id        uuid NOT NULL REFERENCES app_user (id),
  csrf_token     text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  last_seen_at   timestamptz NOT NULL DEFAULT now(),
  idle_seconds   int NOT NULL,
  expires_at     timestamptz NOT NULL,
  second_factor  boolean NOT NULL DEFAULT false,
  ended_at       timestamptz,
  end_reason     text
);
CREATE INDEX user_session_user ON user_session (user_id) WHERE ended_at IS NULL;

-- Client invitations: single-use, expiring, token stored hashed.
CREATE TABLE invitation (
  token_hash   text PRIMARY KEY,
  clinic_id    uuid NOT NULL REFERENCES clinic (id),
  user_id      uuid NOT NULL REFERENCES app_user (id),
  created_by   uuid NOT NULL REFERENCES app_user (id),
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  used_at      timestamptz
);

-- Login throttling state per account and per source address.
CREATE TABLE login_throttle (
  throttle_key     text PRIMARY KEY,
  failures         int NOT NULL,
  last_failure_at  timestamptz NOT NULL,
  blocked_until    timestamptz
);

-- Break-glass: time-limited access to another client's record in the same clinic, with a reason.
CREATE TABLE break_glass (
  id          uuid PRIMARY KEY,
  clinic_id   uuid NOT NULL REFERENCES clinic (id),
  actor_id    uuid NOT NULL REFERENCES app_user (id),
  client_id   uuid NOT NULL REFERENCES app_user (id),
  reason      text NOT NULL,
  opened_at   timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL
);
CREATE INDEX break_glass_actor ON break_glass (actor_id, client_id, expires_at);

-- Notices to staff (no PHI): unread messages, break-glass, coverage gaps.
CREATE TABLE staff_notice (
  id          bigserial PRIMARY KEY,
  clinic_id   uuid NOT NULL REFERENCES clinic (id),
  user_id     uuid NOT NULL REFERENCES app_user (id),
  kind        text NOT NULL,
  client_id   uuid REFERENCES app_user (id),
  object_id   text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  seen_at     timestamptz
);
CREATE INDEX staff_notice_user ON staff_notice (user_id, created_at DESC);

-- The audit log: append-only and hash-chained per clinic. Each row's hash covers its content and
-- the previous row's hash; audit_head holds the chain's tip and serialises appends per clinic.
CREATE TABLE audit_log (
  id              bigserial PRIMARY KEY,
  chain           uuid NOT NULL,
  chain_seq       bigint NOT NULL,
  at              timestamptz NOT NULL,
  actor_id        uuid,
  actor_role      text,
  clinic_id       uuid,
  subject_client  uuid,
  object_type     text,
  object_id       text,
  action          text NOT NULL,
  outcome         text NOT NULL,
  source_ip       text,
  node_id         text NOT NULL,
  correlation_id  text,
  prev_hash       text NOT NULL,
  hash            text NOT NULL,
  UNIQUE (chain, chain_seq)
);
CREATE INDEX audit_log_subject ON audit_log (subject_client, at);

CREATE TABLE audit_head (
  chain      uuid PRIMARY KEY,
  last_seq   bigint NOT NULL,
  last_hash  text NOT NULL
);

-- The application role may append and read audit rows, never change or remove them.
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM "${app_role}";

-- Which staff may see which client because of an open incident routed to them. Maintained by the
-- escalation engine (rows added when a staff member is paged or joins, removed when the incident
-- closes); read by the authorisation check.
CREATE TABLE incident_access (
  client_id   uuid NOT NULL REFERENCES app_user (id),
  staff_id    uuid NOT NULL REFERENCES app_user (id),
  incident_id uuid NOT NULL,
  granted_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (client_id, staff_id, incident_id)
);
CREATE INDEX incident_access_staff ON incident_access (staff_id, client_id);
