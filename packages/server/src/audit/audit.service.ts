import { type AuditEntry, minAuditRetentionDays } from '@onegrid/domain';
import type { Db } from '../db/db.ts';
import { auditContentText, chainHash } from './audit.hash.ts';
import { type AuditFilter, auditRepository } from './audit.repository.ts';
import { audit } from './audit.ts';

export interface VerifyResult {
  ok: boolean;
  /** Entries checked, from the anchor to the head. */
  checked: number;
  head: { seq: number; hash: string };
  anchor: { seq: number; hash: string };
  /** The first entry found changed or missing, and why. */
  broken?: { seq: number; reason: string };
}

/**
 * Walks the chain from the anchor (the last pruned entry, or the genesis) to the head and
 * recomputes every hash. Reports the first entry that was changed, removed or re-linked.
 */
export async function verifyAuditChain(db: Db, pageSize = 5000): Promise<VerifyResult> {
  const repo = auditRepository(db);
  const c = await repo.chain();
  const result = (broken?: VerifyResult['broken'], checked = 0): VerifyResult => ({
    ok: !broken,
    checked,
    head: { seq: c.seq, hash: c.hash },
    anchor: { seq: c.anchorSeq, hash: c.anchorHash },
    ...(broken ? { broken } : {}),
  });
  let prev = { seq: c.anchorSeq, hash: c.anchorHash };
  let checked = 0;
  let after = -1;
  for (;;) {
    const page = await repo.page(after, pageSize);
    if (page.length === 0) break;
    after = page[page.length - 1]!.seq;
    for (const e of page) {
      if (e.seq <= c.anchorSeq) {
        return result({ seq: e.seq, reason: `entry ${e.seq} lies before the retention anchor` }, checked);
      }
      const expected = prev.seq + 1;
      if (e.seq !== expected) {
        return result({ seq: expected, reason: `entry ${expected} is missing (removed)` }, checked);
      }
      const own = chainHash(e.prevHash, e.seq, auditContentText(e));
      if (own !== e.hash) {
        return result(
          { seq: e.seq, reason: `entry ${e.seq} was changed (its hash does not match)` },
          checked,
        );
      }
      if (e.prevHash !== prev.hash) {
        // The entry itself is whole, so the one before it was rewritten (hash recomputed by hand).
        const seq = e.seq - 1 > c.anchorSeq ? e.seq - 1 : e.seq;
        return result({ seq, reason: `entry ${e.seq} does not link to entry ${e.seq - 1}` }, checked);
      }
      prev = { seq: e.seq, hash: e.hash };
      checked++;
    }
  }
  if (prev.seq !== c.seq) {
    return result(
      { seq: prev.seq + 1, reason: `entries ${prev.seq + 1} to ${c.seq} are missing (removed)` },
      checked,
    );
  }
  if (prev.hash !== c.hash) {
    return result({ seq: prev.seq, reason: `entry ${prev.seq} does not match the chain head` }, checked);
  }
  return result(undefined, checked);
}

/**
 * Retention: removes entries older than `days` from the old end, keeping the chain verifiable by
 * moving the anchor to the last removed entry (its seq and hash). Runs in one transaction that
 * holds the chain head, and records itself.
 */
export async function pruneAudit(db: Db, days: number, now = new Date()): Promise<number> {
  if (days < minAuditRetentionDays) {
    throw new Error(`audit retention must be at least ${minAuditRetentionDays} days, got ${days}`);
  }
  const cutoff = new Date(now.getTime() - days * 86_400_000);
  return db.transaction(async (tx) => {
    await tx.query('SELECT 1 FROM audit_chain WHERE id = 1 FOR UPDATE');
    const last = await tx.query<{ seq: number; hash: string }>(
      `SELECT seq::float8 AS seq, hash FROM audit_log WHERE at < $1 ORDER BY seq DESC LIMIT 1`,
      [cutoff],
    );
    const boundary = last.rows[0];
    if (!boundary) return 0;
    await tx.query(`SELECT set_config('onegrid.audit_prune', 'on', true)`);
    const removed = await tx.query('DELETE FROM audit_log WHERE seq <= $1', [boundary.seq]);
    await tx.query('UPDATE audit_chain SET anchor_seq = $1, anchor_hash = $2 WHERE id = 1', [
      boundary.seq,
      boundary.hash,
    ]);
    await tx.query(`SELECT set_config('onegrid.audit_prune', 'off', true)`);
    await audit.record(tx, {
      action: 'audit.prune',
      object: 'audit-log',
      actor: 'system',
      ip: null,
      details: { before: cutoff.toISOString(), removed: removed.rowCount, anchorSeq: boundary.seq, days },
    });
    return removed.rowCount;
  });
}

export function auditService({ db }: { db: Db }) {
  return {
    list: (filter: AuditFilter): Promise<AuditEntry[]> => auditRepository(db).list(filter),
    verify: () => verifyAuditChain(db),
  };
}
export type AuditService = ReturnType<typeof auditService>;

/** CSV of entries for the auditor's export (UTF-8 with BOM so Excel reads 中文). */
export function auditCsv(entries: AuditEntry[]): string {
  const cell = (v: unknown) => {
    const s = v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
    // Formula injection: a cell starting with = + - @ is text, not a formula, in a spreadsheet.
    const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
    return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  const head = ['seq', 'at', 'actor', 'action', 'object', 'ip', 'details', 'prevHash', 'hash'];
  const lines = entries.map((e) =>
    [e.seq, e.at, e.actor, e.action, e.object, e.ip, e.details, e.prevHash, e.hash].map(cell).join(','),
  );
  return `\uFEFF${head.join(',')}\n${lines.join('\n')}\n`;
}
