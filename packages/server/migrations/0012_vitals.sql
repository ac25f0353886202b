-- City vital signs (城市生命体征): indicator definitions as data, and their history for trends.
-- Definitions are seeded from the domain defaults (packages/domain/src/vitals/defaults.ts) at
-- start, by id, when missing; a deleted default keeps its row (deleted_at) so it stays deleted.
-- Depends on 0007 (cases), 0006 (alarms, devices, readings), 0011 (patrol_points).

CREATE TABLE vital_indicators (
  id          text PRIMARY KEY CHECK (id ~ '^[a-z][a-z0-9_]{1,39}$'),
  -- name, unit, source, measure, aggregation, of, over, filter, window, level, thresholds,
  -- thresholdsByLevel, higherIsWorse, enabled, sort: the domain's VitalDefinition less its id
  definition  jsonb NOT NULL CHECK (jsonb_typeof(definition) = 'object'),
  builtin     boolean NOT NULL DEFAULT false,
  version     integer NOT NULL DEFAULT 1,
  deleted_at  timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- One row per indicator, area and instant written (every few minutes, only when the value or
-- level moved or an hour passed). Trend queries read one indicator of one area over a range.
CREATE TABLE vital_history (
  indicator_id text NOT NULL,
  area_code    text NOT NULL,
  at           timestamptz NOT NULL,
  value        double precision,
  level        text CHECK (level IN ('green', 'yellow', 'orange', 'red')),
  PRIMARY KEY (indicator_id, area_code, at)
);
-- Retention deletes by time.
CREATE INDEX vital_history_at_brin ON vital_history USING brin (at);

-- The live computation reads only the open cases and the recently closed ones; these partial
-- indexes keep that proportional to them, not to the whole year of cases.
CREATE INDEX cases_open_vitals_idx ON cases (district_code, street_code, community_code)
  INCLUDE (due_at) WHERE status NOT IN ('closed', 'rejected', 'merged');
CREATE INDEX cases_closed_at_idx ON cases (closed_at) WHERE closed_at IS NOT NULL;
