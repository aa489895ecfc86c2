-- Escalation: on-call rotations and overrides, escalation policies, incidents (one open episode
-- per client) with their triggers, timeline and pages, the persisted escalation state machine,
-- the watchdog's alarms and the webhook outbox. All instants are timestamptz; wall-clock handoffs
-- are stored with their time zone so daylight saving never moves a handoff.

-- A rotation hands the on-call duty from one member to the next every shift_days days at
-- handoff_time in time_zone, starting on start_date with the member at position 0.
CREATE TABLE oncall_rotation (
  id            uuid PRIMARY KEY,
  clinic_id     uuid NOT NULL REFERENCES clinic (id),
  name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  time_zone     text NOT NULL,
  handoff_time  time NOT NULL,
  shift_days    int NOT NULL CHECK (shift_days BETWEEN 1 AND 28),
  start_date    date NOT NULL,
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL,
  UNIQUE (clinic_id, name)
);

CREATE TABLE oncall_rotation_member (
  rotation_id  uuid NOT NULL REFERENCES oncall_rotation (id) ON DELETE CASCADE,
  position     int NOT NULL CHECK (position >= 0),
  user_id      uuid NOT NULL REFERENCES app_user (id),
  PRIMARY KEY (rotation_id, position)
);

-- A time-bounded replacement: between starts_at and ends_at user_id is on call instead of the
-- rotation's member. When overrides overlap, the most recently created one wins.
CREATE TABLE oncall_override (
  id           uuid PRIMARY KEY,
  rotation_id  uuid NOT NULL REFERENCES oncall_rotation (id) ON DELETE CASCADE,
  user_id      uuid NOT NULL REFERENCES app_user (id),
  starts_at    timestamptz NOT NULL,
  ends_at      timestamptz NOT NULL,
  created_by   uuid NOT NULL REFERENCES app_user (id),
  created_at   timestamptz NOT NULL,
  CHECK (ends_at > starts_at)
);
CREATE INDEX oncall_override_rotation ON oncall_override (rotation_id, ends_at);

-- Escalation policies: ordered levels, each paging its targets and waiting (by severity) for an
-- acknowledgement before the next level; the whole chain runs 1 + repeat_count times. An
-- acknowledged incident that is not resolved within ack_timeout_seconds (0: never) is
-- re-triggered. Each clinic has at most one default policy, used for every incident.
CREATE TABLE escalation_policy (
  id                   uuid PRIMARY KEY,
  clinic_id            uuid NOT NULL REFERENCES clinic (id),
  name                 text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  is_default           boolean NOT NULL DEFAULT false,
  repeat_count         int NOT NULL CHECK (repeat_count BETWEEN 0 AND 10),
  ack_timeout_seconds  int NOT NULL CHECK (ack_timeout_seconds = 0 OR ack_timeout_seconds BETWEEN 60 AND 86400),
  created_at           timestamptz NOT NULL,
  updated_at           timestamptz NOT NULL,
  UNIQUE (clinic_id, name)
);
CREATE UNIQUE INDEX escalation_policy_one_default ON escalation_policy (clinic_id) WHERE is_default;

CREATE TABLE escalation_level (
  policy_id              uuid NOT NULL REFERENCES escalation_policy (id) ON DELETE CASCADE,
  position               int NOT NULL CHECK (position >= 0),
  wait_critical_seconds  int NOT NULL CHECK (wait_critical_seconds BETWEEN 30 AND 86400),
  wait_high_seconds      int NOT NULL CHECK (wait_high_seconds BETWEEN 30 AND 86400),
  PRIMARY KEY (policy_id, position)
);

-- Who a level pages: the current on-call person of a rotation, or a named staff member.
CREATE TABLE escalation_target (
  policy_id    uuid NOT NULL,
  position     int NOT NULL,
  ordinal      int NOT NULL,
  rotation_id  uuid REFERENCES oncall_rotation (id),
  user_id      uuid REFERENCES app_user (id),
  PRIMARY KEY (policy_id, position, ordinal),
  FOREIGN KEY (policy_id, position) REFERENCES escalation_level (policy_id, position) ON DELETE CASCADE,
  CHECK ((rotation_id IS NULL) <> (user_id IS NULL))
);

-- An incident is one distress episode of one client. The escalation state machine lives in its
-- row: next_step/next_step_at say what is due when; step_token changes with every scheduling
-- change, so a step computed against an older token is a no-op. policy_snapshot holds the levels
-- (resolved user ids and waits) taken when paging started, so policy edits never change a
-- running incident. Notes are sealed under the incident's own data key (dk_*).
CREATE TABLE incident (
  id                uuid PRIMARY KEY,
  clinic_id         uuid NOT NULL REFERENCES clinic (id),
  client_id         uuid NOT NULL REFERENCES app_user (id),
  state             text NOT NULL CHECK (state IN ('triggered', 'acknowledged', 'resolved')),
  severity          text NOT NULL CHECK (severity IN ('WATCH', 'HIGH', 'CRITICAL')),
  opened_at         timestamptz NOT NULL,
  decisive_trigger  bigint,
  policy_snapshot   jsonb,
  level             int NOT NULL DEFAULT 0,
  round             int NOT NULL DEFAULT 0,
  next_step         text CHECK (next_step IN ('page', 'ack_timeout')),
  next_step_at      timestamptz,
  last_page_at      timestamptz,
  step_token        bigint NOT NULL DEFAULT 0,
  unanswered_at     timestamptz,
  acknowledged_by   uuid REFERENCES app_user (id),
  acknowledged_at   timestamptz,
  resolved_by       uuid REFERENCES app_user (id),
  resolved_at       timestamptz,
  disposition       text CHECK (disposition IN ('reached_client', 'safety_plan_reviewed',
                                                'emergency_services_called', 'false_alarm')),
  dk_version        int NOT NULL,
  dk_wrapped        bytea NOT NULL,
  updated_at        timestamptz NOT NULL,
  CHECK ((next_step IS NULL) = (next_step_at IS NULL)),
  -- Nothing is ever scheduled on a resolved incident: the 05:30 page cannot exist in the data.
  CHECK (state <> 'resolved' OR next_step IS NULL),
  CHECK (state <> 'resolved' OR disposition IS NOT NULL)
);
-- One open episode per client: concurrent triggers race on this index and the loser joins.
CREATE UNIQUE INDEX incident_one_open ON incident (client_id) WHERE state <> 'resolved';
CREATE INDEX incident_due ON incident (next_step_at) WHERE next_step_at IS NOT NULL;
CREATE INDEX incident_clinic ON incident (clinic_id, opened_at DESC);

-- Everything that raised or joined an incident. dedup_key makes each source idempotent
-- (crisis:<clientReportId>, chat:<conversation>:<seq>, checkin:<type>:<id>:<rule>).
-- summary holds scores and rule names only, never message text or answers.
CREATE TABLE incident_trigger (
  id             bigserial PRIMARY KEY,
  incident_id    uuid NOT NULL REFERENCES incident (id),
  client_id      uuid NOT NULL REFERENCES app_user (id),
  dedup_key      text NOT NULL,
  kind           text NOT NULL CHECK (kind IN ('crisis_button', 'checkin', 'chat', 'missed_checkin')),
  severity       text NOT NULL CHECK (severity IN ('WATCH', 'HIGH', 'CRITICAL')),
  rule_id        text NOT NULL,
  summary        text NOT NULL,
  client_action  text NOT NULL CHECK (client_action IN ('none', 'call_emergency_number_now')),
  source_type    text,
  source_id      text,
  at             timestamptz NOT NULL,
  UNIQUE (client_id, dedup_key)
);
CREATE INDEX incident_trigger_incident ON incident_trigger (incident_id, id);
CREATE INDEX incident_trigger_recent ON incident_trigger (client_id, at);
ALTER TABLE incident ADD FOREIGN KEY (decisive_trigger) REFERENCES incident_trigger (id);

-- The timeline: every trigger, page, coverage gap, acknowledgement, note and change, written in
-- the same transaction as the change it records. detail holds ids and codes only.
CREATE TABLE incident_event (
  id           bigserial PRIMARY KEY,
  incident_id  uuid NOT NULL REFERENCES incident (id),
  at           timestamptz NOT NULL,
  kind         text NOT NULL CHECK (kind IN ('trigger', 'severity_raised', 'page', 'coverage_gap',
                 'acknowledged', 'ack_timeout', 'unanswered', 'note', 'resolved', 'reopened',
                 'watchdog', 'webhook_failed')),
  actor_id     uuid REFERENCES app_user (id),
  user_id      uuid REFERENCES app_user (id),
  trigger_id   bigint REFERENCES incident_trigger (id),
  level        int,
  round        int,
  severity     text,
  disposition  text,
  detail       jsonb,
  note_id      uuid,
  note_sealed  bytea
);
CREATE INDEX incident_event_incident ON incident_event (incident_id, id);

-- One row per person per escalation step. The idempotency key (incident:step_token:user) is
-- unique, so two nodes that both believe they own a step cannot both page for it.
CREATE TABLE page (
  id               uuid PRIMARY KEY,
  incident_id      uuid NOT NULL REFERENCES incident (id),
  user_id          uuid NOT NULL REFERENCES app_user (id),
  level            int,
  round            int NOT NULL,
  reason           text NOT NULL CHECK (reason IN ('escalation', 'ack_timeout')),
  step_token       bigint NOT NULL,
  idempotency_key  text NOT NULL UNIQUE,
  node_id          text NOT NULL,
  paged_at         timestamptz NOT NULL
);
CREATE INDEX page_incident ON page (incident_id, paged_at);
CREATE INDEX page_user ON page (user_id, incident_id);

-- Steps the watchdog found overdue: one alarm per incident and step.
CREATE TABLE watchdog_alarm (
  incident_id  uuid NOT NULL REFERENCES incident (id),
  step_token   bigint NOT NULL,
  due_at       timestamptz NOT NULL,
  raised_at    timestamptz NOT NULL,
  node_id      text NOT NULL,
  PRIMARY KEY (incident_id, step_token)
);

-- The clinic's outbound webhook (pager or SMS gateway). The signing secret and the optional
-- PagerDuty routing key are sealed under the row's data key and never returned by the API.
CREATE TABLE webhook_endpoint (
  id                  uuid PRIMARY KEY,
  clinic_id           uuid NOT NULL UNIQUE REFERENCES clinic (id),
  url                 text NOT NULL,
  format              text NOT NULL CHECK (format IN ('interlude', 'pagerduty')),
  dk_version          int NOT NULL,
  dk_wrapped          bytea NOT NULL,
  secret_sealed       bytea NOT NULL,
  routing_key_sealed  bytea,
  enabled             boolean NOT NULL,
  created_at          timestamptz NOT NULL,
  updated_at          timestamptz NOT NULL
);

-- The webhook outbox: written in the transaction that pages (or acknowledges, resolves), sent
-- after commit by whichever node claims it, retried with exponential backoff across restarts.
-- body is the exact JSON sent (no PHI); lease_token fences a node whose lease ran out.
CREATE TABLE webhook_delivery (
  id               uuid PRIMARY KEY,
  -- Creation order: deliveries of one incident go out in this order within a pass.
  seq              bigserial NOT NULL,
  endpoint_id      uuid NOT NULL REFERENCES webhook_endpoint (id),
  incident_id      uuid NOT NULL REFERENCES incident (id),
  page_id          uuid REFERENCES page (id),
  event            text NOT NULL CHECK (event IN ('page', 'acknowledged', 'resolved', 'unanswered')),
  idempotency_key  text NOT NULL,
  body             text NOT NULL,
  status           text NOT NULL CHECK (status IN ('pending', 'delivered', 'failed', 'cancelled')),
  attempts         int NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL,
  lease_until      timestamptz,
  lease_token      bigint NOT NULL DEFAULT 0,
  last_status      int,
  last_error       text,
  created_at       timestamptz NOT NULL,
  delivered_at     timestamptz,
  UNIQUE (endpoint_id, idempotency_key)
);
CREATE INDEX webhook_delivery_due ON webhook_delivery (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_delivery_incident ON webhook_delivery (incident_id);
