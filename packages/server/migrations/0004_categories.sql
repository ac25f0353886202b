-- The category catalogue as data the reporting UI and administrators work with.

-- A hint shown beside a category when reporting, and the categories it is easily confused with
-- (DOMAIN.md: 06010 暴露垃圾 / 06042 垃圾站(箱)满溢 / 06011 积存垃圾渣土 …).
ALTER TABLE categories ADD COLUMN hint text;
ALTER TABLE categories ADD COLUMN confusable_with text[] NOT NULL DEFAULT '{}';
-- Set when an administrator renames or deactivates a row: the catalogue loader, which runs at every
-- start, then leaves that row alone.
ALTER TABLE categories ADD COLUMN edited_at timestamptz;

CREATE INDEX categories_maps_to_idx ON categories (maps_to) WHERE maps_to IS NOT NULL;
