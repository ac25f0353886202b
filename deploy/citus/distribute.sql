-- Distribute the tables that outgrow one server (docs/scale.md), on a Citus coordinator, after
-- `onegrid migrate` and with the workers added (SELECT citus_add_node(...)). Reads the promise of
-- migration 0065 (schema_distribution): each table by its column, colocated as listed. The
-- schema needs no change: distribution.catalog.test.ts checks that every key includes the column.
-- Run once: psql "$DATABASE_URL" -f deploy/citus/distribute.sql
DO $$
DECLARE d record;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') THEN
    RAISE EXCEPTION 'citus is not installed in this database (CREATE EXTENSION citus first)';
  END IF;
  FOR d IN SELECT * FROM schema_distribution ORDER BY colocate_with <> 'default', table_name LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = d.table_name::regclass) THEN
      EXECUTE format('SELECT create_distributed_table(%L, %L, colocate_with => %L)',
                     d.table_name, d.column_name, d.colocate_with);
    END IF;
  END LOOP;
END $$;
