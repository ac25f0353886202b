-- 值班值守: shifts per duty platform (city, district, street), one row per person and shift, and
-- the duty log (值班日志) with handovers (交接班). "Who is on duty now" reads the shifts covering
-- now at the nearest platform up the area tree (packages/domain/src/emergency/duty.ts).

CREATE TABLE duty_shifts (
  id             bigserial PRIMARY KEY,
  area_code      text NOT NULL REFERENCES areas (code),
  user_id        bigint NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
  post           text NOT NULL CHECK (post IN ('lead', 'officer')),
  starts_at      timestamptz NOT NULL,
  ends_at        timestamptz NOT NULL,
  -- 交接班: the note the outgoing person leaves, when they hand over.
  handover_note  text,
  handed_over_at timestamptz,
  created_by     bigint REFERENCES users (id) ON DELETE SET NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  CHECK (ends_at > starts_at),
  CHECK (length(area_code) IN (4, 6, 9)),
  CHECK ((handover_note IS NULL) = (handed_over_at IS NULL))
);
CREATE INDEX duty_shifts_area_time_idx ON duty_shifts (area_code, starts_at, ends_at);
CREATE INDEX duty_shifts_user_idx ON duty_shifts (user_id, starts_at);

CREATE TABLE duty_log (
  id         bigserial PRIMARY KEY,
  area_code  text NOT NULL REFERENCES areas (code),
  at         timestamptz NOT NULL,
  user_id    bigint REFERENCES users (id) ON DELETE SET NULL,
  shift_id   bigint REFERENCES duty_shifts (id) ON DELETE SET NULL,
  kind       text NOT NULL CHECK (kind IN ('note', 'call', 'handover', 'incident')),
  text       text NOT NULL CHECK (length(text) BETWEEN 1 AND 4000),
  -- An incident the entry is about (emergency), when there is one.
  ref        text
);
CREATE INDEX duty_log_area_at_idx ON duty_log (area_code text_pattern_ops, at DESC);
