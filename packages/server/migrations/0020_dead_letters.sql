-- Dead letters (issue 12). `ingest_errors` already held one row per device and kind of bad
-- input with a count; it grows into the dead-letter table an administrator reads
-- (GET /api/v1/iot/dead-letters) instead of a second table beside it: when the kind was first
-- seen, where the last one came from (mqtt, http, broker) and the start of its payload.
-- Bounded by construction: one row per (device, code) of registered devices, and messages from
-- ids that are not devices all land in the one row of device '(unknown)'.
ALTER TABLE ingest_errors
  ADD COLUMN first_at timestamptz,
  ADD COLUMN source text,
  ADD COLUMN last_payload text;
UPDATE ingest_errors SET first_at = last_at;
ALTER TABLE ingest_errors ALTER COLUMN first_at SET NOT NULL;
CREATE INDEX ingest_errors_last_at_idx ON ingest_errors (last_at DESC);
-- Rows one per random id (before this migration) collapse into the '(unknown)' row.
INSERT INTO ingest_errors (device_id, code, count, first_at, last_at, last_detail)
SELECT '(unknown)', code, sum(count), min(first_at), max(last_at), max(last_detail)
  FROM ingest_errors WHERE code = 'unknown_device' AND device_id <> '(unknown)'
 GROUP BY code
ON CONFLICT (device_id, code) DO UPDATE SET count = ingest_errors.count + EXCLUDED.count,
  last_at = greatest(ingest_errors.last_at, EXCLUDED.last_at);
DELETE FROM ingest_errors WHERE code = 'unknown_device' AND device_id <> '(unknown)';
