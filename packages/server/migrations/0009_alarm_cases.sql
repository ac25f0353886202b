-- Alarm → case (自动识别、自动派单、人力处置、自动结案). A rule with a case category files a case
-- through the case engine when its alarm is raised (source 'iot'); the alarm is linked to that case
-- (or to the open case of the same device and category). When every alarm of the case has cleared
-- and stayed clear for the rule's auto_close_after_s, the system checks and closes the handled case,
-- unless the rule says a person (the grid inspector) must look. The reconciler that does this reads
-- its work from these columns, so it survives restarts: nothing lives only in timers.
-- Depends on 0006 (rules, alarms) and 0007 (cases).

ALTER TABLE rules
  ADD COLUMN auto_close_after_s integer NOT NULL DEFAULT 600 CHECK (auto_close_after_s >= 0),
  ADD COLUMN close_needs_inspector boolean NOT NULL DEFAULT false;

-- case_id: the case this alarm filed or joined. case_checked: the alarm → case step is done (linked,
-- or nothing to do, or failed with case_error); the reconciler files unchecked active alarms.
ALTER TABLE alarms
  ADD COLUMN case_id bigint REFERENCES cases (id) ON DELETE SET NULL,
  ADD COLUMN case_checked boolean NOT NULL DEFAULT false,
  ADD COLUMN case_error text;
CREATE INDEX alarms_case_idx ON alarms (case_id) WHERE case_id IS NOT NULL;
CREATE INDEX alarms_case_todo_idx ON alarms (id) WHERE NOT case_checked AND NOT cleared;

-- One row per case opened or joined by alarms: where the automatic close stands.
--   open       an alarm of the case is active (or cleared too recently)
--   recovered  the sensor recovered before the case was handled: noted on the timeline; the case
--              closes by itself once handled
--   inspector  recovered, the rule needs a person: noted, left for the inspector
--   closed     the system checked and closed it
--   released   a person closed, rejected or merged it, or the system may not close it
CREATE TABLE alarm_case_links (
  case_id    bigint PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE,
  device_id  text NOT NULL,
  state      text NOT NULL DEFAULT 'open'
             CHECK (state IN ('open', 'recovered', 'inspector', 'closed', 'released')),
  note       text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alarm_case_links_todo_idx ON alarm_case_links (case_id) WHERE state IN ('open', 'recovered');

-- Defaults for the built-in rules (GB/T 47678.5-2026 codes). Standing water at underpasses is the
-- drainage pump station's (01072 排水泵站); both depth rules file the same category, so the
-- road-closure alarm joins the case the 15 cm alarm opened. Glass and smoke need a person on site
-- before the case closes. PM2.5 episodes are not a matter for one department: alarm only.
UPDATE rules SET case_category = '01072', case_urgency = 'normal', auto_close_after_s = 900
 WHERE device_type_id = 'water-depth' AND severity = 'major' AND case_category IS NULL;
UPDATE rules SET case_category = '01072', case_urgency = 'urgent', auto_close_after_s = 900
 WHERE device_type_id = 'water-depth' AND severity = 'critical' AND case_category IS NULL;
UPDATE rules SET case_category = '01023', case_urgency = 'urgent', auto_close_after_s = 300
 WHERE device_type_id = 'manhole-cover' AND case_category IS NULL;
UPDATE rules SET case_category = '06004', case_urgency = 'urgent', auto_close_after_s = 600,
       close_needs_inspector = true
 WHERE device_type_id = 'curtain-wall' AND case_category IS NULL;
UPDATE rules SET case_category = '01037', case_urgency = 'normal', auto_close_after_s = 1800
 WHERE device_type_id = 'street-light' AND case_category IS NULL;
UPDATE rules SET case_category = '01013', case_urgency = 'urgent', auto_close_after_s = 600,
       close_needs_inspector = true
 WHERE device_type_id = 'smoke' AND case_category IS NULL;
