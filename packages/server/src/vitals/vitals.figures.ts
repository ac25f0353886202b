/**
 * The raw figures behind the indicators, for every area at once.
 *
 * A source has a few *parts*, each one indexed read of the rows that matter now: the open cases
 * (the per-community counters of `0018_vitals_counters.sql`, one row per community, plus the
 * open cases whose deadline passed since the counters' mark), the cases reported or closed since
 * the widest window (`cases_created_idx`, `cases_closed_at_idx`), the active alarms, the devices,
 * the latest readings, a window's readings summed per device, recent patrol points. Each part is
 * one query grouped by community (district, street, community code; for grid-coded rows the
 * 12-digit prefix alone); a figure is one `FILTER` aggregate column in it. The communities are
 * then added up to streets, districts and the city in memory — a few thousand rows — so the
 * database never sorts or hashes the same rows four times.
 */
import { type VitalDefinition, type VitalSource, type VitalWindow, windowStart } from '@onegrid/domain';
import type { Db } from '../db/db.ts';

type Param = (v: unknown) => string;

/** The parts of each source, by name; every figure belongs to one. */
type Part =
  | 'cases.open'
  | 'cases.created'
  | 'cases.closed'
  | 'alarms.active'
  | 'devices.all'
  | 'readings.latest'
  | `readings.window:${string}`
  | 'staff.points';

export interface Figure {
  readonly key: string;
  readonly source: VitalSource;
  readonly part: Part;
  /** The aggregate(s) over the part's rows, with `$n` placeholders from `param`. */
  readonly sql: (param: Param) => readonly string[];
  /** How communities add up: sum (counts; default), max, avg (Σ first ÷ Σ second), distinct users. */
  readonly combine?: 'sum' | 'max' | 'avg' | 'distinct';
  /** Where a windowed part's read starts (the widest figure's window wins). */
  readonly since?: Date;
}

const severityKey = (s: readonly string[] | undefined) => (s?.length ? [...s].sort().join('+') : '*');

/** The figures a definition needs: its count (or average), its rate's denominator, its maximum. */
export function figuresOf(def: VitalDefinition, now: Date): { main: Figure; of?: Figure; max?: Figure } {
  const since = windowStart(def.window as VitalWindow, now);
  switch (def.source) {
    case 'cases': {
      const one = (measure: string): Figure => {
        const key = `cases:${measure}:${def.window}`;
        switch (measure) {
          case 'open':
            return { key, source: 'cases', part: 'cases.open', sql: () => ['sum(open_n)'] };
          case 'overdue':
            return { key, source: 'cases', part: 'cases.open', sql: () => ['sum(overdue_n)'] };
          case 'new':
            return {
              key,
              source: 'cases',
              part: 'cases.created',
              since,
              sql: (p) => [`count(*) FILTER (WHERE created_at >= ${p(since)})`],
            };
          case 'closed':
            return {
              key,
              source: 'cases',
              part: 'cases.closed',
              since,
              sql: (p) => [`count(*) FILTER (WHERE closed_at >= ${p(since)})`],
            };
          default:
            return {
              key,
              source: 'cases',
              part: 'cases.closed',
              since,
              sql: (p) => [
                `count(*) FILTER (WHERE closed_at >= ${p(since)} AND close_type IS DISTINCT FROM 'overdue')`,
              ],
            };
        }
      };
      return def.of ? { main: one(def.measure), of: one(def.of) } : { main: one(def.measure) };
    }
    case 'alarms': {
      const sev = def.filter?.severity;
      const windowed = def.window !== 'now';
      return {
        main: {
          key: `alarms:${def.measure}:${def.window}:${severityKey(sev)}`,
          source: 'alarms',
          part: 'alarms.active',
          sql: (p) => {
            const conds = [
              ...(sev?.length ? [`severity = ANY(${p(sev)}::text[])`] : []),
              ...(windowed ? [`raised_at >= ${p(since)}`] : []),
            ];
            return [conds.length ? `count(*) FILTER (WHERE ${conds.join(' AND ')})` : 'count(*)'];
          },
        },
      };
    }
    case 'devices': {
      const type = def.filter?.deviceType;
      const one = (measure: string): Figure => ({
        key: `devices:${measure}:${type ?? '*'}`,
        source: 'devices',
        part: 'devices.all',
        sql: (p) => {
          const conds = [
            ...(type ? [`type_id = ${p(type)}`] : []),
            ...(measure === 'online' ? ["status = 'online'"] : []),
          ];
          return [conds.length ? `count(*) FILTER (WHERE ${conds.join(' AND ')})` : 'count(*)'];
        },
      });
      return def.of ? { main: one(def.measure), of: one(def.of) } : { main: one(def.measure) };
    }
    case 'field_staff':
      return {
        main: {
          key: `staff:${def.measure}:${def.window}`,
          source: 'field_staff',
          part: 'staff.points',
          since,
          combine: 'distinct',
          sql: () => ['max(recorded_at)'],
        },
      };
    case 'readings': {
      const type = def.filter?.deviceType ?? '';
      if (def.aggregation === 'count_over') {
        return {
          main: {
            key: `latest:${type}:${def.measure}:${def.window}:>${def.over}`,
            source: 'readings',
            part: 'readings.latest',
            sql: (p) => [
              `count(*) FILTER (WHERE type_id = ${p(type)} AND metric = ${p(def.measure)} AND ts >= ${p(since)} AND num > ${p(def.over)}::float8)`,
            ],
          },
        };
      }
      const part = `readings.window:${def.window}` as const;
      const cond = (p: Param) => `type_id = ${p(type)} AND metric = ${p(def.measure)}`;
      return {
        main: {
          key: `avg:${type}:${def.measure}:${def.window}`,
          source: 'readings',
          part,
          since,
          combine: 'avg',
          sql: (p) => [`sum(sm) FILTER (WHERE ${cond(p)})`, `sum(cn) FILTER (WHERE ${cond(p)})`],
        },
        max: {
          key: `max:${type}:${def.measure}:${def.window}`,
          source: 'readings',
          part,
          since,
          combine: 'max',
          sql: (p) => [`max(mx) FILTER (WHERE ${cond(p)})`],
        },
      };
    }
  }
}

const terminal = "status NOT IN ('closed', 'rejected', 'merged')";

/**
 * Where the open-case figures come from: `counters` (the default) reads the per-community
 * counters of `0018_vitals_counters.sql` plus the open cases whose deadline lies between the
 * counters' mark and `now`; `scan` counts every open case, the full computation the counters must
 * always equal (tests compare the two).
 */
export type OpenCases = 'counters' | 'scan';

/** Open and overdue cases per district/street/community ('' for none), as rows to sum. */
function openCaseRows(mode: OpenCases, now: string): string {
  if (mode === 'scan') {
    // Only what the partial index holds: an index-only scan once the table is vacuumed.
    return `SELECT district_code AS d, street_code AS s, community_code AS c,
                   1 AS open_n, (due_at < ${now})::int AS overdue_n
              FROM cases WHERE ${terminal}`;
  }
  // One snapshot: the counters, their mark and the slice of deadlines between the mark and now
  // (+1 each when now is later, −1 when it is earlier) are read consistently.
  const mark = '(SELECT mark FROM vital_case_counters_mark)';
  return `SELECT nullif(district_code, '') AS d, nullif(street_code, '') AS s, nullif(community_code, '') AS c,
                 open_n, overdue_n FROM vital_case_counters WHERE open_n <> 0 OR overdue_n <> 0
          UNION ALL
          SELECT district_code, street_code, community_code, 0, CASE WHEN due_at < ${mark} THEN -1 ELSE 1 END
            FROM cases
           WHERE due_at >= least(${mark}, ${now}) AND due_at < greatest(${mark}, ${now}) AND ${terminal}`;
}

// A grid code starts with its community's code (district 6, street 9, community 12 digits): rows
// are grouped by that prefix alone, and its district and street are cut from it in memory.
const gridCols = (col: string) => `left(${col}, 12) AS c`;
const byGrid = (part: Part) => !part.startsWith('cases.');
/** The device types a readings part's figures name (`latest:<type>:…`, `avg:<type>:…`). */
const typesOf = (figs: readonly Figure[]) => [...new Set(figs.map((f) => f.key.split(':')[1]!))];

/** The rows of one part: district/street/community codes as d, s, c (cases), or the community prefix c. */
function partRows(part: Part, figs: readonly Figure[], now: Date, p: Param, openCases: OpenCases): string {
  const since = figs.reduce<Date>((m, f) => (f.since && f.since < m ? f.since : m), now);
  switch (part) {
    case 'cases.open':
      return openCaseRows(openCases, `${p(now)}::timestamptz`);
    case 'cases.created':
      return `SELECT district_code AS d, street_code AS s, community_code AS c, created_at
                FROM cases WHERE created_at >= ${p(since)}`;
    case 'cases.closed':
      return `SELECT district_code AS d, street_code AS s, community_code AS c, closed_at, close_type
                FROM cases WHERE closed_at >= ${p(since)} AND status = 'closed'`;
    case 'alarms.active':
      return `SELECT severity, raised_at, ${gridCols('area_code')}
                FROM alarms WHERE NOT cleared AND area_code IS NOT NULL`;
    case 'devices.all':
      return `SELECT type_id, status, ${gridCols('unit_grid_code')}
                FROM devices WHERE status <> 'disabled' AND unit_grid_code IS NOT NULL`;
    case 'readings.latest':
      return `SELECT d.type_id, l.metric, l.ts, l.num, ${gridCols('d.unit_grid_code')}
                FROM readings_latest l JOIN devices d ON d.id = l.device_id
               WHERE d.status <> 'disabled' AND d.unit_grid_code IS NOT NULL AND d.type_id = ANY(${p(typesOf(figs))}::text[])`;
    case 'staff.points':
      return `SELECT pp.user_id, pp.recorded_at, ${gridCols('pp.unit_grid_code')}
                FROM patrol_points pp JOIN users u ON u.id = pp.user_id AND u.role = 'inspector'
               WHERE pp.recorded_at >= ${p(since)} AND pp.recorded_at <= ${p(now)} AND pp.unit_grid_code IS NOT NULL`;
    default: {
      // A window's readings, summed per device first: the join sees one row per device.
      const metrics = [...new Set(figs.map((f) => f.key.split(':')[2]!))];
      return `SELECT d.type_id, r.metric, r.sm, r.cn, r.mx, ${gridCols('d.unit_grid_code')}
                FROM (SELECT device_id, metric, sum(num) AS sm, count(*) AS cn, max(num) AS mx FROM readings
                       WHERE ts >= ${p(since)} AND ts <= ${p(now)} AND metric = ANY(${p(metrics)}::text[])
                         AND num IS NOT NULL
                       GROUP BY device_id, metric) r
                JOIN devices d ON d.id = r.device_id
               WHERE d.status <> 'disabled' AND d.unit_grid_code IS NOT NULL AND d.type_id = ANY(${p(typesOf(figs))}::text[])`;
    }
  }
}

/**
 * One source's figures for every area: `keys` names the columns, and each area's row holds them
 * in that order (null for an average or maximum over nothing, or where the area has no rows).
 */
export interface Figures {
  keys: readonly string[];
  areas: Map<string, (number | null)[]>;
}

async function partFigures(
  db: Db,
  part: Part,
  figs: readonly Figure[],
  now: Date,
  out: Figures,
  openCases: OpenCases,
) {
  const outCol = figs.map((f) => out.keys.indexOf(f.key));
  const params: unknown[] = [];
  const p: Param = (v) => {
    params.push(v instanceof Date ? v.toISOString() : v);
    return `$${params.length}`;
  };
  const cols: string[] = [];
  const colsOf = figs.map((f) =>
    f.sql(p).map((e) => {
      cols.push(`${e} AS f${cols.length}`);
      return `f${cols.length - 1}`;
    }),
  );
  const perUser = part === 'staff.points';
  const sinceCols = figs.map((f) => (f.combine === 'distinct' ? f.since!.getTime() : 0));
  const rows = partRows(part, figs, now, p, openCases);
  const keys = `${byGrid(part) ? 'x.c' : 'x.d, x.s, x.c'}${perUser ? ', x.user_id' : ''}`;
  const sql = `SELECT ${keys}, ${cols.join(', ')} FROM (${rows}) x GROUP BY ${keys}`;
  const r = await db.query<Record<string, string | number | null>>(sql, params);
  // Sums (and the two halves of averages) or maxima per area and column, NaN for none yet;
  // distinct users per area and figure. Columns and their kinds are resolved once, not per row.
  const width = cols.length;
  const names = cols.map((_, k) => `f${k}`);
  const isMax = new Array<boolean>(width).fill(false);
  const firstCol = colsOf.map((list) => Number(list[0]!.slice(1)));
  const secondCol = colsOf.map((list) => (list[1] ? Number(list[1].slice(1)) : -1));
  figs.forEach((f, i) => {
    if (f.combine === 'max') isMax[firstCol[i]!] = true;
  });
  const distinct = figs.flatMap((f, i) => (f.combine === 'distinct' ? [i] : []));
  const grid = byGrid(part);
  const acc = new Map<string, number[]>();
  const users = new Map<string, Set<unknown>[]>();
  const vals = new Array<number>(width);
  const add = (area: string) => {
    let a = acc.get(area);
    if (!a) {
      a = new Array<number>(width).fill(Number.NaN);
      acc.set(area, a);
    }
    for (let k = 0; k < width; k++) {
      const n = vals[k]!;
      if (Number.isNaN(n)) continue;
      const prev = a[k]!;
      a[k] = Number.isNaN(prev) ? n : isMax[k] ? Math.max(prev, n) : prev + n;
    }
  };
  const addUser = (area: string, i: number, user: unknown) => {
    let u = users.get(area);
    if (!u) {
      u = figs.map(() => new Set());
      users.set(area, u);
    }
    u[i]!.add(user);
  };
  for (const row of r.rows) {
    for (let k = 0; k < width; k++) {
      const v = row[names[k]!];
      vals[k] = v === null || v === undefined ? Number.NaN : Number(v);
    }
    const c = row.c as string | null;
    const d = grid ? (c?.slice(0, 6) ?? null) : (row.d as string | null);
    const st = grid ? (c?.slice(0, 9) ?? null) : (row.s as string | null);
    for (const i of distinct) vals[firstCol[i]!] = Number.NaN;
    if (d) {
      add(d.slice(0, 4));
      add(d);
    }
    if (st) add(st);
    if (c) add(c);
    for (const i of distinct) {
      const last = row[names[firstCol[i]!]!];
      if (last === null || last === undefined || new Date(last as string).getTime() < sinceCols[i]!) continue;
      if (d) {
        addUser(d.slice(0, 4), i, row.user_id);
        addUser(d, i, row.user_id);
      }
      if (st) addUser(st, i, row.user_id);
      if (c) addUser(c, i, row.user_id);
    }
  }
  for (const area of users.keys())
    if (!acc.has(area)) acc.set(area, new Array<number>(width).fill(Number.NaN));
  const width0 = out.keys.length;
  for (const [area, a] of acc) {
    let m = out.areas.get(area);
    if (!m) {
      m = new Array<number | null>(width0).fill(null);
      out.areas.set(area, m);
    }
    for (let i = 0; i < figs.length; i++) {
      const f = figs[i]!;
      const first = a[firstCol[i]!]!;
      let v: number | null;
      if (f.combine === 'distinct') v = users.get(area)?.[i]?.size ?? 0;
      else if (f.combine === 'avg') {
        const second = a[secondCol[i]!]!;
        v = Number.isNaN(first) || Number.isNaN(second) || !second ? null : first / second;
      } else if (f.combine === 'max') v = Number.isNaN(first) ? null : first;
      else v = Number.isNaN(first) ? 0 : first;
      m[outCol[i]!] = v;
    }
  }
}

/** The raw figures of one source for every area (city, district, street, community). */
export async function sourceFigures(
  db: Db,
  figs: readonly Figure[],
  now: Date,
  openCases: OpenCases = 'counters',
): Promise<Figures> {
  const unique = [...new Map(figs.map((f) => [f.key, f])).values()];
  const out: Figures = { keys: unique.map((f) => f.key), areas: new Map() };
  const byPart = new Map<Part, Figure[]>();
  for (const f of unique) byPart.set(f.part, [...(byPart.get(f.part) ?? []), f]);
  // Each part fills its own columns of `out` synchronously once its rows are in.
  await Promise.all([...byPart].map(([part, list]) => partFigures(db, part, list, now, out, openCases)));
  return out;
}
