-- The base map drawn in our own style when no other is configured (docs/basemap.md): roads and
-- water, imported as the kinds `roads` and `water` (or seeded for the demo), served as the vector
-- tile layers `roads` and `water`. They do not change what `locate` answers, so they keep a
-- revision of their own for the tiles' ETag instead of bumping geo_revision (which reloads the
-- locate index).

CREATE TABLE roads (
  code text PRIMARY KEY,
  name text,
  -- motorway, trunk, primary, secondary, tertiary, residential, service, path: the style's widths
  class text NOT NULL DEFAULT 'residential',
  -- The zoom from which the road is drawn (from its class): a city view shows the main roads only.
  min_zoom smallint NOT NULL DEFAULT 14,
  geom geometry(MultiLineString, 4326) NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX roads_geom_idx ON roads USING gist (geom);

CREATE TABLE water (
  code text PRIMARY KEY,
  name text,
  -- river, canal, lake, sea, reservoir, water
  class text NOT NULL DEFAULT 'water',
  geom geometry(MultiPolygon, 4326) NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX water_geom_idx ON water USING gist (geom);

CREATE TABLE basemap_revision (
  one boolean PRIMARY KEY DEFAULT true CHECK (one),
  revision bigint NOT NULL DEFAULT 0
);
INSERT INTO basemap_revision DEFAULT VALUES;

CREATE FUNCTION basemap_revision_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE basemap_revision SET revision = revision + 1;
  RETURN NULL;
END
$$;

CREATE TRIGGER roads_basemap_revision
  AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON roads
  FOR EACH STATEMENT EXECUTE FUNCTION basemap_revision_bump();
CREATE TRIGGER water_basemap_revision
  AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON water
  FOR EACH STATEMENT EXECUTE FUNCTION basemap_revision_bump();

-- A case keeps the standard address nearest to its point when it is filed without an address
-- text of its own (reverse geocoding at creation): lists and cards show it without a look-up.
ALTER TABLE cases ADD COLUMN near_address text, ADD COLUMN near_address_m real;
