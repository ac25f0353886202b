-- Tables that outgrow one server first, and the column a distributed PostgreSQL (Citus) spreads
-- them by. A row here is a promise the schema keeps: the column is NOT NULL and every primary key,
-- unique constraint, unique index and foreign key of the table (and of its partitions) includes
-- it, so `create_distributed_table` needs no change of schema (docs/scale.md). The test
-- distribution.catalog.test.ts checks the promise against the catalog on both engines;
-- deploy/citus/distribute.sql reads this table.
-- Depends on 0006 (readings and their rollups).

CREATE TABLE schema_distribution (
  table_name    text PRIMARY KEY,
  column_name   text NOT NULL,
  -- Citus's colocate_with: tables colocated with each other keep the rows of one key on the same
  -- node (the rollup's INSERT … SELECT from readings stays on one node). 'default' for the first.
  colocate_with text NOT NULL,
  why           text NOT NULL
);

INSERT INTO schema_distribution (table_name, column_name, colocate_with, why) VALUES
  ('readings', 'device_id', 'default',
   'raw readings: a day of 100 M terminals is ~29 G rows; partitioned by day (ts), spread by device'),
  ('readings_latest', 'device_id', 'readings', 'the newest value per device and metric'),
  ('readings_1m', 'device_id', 'readings', '1-minute rollup, recomputed per device from readings'),
  ('readings_1h', 'device_id', 'readings', '1-hour rollup, from readings_1m of the same device');
