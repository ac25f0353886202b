-- Federation of instances (issue 14, item 2; docs/federation.md): links to the platforms above and
-- below, each with its own Ed25519 key pair and the peer's public key; the outbound queue (durable,
-- FIFO per link); the inbox (idempotency by message id, order per stream); cases linked across
-- instances; the figures lower instances report.
CREATE TABLE federation_links (
  id               text PRIMARY KEY,
  name             text NOT NULL,
  -- Where the peer is: 'up' (the platform above us) or 'down' (a platform below us).
  direction        text NOT NULL CHECK (direction IN ('up', 'down')),
  peer_url         text NOT NULL,
  -- The area the lower of the two instances covers (the peer's on a down link, ours on an up link).
  area_code        text,
  -- Ed25519 public keys as base64url of the 32 raw bytes (JWK "x"); key ids: first 32 hex of SHA-256.
  peer_public_key  text,
  peer_key_id      text UNIQUE,
  public_key       text NOT NULL,
  key_id           text NOT NULL UNIQUE,
  private_key      text NOT NULL,
  -- The service account (client id) this link uses at the peer, when the peer asks for one.
  service_account  text,
  active           boolean NOT NULL DEFAULT true,
  last_ok_at       timestamptz,
  failing_since    timestamptz,
  last_error       text,
  failures         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now()
);

-- Outbound messages, written in the transaction of the change they carry; sent FIFO per link.
CREATE TABLE federation_outbox (
  id            bigserial PRIMARY KEY,
  link_id       text NOT NULL REFERENCES federation_links (id),
  message_id    uuid NOT NULL UNIQUE,
  type          text NOT NULL,
  stream        text NOT NULL,
  seq           integer NOT NULL,
  -- The exact bytes signed and sent (the same on every retry).
  envelope      text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  attempts      integer NOT NULL DEFAULT 0,
  delivered_at  timestamptz,
  result        jsonb,
  UNIQUE (link_id, stream, seq)
);
CREATE INDEX federation_outbox_pending_idx ON federation_outbox (link_id, id) WHERE delivered_at IS NULL;

CREATE TABLE federation_streams (
  link_id   text NOT NULL REFERENCES federation_links (id),
  stream    text NOT NULL,
  last_seq  integer NOT NULL,
  PRIMARY KEY (link_id, stream)
);

-- Messages applied here: a second delivery of one is answered with the first answer.
CREATE TABLE federation_inbox (
  link_id      text NOT NULL REFERENCES federation_links (id),
  message_id   uuid NOT NULL,
  stream       text NOT NULL,
  seq          integer NOT NULL,
  type         text NOT NULL,
  result       jsonb NOT NULL DEFAULT '{}',
  received_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (link_id, message_id),
  UNIQUE (link_id, stream, seq)
);

-- A case here and its counterpart at the peer.
CREATE TABLE federation_cases (
  link_id          text NOT NULL REFERENCES federation_links (id),
  case_id          bigint NOT NULL REFERENCES cases (id),
  -- 'sent': we handed it up to the peer; 'received': the peer handed it up to us.
  role             text NOT NULL CHECK (role IN ('sent', 'received')),
  remote_case_id   bigint,
  remote_number    text,
  remote_status    text,
  remote_deadline  jsonb,
  handed_down_at   timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (link_id, case_id)
);
CREATE UNIQUE INDEX federation_cases_remote_idx ON federation_cases (link_id, remote_case_id)
  WHERE remote_case_id IS NOT NULL;
CREATE INDEX federation_cases_case_idx ON federation_cases (case_id);

-- The latest figures each lower instance reported (vital signs, case counts, assessment).
CREATE TABLE federation_figures (
  link_id      text PRIMARY KEY REFERENCES federation_links (id),
  area_code    text NOT NULL,
  figures      jsonb NOT NULL,
  reported_at  timestamptz NOT NULL
);
