/**
 * One step of a case in one statement: the change of the case row (INSERT of a new case or the
 * versioned UPDATE), its timeline entry, its outbox event and its audit entry as data-modifying
 * CTEs, answering the case as lists and details read it. The same writes as four statements in
 * the same transaction, in one round trip: the writes that follow the change happen only if the
 * change happened (a stale version writes nothing), and the audit chain's head is locked by the
 * statement as it was by the separate append (docs/benchmarks.md, "Case actions").
 */
import type { CaseEffect, TimelineEntry } from '@onegrid/domain';
import { auditAppendCtes, auditAppendParams } from '../audit/audit.repository.ts';
import type { PreparedAudit } from '../audit/audit.ts';
import type { Queryable } from '../db/db.ts';
import { type CaseRow, caseColumns, caseFrom } from './case.repository.ts';

export interface StepWrites {
  event: {
    entry: TimelineEntry | (Omit<TimelineEntry, 'action'> & { action: string });
    effects: readonly CaseEffect[];
    actorName: string | null;
  };
  outbox: { topic: string; areaCode: string | null; payload: Record<string, unknown> };
  audit?: PreparedAudit | undefined;
}

/**
 * Runs `head` (an INSERT or UPDATE of `cases` … RETURNING *, its parameters numbered from $1)
 * with the writes that go with it; the case row after the change, or undefined when `head`
 * changed no row (then nothing else was written either).
 */
export async function caseStep(
  db: Queryable,
  head: { sql: string; params: unknown[] },
  w: StepWrites,
): Promise<CaseRow | undefined> {
  const params = [...head.params];
  const $ = (v: unknown, type: string) => {
    params.push(v);
    return `$${params.length}::${type}`;
  };
  const e = w.event.entry;
  const lng = e.location?.lng ?? null;
  const lat = e.location?.lat ?? null;
  const ctes = [
    `u AS (${head.sql})`,
    `ev AS (INSERT INTO case_events (case_id, seq, action, actor_id, actor_name, actor_role, at, from_status,
       to_status, from_pending, to_pending, note, photos, location, data, effects)
     SELECT u.id, (SELECT coalesce(max(x.seq), 0) + 1 FROM case_events x WHERE x.case_id = u.id),
       ${$(e.action, 'text')}, ${$(e.actorId, 'text')}, ${$(w.event.actorName, 'text')}, ${$(e.actorRole, 'text')},
       ${$(e.at, 'timestamptz')}, ${$(e.fromStatus, 'text')}, ${$(e.toStatus, 'text')}, ${$(e.fromPending, 'text')},
       ${$(e.toPending, 'text')}, ${$(e.note, 'text')}, ${$(JSON.stringify(e.photos), 'jsonb')},
       ${lng === null || lat === null ? 'NULL' : `ST_SetSRID(ST_MakePoint(${$(lng, 'float8')}, ${$(lat, 'float8')}), 4326)`},
       ${$(JSON.stringify(e.data), 'jsonb')}, ${$(JSON.stringify(w.event.effects), 'jsonb')}
     FROM u)`,
    `ob AS (INSERT INTO outbox (topic, area_code, payload)
     SELECT ${$(w.outbox.topic, 'text')}, ${$(w.outbox.areaCode, 'text')}, ${$(JSON.stringify(w.outbox.payload), 'jsonb')}
     FROM u)`,
  ];
  if (w.audit) {
    const first = params.length + 1;
    params.push(...auditAppendParams(w.audit.text, w.audit.row));
    const a = auditAppendCtes(first, 'EXISTS (SELECT 1 FROM u)', 'chain');
    ctes.push(`chain AS (${a.chain})`, `al AS (${a.insert})`);
  }
  const r = await db.query<CaseRow>(
    `WITH ${ctes.join(',\n')}
     SELECT ${caseColumns} ${caseFrom.replace('FROM cases c', 'FROM u c')}`,
    params,
  );
  return r.rows[0];
}
