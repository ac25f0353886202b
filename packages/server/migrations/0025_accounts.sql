-- Accounts (MLPS level 3, identification and authentication): lockout after repeated failures,
-- a second factor (TOTP), idle session expiry, stream tickets instead of tokens in URLs.

-- Locked after too many failed logins, until a security administrator unlocks the account.
ALTER TABLE users ADD COLUMN locked_at timestamptz;
ALTER TABLE users ADD COLUMN password_changed_at timestamptz;
-- TOTP (RFC 6238): the secret is kept from enrolment; the factor counts once confirmed.
ALTER TABLE users ADD COLUMN totp_secret text;
ALTER TABLE users ADD COLUMN totp_enabled_at timestamptz;
-- The last time step accepted, so one code is never accepted twice.
ALTER TABLE users ADD COLUMN totp_last_step bigint;

-- Idle expiry: a session unused for longer than the idle limit ends; `expires_at` stays the
-- absolute limit. `enrolment_only`: an administrator who must enrol a second factor first.
ALTER TABLE sessions ADD COLUMN last_seen_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE sessions ADD COLUMN enrolment_only boolean NOT NULL DEFAULT false;
ALTER TABLE sessions ADD COLUMN method text NOT NULL DEFAULT 'password' CHECK (method IN ('password', 'oidc'));
ALTER TABLE sessions ADD COLUMN client_ip text;

-- Failed logins per account name (`u:<username>`, known or not) and per client address
-- (`a:<ip>`), in the database so that every API process sees the same counts.
CREATE TABLE login_failures (
  key      text PRIMARY KEY,
  failures integer NOT NULL,
  last_at  timestamptz NOT NULL
);

-- Short-lived, single-use tickets for the event stream (EventSource cannot send a header, and a
-- session token must never travel in a URL). Ending the session ends its tickets.
CREATE TABLE stream_tickets (
  ticket_hash  text PRIMARY KEY,
  session_hash text NOT NULL REFERENCES sessions (token_hash) ON DELETE CASCADE,
  expires_at   timestamptz NOT NULL
);
CREATE INDEX stream_tickets_session_idx ON stream_tickets (session_hash);
