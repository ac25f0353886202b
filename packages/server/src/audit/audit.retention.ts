import type { Db } from '../db/db.ts';
import { periodic } from '../roles/roles.ts';
import { pruneAudit } from './audit.service.ts';

/**
 * Prunes audit entries past retention once an hour (and once shortly after start). Pruning takes
 * the chain head's lock, so two processes doing it at once simply run one after the other.
 */
export function startAuditRetention({
  db,
  days,
  everyMs = 3_600_000,
  onError,
}: {
  db: Db;
  days: number;
  everyMs?: number;
  onError: (e: unknown) => void;
}) {
  return periodic(() => pruneAudit(db, days), { everyMs, firstAfterMs: 60_000, onError });
}
