-- The outbox reader must not skip an event whose transaction commits after a later one's
-- (ids are taken at insert, visibility comes at commit). Each row records the id of the
-- transaction that wrote it; the reader only moves its cursor over transactions older than the
-- oldest one still running (pg_snapshot_xmin), so nothing can appear behind it later.
ALTER TABLE outbox ADD COLUMN xid xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX outbox_xid_idx ON outbox (xid, id);
-- Retention deletes by age.
CREATE INDEX outbox_created_idx ON outbox (created_at);
