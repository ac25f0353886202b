-- Leases: work that must run once across a deployment (the scheduler role's deadlines, 督办,
-- rollups, retention, vitals history) runs in the one process holding the lease. The holder
-- renews it well within `expires_at`; when it stops renewing (stopped, killed, cut off) another
-- scheduler takes the row over once it has expired. A row rather than an advisory lock: it needs
-- no dedicated connection, survives a pool reconnect, works on PGlite too, and says who holds it.
CREATE TABLE leases (
  name text PRIMARY KEY,
  holder text NOT NULL,
  acquired_at timestamptz NOT NULL DEFAULT now(),
  renewed_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
