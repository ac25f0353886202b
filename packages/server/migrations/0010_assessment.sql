-- Assessment (综合评价): indexes for period aggregations over the timeline, and empty-grid spot
-- checks (空网格抽查) whose finds feed the inspectors' missed-report rate.

-- Period scans read the timeline by time and join cases by id; the covering columns let
-- PostgreSQL answer the per-action counts from the index range before touching the heap.
CREATE INDEX case_events_at_action_idx ON case_events (at, action) INCLUDE (case_id, actor_role);
-- Attribution look-ups ("who filed / dispatched this case before it was voided / returned").
CREATE INDEX case_events_case_action_idx ON case_events (case_id, action, seq);
CREATE INDEX cases_unit_grid_idx ON cases (unit_grid_code) WHERE unit_grid_code IS NOT NULL;

CREATE TABLE spot_checks (
  id             bigserial PRIMARY KEY,
  unit_grid_code text NOT NULL REFERENCES unit_grids (code),
  inspector_id   bigint REFERENCES users (id),
  period_from    timestamptz NOT NULL,
  period_to      timestamptz NOT NULL,
  seed           text NOT NULL,
  status         text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'found', 'clean')),
  found_case_id  bigint REFERENCES cases (id),
  created_by     bigint REFERENCES users (id),
  created_at     timestamptz NOT NULL DEFAULT now(),
  result_at      timestamptz,
  CHECK (period_from < period_to)
);
CREATE INDEX spot_checks_period_idx ON spot_checks (period_from, period_to);
CREATE INDEX spot_checks_inspector_idx ON spot_checks (inspector_id, status);
