/**
 * The daily rollup of the area counters (migration 0016): for each whole Shanghai day, the same
 * `count(*) FILTER (…)` expressions as the live scan, grouped by place, stored in integer
 * columns c1… per (day, place). A period reads the built whole days from here and scans the rest live,
 * so the figures are identical to a full scan (tested) while a year costs a few hundred thousand
 * rollup rows instead of tens of millions of events.
 *
 * A day is built only once it has ended; triggers un-mark a day when an event lands on it or a
 * case it counted changes place, source or merge, and `catchUp` rebuilds what is missing.
 */
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

/** Counter columns c1…c40 of assessment_area_daily. */
const maxCounters = 40;

export function assessmentRollup(db: Db, filters: readonly [name: string, filter: string][]) {
  const names = filters.map(([n]) => n);
  const fingerprint = names.join(',');
  const cols = names.map((_, i) => `c${i + 1}`);
  // More counters than columns: nothing is rolled up, every read scans live (still right, slower).
  const usable = names.length <= maxCounters;

  /** Which whole days of a period the rollup answers, and which stretches must be scanned live. */
  async function plan(p: Period): Promise<{ days: string[]; live: Period[] }> {
    const first = ceilDay(p.from);
    const last = floorDay(p.to);
    if (first >= last || !usable) return { days: [], live: [p] };
    const r = await db.query<{ day: string }>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day FROM assessment_area_days
       WHERE day >= $1::date AND day < $2::date AND counters = $3 ORDER BY day`,
      [dayOf(first), dayOf(last), fingerprint],
    );
    const built = new Set(r.rows.map((x) => x.day));
    const live: Period[] = [];
    const push = (from: Date, to: Date) => {
      if (from >= to) return;
      const prev = live.at(-1);
      if (prev && prev.to.getTime() === from.getTime()) live[live.length - 1] = { from: prev.from, to };
      else live.push({ from, to });
    };
    push(p.from, first);
    for (let t = first; t < last; t = new Date(t.getTime() + dayMs))
      if (!built.has(dayOf(t))) push(t, new Date(t.getTime() + dayMs));
    push(last, p.to);
    return { days: [...built], live };
  }

  async function read(days: readonly string[], scope: string): Promise<AreaCountRow[]> {
    const r = await db.query<Record<string, string | number | null>>(
      `SELECT unit_grid_code AS grid, community_code AS community, street_code AS street,
          district_code AS district,
          ${cols.map((c, i) => `sum(${c})::int AS c${i}`).join(', ')}
       FROM assessment_area_daily WHERE day = ANY($1::date[]) AND area_code LIKE $2
       GROUP BY 1, 2, 3, 4`,
      [days, `${scope}%`],
    );
    return r.rows.map((row) => ({
      grid: row.grid as string | null,
      community: row.community as string | null,
      street: row.street as string | null,
      district: row.district as string,
      counts: Object.fromEntries(names.map((n, i) => [n, Number(row[`c${i}`] ?? 0)])),
    }));
  }

  /** (Re)builds one whole day from the timeline, in one transaction. */
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
   * Builds every ended day since `since` (default: the first event) that is not built with the
   * current counters. Returns the days built. Run by the scheduler after midnight, or by hand.
   */
  async function catchUp(now: Date, since?: Date): Promise<string[]> {
    if (!usable) return [];
    const start =
      since ??
      (await db.query<{ at: Date | null }>('SELECT min(at) AS at FROM case_events')).rows[0]?.at ??
      null;
    if (!start) return [];
    const end = floorDay(now);
    const r = await db.query<{ day: string }>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day FROM assessment_area_days WHERE counters = $1`,
      [fingerprint],
    );
    const done = new Set(r.rows.map((x) => x.day));
    const built: string[] = [];
    for (let t = floorDay(new Date(start)); t < end; t = new Date(t.getTime() + dayMs)) {
      const day = dayOf(t);
      if (done.has(day)) continue;
      await buildDay(day);
      built.push(day);
    }
    return built;
  }

  /** Forgets every built day (the next reads scan live). */
  async function clear(): Promise<void> {
    await db.exec('DELETE FROM assessment_area_days; DELETE FROM assessment_area_daily;');
  }

  return { plan, read, buildDay, catchUp, clear };
}
export type AssessmentRollup = ReturnType<typeof assessmentRollup>;

/**
 * Keeps the rollup current: every `intervalMs` (default hourly; the first run after one interval,
 * so short-lived servers and tests never start it), builds the ended days not built yet.
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
