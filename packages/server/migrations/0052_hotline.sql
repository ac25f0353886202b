-- The 12345 hotline connector (issue 15, docs/channels.md): one row per work order, keyed by the
-- hotline's own order number (idempotent under retries), with the case it opened or joined, the
-- hotline's deadline, the caller masked from the start (the hotline keeps the full contact), and
-- the 回访 result.
CREATE TABLE hotline_orders (
  order_no      text PRIMARY KEY CHECK (order_no ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
  case_id       bigint NOT NULL REFERENCES cases (id),
  joined        boolean NOT NULL DEFAULT false,
  received_at   timestamptz NOT NULL,
  due_at        timestamptz,
  content       text NOT NULL,
  address       text,
  caller_name   text,
  caller_phone  text,
  category      text NOT NULL,
  area_code     text NOT NULL,
  account       text NOT NULL,
  status        text NOT NULL DEFAULT 'received',
  visit_result  text CHECK (visit_result IN ('satisfied', 'basically', 'unsatisfied')),
  visit_note    text,
  visited_at    timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX hotline_orders_case_idx ON hotline_orders (case_id);
CREATE INDEX hotline_orders_visit_idx ON hotline_orders (visited_at) WHERE visit_result IS NOT NULL;
