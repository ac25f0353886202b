-- The closed loop: cases, their timeline, the responsibility matrix, numbering, idempotency,
-- attachments and loop settings. The machine's full snapshot is kept in `snapshot` (jsonb);
-- the columns beside it are what lists, filters, scopes and deadlines query.

CREATE TABLE responsibility_matrix (
  id              bigserial PRIMARY KEY,
  -- exact matter code (5 digits), a major (2 digits) or '*' for every category
  category        text NOT NULL CHECK (category ~ '^(\d{5}|\d{2}|\*)$'),
  -- the area the rule covers: city, district, street, community or unit grid code (prefix match)
  area_code       text NOT NULL,
  department_code text NOT NULL REFERENCES departments (code),
  auto_dispatch   boolean NOT NULL DEFAULT false,
  note            text,
  updated_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (category, area_code)
);

CREATE TABLE cases (
  id               bigserial PRIMARY KEY,
  number           text NOT NULL UNIQUE,
  version          integer NOT NULL DEFAULT 1,
  status           text NOT NULL,
  pending          text,
  source           text NOT NULL,
  category_code    text NOT NULL,
  urgency          text NOT NULL CHECK (urgency IN ('urgent', 'normal')),
  description      text NOT NULL,
  address          text,
  geom             geometry(Point, 4326) NOT NULL,
  unit_grid_code   text,
  duty_grid_code   text,
  community_code   text,
  street_code      text,
  district_code    text NOT NULL,
  area_code        text NOT NULL,
  area_class       text NOT NULL,
  department_code  text,
  dispatch_rule_id bigint,
  reporter_user_id bigint REFERENCES users (id),
  reporter_name    text,
  reporter_contact text,
  device_id        text,
  external_ids     jsonb NOT NULL DEFAULT '{}',
  merged_into      bigint REFERENCES cases (id),
  -- the earliest running deadline: what "overdue" and "warning" filters look at
  current_step     text,
  due_at           timestamptz,
  warn_at          timestamptz,
  overdue_flagged  text,          -- the step whose overdue was already announced (督办 once)
  close_type       text,
  closed_at        timestamptz,
  snapshot         jsonb NOT NULL,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL
);
CREATE INDEX cases_status_idx ON cases (status, created_at DESC);
CREATE INDEX cases_district_idx ON cases (district_code, status, created_at DESC);
CREATE INDEX cases_street_idx ON cases (street_code, created_at DESC);
CREATE INDEX cases_category_idx ON cases (category_code, created_at DESC);
CREATE INDEX cases_created_idx ON cases (created_at DESC);
CREATE INDEX cases_department_idx ON cases (department_code, status);
CREATE INDEX cases_due_idx ON cases (due_at) WHERE due_at IS NOT NULL;
CREATE INDEX cases_geom_idx ON cases USING gist (geom);
CREATE INDEX cases_device_idx ON cases (device_id) WHERE device_id IS NOT NULL;

-- The timeline: every step, never deleted.
CREATE TABLE case_events (
  id          bigserial PRIMARY KEY,
  case_id     bigint NOT NULL REFERENCES cases (id),
  seq         integer NOT NULL,
  action      text NOT NULL,
  actor_id    text NOT NULL,
  actor_name  text,
  actor_role  text NOT NULL,
  at          timestamptz NOT NULL,
  from_status text,
  to_status   text NOT NULL,
  from_pending text,
  to_pending  text,
  note        text,
  photos      jsonb NOT NULL DEFAULT '[]',
  location    geometry(Point, 4326),
  data        jsonb NOT NULL DEFAULT '{}',
  effects     jsonb NOT NULL DEFAULT '[]',
  UNIQUE (case_id, seq)
);
CREATE INDEX case_events_at_idx ON case_events (at);
CREATE INDEX case_events_actor_idx ON case_events (actor_id, action);

-- Readable numbers: one counter per day and prefix (C|E + category).
CREATE TABLE case_number_counters (
  day    text NOT NULL,
  prefix text NOT NULL,
  seq    integer NOT NULL,
  PRIMARY KEY (day, prefix)
);

-- A phone retrying after a timeout never files twice.
CREATE TABLE idempotency_keys (
  owner      text NOT NULL,
  key        text NOT NULL,
  case_id    bigint NOT NULL REFERENCES cases (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (owner, key)
);

CREATE TABLE attachments (
  id          text PRIMARY KEY,
  case_id     bigint REFERENCES cases (id),
  mime        text NOT NULL,
  size        integer NOT NULL,
  sha256      text NOT NULL,
  path        text NOT NULL,
  lng         double precision,
  lat         double precision,
  taken_at    timestamptz,
  created_by  text NOT NULL,
  scope_code  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX attachments_case_idx ON attachments (case_id);

-- Loop settings an administrator edits: calendar, deadline rules, duplicate radius, auto-dispatch.
CREATE TABLE loop_settings (
  key        text PRIMARY KEY,
  value      jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
