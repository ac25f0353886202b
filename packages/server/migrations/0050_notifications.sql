-- Notifications (issue 15, docs/channels.md). `notifications` is the record and the bell: one row
-- per person and happening (dedupe_key keeps a retried trigger from telling anyone twice).
-- `notification_sends` is the durable queue of outside sends (e-mail, robots, SMS): written in
-- the same transaction as the notification, claimed with FOR UPDATE SKIP LOCKED, retried with
-- backoff, so nothing acknowledged is lost across a restart.
CREATE TABLE notifications (
  id          bigserial PRIMARY KEY,
  user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  kind        text NOT NULL,
  title       text NOT NULL,
  body        text NOT NULL,
  link        text,
  object      text,
  area_code   text,
  dedupe_key  text NOT NULL,
  created_at  timestamptz NOT NULL,
  read_at     timestamptz,
  UNIQUE (user_id, dedupe_key)
);
CREATE INDEX notifications_user_idx ON notifications (user_id, id DESC);
CREATE INDEX notifications_unread_idx ON notifications (user_id) WHERE read_at IS NULL;

CREATE TABLE notification_sends (
  id              bigserial PRIMARY KEY,
  notification_id bigint NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
  channel         text NOT NULL CHECK (channel IN ('email', 'wecom', 'dingtalk', 'sms')),
  target          text NOT NULL,
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
  attempts        integer NOT NULL DEFAULT 0,
  next_at         timestamptz NOT NULL,
  last_error      text,
  sent_at         timestamptz,
  -- one message per happening, channel and target: a group robot set on a role is told once
  dedupe_key      text NOT NULL UNIQUE,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notification_sends_due_idx ON notification_sends (next_at) WHERE status = 'pending';

-- Preferences: subject 'role:<role>' (set by an administrator) or 'user:<id>' (their own).
CREATE TABLE notification_prefs (
  subject    text PRIMARY KEY CHECK (subject ~ '^(role|user):[a-z0-9]+$'),
  prefs      jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Where the notifier has read the outbox to: (xid, id) as the outbox tail's safe pass.
CREATE TABLE notify_cursor (
  name text PRIMARY KEY,
  xid  xid8 NOT NULL,
  id   bigint NOT NULL
);

-- The department head, told when a task is not signed for in time.
ALTER TABLE departments ADD COLUMN head_user_id bigint REFERENCES users (id) ON DELETE SET NULL;

-- The notifier starts reading at this migration: older events are history, not news.
INSERT INTO notify_cursor (name, xid, id) VALUES ('outbox', pg_current_xact_id(), 0);
