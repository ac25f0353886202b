-- Sign-in through an organisation's identity provider (OpenID Connect, authorization code + PKCE).

-- A sign-in under way: what the callback must check (state, nonce) and the PKCE verifier.
CREATE TABLE oidc_flows (
  state         text PRIMARY KEY,
  nonce         text NOT NULL,
  code_verifier text NOT NULL,
  expires_at    timestamptz NOT NULL
);

-- The hand-off to the web app after the callback: a one-time code (hashed) the app exchanges by
-- POST for its session, so no session token ever travels in a URL.
CREATE TABLE oidc_handoffs (
  code_hash  text PRIMARY KEY,
  user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  expires_at timestamptz NOT NULL
);
