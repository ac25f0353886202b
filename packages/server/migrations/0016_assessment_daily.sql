-- Assessment at city scale: a daily rollup of the area counters (day × place), rebuilt from the
-- timeline for whole Shanghai days, read for the whole days of a period while the partial days at
-- either end (and any day not built) are still scanned live. The rollup is a cache of
-- case_events, never a source: the triggers below un-mark a day whenever something it was built
-- from changes, so a read never uses a stale day (it scans that day live until it is rebuilt).

CREATE TABLE assessment_area_days (
  day      date PRIMARY KEY,          -- the Shanghai calendar day [day 00:00+08, day+1 00:00+08)
  counters text NOT NULL,             -- the counter names, in the order of the columns c1… below
  built_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE assessment_area_daily (
  day            date NOT NULL,
  area_code      text NOT NULL,
  unit_grid_code text,
  community_code text,
  street_code    text,
  district_code  text,
  -- The counters in the order of assessment_area_days.counters (room for 40): plain columns, so a
  -- read is one sum per column rather than an array taken apart on every row.
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
CREATE INDEX assessment_area_daily_day_idx ON assessment_area_daily (day, area_code);

-- A new event on a built day (a late import, a clock set back): that day is no longer complete.
CREATE FUNCTION assessment_days_events_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM assessment_area_days d
  WHERE d.day IN (SELECT DISTINCT ((n.at + interval '8 hours') AT TIME ZONE 'UTC')::date FROM new_events n);
  RETURN NULL;
END $$;
CREATE TRIGGER case_events_assessment_days
  AFTER INSERT ON case_events REFERENCING NEW TABLE AS new_events
  FOR EACH STATEMENT EXECUTE FUNCTION assessment_days_events_changed();

-- A case moved to another place, or its source or merge changed: every day it has events on was
-- counted with the old values.
CREATE FUNCTION assessment_days_case_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM assessment_area_days d
  WHERE d.day IN (SELECT DISTINCT ((e.at + interval '8 hours') AT TIME ZONE 'UTC')::date
                  FROM case_events e WHERE e.case_id = NEW.id);
  RETURN NULL;
END $$;
CREATE TRIGGER cases_assessment_days
  AFTER UPDATE ON cases FOR EACH ROW
  WHEN (OLD.unit_grid_code IS DISTINCT FROM NEW.unit_grid_code
     OR OLD.community_code IS DISTINCT FROM NEW.community_code
     OR OLD.street_code IS DISTINCT FROM NEW.street_code
     OR OLD.district_code IS DISTINCT FROM NEW.district_code
     OR OLD.area_code IS DISTINCT FROM NEW.area_code
     OR OLD.source IS DISTINCT FROM NEW.source
     OR OLD.merged_into IS DISTINCT FROM NEW.merged_into)
  EXECUTE FUNCTION assessment_days_case_changed();
