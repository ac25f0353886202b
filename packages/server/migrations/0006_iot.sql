-- IoT sensing (物联感知): device types and devices, readings in daily partitions with a latest-value
-- table and 1-minute / 1-hour rollups, rules, alarms with two state axes, ingest error counters.
-- Depends only on 0001 (components, departments, unit_grids, users).

CREATE TABLE device_types (
  id                  text PRIMARY KEY CHECK (id ~ '^[a-z][a-z0-9-]{1,39}$'),
  name_zh             text NOT NULL,
  name_en             text NOT NULL,
  -- [{key, unit, type: number|boolean|string, min?, max?, name_zh?}]
  metrics             jsonb NOT NULL CHECK (jsonb_typeof(metrics) = 'array'),
  expected_interval_s integer NOT NULL CHECK (expected_interval_s > 0),
  builtin             boolean NOT NULL DEFAULT false,
  updated_at          timestamptz NOT NULL DEFAULT now()
);

-- Ids go into MQTT topics and client ids: no '/', '+', '#' or spaces.
CREATE TABLE devices (
  id              text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
  token_hash      text NOT NULL,
  type_id         text NOT NULL REFERENCES device_types (id),
  name            text NOT NULL,
  location        geometry(Point, 4326),
  component_id    text REFERENCES components (id) ON DELETE SET NULL,
  unit_grid_code  text,
  owner_dept_code text REFERENCES departments (code) ON DELETE SET NULL,
  status          text NOT NULL DEFAULT 'offline' CHECK (status IN ('online', 'offline', 'disabled')),
  last_seen_at    timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX devices_type_idx ON devices (type_id);
CREATE INDEX devices_grid_idx ON devices (unit_grid_code text_pattern_ops);
CREATE INDEX devices_location_idx ON devices USING gist (location);
CREATE INDEX devices_updated_idx ON devices (updated_at);

-- Readings: one row per (device, metric, instant). The primary key makes QoS 1 redeliveries and
-- replays idempotent (ON CONFLICT DO NOTHING). Numbers and booleans (0/1) in num, strings in txt.
-- No foreign key to devices: the ingest hot path validates against the device directory instead.
CREATE TABLE readings (
  device_id text NOT NULL,
  metric    text NOT NULL,
  ts        timestamptz NOT NULL,
  num       double precision,
  txt       text,
  PRIMARY KEY (device_id, metric, ts)
) PARTITION BY RANGE (ts);
-- Readings arrive nearly in time order: a BRIN index finds a minute's rows for the rollup job.
CREATE INDEX readings_ts_brin ON readings USING brin (ts);

-- One partition per UTC day, named readings_pYYYYMMDD. Safe to call concurrently and repeatedly.
CREATE FUNCTION readings_ensure_partition(day date) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  part text := 'readings_p' || to_char(day, 'YYYYMMDD');
BEGIN
  IF to_regclass(part) IS NULL THEN
    BEGIN
      EXECUTE format(
        'CREATE TABLE %I PARTITION OF readings FOR VALUES FROM (%L) TO (%L)',
        part,
        (day::timestamp AT TIME ZONE 'UTC'),
        ((day + 1)::timestamp AT TIME ZONE 'UTC'));
    EXCEPTION WHEN duplicate_table OR unique_violation THEN
      NULL; -- another session created it first
    END;
  END IF;
  RETURN part;
END $$;

-- Creates today's and `ahead` future partitions; drops partitions and rollups older than retention.
CREATE FUNCTION readings_maintain(ahead integer, retention_days integer, retention_1h_days integer)
RETURNS TABLE (created integer, dropped integer)
LANGUAGE plpgsql AS $$
DECLARE
  today date := (now() AT TIME ZONE 'UTC')::date;
  r record;
  n_created integer := 0;
  n_dropped integer := 0;
BEGIN
  FOR i IN 0..ahead LOOP
    IF to_regclass('readings_p' || to_char(today + i, 'YYYYMMDD')) IS NULL THEN
      PERFORM readings_ensure_partition(today + i);
      n_created := n_created + 1;
    END IF;
  END LOOP;
  FOR r IN
    SELECT c.relname FROM pg_inherits i
      JOIN pg_class c ON c.oid = i.inhrelid
      JOIN pg_class p ON p.oid = i.inhparent
     WHERE p.relname = 'readings' AND c.relname ~ '^readings_p\d{8}$'
       AND to_date(substr(c.relname, 11), 'YYYYMMDD') < today - retention_days
  LOOP
    EXECUTE format('DROP TABLE IF EXISTS %I', r.relname);
    n_dropped := n_dropped + 1;
  END LOOP;
  DELETE FROM readings_1m WHERE bucket < (today - retention_days)::timestamp AT TIME ZONE 'UTC';
  DELETE FROM readings_1h WHERE bucket < (today - retention_1h_days)::timestamp AT TIME ZONE 'UTC';
  RETURN QUERY SELECT n_created, n_dropped;
END $$;

-- The newest value per device and metric; only ever moved forward in time (out-of-order safe).
CREATE TABLE readings_latest (
  device_id text NOT NULL,
  metric    text NOT NULL,
  ts        timestamptz NOT NULL,
  num       double precision,
  txt       text,
  PRIMARY KEY (device_id, metric)
);

-- Rollups of numeric readings, recomputed from the raw rows for every minute that received data
-- (so duplicates never count twice and late readings are folded in); 1 h from the 1 min rows.
CREATE TABLE readings_1m (
  device_id text NOT NULL,
  metric    text NOT NULL,
  bucket    timestamptz NOT NULL,
  min       double precision NOT NULL,
  max       double precision NOT NULL,
  sum       double precision NOT NULL,
  count     integer NOT NULL,
  PRIMARY KEY (device_id, metric, bucket)
);
CREATE TABLE readings_1h (LIKE readings_1m INCLUDING ALL);

-- Rules: a condition (a tree of rule nodes, see packages/domain/src/rules) for a device type or
-- one device. case_category / case_urgency are for the alarm → case link (filled in later).
CREATE TABLE rules (
  id             bigserial PRIMARY KEY,
  name           text NOT NULL,
  device_type_id text REFERENCES device_types (id) ON DELETE CASCADE,
  device_id      text REFERENCES devices (id) ON DELETE CASCADE,
  condition      jsonb NOT NULL,
  severity       text NOT NULL CHECK (severity IN ('critical', 'major', 'minor', 'warning')),
  enabled        boolean NOT NULL DEFAULT true,
  case_category  text,
  case_urgency   text,
  version        integer NOT NULL DEFAULT 1,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CHECK ((device_type_id IS NULL) <> (device_id IS NULL))
);
CREATE INDEX rules_type_idx ON rules (device_type_id);
CREATE INDEX rules_device_idx ON rules (device_id);

-- Rule-node state per (rule, device), saved periodically so a restart resumes where it was.
CREATE TABLE rule_states (
  rule_id      bigint NOT NULL REFERENCES rules (id) ON DELETE CASCADE,
  device_id    text NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
  rule_version integer NOT NULL,
  state        jsonb NOT NULL,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (rule_id, device_id)
);

-- Alarms: two independent axes, acknowledged (by a person) and cleared (by the rule).
CREATE TABLE alarms (
  id              bigserial PRIMARY KEY,
  rule_id         bigint NOT NULL REFERENCES rules (id) ON DELETE RESTRICT,
  device_id       text NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
  severity        text NOT NULL CHECK (severity IN ('critical', 'major', 'minor', 'warning')),
  area_code       text,          -- the device's unit grid when raised: scope and event routing
  acknowledged    boolean NOT NULL DEFAULT false,
  acknowledged_by bigint REFERENCES users (id) ON DELETE SET NULL,
  acknowledged_at timestamptz,
  cleared         boolean NOT NULL DEFAULT false,
  cleared_at      timestamptz,
  raised_at       timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL,
  last_value      jsonb,
  update_count    integer NOT NULL DEFAULT 0,
  detail          jsonb NOT NULL DEFAULT '{}',
  CHECK (acknowledged = (acknowledged_at IS NOT NULL)),
  CHECK (cleared = (cleared_at IS NOT NULL))
);
-- One active (uncleared) alarm per device and rule: flapping updates it, never duplicates it.
CREATE UNIQUE INDEX alarms_one_active_idx ON alarms (device_id, rule_id) WHERE NOT cleared;
CREATE INDEX alarms_raised_idx ON alarms (raised_at DESC);
CREATE INDEX alarms_area_idx ON alarms (area_code text_pattern_ops);

CREATE TABLE alarm_events (
  id       bigserial PRIMARY KEY,
  alarm_id bigint NOT NULL REFERENCES alarms (id) ON DELETE CASCADE,
  at       timestamptz NOT NULL,
  kind     text NOT NULL CHECK (kind IN ('raised', 'updated', 'acknowledged', 'cleared')),
  user_id  bigint REFERENCES users (id) ON DELETE SET NULL,
  detail   jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX alarm_events_alarm_idx ON alarm_events (alarm_id, id);

-- Bad input per device and kind (malformed JSON, unknown metric, …). No foreign key: unknown
-- devices seen on an external broker are counted too.
CREATE TABLE ingest_errors (
  device_id   text NOT NULL,
  code        text NOT NULL,
  count       bigint NOT NULL DEFAULT 0,
  last_at     timestamptz NOT NULL,
  last_detail text,
  PRIMARY KEY (device_id, code)
);

-- Shanghai's device kinds. Ranges are physical limits: a reading outside is a faulty sensor.
INSERT INTO device_types (id, name_zh, name_en, metrics, expected_interval_s, builtin) VALUES
('water-depth', '积水监测', 'Standing-water depth', '[
  {"key": "depth", "unit": "cm", "type": "number", "min": 0, "max": 500, "name_zh": "积水深度"},
  {"key": "battery", "unit": "%", "type": "number", "min": 0, "max": 100, "name_zh": "电量"}
]', 60, true),
('manhole-cover', '井盖监测', 'Manhole cover', '[
  {"key": "tilt", "unit": "°", "type": "number", "min": 0, "max": 180, "name_zh": "倾角"},
  {"key": "open", "unit": "", "type": "boolean", "name_zh": "开启"},
  {"key": "battery", "unit": "%", "type": "number", "min": 0, "max": 100, "name_zh": "电量"}
]', 300, true),
('air-quality', '空气质量', 'Air quality', '[
  {"key": "pm25", "unit": "µg/m³", "type": "number", "min": 0, "max": 2000, "name_zh": "PM2.5"},
  {"key": "pm10", "unit": "µg/m³", "type": "number", "min": 0, "max": 3000, "name_zh": "PM10"},
  {"key": "aqi", "unit": "", "type": "number", "min": 0, "max": 500, "name_zh": "空气质量指数"}
]', 300, true),
('curtain-wall', '幕墙玻璃', 'Curtain-wall glass', '[
  {"key": "vibration", "unit": "m/s²", "type": "number", "min": 0, "max": 200, "name_zh": "振动加速度"},
  {"key": "broken", "unit": "", "type": "boolean", "name_zh": "破裂"}
]', 300, true),
('street-light', '路灯监测', 'Street light', '[
  {"key": "current", "unit": "A", "type": "number", "min": 0, "max": 100, "name_zh": "电流"},
  {"key": "on", "unit": "", "type": "boolean", "name_zh": "开灯"}
]', 300, true),
('smoke', '烟感', 'Smoke detector', '[
  {"key": "smoke", "unit": "", "type": "boolean", "name_zh": "烟雾"},
  {"key": "obscuration", "unit": "%/m", "type": "number", "min": 0, "max": 100, "name_zh": "减光率"},
  {"key": "battery", "unit": "%", "type": "number", "min": 0, "max": 100, "name_zh": "电量"}
]', 600, true);

-- Default rules; thresholds are configurable defaults (DOMAIN.md: roads close at ≈ 27 cm).
INSERT INTO rules (name, device_type_id, severity, condition) VALUES
('积水超过15厘米持续5分钟 · standing water above 15 cm for 5 min', 'water-depth', 'major',
 '{"kind": "duration", "seconds": 300, "of": {"kind": "threshold", "metric": "depth", "op": ">", "value": 15, "clear": 10}}'),
('积水超过27厘米 · standing water above 27 cm (road closure)', 'water-depth', 'critical',
 '{"kind": "threshold", "metric": "depth", "op": ">", "value": 27, "clear": 20}'),
('井盖开启或倾斜 · manhole cover open or tilted', 'manhole-cover', 'critical',
 '{"kind": "any", "of": [{"kind": "equals", "metric": "open", "value": true}, {"kind": "threshold", "metric": "tilt", "op": ">", "value": 15, "clear": 5}]}'),
('PM2.5重度污染持续1小时 · PM2.5 above 150 µg/m³ for 1 h', 'air-quality', 'minor',
 '{"kind": "duration", "seconds": 3600, "of": {"kind": "threshold", "metric": "pm25", "op": ">", "value": 150, "clear": 115}}'),
('幕墙玻璃破裂或剧烈振动 · curtain-wall glass broken or shaking', 'curtain-wall', 'critical',
 '{"kind": "any", "of": [{"kind": "equals", "metric": "broken", "value": true}, {"kind": "threshold", "metric": "vibration", "op": ">", "value": 20, "clear": 5}]}'),
('路灯开灯无电流 · street light on without current', 'street-light', 'warning',
 '{"kind": "all", "of": [{"kind": "equals", "metric": "on", "value": true}, {"kind": "duration", "seconds": 600, "of": {"kind": "threshold", "metric": "current", "op": "<", "value": 0.1, "clear": 0.3}}]}'),
('烟感报警 · smoke detected', 'smoke', 'critical',
 '{"kind": "any", "of": [{"kind": "equals", "metric": "smoke", "value": true}, {"kind": "threshold", "metric": "obscuration", "op": ">", "value": 10, "clear": 5}]}');
