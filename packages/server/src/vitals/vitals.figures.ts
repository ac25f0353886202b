/**
 * The raw figures behind the indicators, for every area at once.
 *
 * A source has a few *parts*, each one indexed read of the rows that matter now: the open cases
 * (partial index `cases_open_vitals_idx`, index-only), the cases reported or closed since the
 * widest window (`cases_created_idx`, `cases_closed_at_idx`), the active alarms, the devices,
 * the latest readings, a window's readings summed per device, recent patrol points. Each part is
 * one query grouped by community (district, street, community code); a figure is one `FILTER`
 * aggregate column in it. The communities are then added up to streets, districts and the city in
 * memory — a few thousand rows — so the database never sorts or hashes the same rows four times.
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
            return { key, source: 'cases', part: 'cases.open', sql: () => ['count(*)'] };
          case 'overdue':
            return {
              key,
              source: 'cases',
              part: 'cases.open',
              sql: (p) => [`count(*) FILTER (WHERE due_at < ${p(now)})`],
            };
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
const gridCols = (col: string) => `left(${col}, 6) AS d, left(${col}, 9) AS s, left(${col}, 12) AS c`;

/** The rows of one part, with their district/street/community codes as d, s, c. */
function partRows(part: Part, figs: readonly Figure[], now: Date, p: Param): string {
  const since = figs.reduce<Date>((m, f) => (f.since && f.since < m ? f.since : m), now);
  switch (part) {
    case 'cases.open':
      // Only what the partial index holds: an index-only scan once the table is vacuumed.
      return `SELECT district_code AS d, street_code AS s, community_code AS c, due_at FROM cases WHERE ${terminal}`;
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
               WHERE d.status <> 'disabled' AND d.unit_grid_code IS NOT NULL`;
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
               WHERE d.status <> 'disabled' AND d.unit_grid_code IS NOT NULL`;
    }
  }
}

/** Area code → figure key → number (null for an average or maximum over nothing). */
export type Figures = Map<string, Map<string, number | null>>;

/** The areas a community row adds to: its city, district, street and community (known ones). */
function areasOf(d: string | null, s: string | null, c: string | null): string[] {
  const out: string[] = [];
  if (d) out.push(d.slice(0, 4), d);
  if (s) out.push(s);
  if (c) out.push(c);
  return out;
}

async function partFigures(db: Db, part: Part, figs: readonly Figure[], now: Date, out: Figures) {
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
  const rows = partRows(part, figs, now, p);
  const sql = `SELECT x.d, x.s, x.c${perUser ? ', x.user_id' : ''}, ${cols.join(', ')}
                 FROM (${rows}) x GROUP BY x.d, x.s, x.c${perUser ? ', x.user_id' : ''}`;
  const r = await db.query<Record<string, string | number | null>>(sql, params);
  // Sums (and the two halves of averages) per area; distinct users per area and figure.
  const acc = new Map<string, number[]>();
  const users = new Map<string, Set<unknown>[]>();
  const width = cols.length;
  for (const row of r.rows) {
    for (const area of areasOf(row.d as string | null, row.s as string | null, row.c as string | null)) {
      let a = acc.get(area);
      if (!a) {
        a = new Array<number>(width).fill(Number.NaN);
        acc.set(area, a);
      }
      figs.forEach((f, i) => {
        const names = colsOf[i]!;
        if (f.combine === 'distinct') {
          const last = row[names[0]!];
          if (last === null || new Date(last as string).getTime() < sinceCols[i]!) return;
          let u = users.get(area);
          if (!u) {
            u = figs.map(() => new Set());
            users.set(area, u);
          }
          u[i]!.add(row.user_id);
          return;
        }
        names.forEach((name) => {
          const v = row[name];
          if (v === null || v === undefined) return;
          const k = Number(name.slice(1));
          const n = Number(v);
          const prev = a[k]!;
          a[k] = Number.isNaN(prev) ? n : f.combine === 'max' ? Math.max(prev, n) : prev + n;
        });
      });
    }
  }
  const areas = new Set([...acc.keys(), ...users.keys()]);
  for (const area of areas) {
    const a = acc.get(area);
    const m = out.get(area) ?? new Map<string, number | null>();
    figs.forEach((f, i) => {
      const [first, second] = colsOf[i]!.map((n) => a?.[Number(n.slice(1))] ?? Number.NaN);
      let v: number | null;
      if (f.combine === 'distinct') v = users.get(area)?.[i]?.size ?? 0;
      else if (f.combine === 'avg') v = Number.isNaN(first!) || !second ? null : first! / second!;
      else if (f.combine === 'max') v = Number.isNaN(first!) ? null : first!;
      else v = Number.isNaN(first!) ? 0 : first!;
      m.set(f.key, v);
    });
    out.set(area, m);
  }
}

/** The raw figures of one source for every area (city, district, street, community). */
export async function sourceFigures(db: Db, figs: readonly Figure[], now: Date): Promise<Figures> {
  const out: Figures = new Map();
  const byPart = new Map<Part, Figure[]>();
  for (const f of figs) byPart.set(f.part, [...(byPart.get(f.part) ?? []), f]);
  // Each part merges its own figure keys into `out` synchronously once its rows are in.
  await Promise.all([...byPart].map(([part, list]) => partFigures(db, part, list, now, out)));
  return out;
}
