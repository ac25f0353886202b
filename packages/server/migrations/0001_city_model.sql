-- The city model: the administrative tree, grids, departments, categories, components, users.
-- Geometry is stored in WGS-84 (EPSG:4326, ≈ CGCS2000); areas in m² come from geography.

-- City → district → street/town → community, one table so every level answers the same queries.
CREATE TABLE areas (
  code        text PRIMARY KEY,
  level       text NOT NULL CHECK (level IN ('city', 'district', 'street', 'community')),
  name        text NOT NULL,
  parent_code text REFERENCES areas (code),
  kind        text,              -- 街道 / 镇 / 乡 / 居委会 / 村委会 …
  area_class  text NOT NULL DEFAULT 'B' CHECK (area_class IN ('A', 'B', 'C')),
  population  integer,
  center      geometry(Point, 4326),
  geom        geometry(MultiPolygon, 4326),
  area_m2     double precision,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CHECK ((level = 'city') = (parent_code IS NULL)),
  CHECK (
    (level = 'city' AND code ~ '^\d{4}$') OR
    (level = 'district' AND code ~ '^\d{6}$') OR
    (level = 'street' AND code ~ '^\d{9}$') OR
    (level = 'community' AND code ~ '^\d{12}$')
  )
);
CREATE INDEX areas_parent_idx ON areas (parent_code);
CREATE INDEX areas_level_idx ON areas (level);
CREATE INDEX areas_geom_idx ON areas USING gist (geom);

-- Responsibility grids (责任网格): groups of unit grids patrolled by named inspectors.
CREATE TABLE duty_grids (
  code          text PRIMARY KEY,
  name          text NOT NULL,
  street_code   text NOT NULL REFERENCES areas (code),
  district_code text NOT NULL REFERENCES areas (code),
  geom          geometry(MultiPolygon, 4326),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX duty_grids_street_idx ON duty_grids (street_code);
CREATE INDEX duty_grids_geom_idx ON duty_grids USING gist (geom);

-- Unit grids (单元网格), GB/T 30428.1: district 6 + street 3 + community 3 + sequence 3.
CREATE TABLE unit_grids (
  code           text PRIMARY KEY CHECK (code ~ '^\d{15}$'),
  legacy_code    text,           -- CJ/T 213 14-digit code when imported from older data
  community_code text NOT NULL REFERENCES areas (code),
  street_code    text NOT NULL REFERENCES areas (code),
  district_code  text NOT NULL REFERENCES areas (code),
  duty_grid_code text REFERENCES duty_grids (code),
  area_class     text NOT NULL DEFAULT 'B' CHECK (area_class IN ('A', 'B', 'C')),
  geom           geometry(MultiPolygon, 4326) NOT NULL,
  area_m2        double precision NOT NULL,
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CHECK (left(code, 12) = community_code)
);
CREATE INDEX unit_grids_geom_idx ON unit_grids USING gist (geom);
CREATE INDEX unit_grids_community_idx ON unit_grids (community_code);
CREATE INDEX unit_grids_street_idx ON unit_grids (street_code);
CREATE INDEX unit_grids_duty_idx ON unit_grids (duty_grid_code);

-- Other grid layers (police grid, social-governance grid …) reconciled onto unit grids (多格合一).
CREATE TABLE grid_layers (
  id          text PRIMARY KEY CHECK (id ~ '^[a-z][a-z0-9-]*$'),
  name        text NOT NULL,
  description text
);
CREATE TABLE layer_grids (
  layer_id text NOT NULL REFERENCES grid_layers (id) ON DELETE CASCADE,
  code     text NOT NULL,
  name     text NOT NULL,
  geom     geometry(MultiPolygon, 4326) NOT NULL,
  PRIMARY KEY (layer_id, code)
);
CREATE INDEX layer_grids_geom_idx ON layer_grids USING gist (geom);
-- Which unit grids make up each layer grid, and how much of the unit grid lies in it.
CREATE TABLE layer_grid_units (
  layer_id       text NOT NULL,
  layer_code     text NOT NULL,
  unit_grid_code text NOT NULL REFERENCES unit_grids (code) ON DELETE CASCADE,
  share          double precision NOT NULL CHECK (share > 0 AND share <= 1.000001),
  PRIMARY KEY (layer_id, layer_code, unit_grid_code),
  FOREIGN KEY (layer_id, layer_code) REFERENCES layer_grids (layer_id, code) ON DELETE CASCADE
);
CREATE INDEX layer_grid_units_unit_idx ON layer_grid_units (unit_grid_code);

-- Departments (专业部门 / 处置单位) and the platforms' own centres.
CREATE TABLE departments (
  code        text PRIMARY KEY,
  name        text NOT NULL,
  credit_code text,                -- 18-character unified social credit code
  area_code   text NOT NULL REFERENCES areas (code),
  kind        text NOT NULL DEFAULT 'handler' CHECK (kind IN ('handler', 'centre', 'owner')),
  phone       text,
  active      boolean NOT NULL DEFAULT true
);
CREATE INDEX departments_area_idx ON departments (area_code);

-- The category catalogue: GB/T 47678.5-2026 components and matters, legacy codes, local extensions.
CREATE TABLE categories (
  code        text NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('component', 'event', 'legacy-component', 'legacy-event')),
  standard    text NOT NULL,
  major_code  text NOT NULL,
  major_name  text NOT NULL,
  name        text NOT NULL,
  maps_to     text,                -- for legacy codes: the current code when one matches
  local       boolean NOT NULL DEFAULT false,
  active      boolean NOT NULL DEFAULT true,
  sort_order  integer NOT NULL DEFAULT 0,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (kind, code)
);
CREATE INDEX categories_code_idx ON categories (code);

-- Components (部件), GB/T 47678.5 table 2: the 18 attributes, status, location.
CREATE TABLE components (
  id                  text PRIMARY KEY CHECK (id ~ '^\d{17}$'),
  legacy_id           text UNIQUE CHECK (legacy_id ~ '^\d{16}$'),
  category_code       text NOT NULL,
  name                text NOT NULL,
  owner_dept_code     text NOT NULL,
  owner_dept_name     text NOT NULL,
  property_unit_code  text,
  property_unit_name  text,
  maintainer_code     text,
  maintainer_name     text,
  unit_grid_code      text NOT NULL,
  status              text NOT NULL CHECK (status IN ('intact', 'damaged', 'missing', 'abandoned', 'removed')),
  survey_date         date NOT NULL,
  change_date         date,
  data_source         text CHECK (data_source IN ('surveyed', 'map', 'other')),
  note                text,
  street_code         text,
  street_name         text,
  community_code      text,
  community_name      text,
  district_code       text NOT NULL,
  geom                geometry(Point, 4326) NOT NULL,
  updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX components_geom_idx ON components USING gist (geom);
CREATE INDEX components_grid_idx ON components (unit_grid_code);
CREATE INDEX components_category_idx ON components (category_code);

-- Standard addresses (标准地址): one address, many entities.
CREATE TABLE addresses (
  id             bigserial PRIMARY KEY,
  address        text NOT NULL,
  district_code  text REFERENCES areas (code),
  street_code    text,
  unit_grid_code text,
  geom           geometry(Point, 4326) NOT NULL,
  UNIQUE (address)
);
CREATE INDEX addresses_geom_idx ON addresses USING gist (geom);

-- Accounts. Roles decide what a user may do; scope decides where (a subtree of `areas`).
CREATE TABLE users (
  id              bigserial PRIMARY KEY,
  username        text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._-]{1,63}$'),
  display_name    text NOT NULL,
  password_hash   text NOT NULL,
  role            text NOT NULL CHECK (role IN ('admin', 'leader', 'operator', 'dispatcher', 'handler', 'inspector')),
  scope_code      text NOT NULL REFERENCES areas (code),
  department_code text REFERENCES departments (code),
  phone           text,
  demo            boolean NOT NULL DEFAULT false,
  active          boolean NOT NULL DEFAULT true,
  created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE duty_grid_inspectors (
  duty_grid_code text NOT NULL REFERENCES duty_grids (code) ON DELETE CASCADE,
  user_id        bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  PRIMARY KEY (duty_grid_code, user_id)
);

CREATE TABLE sessions (
  token_hash text PRIMARY KEY,
  user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

-- Import runs and their reports, so an administrator can read what was rejected and why.
CREATE TABLE import_runs (
  id          bigserial PRIMARY KEY,
  kind        text NOT NULL,
  source      text NOT NULL,
  crs         text NOT NULL,
  started_at  timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  rows_read   integer NOT NULL DEFAULT 0,
  imported    integer NOT NULL DEFAULT 0,
  rejected    integer NOT NULL DEFAULT 0,
  report      jsonb NOT NULL DEFAULT '[]'
);

-- Bumped whenever grids or areas change, so in-memory indexes know to reload.
CREATE TABLE geo_revision (
  id       boolean PRIMARY KEY DEFAULT true CHECK (id),
  revision bigint NOT NULL DEFAULT 0
);
INSERT INTO geo_revision VALUES (true, 0);
