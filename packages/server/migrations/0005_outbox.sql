-- Transactional outbox: state changes and the events they emit are written in one transaction;
-- SSE delivery tails this table after commit; once-only deliveries claim rows and set delivered_at.
CREATE TABLE outbox (
  id           bigserial PRIMARY KEY,
  topic        text NOT NULL,
  area_code    text,
  payload      jsonb NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  delivered_at timestamptz
);
CREATE INDEX outbox_undelivered_idx ON outbox (id) WHERE delivered_at IS NULL;
