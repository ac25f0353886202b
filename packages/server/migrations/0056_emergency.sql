-- 应急指挥: plans (预案) as data, incidents (突发事件) with their links, timeline, SOP tasks and
-- information reports, and resources (队伍, 车辆, 泵车, 物资, 专家, 避难场所) with their dispatches.
-- The rules (levels, report limits, trigger matching) are in packages/domain/src/emergency.

CREATE TABLE emergency_plans (
  id            bigserial PRIMARY KEY,
  code          text NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9][a-z0-9-]{0,39}$'),
  name          text NOT NULL,
  incident_type text NOT NULL,
  area_code     text NOT NULL REFERENCES areas (code),
  level         smallint NOT NULL CHECK (level BETWEEN 1 AND 4),
  -- [PlanTrigger] and [PlanStep] (domain emergency/plans.ts)
  triggers      jsonb NOT NULL CHECK (jsonb_typeof(triggers) = 'array'),
  steps         jsonb NOT NULL CHECK (jsonb_typeof(steps) = 'array'),
  active        boolean NOT NULL DEFAULT true,
  version       integer NOT NULL DEFAULT 1,
  updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE emergency_incidents (
  id             bigserial PRIMARY KEY,
  title          text NOT NULL,
  incident_type  text NOT NULL,
  level          smallint NOT NULL CHECK (level BETWEEN 1 AND 4),
  status         text NOT NULL CHECK (status IN ('proposed', 'active', 'stood-down', 'closed', 'dismissed')),
  -- 演练: a drill sends no real notification and is marked as a drill everywhere.
  drill          boolean NOT NULL DEFAULT false,
  area_code      text NOT NULL REFERENCES areas (code),
  location       geometry(Point, 4326),
  plan_id        bigint REFERENCES emergency_plans (id),
  -- The plan a trigger proposed (kept when a leader activates another one).
  proposed_plan_id bigint REFERENCES emergency_plans (id),
  reason         text,
  created_by     bigint REFERENCES users (id) ON DELETE SET NULL,
  created_at     timestamptz NOT NULL,
  activated_at   timestamptz,
  activated_by   bigint REFERENCES users (id) ON DELETE SET NULL,
  stood_down_at  timestamptz,
  closed_at      timestamptz,
  version        integer NOT NULL DEFAULT 1,
  CHECK ((status IN ('active', 'stood-down', 'closed')) = (activated_at IS NOT NULL) OR status = 'dismissed')
);
CREATE INDEX emergency_incidents_area_idx ON emergency_incidents (area_code text_pattern_ops);
CREATE INDEX emergency_incidents_open_idx ON emergency_incidents (status) WHERE status IN ('proposed', 'active');

CREATE TABLE emergency_incident_links (
  incident_id bigint NOT NULL REFERENCES emergency_incidents (id) ON DELETE CASCADE,
  kind        text NOT NULL CHECK (kind IN ('case', 'alarm')),
  ref_id      bigint NOT NULL,
  linked_at   timestamptz NOT NULL,
  PRIMARY KEY (incident_id, kind, ref_id)
);
CREATE INDEX emergency_incident_links_ref_idx ON emergency_incident_links (kind, ref_id);

CREATE TABLE emergency_timeline (
  id          bigserial PRIMARY KEY,
  incident_id bigint NOT NULL REFERENCES emergency_incidents (id) ON DELETE CASCADE,
  at          timestamptz NOT NULL,
  actor       text NOT NULL,
  kind        text NOT NULL,
  text        text NOT NULL,
  detail      jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX emergency_timeline_incident_idx ON emergency_timeline (incident_id, id);

-- SOP steps of the activated plan, run as tasks of the responsible departments.
CREATE TABLE emergency_tasks (
  id              bigserial PRIMARY KEY,
  incident_id     bigint NOT NULL REFERENCES emergency_incidents (id) ON DELETE CASCADE,
  step_no         integer NOT NULL,
  title           text NOT NULL,
  department_code text REFERENCES departments (code),
  due_at          timestamptz NOT NULL,
  status          text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
  done_at         timestamptz,
  done_by         bigint REFERENCES users (id) ON DELETE SET NULL,
  feedback        text,
  UNIQUE (incident_id, step_no),
  CHECK ((status = 'done') = (done_at IS NOT NULL))
);
CREATE INDEX emergency_tasks_dept_idx ON emergency_tasks (department_code, status);

-- 信息报送: first / follow-up / final reports up the levels, each with the time it was due.
CREATE TABLE emergency_reports (
  id          bigserial PRIMARY KEY,
  incident_id bigint NOT NULL REFERENCES emergency_incidents (id) ON DELETE CASCADE,
  kind        text NOT NULL CHECK (kind IN ('first', 'update', 'final')),
  to_area     text NOT NULL REFERENCES areas (code),
  due_at      timestamptz NOT NULL,
  sent_at     timestamptz NOT NULL,
  sent_by     bigint REFERENCES users (id) ON DELETE SET NULL,
  text        text NOT NULL
);
CREATE INDEX emergency_reports_incident_idx ON emergency_reports (incident_id, sent_at);
CREATE UNIQUE INDEX emergency_reports_one_first_idx ON emergency_reports (incident_id) WHERE kind = 'first';
CREATE UNIQUE INDEX emergency_reports_one_final_idx ON emergency_reports (incident_id) WHERE kind = 'final';

CREATE TABLE emergency_resources (
  id          bigserial PRIMARY KEY,
  kind        text NOT NULL CHECK (kind IN ('team', 'vehicle', 'pump', 'stockpile', 'expert', 'shelter')),
  name        text NOT NULL,
  area_code   text NOT NULL REFERENCES areas (code),
  location    geometry(Point, 4326) NOT NULL,
  status      text NOT NULL DEFAULT 'available' CHECK (status IN ('available', 'dispatched', 'unavailable')),
  -- Shelters: people; teams: members; pumps: m³/h.
  capacity    integer CHECK (capacity >= 0),
  -- Stockpiles: [{item, unit, quantity}].
  stock       jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(stock) = 'array'),
  department_code text REFERENCES departments (code) ON DELETE SET NULL,
  contact     text,
  version     integer NOT NULL DEFAULT 1,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
-- The KNN index: nearest available of a kind is ORDER BY location <-> point.
CREATE INDEX emergency_resources_location_idx ON emergency_resources USING gist (location);
CREATE INDEX emergency_resources_kind_idx ON emergency_resources (kind, status);

CREATE TABLE emergency_dispatches (
  id            bigserial PRIMARY KEY,
  incident_id   bigint NOT NULL REFERENCES emergency_incidents (id) ON DELETE CASCADE,
  resource_id   bigint NOT NULL REFERENCES emergency_resources (id) ON DELETE RESTRICT,
  dispatched_at timestamptz NOT NULL,
  dispatched_by bigint REFERENCES users (id) ON DELETE SET NULL,
  distance_m    double precision,
  released_at   timestamptz
);
-- A resource is out on one incident at a time.
CREATE UNIQUE INDEX emergency_dispatches_out_idx ON emergency_dispatches (resource_id) WHERE released_at IS NULL;
CREATE INDEX emergency_dispatches_incident_idx ON emergency_dispatches (incident_id);
