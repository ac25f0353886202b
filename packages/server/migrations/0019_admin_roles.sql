-- 三员分立 (MLPS level 3): the security administrator (users, passwords, sessions) and the
-- auditor (the audit log) beside the system administrator (configuration).
ALTER TABLE users DROP CONSTRAINT IF EXISTS users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
  CHECK (role IN ('admin', 'security', 'auditor', 'leader', 'operator', 'dispatcher', 'handler', 'inspector'));
