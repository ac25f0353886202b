/**
 * The rollup of the area counters, two tiers (migrations 0016, 0017):
 * - days: for each whole Shanghai day, the same `count(*) FILTER (…)` expressions as the live
 *   scan, grouped by place, stored in integer columns c1… per (day, place);
 * - months: once every day of a calendar month is built, the month summed from its days, both by
 *   place and by area (district, street, community), so a year reads twelve months.
 * A period reads its built whole months, then its built whole days, and scans the rest live, so
 * the figures are identical to a full scan (tested).
 *
 * A day is built only once it has ended; triggers un-mark a day when an event lands on it or a
 * case it counted changes place, source or merge, and un-mark the month of any day un-marked or
 * rebuilt; `catchUp` rebuilds what is missing.
 */
import type { AssessedAreaLevel } from '@onegrid/domain';
import type { Db } from '../db/db.ts';
import type { AreaCountRow, Period } from './assessment.repository.ts';

const dayMs = 86_400_000;
const shanghai = 8 * 3_600_000;
/** Shanghai midnight at or after / at or before an instant. */
const ceilDay = (d: Date) => new Date(Math.ceil((d.getTime() + shanghai) / dayMs) * dayMs - shanghai);
const floorDay = (d: Date) => new Date(Math.floor((d.getTime() + shanghai) / dayMs) * dayMs - shanghai);
/** A Shanghai midnight as its calendar day `YYYY-MM-DD`. */
export const dayOf = (d: Date) => new Date(d.getTime() + shanghai).toISOString().slice(0, 10);
const startOf = (day: string) => new Date(`${day}T00:00:00+08:00`);
/** The month (`YYYY-MM-01`) a calendar day is in, and the first day of the next month. */
const monthOf = (day: string) => `${day.slice(0, 7)}-01`;
const nextMonth = (month: string) => {
  const d = new Date(`${month}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + 1);
  return d.toISOString().slice(0, 10);
};

/** Counter columns c1…c40 of the rollup tables. */
const maxCounters = 40;

/**
 * The areas summed per month in assessment_area_totals, with the length n of their codes: the
 * totals are grouped by left(area_code, n), so a scope of at most n characters selects the very
 * cases the live scan selects with `area_code LIKE scope%`.
 */
export const totalsLevels: Readonly<Record<string, { column: string; n: number }>> = {
  district: { column: 'district_code', n: 6 },
  street: { column: 'street_code', n: 9 },
  community: { column: 'community_code', n: 12 },
};

export interface RollupPlan {
  /** Whole calendar months read from the monthly tier (`YYYY-MM-01`). */
  months: string[];
  /** Whole days outside those months read from the daily tier. */
  days: string[];
  /** Stretches scanned live: partial first and last days, days not built. */
  live: Period[];
}

export function assessmentRollup(db: Db, filters: readonly [name: string, filter: string][]) {
  const names = filters.map(([n]) => n);
  const fingerprint = names.join(',');
  const cols = names.map((_, i) => `c${i + 1}`);
  const sums = cols.map((c, i) => `sum(${c})::int AS c${i}`).join(', ');
  const filedCol = `c${names.indexOf('filed') + 1}`;
  // More counters than columns: nothing is rolled up, every read scans live (still right, slower).
  const usable = names.length <= maxCounters;
  const countsOf = (row: Record<string, unknown>) =>
    Object.fromEntries(names.map((n, i) => [n, Number(row[`c${i}`] ?? 0)]));

  /** Which whole months and days of a period the rollup answers, and what must be scanned live. */
  async function plan(p: Period): Promise<RollupPlan> {
    const first = ceilDay(p.from);
    const last = floorDay(p.to);
    if (first >= last || !usable) return { months: [], days: [], live: [p] };
    const [m, d] = await Promise.all([
      db.query<{ month: string }>(
        `SELECT to_char(month, 'YYYY-MM-DD') AS month FROM assessment_area_months
         WHERE month >= $1::date AND month + interval '1 month' <= $2::date AND counters = $3`,
        [dayOf(first), dayOf(last), fingerprint],
      ),
      db.query<{ day: string }>(
        `SELECT to_char(day, 'YYYY-MM-DD') AS day FROM assessment_area_days
         WHERE day >= $1::date AND day < $2::date AND counters = $3`,
        [dayOf(first), dayOf(last), fingerprint],
      ),
    ]);
    const months = new Set(m.rows.map((x) => x.month));
    const built = new Set(d.rows.map((x) => x.day));
    const days: string[] = [];
    const live: Period[] = [];
    const push = (from: Date, to: Date) => {
      if (from >= to) return;
      const prev = live.at(-1);
      if (prev && prev.to.getTime() === from.getTime()) live[live.length - 1] = { from: prev.from, to };
      else live.push({ from, to });
    };
    push(p.from, first);
    for (let t = first; t < last; t = new Date(t.getTime() + dayMs)) {
      const day = dayOf(t);
      if (months.has(monthOf(day))) continue;
      if (built.has(day)) days.push(day);
      else push(t, new Date(t.getTime() + dayMs));
    }
    push(last, p.to);
    return { months: [...months].sort(), days, live };
  }

  /** Place rows (as the live scan returns them) summed over built days or months. */
  async function readPlaces(tier: 'day' | 'month', keys: readonly string[], scope: string) {
    const table = tier === 'day' ? 'assessment_area_daily' : 'assessment_area_monthly';
    const r = await db.query<Record<string, string | number | null>>(
      `SELECT unit_grid_code AS grid, community_code AS community, street_code AS street,
          district_code AS district, ${sums}
       FROM ${table} WHERE ${tier} = ANY($1::date[]) AND area_code LIKE $2
       GROUP BY 1, 2, 3, 4`,
      [keys, `${scope}%`],
    );
    return r.rows.map(
      (row): AreaCountRow => ({
        grid: row.grid as string | null,
        community: row.community as string | null,
        street: row.street as string | null,
        district: row.district as string,
        counts: countsOf(row),
      }),
    );
  }

  /**
   * Counters per district, street or community over built months, from the monthly totals, or
   * null when the scope is too narrow for them (then the caller reads places).
   */
  async function readTotals(level: AssessedAreaLevel, months: readonly string[], scope: string) {
    const t = totalsLevels[level];
    if (!t || scope.length > t.n) return null;
    const r = await db.query<Record<string, string | number | null>>(
      `SELECT code, ${sums} FROM assessment_area_totals
       WHERE month = ANY($1::date[]) AND level = $2 AND area_prefix LIKE $3 GROUP BY 1`,
      [months, level, `${scope}%`],
    );
    return r.rows.map((row) => ({ code: row.code as string, counts: countsOf(row) }));
  }

  /** Filed per unit grid over built months: what the filed-count scores need beside the totals. */
  async function readGridFiled(months: readonly string[], scope: string) {
    const r = await db.query<{ grid: string; n: number }>(
      `SELECT unit_grid_code AS grid, sum(${filedCol})::int AS n FROM assessment_area_monthly
       WHERE month = ANY($1::date[]) AND area_code LIKE $2 AND unit_grid_code IS NOT NULL GROUP BY 1`,
      [months, `${scope}%`],
    );
    return r.rows;
  }

  /** (Re)builds one whole day from the timeline, in one transaction (un-marking its month). */
  async function buildDay(day: string): Promise<number> {
    if (!usable) return 0;
    const from = startOf(day);
    const to = new Date(from.getTime() + dayMs);
    return db.transaction(async (tx) => {
      await tx.query('DELETE FROM assessment_area_daily WHERE day = $1::date', [day]);
      const r = await tx.query(
        `INSERT INTO assessment_area_daily (day, area_code, unit_grid_code, community_code, street_code, district_code,
           ${cols.join(', ')})
         SELECT $3::date, c.area_code, c.unit_grid_code, c.community_code, c.street_code, c.district_code,
           ${filters.map(([, f]) => `count(*) FILTER (WHERE ${f})::int`).join(', ')}
         FROM case_events e JOIN cases c ON c.id = e.case_id
         WHERE e.at >= $1 AND e.at < $2
         GROUP BY 2, 3, 4, 5, 6`,
        [from, to, day],
      );
      await tx.query(
        `INSERT INTO assessment_area_days (day, counters, built_at) VALUES ($1::date, $2, now())
         ON CONFLICT (day) DO UPDATE SET counters = EXCLUDED.counters, built_at = EXCLUDED.built_at`,
        [day, fingerprint],
      );
      return r.rowCount;
    });
  }

  /**
   * (Re)builds one calendar month from its days, if every day of it is built with the current
   * counters; returns whether it did. The day markers are locked for the transaction, so a day
   * un-marked meanwhile either waits for the month (and un-marks it) or makes the build give up.
   */
  async function buildMonth(month: string): Promise<boolean> {
    if (!usable) return false;
    const end = nextMonth(month);
    return db.transaction(async (tx) => {
      const built = await tx.query<{ day: string }>(
        `SELECT day FROM assessment_area_days WHERE day >= $1::date AND day < $2::date AND counters = $3 FOR SHARE`,
        [month, end, fingerprint],
      );
      const length = (startOf(end).getTime() - startOf(month).getTime()) / dayMs;
      if (built.rows.length !== length) return false;
      await tx.query('DELETE FROM assessment_area_monthly WHERE month = $1::date', [month]);
      await tx.query('DELETE FROM assessment_area_totals WHERE month = $1::date', [month]);
      await tx.query(
        `INSERT INTO assessment_area_monthly (month, area_code, unit_grid_code, community_code, street_code,
           district_code, ${cols.join(', ')})
         SELECT $1::date, area_code, unit_grid_code, community_code, street_code, district_code,
           ${cols.map((c) => `sum(${c})::int`).join(', ')}
         FROM assessment_area_daily WHERE day >= $1::date AND day < $2::date
         GROUP BY 2, 3, 4, 5, 6`,
        [month, end],
      );
      for (const [level, t] of Object.entries(totalsLevels))
        await tx.query(
          `INSERT INTO assessment_area_totals (month, level, code, area_prefix, ${cols.join(', ')})
           SELECT $1::date, $2, ${t.column}, left(area_code, ${t.n}), ${cols.map((c) => `sum(${c})::int`).join(', ')}
           FROM assessment_area_monthly WHERE month = $1::date AND ${t.column} IS NOT NULL
           GROUP BY 3, 4`,
          [month, level],
        );
      await tx.query(
        `INSERT INTO assessment_area_months (month, counters, built_at) VALUES ($1::date, $2, now())
         ON CONFLICT (month) DO UPDATE SET counters = EXCLUDED.counters, built_at = EXCLUDED.built_at`,
        [month, fingerprint],
      );
      return true;
    });
  }

  /**
   * Builds every ended day since `since` (default: the first day of the month of the first event)
   * that is not built with the current counters, then every ended month not built. Returns what it
   * built. Run by the scheduler hourly, or by hand.
   */
  async function catchUp(now: Date, since?: Date): Promise<{ days: string[]; months: string[] }> {
    const none = { days: [], months: [] };
    if (!usable) return none;
    const first =
      since ??
      (await db.query<{ at: Date | null }>('SELECT min(at) AS at FROM case_events')).rows[0]?.at ??
      null;
    if (!first) return none;
    // From the month's first day, so the month of the first event can be built too.
    const start = since ? floorDay(since) : startOf(monthOf(dayOf(floorDay(new Date(first)))));
    const end = floorDay(now);
    const [d, m] = await Promise.all([
      db.query<{ day: string }>(
        `SELECT to_char(day, 'YYYY-MM-DD') AS day FROM assessment_area_days WHERE counters = $1`,
        [fingerprint],
      ),
      db.query<{ month: string }>(
        `SELECT to_char(month, 'YYYY-MM-DD') AS month FROM assessment_area_months WHERE counters = $1`,
        [fingerprint],
      ),
    ]);
    const doneDays = new Set(d.rows.map((x) => x.day));
    const doneMonths = new Set(m.rows.map((x) => x.month));
    const days: string[] = [];
    const months: string[] = [];
    for (let t = start; t < end; t = new Date(t.getTime() + dayMs)) {
      const day = dayOf(t);
      if (doneDays.has(day)) continue;
      await buildDay(day);
      days.push(day);
      doneMonths.delete(monthOf(day));
    }
    for (let month = monthOf(dayOf(start)); startOf(nextMonth(month)) <= end; month = nextMonth(month)) {
      if (doneMonths.has(month)) continue;
      if (await buildMonth(month)) months.push(month);
    }
    // Fresh statistics for the planner: reading a year right after a build otherwise sorts the
    // month × place rows it should hash (0.8 s instead of 0.08 s at 5.8 M cases).
    if (days.length || months.length)
      await db.exec('ANALYZE assessment_area_daily, assessment_area_monthly, assessment_area_totals');
    return { days, months };
  }

  /** Forgets every built day and month (the next reads scan live). */
  async function clear(): Promise<void> {
    await db.exec(`DELETE FROM assessment_area_days; DELETE FROM assessment_area_daily;
      DELETE FROM assessment_area_months; DELETE FROM assessment_area_monthly; DELETE FROM assessment_area_totals;`);
  }

  return { plan, readPlaces, readTotals, readGridFiled, buildDay, buildMonth, catchUp, clear };
}
export type AssessmentRollup = ReturnType<typeof assessmentRollup>;

/**
 * Keeps the rollup current: every `intervalMs` (default hourly; the first run after one interval,
 * so short-lived servers and tests never start it), builds the ended days and months not built yet.
 */
export function startRollupTicker(
  rollup: AssessmentRollup,
  { clock, onError }: { clock: () => Date; onError: (e: unknown) => void },
  intervalMs = 3_600_000,
) {
  let running: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    running ??= rollup
      .catchUp(clock())
      .catch(onError)
      .finally(() => {
        running = undefined;
      });
  }, intervalMs);
  timer.unref();
  return {
    async close() {
      clearInterval(timer);
      await running;
    },
  };
}
