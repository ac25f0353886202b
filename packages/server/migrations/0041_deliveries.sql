-- Outbound deliveries (issue 14): webhooks now, the federation exchange and the 12345 hotline's
-- status callbacks later, through one durable queue. A delivery is a JSON POST of one event to
-- one target, retried with exponential backoff until a 2xx, dead after the last try; ordered per
-- (target, ordering key) — a delivery waits while an earlier one for the same key is pending.
CREATE TABLE webhooks (
  id          bigserial PRIMARY KEY,
  url         text NOT NULL CHECK (url ~ '^https?://' AND length(url) <= 2000),
  -- Event names or patterns: `case.report`, `case.*`, `*`.
  events      text[] NOT NULL,
  -- Signs each delivery (HMAC-SHA256); secret class: never returned by the API.
  secret      text NOT NULL,
  -- Events outside this area are not sent; events without an area go to city-wide hooks only.
  scope_code  text NOT NULL REFERENCES areas (code),
  created_by  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  deleted_at  timestamptz
);

CREATE TABLE deliveries (
  -- X-OneGrid-Delivery: the receiver's idempotency key, the same on every retry and replay.
  id            uuid PRIMARY KEY,
  seq           bigserial UNIQUE,
  -- `webhook:<id>`, `federation:<link>`, `hotline:<…>`: its kind picks the sender and signer.
  target        text NOT NULL,
  event         text NOT NULL,
  ordering_key  text NOT NULL,
  body          text NOT NULL,
  state         text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'dead')),
  attempts      integer NOT NULL DEFAULT 0,
  next_at       timestamptz NOT NULL,
  -- A worker's claim while it sends (outside any transaction); expired claims are taken again.
  claimed_until timestamptz,
  last_status   integer,
  last_error    text,
  last_at       timestamptz,
  delivered_at  timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  -- The outbox event it came from, if any: one delivery per target and event.
  source_event  bigint,
  UNIQUE (target, source_event)
);
CREATE INDEX deliveries_due_idx ON deliveries (next_at, seq) WHERE state = 'pending';
CREATE INDEX deliveries_key_idx ON deliveries (target, ordering_key, seq) WHERE state = 'pending';
CREATE INDEX deliveries_target_idx ON deliveries (target, seq DESC);

-- The delivery log: every try with its answer.
CREATE TABLE delivery_attempts (
  delivery_id uuid NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
  attempt     integer NOT NULL,
  at          timestamptz NOT NULL,
  status      integer,
  error       text,
  ms          integer NOT NULL,
  PRIMARY KEY (delivery_id, attempt, at)
);

-- Durable readers of the outbox (the webhook fan-out): the (xid, id) every row before which has
-- been handled, as the gap-free reader's safe pass keeps it (events/outbox.ts).
CREATE TABLE outbox_cursors (
  name text PRIMARY KEY,
  xid  xid8 NOT NULL,
  id   bigint NOT NULL
);
