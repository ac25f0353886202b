/**
 * Assessment counters, computed from the timeline (case_events) joined to cases — never from the
 * snapshot's counters, which can drift.
 *
 * COUNTING RULES (docs/assessment.md):
 * - A step counts in the period its event happened ([from, to), by `case_events.at`): a case
 *   reported in March and closed in April adds to March's "reported" and April's "closed".
 * - On time = the `deadline-stopped` effect the step wrote (not cancelled) says `onTime`; the
 *   engine already moved deadlines for suspensions (挂账), hand-ups and approved extensions.
 * - A rework (verify ✗) reopens handling: the next `handle` is due again and counts again.
 * - A merged duplicate is never filed; a confirmed public report that was merged into another
 *   case is not a missed report (the problem was already known).
 * - Open cases whose handling deadline fell in the period and passed unhandled count as due
 *   (to handle and to close) for that period.
 * Each counter is (subject key, filter) over one scan of the period; the drill-down reuses the
 * very same expressions, so a figure and its cases cannot disagree.
 */
import {
  type AssessedAreaLevel,
  type AssessmentLevel,
  defaultSourcePolicies,
  terminalStatuses,
} from '@onegrid/domain';
import type { Db } from '../db/db.ts';
import { assessmentRollup } from './assessment.rollup.ts';

export interface Period {
  readonly from: Date;
  readonly to: Date;
}

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
const list = (xs: readonly string[]) => xs.map(quote).join(', ');
const publicSources = list(
  Object.entries(defaultSourcePolicies)
    .filter(([, p]) => p.publicReport)
    .map(([s]) => s),
);
const terminal = list(terminalStatuses);
const stopped = (step: string, onTime?: boolean) =>
  `e.effects @> '[{"type":"deadline-stopped","step":"${step}","cancelled":false${onTime ? ',"onTime":true' : ''}}]'`;
const dispatchedNow = `e.effects @> '[{"type":"department-set"}]'`;
const filerOf = `(SELECT a.actor_id FROM case_events a WHERE a.case_id = e.case_id AND a.action = 'accept' AND a.seq < e.seq ORDER BY a.seq DESC LIMIT 1)`;
const dispatcherOf = `(SELECT a.actor_id FROM case_events a WHERE a.case_id = e.case_id AND a.seq < e.seq AND a.effects @> '[{"type":"department-set"}]' ORDER BY a.seq DESC LIMIT 1)`;

interface CounterSpec {
  readonly key: string;
  readonly filter: string;
}
interface LevelSpec {
  /** Subject key expressions, by name. */
  readonly keys: Readonly<Record<string, string>>;
  /** Narrows the scan to the events any counter uses. */
  readonly where: string;
  readonly counters: Readonly<Record<string, CounterSpec & { keyName: string }>>;
}

function spec(
  keys: Record<string, string>,
  where: string,
  counters: Record<string, [keyName: string, filter: string]>,
): LevelSpec {
  return {
    keys,
    where,
    counters: Object.fromEntries(
      Object.entries(counters).map(([name, [keyName, filter]]) => [
        name,
        { keyName, key: keys[keyName] as string, filter },
      ]),
    ),
  };
}

function levelSpec(level: AssessmentLevel, verifyDispatchMinutes: number): LevelSpec {
  switch (level) {
    case 'inspector':
      return spec(
        {
          actor: `CASE WHEN e.actor_role = 'inspector' THEN e.actor_id END`,
          reporter: `CASE WHEN e.action = 'accept' THEN c.reporter_user_id::text END`,
        },
        `(e.actor_role = 'inspector' AND e.action IN ('report', 'confirm-report', 'verify')) OR (e.action = 'accept' AND c.source = 'inspector')`,
        {
          reported: ['actor', `e.action = 'report'`],
          filed: ['reporter', `e.action = 'accept' AND c.source = 'inspector'`],
          verifyDue: ['actor', `e.action = 'confirm-report' AND ${stopped('verify-report')}`],
          verifyOnTime: ['actor', `e.action = 'confirm-report' AND ${stopped('verify-report', true)}`],
          checkDue: ['actor', `e.action = 'verify' AND ${stopped('check')}`],
          checkOnTime: ['actor', `e.action = 'verify' AND ${stopped('check', true)}`],
        },
      );
    case 'operator':
      return spec(
        { actor: 'e.actor_id' },
        `e.actor_role = 'operator' AND e.action IN ('accept', 'reject', 'merge', 'verify-report')`,
        {
          volume: ['actor', 'true'],
          verifyDispatched: ['actor', `e.action = 'verify-report'`],
          verifyDispatchedOnTime: [
            'actor',
            `e.action = 'verify-report' AND e.at <= c.created_at + interval '${Math.round(verifyDispatchMinutes)} minutes'`,
          ],
          // The check task goes to the inspector automatically when the department reports back:
          // there is no operator step to time (null rate, left out of the score).
          checkDispatched: ['actor', 'false'],
          checkDispatchedOnTime: ['actor', 'false'],
        },
      );
    case 'shiftLead':
      return spec(
        {
          actor: 'e.actor_id',
          filer: `CASE WHEN e.action = 'reject' AND e.from_status = 'filed' THEN ${filerOf} END`,
        },
        `(e.actor_role = 'operator' AND e.action IN ('accept', 'close')) OR (e.action = 'reject' AND e.from_status = 'filed')`,
        {
          filed: ['actor', `e.action = 'accept' AND e.actor_role = 'operator'`],
          filingDue: ['actor', `e.action = 'accept' AND e.actor_role = 'operator' AND ${stopped('filing')}`],
          filedOnTime: [
            'actor',
            `e.action = 'accept' AND e.actor_role = 'operator' AND ${stopped('filing', true)}`,
          ],
          voided: ['filer', `e.action = 'reject' AND e.from_status = 'filed'`],
          closed: ['actor', `e.action = 'close' AND e.actor_role = 'operator'`],
          closedOnTime: [
            'actor',
            `e.action = 'close' AND e.actor_role = 'operator' AND coalesce(e.data->>'closeType', '') <> 'overdue'`,
          ],
        },
      );
    case 'dispatcher':
      return spec(
        {
          actor: `CASE WHEN e.actor_role = 'dispatcher' THEN e.actor_id END`,
          original: `CASE WHEN e.action = 'approve-return' THEN ${dispatcherOf} END`,
        },
        `(e.actor_role = 'dispatcher' AND (${dispatchedNow} OR ${stopped('dispatch')})) OR e.action = 'approve-return'`,
        {
          dispatched: ['actor', `e.actor_role = 'dispatcher' AND ${dispatchedNow}`],
          dispatchDue: ['actor', `e.actor_role = 'dispatcher' AND ${stopped('dispatch')}`],
          dispatchedOnTime: ['actor', `e.actor_role = 'dispatcher' AND ${stopped('dispatch', true)}`],
          returned: ['original', `e.action = 'approve-return'`],
        },
      );
    case 'department':
      return spec(
        {
          to: `CASE WHEN ${dispatchedNow} THEN e.data->>'departmentCode' END`,
          dept: 'c.department_code',
        },
        `${dispatchedNow} OR e.action IN ('close', 'self-handle', 'handle') OR (e.action = 'verify' AND e.effects @> '[{"type":"rework"}]')`,
        {
          cases: ['to', dispatchedNow],
          closed: ['dept', `e.action IN ('close', 'self-handle') AND c.department_code IS NOT NULL`],
          handled: ['dept', `e.action = 'handle' AND ${stopped('handling')}`],
          handledOnTime: ['dept', `e.action = 'handle' AND ${stopped('handling', true)}`],
          reworks: ['dept', `e.action = 'verify' AND e.effects @> '[{"type":"rework"}]'`],
        },
      );
    default:
      return spec(
        {
          grid: 'c.unit_grid_code',
          community: 'c.community_code',
          street: 'c.street_code',
          district: 'c.district_code',
        },
        'true',
        {
          reported: ['grid', `e.action = 'report'`],
          filed: ['grid', `e.action = 'accept'`],
          publicConfirmed: [
            'grid',
            `e.action = 'confirm-report' AND e.data->>'confirmed' = 'true' AND c.source IN (${publicSources}) AND c.merged_into IS NULL`,
          ],
          dispatched: [
            'grid',
            `e.action IN ('dispatch', 'auto-dispatch', 'approve-return', 'hand-down') AND ${dispatchedNow}`,
          ],
          closed: ['grid', `e.action IN ('close', 'self-handle')`],
          closedOnTime: [
            'grid',
            `e.action IN ('close', 'self-handle') AND coalesce(e.data->>'closeType', '') <> 'overdue'`,
          ],
          // For the four aspects (aspects.ts): the same step counters as the people levels, by place.
          verifyDue: ['grid', `e.action = 'confirm-report' AND ${stopped('verify-report')}`],
          verifyOnTime: ['grid', `e.action = 'confirm-report' AND ${stopped('verify-report', true)}`],
          checkDue: ['grid', `e.action = 'verify' AND ${stopped('check')}`],
          checkOnTime: ['grid', `e.action = 'verify' AND ${stopped('check', true)}`],
          filingDue: ['grid', `e.action = 'accept' AND ${stopped('filing')}`],
          filedOnTime: ['grid', `e.action = 'accept' AND ${stopped('filing', true)}`],
          voided: ['grid', `e.action = 'reject' AND e.from_status = 'filed'`],
          dispatchDue: ['grid', stopped('dispatch')],
          dispatchedOnTime: ['grid', stopped('dispatch', true)],
          handled: ['grid', `e.action = 'handle' AND ${stopped('handling')}`],
          handledOnTime: ['grid', `e.action = 'handle' AND ${stopped('handling', true)}`],
          selfHandled: ['grid', `e.action = 'self-handle'`],
          rejected: ['grid', `e.action = 'reject'`],
          returns: ['grid', `e.action = 'approve-return'`],
          reworks: ['grid', `e.action = 'verify' AND e.effects @> '[{"type":"rework"}]'`],
          extensions: ['grid', `e.action = 'approve-extension'`],
          suspensions: [
            'grid',
            `e.action IN ('suspend', 'approve-suspension') AND e.effects @> '[{"type":"suspended"}]'`,
          ],
        },
      );
  }
}

/** Open cases whose handling deadline fell in the period and has passed, still not handled. */
const openOverdueWhere = `c.status NOT IN (${terminal})
  AND c.snapshot->'deadlines'->'handling' IS NOT NULL
  AND c.snapshot->'deadlines'->'handling'->>'completedAt' IS NULL
  AND c.snapshot->'deadlines'->'handling'->>'pausedAt' IS NULL
  AND coalesce((c.snapshot->'deadlines'->'handling'->>'cancelled')::boolean, false) = false
  AND (c.snapshot->'deadlines'->'handling'->>'dueAt')::timestamptz >= $1
  AND (c.snapshot->'deadlines'->'handling'->>'dueAt')::timestamptz < $2
  AND (c.snapshot->'deadlines'->'handling'->>'dueAt')::timestamptz < $4`;

export type KeyedCounts = Map<string, Record<string, number>>;
/** Area rows keep all four codes so the service rolls grids up to any level. */
export interface AreaCountRow {
  grid: string | null;
  community: string | null;
  street: string | null;
  district: string;
  counts: Record<string, number>;
}

/** Area counters keyed by the subject of one level, and the filed count of each unit grid. */
export interface AreaCounts {
  counts: KeyedCounts;
  gridFiled: Map<string, number>;
}

export interface CaseRef {
  id: number;
  number: string;
  status: string;
  category: string;
  areaCode: string;
  at: string;
}

/** The area counters as (name, filter) pairs: the live scan, the rollup and the drill-down share them. */
export function areaCounterFilters(): [name: string, filter: string][] {
  return Object.entries(levelSpec('grid', 0).counters).map(([n, c]) => [n, c.filter]);
}

export function assessmentRepository(db: Db) {
  const rollup = assessmentRollup(db, areaCounterFilters());
  /** Counts by subject for a people or department level. */
  async function countPeople(
    level: AssessmentLevel,
    p: Period,
    scope: string,
    now: Date,
    verifyDispatchMinutes: number,
  ): Promise<KeyedCounts> {
    const s = levelSpec(level, verifyDispatchMinutes);
    const keyNames = Object.keys(s.keys);
    const counterNames = Object.keys(s.counters);
    const sql = `SELECT ${keyNames.map((k, i) => `${s.keys[k]} AS k${i}`).join(', ')},
        ${counterNames.map((n, i) => `count(*) FILTER (WHERE ${s.counters[n]?.filter})::int AS c${i}`).join(', ')}
      FROM case_events e JOIN cases c ON c.id = e.case_id
      WHERE e.at >= $1 AND e.at < $2 AND c.area_code LIKE $3 AND (${s.where})
      GROUP BY ${keyNames.map((_, i) => i + 1).join(', ')}`;
    const r = await db.query<Record<string, string | number | null>>(sql, [p.from, p.to, `${scope}%`]);
    const out: KeyedCounts = new Map();
    const add = (key: string, name: string, n: number) => {
      let row = out.get(key);
      if (!row) {
        row = Object.fromEntries(counterNames.map((c) => [c, 0]));
        out.set(key, row);
      }
      row[name] = (row[name] ?? 0) + n;
    };
    for (const row of r.rows) {
      counterNames.forEach((name, i) => {
        const n = Number(row[`c${i}`] ?? 0);
        if (!n) return;
        const key = row[`k${keyNames.indexOf(s.counters[name]?.keyName ?? '')}`];
        if (key !== null && key !== undefined) add(String(key), name, n);
      });
    }
    if (level === 'department') {
      const o = await db.query<{ k: string; n: number }>(
        `SELECT c.department_code AS k, count(*)::int AS n FROM cases c
         WHERE c.department_code IS NOT NULL AND c.area_code LIKE $3 AND ${openOverdueWhere} GROUP BY 1`,
        [p.from, p.to, `${scope}%`, now],
      );
      for (const row of o.rows) add(row.k, 'openOverdue', row.n);
    }
    if (level === 'inspector') {
      // Missed reports: confirmed public reports in the inspector's responsibility grids, plus
      // what empty-grid spot checks of the period found.
      const m = await db.query<{ k: string; n: number }>(
        `SELECT k, sum(n)::int AS n FROM (
           SELECT i.user_id::text AS k, count(*) AS n
           FROM case_events e JOIN cases c ON c.id = e.case_id
           JOIN duty_grid_inspectors i ON i.duty_grid_code = c.duty_grid_code
           WHERE e.at >= $1 AND e.at < $2 AND c.area_code LIKE $3 AND e.action = 'confirm-report'
             AND e.data->>'confirmed' = 'true' AND c.source IN (${publicSources}) AND c.merged_into IS NULL
           GROUP BY 1
           UNION ALL
           SELECT s.inspector_id::text, count(*) FROM spot_checks s
           WHERE s.status = 'found' AND s.inspector_id IS NOT NULL AND s.period_from >= $1 AND s.period_from < $2
             AND s.unit_grid_code LIKE $3
           GROUP BY 1) x GROUP BY k`,
        [p.from, p.to, `${scope}%`],
      );
      for (const row of m.rows) add(row.k, 'missed', row.n);
    }
    return out;
  }

  /** The timeline of [from, to) scanned live, by place. */
  async function scanAreas(p: Period, scope: string): Promise<AreaCountRow[]> {
    const filters = areaCounterFilters();
    const r = await db.query<Record<string, string | number | null>>(
      `SELECT c.unit_grid_code AS grid, c.community_code AS community, c.street_code AS street,
          c.district_code AS district,
          ${filters.map(([, f], i) => `count(*) FILTER (WHERE ${f})::int AS c${i}`).join(', ')}
       FROM case_events e JOIN cases c ON c.id = e.case_id
       WHERE e.at >= $1 AND e.at < $2 AND c.area_code LIKE $3
       GROUP BY 1, 2, 3, 4`,
      [p.from, p.to, `${scope}%`],
    );
    return r.rows.map((row) => ({
      grid: row.grid as string | null,
      community: row.community as string | null,
      street: row.street as string | null,
      district: row.district as string,
      counts: Object.fromEntries(filters.map(([n], i) => [n, Number(row[`c${i}`] ?? 0)])),
    }));
  }

  /**
   * Area counters of a period, summed by subject of `level`, and the filed count of every unit
   * grid (the filed-count scores). Built whole months are read from the monthly tier — per area
   * from the totals when the scope allows, else per place — built whole days from the daily tier,
   * the rest (partial first and last days, anything not built) scanned live; same numbers either
   * way (tested).
   */
  async function countAreas(
    level: AssessedAreaLevel,
    p: Period,
    scope: string,
    now: Date,
  ): Promise<AreaCounts> {
    const names = areaCounterFilters().map(([n]) => n);
    const plan = await rollup.plan(p);
    const counts: KeyedCounts = new Map();
    const gridFiled = new Map<string, number>();
    const add = (key: string, c: Record<string, number>) => {
      const row = counts.get(key);
      if (!row) counts.set(key, { ...c });
      else for (const [k, v] of Object.entries(c)) row[k] = (row[k] ?? 0) + v;
    };
    const addPlace = (r: AreaCountRow) => {
      if (r.grid) gridFiled.set(r.grid, (gridFiled.get(r.grid) ?? 0) + (r.counts.filed ?? 0));
      const key = level === 'grid' ? r.grid : r[level];
      if (key) add(key, r.counts);
    };
    const months = async () => {
      if (!plan.months.length) return;
      const totals = await rollup.readTotals(level, plan.months, scope);
      if (!totals) {
        for (const r of await rollup.readPlaces('month', plan.months, scope)) addPlace(r);
        return;
      }
      const filed = await rollup.readGridFiled(plan.months, scope);
      for (const t of totals) add(t.code, t.counts);
      for (const g of filed) gridFiled.set(g.grid, (gridFiled.get(g.grid) ?? 0) + g.n);
    };
    const places = async () => {
      const parts = await Promise.all([
        plan.days.length ? rollup.readPlaces('day', plan.days, scope) : [],
        ...plan.live.map((x) => scanAreas(x, scope)),
      ]);
      for (const r of parts.flat()) addPlace(r);
    };
    const overdue = async () => {
      const o = await db.query<{
        grid: string | null;
        community: string | null;
        street: string | null;
        district: string;
        n: number;
      }>(
        `SELECT c.unit_grid_code AS grid, c.community_code AS community, c.street_code AS street,
            c.district_code AS district, count(*)::int AS n
         FROM cases c WHERE c.area_code LIKE $3 AND ${openOverdueWhere} GROUP BY 1, 2, 3, 4`,
        [p.from, p.to, `${scope}%`, now],
      );
      return o.rows.map((row) => ({
        ...row,
        counts: { ...Object.fromEntries(names.map((n) => [n, 0])), openOverdue: row.n },
      }));
    };
    const [, , open] = await Promise.all([months(), places(), overdue()]);
    for (const r of open) addPlace(r);
    return { counts, gridFiled };
  }

  /** The cases behind one figure: the same expressions as the count, narrowed to one subject. */
  async function casesBehind(
    level: AssessmentLevel,
    indicator: string,
    subject: string,
    p: Period,
    scope: string,
    now: Date,
    verifyDispatchMinutes: number,
    limit = 500,
  ): Promise<CaseRef[] | null> {
    const cols = `c.id::int AS id, c.number, c.status, c.category_code AS category, c.area_code AS "areaCode"`;
    const areaKey: Record<string, string> = {
      grid: 'c.unit_grid_code',
      community: 'c.community_code',
      street: 'c.street_code',
      district: 'c.district_code',
    };
    const areaLevel = areaKey[level] !== undefined;
    if (indicator === 'openOverdue' && (areaLevel || level === 'department')) {
      const key = areaLevel ? areaKey[level] : 'c.department_code';
      const r = await db.query<CaseRef>(
        `SELECT ${cols}, c.snapshot->'deadlines'->'handling'->>'dueAt' AS at FROM cases c
         WHERE c.area_code LIKE $3 AND ${openOverdueWhere} AND ${key} = $5 ORDER BY c.id LIMIT ${limit}`,
        [p.from, p.to, `${scope}%`, now, subject],
      );
      return r.rows;
    }
    const s = levelSpec(areaLevel ? 'grid' : level, verifyDispatchMinutes);
    const counter = s.counters[indicator];
    if (!counter) return null;
    const key = areaLevel ? (areaKey[level] as string) : counter.key;
    const r = await db.query<CaseRef & { at: Date }>(
      `SELECT DISTINCT ON (c.id) ${cols}, e.at FROM case_events e JOIN cases c ON c.id = e.case_id
       WHERE e.at >= $1 AND e.at < $2 AND c.area_code LIKE $3 AND (${s.where}) AND (${counter.filter})
         AND ${key} = $4
       ORDER BY c.id, e.at LIMIT ${limit}`,
      [p.from, p.to, `${scope}%`, subject],
    );
    return r.rows.map((row) => ({ ...row, at: new Date(row.at).toISOString() }));
  }

  async function names(level: AssessmentLevel, keys: readonly string[]): Promise<Map<string, string>> {
    if (!keys.length) return new Map();
    let sql: string;
    if (level === 'department') sql = 'SELECT code AS k, name FROM departments WHERE code = ANY($1::text[])';
    else if (level === 'grid')
      sql = 'SELECT code AS k, code AS name FROM unit_grids WHERE code = ANY($1::text[])';
    else if (level === 'community' || level === 'street' || level === 'district')
      sql = 'SELECT code AS k, name FROM areas WHERE code = ANY($1::text[])';
    else sql = 'SELECT id::text AS k, display_name AS name FROM users WHERE id::text = ANY($1::text[])';
    const r = await db.query<{ k: string; name: string }>(sql, [keys]);
    return new Map(r.rows.map((x) => [x.k, x.name]));
  }

  /** Every unit grid under a scope, with its class (empty grids score too). */
  async function grids(scope: string) {
    const r = await db.query<{
      code: string;
      community: string;
      street: string;
      district: string;
      areaClass: 'A' | 'B' | 'C';
    }>(
      `SELECT code, community_code AS community, street_code AS street, district_code AS district,
          area_class AS "areaClass" FROM unit_grids WHERE code LIKE $1 ORDER BY code`,
      [`${scope}%`],
    );
    return r.rows;
  }

  async function areasAt(level: 'community' | 'street' | 'district', scope: string) {
    const r = await db.query<{ code: string }>('SELECT code FROM areas WHERE level = $1 AND code LIKE $2', [
      level,
      `${scope}%`,
    ]);
    return r.rows.map((x) => x.code);
  }

  return { countPeople, countAreas, casesBehind, names, grids, areasAt, rollup };
}
export type AssessmentRepository = ReturnType<typeof assessmentRepository>;
