-- Per-level ownership (分级管理, issue 14): a district's or street's own loop settings, and the
-- area that owns a local category. The city's rows stay where they were (loop_settings; a
-- category with no owner area) and are the defaults every lower level inherits.
CREATE TABLE area_loop_settings (
  area_code  text NOT NULL,
  key        text NOT NULL CHECK (key IN ('calendar', 'deadlineRules', 'autoDispatchCategories')),
  value      jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (area_code, key)
);

-- NULL: the city's (standard rows and city-wide local extensions).
ALTER TABLE categories ADD COLUMN owner_area text;
CREATE INDEX categories_owner_area_idx ON categories (owner_area) WHERE owner_area IS NOT NULL;
