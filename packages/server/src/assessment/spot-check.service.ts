/**
 * Empty-grid spot checks (空网格抽查): unit grids with no report in a period are sampled at
 * random — seeded, so the same seed over the same data draws the same grids — weighted by area
 * class (core areas more often), and sent to the grid's inspectors as verification tasks. A find
 * counts as a missed report of that inspector in the period checked.
 */
import type { AreaClass } from '@onegrid/domain';
import type { Db } from '../db/db.ts';
import { AppError } from '../errors.ts';
import type { Period } from './assessment.repository.ts';

/** Sampling weight per area class (configurable default). */
export const defaultSpotCheckWeights: Readonly<Record<AreaClass, number>> = { A: 3, B: 2, C: 1 };

export interface SpotCheck {
  id: number;
  unitGridCode: string;
  inspectorId: number | null;
  inspectorName: string | null;
  from: string;
  to: string;
  seed: string;
  status: 'open' | 'found' | 'clean';
  foundCaseId: number | null;
  createdAt: string;
  resultAt: string | null;
}

/** mulberry32 over a 32-bit FNV-1a hash of the seed: small, fast, reproducible everywhere. */
export function seededRandom(seed: string): () => number {
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) {
    h ^= seed.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  let a = h >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Weighted sampling without replacement (Efraimidis–Spirakis keys u^(1/w)), in input order. */
export function weightedSample<T>(
  items: readonly T[],
  weight: (t: T) => number,
  n: number,
  seed: string,
): T[] {
  const random = seededRandom(seed);
  return items
    .map((item) => ({ item, key: random() ** (1 / Math.max(weight(item), 1e-9)) }))
    .sort((a, b) => b.key - a.key)
    .slice(0, Math.max(0, n))
    .map((x) => x.item);
}

const select = `SELECT s.id::int AS id, s.unit_grid_code AS "unitGridCode", s.inspector_id::int AS "inspectorId",
    u.display_name AS "inspectorName", s.period_from AS "from", s.period_to AS "to", s.seed, s.status,
    s.found_case_id::int AS "foundCaseId", s.created_at AS "createdAt", s.result_at AS "resultAt"
  FROM spot_checks s LEFT JOIN users u ON u.id = s.inspector_id`;

type Raw = Omit<SpotCheck, 'from' | 'to' | 'createdAt' | 'resultAt'> & {
  from: Date;
  to: Date;
  createdAt: Date;
  resultAt: Date | null;
};
const iso = (d: Date | string) => new Date(d).toISOString();
const toJson = (r: Raw): SpotCheck => ({
  ...r,
  from: iso(r.from),
  to: iso(r.to),
  createdAt: iso(r.createdAt),
  resultAt: r.resultAt ? iso(r.resultAt) : null,
});

export function spotCheckService({
  db,
  clock,
  weights = defaultSpotCheckWeights,
}: {
  db: Db;
  clock: () => Date;
  weights?: Readonly<Record<AreaClass, number>>;
}) {
  /** Unit grids in scope with no report event in the period, in code order. */
  async function emptyGrids(p: Period, scope: string) {
    const r = await db.query<{ code: string; areaClass: AreaClass; inspectorId: number | null }>(
      `SELECT g.code, g.area_class AS "areaClass",
          (SELECT min(i.user_id)::int FROM duty_grid_inspectors i WHERE i.duty_grid_code = g.duty_grid_code) AS "inspectorId"
       FROM unit_grids g
       WHERE g.code LIKE $3 AND NOT EXISTS (
         SELECT 1 FROM cases c JOIN case_events e ON e.case_id = c.id
         WHERE c.unit_grid_code = g.code AND e.action = 'report' AND e.at >= $1 AND e.at < $2)
       ORDER BY g.code`,
      [p.from, p.to, `${scope}%`],
    );
    return r.rows;
  }

  async function draw(q: { period: Period; scope: string; sampleSize: number; seed: string; by: number }) {
    if (!(q.period.from < q.period.to))
      throw new AppError('validation_failed', 'from must be before to', { field: 'from' });
    const empty = await emptyGrids(q.period, q.scope);
    const chosen = weightedSample(empty, (g) => weights[g.areaClass] ?? 1, q.sampleSize, q.seed);
    const now = clock();
    const ids: number[] = [];
    await db.transaction(async (tx) => {
      for (const g of chosen) {
        // Drawing again with the same seed and period returns the same tasks, not new ones.
        const existing = await tx.query<{ id: number }>(
          `SELECT id::int AS id FROM spot_checks
           WHERE unit_grid_code = $1 AND seed = $2 AND period_from = $3 AND period_to = $4`,
          [g.code, q.seed, q.period.from, q.period.to],
        );
        if (existing.rows[0]) {
          ids.push(existing.rows[0].id);
          continue;
        }
        const r = await tx.query<{ id: number }>(
          `INSERT INTO spot_checks (unit_grid_code, inspector_id, period_from, period_to, seed, created_by, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id::int AS id`,
          [g.code, g.inspectorId, q.period.from, q.period.to, q.seed, q.by, now],
        );
        ids.push(r.rows[0]?.id as number);
      }
    });
    const rows = ids.length
      ? (await db.query<Raw>(`${select} WHERE s.id = ANY($1::bigint[]) ORDER BY s.id`, [ids])).rows
      : [];
    return { emptyGrids: empty.length, checks: rows.map(toJson) };
  }

  async function list(q: { scope: string; inspectorId?: number; status?: string }) {
    const r = await db.query<Raw>(
      `${select} WHERE s.unit_grid_code LIKE $1 AND ($2::bigint IS NULL OR s.inspector_id = $2)
         AND ($3::text IS NULL OR s.status = $3) ORDER BY s.id DESC LIMIT 1000`,
      [`${q.scope}%`, q.inspectorId ?? null, q.status ?? null],
    );
    return r.rows.map(toJson);
  }

  async function record(q: {
    id: number;
    found: boolean;
    caseId?: number;
    by: { id: number; role: string; scopeCode: string };
  }) {
    const r = await db.query<Raw>(`${select} WHERE s.id = $1`, [q.id]);
    const check = r.rows[0];
    if (!check?.unitGridCode.startsWith(q.by.scopeCode))
      throw new AppError('not_found', `No spot check ${q.id}`);
    if (q.by.role === 'inspector' && check.inspectorId !== q.by.id)
      throw new AppError('forbidden', 'This spot check is assigned to another inspector');
    if (check.status !== 'open')
      throw new AppError('conflict', 'The result of this spot check is already recorded');
    if (q.found && q.caseId !== undefined) {
      const c = await db.query('SELECT 1 FROM cases WHERE id = $1 AND unit_grid_code = $2', [
        q.caseId,
        check.unitGridCode,
      ]);
      if (!c.rows.length)
        throw new AppError('validation_failed', `Case ${q.caseId} is not in grid ${check.unitGridCode}`, {
          field: 'caseId',
        });
    }
    await db.query('UPDATE spot_checks SET status = $2, found_case_id = $3, result_at = $4 WHERE id = $1', [
      q.id,
      q.found ? 'found' : 'clean',
      q.found ? (q.caseId ?? null) : null,
      clock(),
    ]);
    const after = await db.query<Raw>(`${select} WHERE s.id = $1`, [q.id]);
    return toJson(after.rows[0] as Raw);
  }

  return { emptyGrids, draw, list, record };
}
export type SpotCheckService = ReturnType<typeof spotCheckService>;
