-- Keeps geo_revision in step with the geometry the locate index is built from. Every statement
-- that writes areas, unit grids or duty grids bumps it once (statement-level: a 40,000-row COPY
-- is one bump). The bump commits with the data, so a server that reads the revision before the
-- rows never files new rows under an old revision. UPDATEs of columns locate never reads
-- (population, area_m2, updated_at …) leave it alone.

CREATE FUNCTION geo_revision_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE geo_revision SET revision = revision + 1;
  RETURN NULL;
END
$$;

CREATE TRIGGER areas_geo_revision_write
  AFTER INSERT OR DELETE OR TRUNCATE ON areas
  FOR EACH STATEMENT EXECUTE FUNCTION geo_revision_bump();
CREATE TRIGGER areas_geo_revision_update
  AFTER UPDATE OF code, level, name, parent_code, geom ON areas
  FOR EACH STATEMENT EXECUTE FUNCTION geo_revision_bump();

CREATE TRIGGER unit_grids_geo_revision_write
  AFTER INSERT OR DELETE OR TRUNCATE ON unit_grids
  FOR EACH STATEMENT EXECUTE FUNCTION geo_revision_bump();
CREATE TRIGGER unit_grids_geo_revision_update
  AFTER UPDATE OF code, community_code, street_code, district_code, duty_grid_code, area_class, geom
  ON unit_grids
  FOR EACH STATEMENT EXECUTE FUNCTION geo_revision_bump();

CREATE TRIGGER duty_grids_geo_revision_write
  AFTER INSERT OR DELETE OR TRUNCATE ON duty_grids
  FOR EACH STATEMENT EXECUTE FUNCTION geo_revision_bump();
CREATE TRIGGER duty_grids_geo_revision_update
  AFTER UPDATE OF code, name, geom ON duty_grids
  FOR EACH STATEMENT EXECUTE FUNCTION geo_revision_bump();
