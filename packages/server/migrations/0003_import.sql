-- Imports: a run's state and fatal error, and which run last wrote each component and address.
-- The run id is how a 15-million-row import finds an id repeated far apart in one file without
-- holding every id in memory: a row whose target was already written by this run is a duplicate.
ALTER TABLE import_runs ADD COLUMN status text NOT NULL DEFAULT 'running'
  CHECK (status IN ('running', 'done', 'failed'));
ALTER TABLE import_runs ADD COLUMN error text;
ALTER TABLE import_runs ADD COLUMN format text;

ALTER TABLE components ADD COLUMN import_run_id bigint;
ALTER TABLE addresses ADD COLUMN import_run_id bigint;
