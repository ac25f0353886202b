-- Per-community counters of the open cases for the vital signs, kept exact by statement triggers
-- on `cases` in the same transaction as the change: a compute reads a few thousand community rows
-- instead of every open case (193,000 of them in a year of Shanghai's pessimistic backlog).
-- Depends on 0007 (cases), 0012 (vitals).
--
-- open_n    cases not closed, rejected or merged, per district/street/community ('' for none);
-- overdue_n those of them whose running deadline `due_at` is before the mark.
-- Overdue at any instant t = overdue_n + the open cases due in [mark, t) (or − those due in
-- [t, mark) when t is earlier): a narrow slice read through cases_open_due_idx, kept narrow because
-- the vitals engine moves the mark forward (vital_case_counters_advance) every few minutes.
--
-- Locking: a case write that changes the counters holds the mark row FOR SHARE until it commits;
-- moving the mark or rebuilding takes it FOR UPDATE, so it waits for those writes to commit and
-- counts with them, and no write classifies a case against a mark that is about to move.
-- Within a statement counter rows are touched in key order, so concurrent single-statement case
-- writes cannot deadlock on them (two transactions changing open cases of the same two
-- communities in opposite orders, in separate statements, can: PostgreSQL aborts one).

-- The slice between the mark and now, and the mark's moves, read the open cases by deadline.
CREATE INDEX cases_open_due_idx ON cases (due_at) INCLUDE (district_code, street_code, community_code)
  WHERE status NOT IN ('closed', 'rejected', 'merged') AND due_at IS NOT NULL;

CREATE TABLE vital_case_counters_mark (
  one  boolean PRIMARY KEY DEFAULT true CHECK (one),
  mark timestamptz NOT NULL
);

CREATE TABLE vital_case_counters (
  district_code  text NOT NULL,
  street_code    text NOT NULL,
  community_code text NOT NULL,
  open_n         integer NOT NULL,
  overdue_n      integer NOT NULL,
  PRIMARY KEY (district_code, street_code, community_code)
);

CREATE FUNCTION vital_case_counters_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE m timestamptz;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM new_cases WHERE status NOT IN ('closed', 'rejected', 'merged')) THEN
    RETURN NULL;
  END IF;
  SELECT mark INTO m FROM vital_case_counters_mark FOR SHARE;
  INSERT INTO vital_case_counters AS v (district_code, street_code, community_code, open_n, overdue_n)
  SELECT coalesce(district_code, ''), coalesce(street_code, ''), coalesce(community_code, ''),
         count(*), count(*) FILTER (WHERE due_at < m)
    FROM new_cases WHERE status NOT IN ('closed', 'rejected', 'merged')
   GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (district_code, street_code, community_code) DO UPDATE
    SET open_n = v.open_n + EXCLUDED.open_n, overdue_n = v.overdue_n + EXCLUDED.overdue_n;
  RETURN NULL;
END $$;

CREATE FUNCTION vital_case_counters_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE m timestamptz;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM old_cases WHERE status NOT IN ('closed', 'rejected', 'merged')) THEN
    RETURN NULL;
  END IF;
  SELECT mark INTO m FROM vital_case_counters_mark FOR SHARE;
  INSERT INTO vital_case_counters AS v (district_code, street_code, community_code, open_n, overdue_n)
  SELECT coalesce(district_code, ''), coalesce(street_code, ''), coalesce(community_code, ''),
         -count(*), -count(*) FILTER (WHERE due_at < m)
    FROM old_cases WHERE status NOT IN ('closed', 'rejected', 'merged')
   GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (district_code, street_code, community_code) DO UPDATE
    SET open_n = v.open_n + EXCLUDED.open_n, overdue_n = v.overdue_n + EXCLUDED.overdue_n;
  RETURN NULL;
END $$;

-- Most updates of a case (a step, a note, a flag) leave it open or closed where it was with the same
-- deadline: the multiset of (place, deadline) of the open rows is unchanged, and nothing is locked.
CREATE FUNCTION vital_case_counters_updated() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE m timestamptz;
BEGIN
  IF NOT EXISTS (
    (SELECT district_code, street_code, community_code, due_at FROM old_cases
      WHERE status NOT IN ('closed', 'rejected', 'merged')
     EXCEPT ALL
     SELECT district_code, street_code, community_code, due_at FROM new_cases
      WHERE status NOT IN ('closed', 'rejected', 'merged'))
    UNION ALL
    (SELECT district_code, street_code, community_code, due_at FROM new_cases
      WHERE status NOT IN ('closed', 'rejected', 'merged')
     EXCEPT ALL
     SELECT district_code, street_code, community_code, due_at FROM old_cases
      WHERE status NOT IN ('closed', 'rejected', 'merged'))
  ) THEN
    RETURN NULL;
  END IF;
  SELECT mark INTO m FROM vital_case_counters_mark FOR SHARE;
  INSERT INTO vital_case_counters AS v (district_code, street_code, community_code, open_n, overdue_n)
  SELECT d, s, c, sum(sign), coalesce(sum(sign) FILTER (WHERE due_at < m), 0)
    FROM (SELECT coalesce(district_code, '') AS d, coalesce(street_code, '') AS s,
                 coalesce(community_code, '') AS c, due_at, -1 AS sign
            FROM old_cases WHERE status NOT IN ('closed', 'rejected', 'merged')
          UNION ALL
          SELECT coalesce(district_code, ''), coalesce(street_code, ''), coalesce(community_code, ''), due_at, 1
            FROM new_cases WHERE status NOT IN ('closed', 'rejected', 'merged')) x
   GROUP BY d, s, c
  HAVING sum(sign) <> 0 OR coalesce(sum(sign) FILTER (WHERE due_at < m), 0) <> 0
   ORDER BY d, s, c
  ON CONFLICT (district_code, street_code, community_code) DO UPDATE
    SET open_n = v.open_n + EXCLUDED.open_n, overdue_n = v.overdue_n + EXCLUDED.overdue_n;
  RETURN NULL;
END $$;

CREATE FUNCTION vital_case_counters_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM vital_case_counters;
  RETURN NULL;
END $$;

CREATE TRIGGER cases_vital_counters_insert AFTER INSERT ON cases REFERENCING NEW TABLE AS new_cases
  FOR EACH STATEMENT EXECUTE FUNCTION vital_case_counters_inserted();
CREATE TRIGGER cases_vital_counters_update AFTER UPDATE ON cases
  REFERENCING OLD TABLE AS old_cases NEW TABLE AS new_cases
  FOR EACH STATEMENT EXECUTE FUNCTION vital_case_counters_updated();
CREATE TRIGGER cases_vital_counters_delete AFTER DELETE ON cases REFERENCING OLD TABLE AS old_cases
  FOR EACH STATEMENT EXECUTE FUNCTION vital_case_counters_deleted();
CREATE TRIGGER cases_vital_counters_truncate AFTER TRUNCATE ON cases
  FOR EACH STATEMENT EXECUTE FUNCTION vital_case_counters_truncated();

-- Moves the mark forward to `upto` (never back), counting the open cases whose deadline passed
-- in between; returns the mark. A no-op without a lock when the mark is less than `min_step` behind.
CREATE FUNCTION vital_case_counters_advance(upto timestamptz, min_step interval DEFAULT interval '0')
RETURNS timestamptz LANGUAGE plpgsql AS $$
DECLARE m timestamptz;
BEGIN
  SELECT mark INTO m FROM vital_case_counters_mark;
  IF upto - m <= min_step THEN
    RETURN m;
  END IF;
  SELECT mark INTO m FROM vital_case_counters_mark FOR UPDATE;
  IF upto <= m THEN
    RETURN m;
  END IF;
  INSERT INTO vital_case_counters AS v (district_code, street_code, community_code, open_n, overdue_n)
  SELECT coalesce(district_code, ''), coalesce(street_code, ''), coalesce(community_code, ''), 0, count(*)
    FROM cases
   WHERE due_at >= m AND due_at < upto AND status NOT IN ('closed', 'rejected', 'merged')
   GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (district_code, street_code, community_code) DO UPDATE SET overdue_n = v.overdue_n + EXCLUDED.overdue_n;
  UPDATE vital_case_counters_mark SET mark = upto;
  RETURN upto;
END $$;

-- Recounts everything from the cases with the mark at `at`: the repair path, and the first fill.
CREATE FUNCTION vital_case_counters_rebuild(at timestamptz) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM vital_case_counters_mark FOR UPDATE;
  DELETE FROM vital_case_counters;
  INSERT INTO vital_case_counters (district_code, street_code, community_code, open_n, overdue_n)
  SELECT coalesce(district_code, ''), coalesce(street_code, ''), coalesce(community_code, ''),
         count(*), count(*) FILTER (WHERE due_at < at)
    FROM cases WHERE status NOT IN ('closed', 'rejected', 'merged')
   GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
  UPDATE vital_case_counters_mark SET mark = at;
END $$;

INSERT INTO vital_case_counters_mark (mark) VALUES (now());
SELECT vital_case_counters_rebuild(now());
