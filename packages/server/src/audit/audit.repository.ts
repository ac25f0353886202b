import type { AuditEntry } from '@onegrid/domain';
import type { Queryable } from '../db/db.ts';

export interface AuditRow {
  at: Date;
  actor: string;
  action: string;
  object: string | null;
  ip: string | null;
  details: Record<string, unknown>;
}

export interface AuditFilter {
  from?: Date;
  to?: Date;
  actor?: string;
  /** An exact action or a prefix ending in a dot (`config.`). */
  action?: string;
  /** An exact object or a prefix ending in a colon (`case:`). */
  object?: string;
  /** Entries older than this seq (paging, newest first). */
  before?: number;
  limit: number;
}

const entryColumns = `seq::float8 AS seq, at, actor, action, object, ip, details,
  prev_hash AS "prevHash", hash`;

type DbEntry = Omit<AuditEntry, 'at'> & { at: Date };
const toEntry = (r: DbEntry): AuditEntry => ({ ...r, at: r.at.toISOString() });

/**
 * The two data-modifying parts of an append, for a statement of its own or as CTEs of a larger
 * one. `$N` placeholders are numbered from `first`: content text, at, actor, action, object, ip,
 * details. `when` (SQL) gates the head update (the entry is written only if it holds); the head
 * update's CTE is to be named `chainName`.
 */
export function auditAppendCtes(
  first: number,
  when = 'true',
  chainName = 'c',
): { chain: string; insert: string } {
  const p = (i: number) => `$${first + i}`;
  return {
    chain: `UPDATE audit_chain
     SET seq = seq + 1,
         prev_hash = hash,
         hash = encode(sha256(convert_to(hash || E'\\n' || (seq + 1)::text || E'\\n' || ${p(0)}::text, 'UTF8')), 'hex')
   WHERE id = 1 AND ${when}
  RETURNING seq, prev_hash, hash`,
    insert: `INSERT INTO audit_log (seq, at, actor, action, object, ip, details, prev_hash, hash)
SELECT c.seq, ${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)}::jsonb, c.prev_hash, c.hash FROM ${chainName} c`,
  };
}

/** The parameters of `auditAppendCtes`, in its order. */
export const auditAppendParams = (contentText: string, row: AuditRow): unknown[] => [
  contentText,
  row.at,
  row.actor,
  row.action,
  row.object,
  row.ip,
  JSON.stringify(row.details),
];

/**
 * Appends one entry in one statement: the chain head row is updated (which locks it until the
 * caller's transaction ends, serialising the chain) and the hash is computed from the locked
 * head, so two transactions can never link to the same previous entry.
 */
const appendParts = auditAppendCtes(1);
const appendSql = `WITH c AS (
  ${appendParts.chain}
)
${appendParts.insert}
RETURNING seq::float8 AS seq`;

export function auditRepository(db: Queryable) {
  return {
    async append(contentText: string, row: AuditRow): Promise<number> {
      const r = await db.query<{ seq: number }>(appendSql, auditAppendParams(contentText, row));
      return r.rows[0]!.seq;
    },

    async list(f: AuditFilter): Promise<AuditEntry[]> {
      const where: string[] = [];
      const params: unknown[] = [];
      const add = (sql: string, v: unknown) => {
        params.push(v);
        where.push(sql.replaceAll('?', `$${params.length}`));
      };
      if (f.from) add('at >= ?', f.from);
      if (f.to) add('at < ?', f.to);
      if (f.actor) add('actor = ?', f.actor);
      if (f.action) {
        if (f.action.endsWith('.')) add('action LIKE ?', `${escapeLike(f.action)}%`);
        else add(`(action = ? OR action LIKE ? || '.%')`, f.action);
      }
      if (f.object) {
        if (f.object.endsWith(':')) add('object LIKE ?', `${escapeLike(f.object)}%`);
        else add('object = ?', f.object);
      }
      if (f.before !== undefined) add('seq < ?', f.before);
      params.push(f.limit);
      const r = await db.query<DbEntry>(
        `SELECT ${entryColumns} FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
          ORDER BY seq DESC LIMIT $${params.length}`,
        params,
      );
      return r.rows.map(toEntry);
    },

    /** Entries in chain order after `afterSeq`, a page at a time (verify). */
    async page(afterSeq: number, limit: number): Promise<AuditEntry[]> {
      const r = await db.query<DbEntry>(
        `SELECT ${entryColumns} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2`,
        [afterSeq, limit],
      );
      return r.rows.map(toEntry);
    },

    async chain(): Promise<{ seq: number; hash: string; anchorSeq: number; anchorHash: string }> {
      const r = await db.query<{ seq: number; hash: string; anchorSeq: number; anchorHash: string }>(
        `SELECT seq::float8 AS seq, hash, anchor_seq::float8 AS "anchorSeq", anchor_hash AS "anchorHash"
           FROM audit_chain WHERE id = 1`,
      );
      return r.rows[0]!;
    },
  };
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}
