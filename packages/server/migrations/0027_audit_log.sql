-- Tamper-evident audit log (MLPS level 3 安全审计; docs/security.md "Audit").
-- Append-only: each entry's hash is SHA-256 over its content and the previous entry's hash, so an
-- entry changed or removed by hand in SQL breaks the chain (`onegrid audit verify`). The one-row
-- `audit_chain` is the chain head (last seq and hash, updated in the same statement that appends,
-- which also serialises writers) and the anchor (seq and hash of the last pruned entry, so the
-- chain stays verifiable after retention removes the old end).
CREATE TABLE audit_chain (
  id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  seq bigint NOT NULL,
  hash text NOT NULL,
  -- the hash the head entry links to (its prevHash), so the append statement reads it from the
  -- locked row and never from a snapshot that may predate the previous writer's commit
  prev_hash text NOT NULL,
  anchor_seq bigint NOT NULL,
  anchor_hash text NOT NULL
);
INSERT INTO audit_chain (id, seq, hash, prev_hash, anchor_seq, anchor_hash)
VALUES (1, 0, repeat('0', 64), repeat('0', 64), 0, repeat('0', 64));

CREATE TABLE audit_log (
  seq bigint PRIMARY KEY,
  at timestamptz NOT NULL,
  actor text NOT NULL,
  action text NOT NULL,
  object text,
  ip text,
  details jsonb NOT NULL DEFAULT '{}'::jsonb,
  prev_hash text NOT NULL,
  hash text NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor_at ON audit_log (actor, at);
CREATE INDEX audit_log_action_at ON audit_log (action text_pattern_ops, at);

-- Only the retention job may delete (it sets onegrid.audit_prune for its own transaction);
-- nobody may update an entry or truncate the log.
CREATE FUNCTION audit_log_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('onegrid.audit_prune', true) = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_guard();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_guard();

-- The head only moves forward one entry at a time; the anchor moves only while pruning.
CREATE FUNCTION audit_chain_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'UPDATE' THEN
    RAISE EXCEPTION 'audit_chain cannot be % ', TG_OP USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF current_setting('onegrid.audit_prune', true) = 'on' THEN
    IF NEW.seq <> OLD.seq OR NEW.hash <> OLD.hash OR NEW.anchor_seq < OLD.anchor_seq THEN
      RAISE EXCEPTION 'pruning may only move the audit anchor forward' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
  END IF;
  IF NEW.seq <> OLD.seq + 1 OR NEW.anchor_seq <> OLD.anchor_seq OR NEW.anchor_hash <> OLD.anchor_hash THEN
    RAISE EXCEPTION 'the audit chain head only moves forward by one entry' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;
-- The WHEN clause keeps the append path free of PL/pgSQL (it is evaluated in C): the function
-- only runs for an update that is not one step forward.
CREATE TRIGGER audit_chain_forward BEFORE UPDATE ON audit_chain
  FOR EACH ROW WHEN (NEW.seq <> OLD.seq + 1 OR NEW.anchor_seq <> OLD.anchor_seq OR NEW.anchor_hash <> OLD.anchor_hash)
  EXECUTE FUNCTION audit_chain_guard();
CREATE TRIGGER audit_chain_no_delete BEFORE DELETE ON audit_chain
  FOR EACH ROW EXECUTE FUNCTION audit_chain_guard();
CREATE TRIGGER audit_chain_no_truncate BEFORE TRUNCATE ON audit_chain
  FOR EACH STATEMENT EXECUTE FUNCTION audit_chain_guard();

-- Where the deployment's application role is not the owner, it gets no UPDATE or DELETE at all
-- (the owner keeps them for the retention job; the triggers above hold for everyone).
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC;
REVOKE DELETE, TRUNCATE ON audit_chain FROM PUBLIC;
