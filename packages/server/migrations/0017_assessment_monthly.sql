-- Assessment at city scale, second tier: whole Shanghai calendar months, built from the daily
-- rollup (0016) once every day of a month is built, so a year reads twelve months instead of 365
-- days. Two shapes per month:
--   assessment_area_monthly   month × place (as the daily rows): the grid level and the per-grid
--                             filed counts every area level's filed-count score needs;
--   assessment_area_totals    month × area at the district, street and community level, so those
--                             levels read a few rows per area instead of every place under it.
-- Like the days, a month is a cache of case_events: un-marking a day (the 0016 triggers, a rebuild,
-- a clear) un-marks its month, and a read scans an un-marked month's days from the daily tier or live.

CREATE TABLE assessment_area_months (
  month    date PRIMARY KEY,          -- the first day of the Shanghai calendar month
  counters text NOT NULL,             -- as assessment_area_days.counters, for the columns c1… below
  built_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE assessment_area_monthly (
  month          date NOT NULL,
  area_code      text NOT NULL,
  unit_grid_code text,
  community_code text,
  street_code    text,
  district_code  text,
  c1 integer NOT NULL DEFAULT 0,
  c2 integer NOT NULL DEFAULT 0,
  c3 integer NOT NULL DEFAULT 0,
  c4 integer NOT NULL DEFAULT 0,
  c5 integer NOT NULL DEFAULT 0,
  c6 integer NOT NULL DEFAULT 0,
  c7 integer NOT NULL DEFAULT 0,
  c8 integer NOT NULL DEFAULT 0,
  c9 integer NOT NULL DEFAULT 0,
  c10 integer NOT NULL DEFAULT 0,
  c11 integer NOT NULL DEFAULT 0,
  c12 integer NOT NULL DEFAULT 0,
  c13 integer NOT NULL DEFAULT 0,
  c14 integer NOT NULL DEFAULT 0,
  c15 integer NOT NULL DEFAULT 0,
  c16 integer NOT NULL DEFAULT 0,
  c17 integer NOT NULL DEFAULT 0,
  c18 integer NOT NULL DEFAULT 0,
  c19 integer NOT NULL DEFAULT 0,
  c20 integer NOT NULL DEFAULT 0,
  c21 integer NOT NULL DEFAULT 0,
  c22 integer NOT NULL DEFAULT 0,
  c23 integer NOT NULL DEFAULT 0,
  c24 integer NOT NULL DEFAULT 0,
  c25 integer NOT NULL DEFAULT 0,
  c26 integer NOT NULL DEFAULT 0,
  c27 integer NOT NULL DEFAULT 0,
  c28 integer NOT NULL DEFAULT 0,
  c29 integer NOT NULL DEFAULT 0,
  c30 integer NOT NULL DEFAULT 0,
  c31 integer NOT NULL DEFAULT 0,
  c32 integer NOT NULL DEFAULT 0,
  c33 integer NOT NULL DEFAULT 0,
  c34 integer NOT NULL DEFAULT 0,
  c35 integer NOT NULL DEFAULT 0,
  c36 integer NOT NULL DEFAULT 0,
  c37 integer NOT NULL DEFAULT 0,
  c38 integer NOT NULL DEFAULT 0,
  c39 integer NOT NULL DEFAULT 0,
  c40 integer NOT NULL DEFAULT 0
);
CREATE INDEX assessment_area_monthly_month_idx ON assessment_area_monthly (month, area_code);

CREATE TABLE assessment_area_totals (
  month       date NOT NULL,
  level       text NOT NULL CHECK (level IN ('district', 'street', 'community')),
  code        text NOT NULL,            -- the district, street or community code
  -- left(area_code, n) of the cases summed here, n = the level's code length (6, 9, 12): a scope
  -- no longer than n selects exactly the same cases with `area_prefix LIKE scope%` as the live
  -- scan does with `area_code LIKE scope%`, whatever the codes look like.
  area_prefix text NOT NULL,
  c1 integer NOT NULL DEFAULT 0,
  c2 integer NOT NULL DEFAULT 0,
  c3 integer NOT NULL DEFAULT 0,
  c4 integer NOT NULL DEFAULT 0,
  c5 integer NOT NULL DEFAULT 0,
  c6 integer NOT NULL DEFAULT 0,
  c7 integer NOT NULL DEFAULT 0,
  c8 integer NOT NULL DEFAULT 0,
  c9 integer NOT NULL DEFAULT 0,
  c10 integer NOT NULL DEFAULT 0,
  c11 integer NOT NULL DEFAULT 0,
  c12 integer NOT NULL DEFAULT 0,
  c13 integer NOT NULL DEFAULT 0,
  c14 integer NOT NULL DEFAULT 0,
  c15 integer NOT NULL DEFAULT 0,
  c16 integer NOT NULL DEFAULT 0,
  c17 integer NOT NULL DEFAULT 0,
  c18 integer NOT NULL DEFAULT 0,
  c19 integer NOT NULL DEFAULT 0,
  c20 integer NOT NULL DEFAULT 0,
  c21 integer NOT NULL DEFAULT 0,
  c22 integer NOT NULL DEFAULT 0,
  c23 integer NOT NULL DEFAULT 0,
  c24 integer NOT NULL DEFAULT 0,
  c25 integer NOT NULL DEFAULT 0,
  c26 integer NOT NULL DEFAULT 0,
  c27 integer NOT NULL DEFAULT 0,
  c28 integer NOT NULL DEFAULT 0,
  c29 integer NOT NULL DEFAULT 0,
  c30 integer NOT NULL DEFAULT 0,
  c31 integer NOT NULL DEFAULT 0,
  c32 integer NOT NULL DEFAULT 0,
  c33 integer NOT NULL DEFAULT 0,
  c34 integer NOT NULL DEFAULT 0,
  c35 integer NOT NULL DEFAULT 0,
  c36 integer NOT NULL DEFAULT 0,
  c37 integer NOT NULL DEFAULT 0,
  c38 integer NOT NULL DEFAULT 0,
  c39 integer NOT NULL DEFAULT 0,
  c40 integer NOT NULL DEFAULT 0
);
CREATE INDEX assessment_area_totals_month_idx ON assessment_area_totals (month, level, area_prefix);

-- A day un-marked or rebuilt: its month no longer matches the days and is read from them until rebuilt.
CREATE FUNCTION assessment_months_day_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM assessment_area_months WHERE month = date_trunc('month', OLD.day)::date;
  RETURN NULL;
END $$;
CREATE TRIGGER assessment_area_days_months
  AFTER DELETE OR UPDATE ON assessment_area_days FOR EACH ROW
  EXECUTE FUNCTION assessment_months_day_changed();

-- "Open overdue" (due to handle and to close) reads the open cases whose handling clock runs:
-- with this partial index that is proportional to them, not to every open case of the year (the
-- predicate is the query's own, assessment.repository.ts `openOverdueWhere`).
CREATE INDEX cases_handling_running_idx ON cases (area_code)
  WHERE status NOT IN ('closed', 'rejected', 'merged')
    AND snapshot->'deadlines'->'handling' IS NOT NULL
    AND snapshot->'deadlines'->'handling'->>'completedAt' IS NULL
    AND snapshot->'deadlines'->'handling'->>'pausedAt' IS NULL;
