-- Service accounts (issue 14): machines authenticate with OAuth 2 client credentials. The secret
-- is shown once; only its SHA-256 is kept (secrets are 256-bit random, so a fast hash is enough,
-- as for sessions and Open311 keys). Access tokens are short-lived and kept hashed as well.
CREATE TABLE service_accounts (
  id            bigserial PRIMARY KEY,
  client_id     text NOT NULL UNIQUE,
  name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  -- The area the account sees: objects outside it are not found.
  scope_code    text NOT NULL REFERENCES areas (code),
  grants        text[] NOT NULL,
  clearance     text NOT NULL CHECK (clearance IN ('public', 'internal', 'sensitive')),
  secret_hash   text NOT NULL UNIQUE,
  created_at    timestamptz NOT NULL DEFAULT now(),
  created_by    text NOT NULL,
  rotated_at    timestamptz,
  disabled_at   timestamptz,
  last_token_at timestamptz
);
-- One live account per name: a disabled account's name may be used again.
CREATE UNIQUE INDEX service_accounts_live_name_idx ON service_accounts (name) WHERE disabled_at IS NULL;

CREATE TABLE service_tokens (
  token_hash text PRIMARY KEY,
  account_id bigint NOT NULL REFERENCES service_accounts (id) ON DELETE CASCADE,
  -- The grants this token carries (the account's, or the subset asked for with `scope`).
  grants     text[] NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX service_tokens_account_idx ON service_tokens (account_id);
CREATE INDEX service_tokens_expires_idx ON service_tokens (expires_at);
