/**
 * `onegrid bench assessment`: a year of cases with their timelines, generated in SQL
 * (generate_series; default 500,000 cases, `--cases 5800000` for a year of Shanghai), then the
 * all-districts assessment for that year (the same service the API calls) beside a baseline: a
 * plain count of the year's events per district over the same join; then the same from the rollup
 * (days and months), checked identical. Server mode with DATABASE_URL; `--db NAME` keeps the load.
 */
import {
  assessmentRepository,
  assessmentService,
  type Db,
  makeLoopCity,
  migrate,
  openDatabase,
} from '@onegrid/server';
import type { Benchmark } from './bench.ts';
import { openBenchDb, percentile, positiveInt } from './scratch-db.ts';

const yearFrom = new Date('2025-01-01T00:00:00+08:00');
const yearTo = new Date('2026-01-01T00:00:00+08:00');

/**
 * Seven steps per closed case (report, accept, dispatch, accept-task, handle, verify, close) with
 * the effects the engine writes; one case in ten stays open after dispatch, and those of the last
 * 30 days have a running handling deadline (3 days) in their snapshot, so the open-overdue count
 * has a backlog to find (~48 k cases at 5.8 M). 16 districts, 20,400 unit grid codes, 20
 * departments, a few hundred actors per role.
 */
export async function loadAssessmentYear(db: Db, n: number, progress: (m: string) => void) {
  const batch = 100_000;
  // Building the secondary indexes once after the load is several times faster than keeping
  // them up to date row by row (constraint indexes stay: they are checked while loading).
  const secondary = await db.query<{ name: string; def: string }>(
    `SELECT i.indexname AS name, i.indexdef AS def FROM pg_indexes i
     WHERE i.schemaname = current_schema() AND i.tablename IN ('cases', 'case_events')
       AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conname = i.indexname)`,
  );
  for (const ix of secondary.rows) await db.exec(`DROP INDEX ${ix.name}`);
  for (let from = 0; from < n; from += batch) {
    const to = Math.min(n, from + batch);
    await db.query(
      `INSERT INTO cases (id, number, status, source, category_code, urgency, description, geom, unit_grid_code,
         community_code, street_code, district_code, area_code, area_class, department_code, reporter_user_id,
         snapshot, created_at, updated_at)
       SELECT i, 'A' || lpad(i::text, 12, '0'), CASE WHEN i % 10 = 0 THEN 'dispatched' ELSE 'closed' END,
         (ARRAY['inspector','inspector','public','iot'])[1 + i % 4], '06010', 'normal', 'bench',
         ST_SetSRID(ST_MakePoint(121.47, 31.23), 4326), g, left(g, 12), left(g, 9), left(g, 6), g, 'A',
         'dept-' || (i % 20), NULL,
         CASE WHEN i % 10 = 0 AND t >= $5::timestamptz - interval '30 days'
           THEN jsonb_build_object('deadlines', jsonb_build_object('handling', jsonb_build_object('dueAt',
             to_char((t + interval '3 days') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))))
           ELSE '{}'::jsonb END, t, t
       FROM (SELECT i, '31' || lpad((1 + i % 16)::text, 4, '0') || lpad((i % 12)::text, 3, '0')
                    || lpad((i % 17)::text, 3, '0') || lpad((i % 200)::text, 3, '0') AS g,
                    $3::timestamptz + (i::double precision / $4) * ($5::timestamptz - $3::timestamptz) AS t
             FROM generate_series($1::int, $2::int - 1) AS i) s`,
      [from, to, yearFrom, n, yearTo],
    );
    await db.query(
      `INSERT INTO case_events (case_id, seq, action, actor_id, actor_role, at, from_status, to_status, data, effects)
       SELECT i, st.seq, st.action, st.role || '-' || (i % 300), st.role, t + st.seq * interval '20 minutes',
         st.from_status, st.to_status,
         CASE st.action WHEN 'dispatch' THEN jsonb_build_object('departmentCode', 'dept-' || (i % 20))
           WHEN 'close' THEN '{"closeType":"normal"}'::jsonb ELSE '{}'::jsonb END,
         CASE st.action
           WHEN 'accept' THEN jsonb_build_array(jsonb_build_object('type', 'deadline-stopped', 'step', 'filing',
             'onTime', i % 13 <> 0, 'cancelled', false), '{"type":"filed","auto":false}'::jsonb)
           WHEN 'dispatch' THEN jsonb_build_array(jsonb_build_object('type', 'deadline-stopped', 'step', 'dispatch',
             'onTime', i % 17 <> 0, 'cancelled', false),
             jsonb_build_object('type', 'department-set', 'departmentCode', 'dept-' || (i % 20), 'auto', false))
           WHEN 'handle' THEN jsonb_build_array(jsonb_build_object('type', 'deadline-stopped', 'step', 'handling',
             'onTime', i % 7 <> 0, 'cancelled', false))
           WHEN 'verify' THEN jsonb_build_array(jsonb_build_object('type', 'deadline-stopped', 'step', 'check',
             'onTime', true, 'cancelled', false), '{"type":"check-passed"}'::jsonb)
           WHEN 'close' THEN '[{"type":"closed","closeType":"normal","selfHandled":false}]'::jsonb
           ELSE '[]'::jsonb END
       FROM (SELECT i, $3::timestamptz + (i::double precision / $4) * ($5::timestamptz - $3::timestamptz) AS t
             FROM generate_series($1::int, $2::int - 1) AS i) s
       CROSS JOIN (VALUES (1, 'report', 'inspector', NULL, 'reported'), (2, 'accept', 'operator', 'reported', 'filed'),
         (3, 'dispatch', 'dispatcher', 'filed', 'dispatched'), (4, 'accept-task', 'handler', 'dispatched', 'handling'),
         (5, 'handle', 'handler', 'handling', 'handled'), (6, 'verify', 'inspector', 'handled', 'checked'),
         (7, 'close', 'operator', 'checked', 'closed')) AS st (seq, action, role, from_status, to_status)
       WHERE st.seq <= 3 OR i % 10 <> 0`,
      [from, to, yearFrom, n, yearTo],
    );
    progress(`loaded ${to.toLocaleString()} of ${n.toLocaleString()} cases with their timelines`);
  }
  for (const ix of secondary.rows) {
    progress(`indexing: ${ix.name}`);
    await db.exec(ix.def);
  }
  await db.exec(`SELECT setval('cases_id_seq', ${n + 1}); ANALYZE cases; ANALYZE case_events;`);
}

async function timed(runs: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

/**
 * `--db NAME` (server mode): load into that database on the DATABASE_URL server once and keep it,
 * so a second run at 5.8 M cases measures again without generating 40 M events again.
 */
async function openKeptDb(name: string) {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('--db needs DATABASE_URL (server mode)');
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error('--db must be a plain lower-case name');
  const admin = await openDatabase({ databaseUrl: url, dataDir: '' });
  const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  if (!exists.rows.length) await admin.exec(`CREATE DATABASE ${name}`);
  await admin.close();
  const u = new URL(url);
  u.pathname = `/${name}`;
  const db = await openDatabase({ databaseUrl: u.toString(), dataDir: '' });
  return { db, engine: 'PostgreSQL', drop: () => db.close() };
}

export const assessmentBenchmark: Benchmark = {
  name: 'assessment',
  description:
    'all-districts assessment of a year of cases, live and from the rollup, vs a plain per-district count of the same events',
  async run({ progress, options }) {
    const n = positiveInt(options.cases, 500_000, 'cases');
    const runs = positiveInt(options.runs, 3, 'runs');
    // The live scan takes minutes at 5.8 M cases: `--live-runs 1` times it once (the run that
    // also gives the reference figures the rollup is checked against); `--live-runs 0` (with
    // `--db`, after a checked run) skips it and keeps the rollup already built, to time the reads again.
    const liveRuns = options['live-runs'] === '0' ? 0 : positiveInt(options['live-runs'], runs, 'live-runs');
    const { db, engine, drop } =
      typeof options.db === 'string' ? await openKeptDb(options.db) : await openBenchDb('assessment');
    try {
      await migrate(db);
      const have = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM cases')).rows[0]?.n ?? 0;
      let loadS: number | null = null;
      if (have !== n) {
        if (have) throw new Error(`the database holds ${have} cases, not ${n}: drop it or pick another --db`);
        await makeLoopCity(db);
        const started = performance.now();
        await loadAssessmentYear(db, n, progress);
        loadS = (performance.now() - started) / 1000;
      }
      const events = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM case_events');
      const service = assessmentService({ db, clock: () => yearTo });
      const rollup = assessmentRepository(db).rollup;
      const period = { from: yearFrom, to: yearTo };
      const districtsOf = () => service.assess({ level: 'district', period, scope: '31' });
      // Set by the timed runs (a callback, so declared with a cast to keep its type).
      let live = null as Awaited<ReturnType<typeof districtsOf>> | null;
      let assess: number[] = [];
      let departments: number[] = [];
      if (liveRuns) {
        await rollup.clear();
        progress('the live scan: all districts (the reference figures)');
        assess = await timed(liveRuns, async () => {
          live = await districtsOf();
        });
        progress('the live scan: all departments');
        departments = await timed(liveRuns, () =>
          service.assess({ level: 'department', period, scope: '31' }),
        );
      }
      progress('baseline count');
      const baseline = await timed(runs, () =>
        db.query(
          `SELECT c.district_code, count(*) FROM case_events e JOIN cases c ON c.id = e.case_id
           WHERE e.at >= $1 AND e.at < $2 GROUP BY 1`,
          [yearFrom, yearTo],
        ),
      );
      // The rollup (migrations 0016, 0017): build the year's 365 days and 12 months, then read it.
      progress('building the rollup (what is not built yet): 365 days, then 12 months');
      const buildStarted = performance.now();
      const built = await rollup.catchUp(yearTo, yearFrom);
      const buildS = (performance.now() - buildStarted) / 1000;
      const rows = await db.query<{ days: number; months: number; totals: number }>(
        `SELECT (SELECT count(*)::int FROM assessment_area_daily) AS days,
           (SELECT count(*)::int FROM assessment_area_monthly) AS months,
           (SELECT count(*)::int FROM assessment_area_totals) AS totals`,
      );
      const plan = await rollup.plan(period);
      const fast = await districtsOf();
      if (live && JSON.stringify(fast.rows) !== JSON.stringify(live.rows))
        throw new Error('the rollup and the live scan disagree');
      const districts = fast.rows.length;
      progress('reading the rollup');
      const rolled = await timed(runs, districtsOf);
      const rolledBoth = await timed(runs, () =>
        service.assess({ level: 'district', period, scope: '31', compare: 'both' }),
      );
      const rolledStreets = await timed(runs, () => service.assess({ level: 'street', period, scope: '31' }));
      const rolledGrids = await timed(runs, () => service.assess({ level: 'grid', period, scope: '31' }));
      const r = rows.rows[0];
      const note = `${engine}, ${n.toLocaleString()} cases, ${(events.rows[0]?.n ?? 0).toLocaleString()} events, ${districts} districts`;
      return [
        ...(loadS === null ? [] : [{ subject: 'load (generate_series)', value: loadS, unit: 's', note }]),
        {
          subject: 'baseline count per district',
          value: percentile(baseline, 50),
          unit: 'ms p50',
          better: 'lower',
          ...(loadS === null ? { note } : {}),
        },
        ...(liveRuns
          ? [
              {
                subject: 'assessment, all districts, 1 year, live scan',
                value: percentile(assess, 50),
                unit: 'ms p50',
                baseline: 'baseline count per district',
                better: 'lower' as const,
                note: `${liveRuns} run(s)`,
              },
              {
                subject: 'assessment, all departments, 1 year, live scan',
                value: percentile(departments, 50),
                unit: 'ms p50',
                baseline: 'baseline count per district',
                better: 'lower' as const,
                note: `${liveRuns} run(s)`,
              },
            ]
          : []),
        {
          subject: 'rollup build, whole year',
          value: buildS,
          unit: 's',
          note: `${built.days.length} days (${(r?.days ?? 0).toLocaleString()} day × place rows), ${built.months.length} months (${(r?.months ?? 0).toLocaleString()} month × place, ${(r?.totals ?? 0).toLocaleString()} month × area rows); once, then a day a night`,
        },
        {
          subject: 'assessment, all districts, 1 year, from the rollup',
          value: percentile(rolled, 50),
          unit: 'ms p50',
          baseline: 'baseline count per district',
          better: 'lower',
          note: `${plan.months.length} months, ${plan.days.length} days, ${plan.live.length} live stretches; ${live ? 'identical figures to the live scan (checked)' : 'kept from a checked run'}; goal < 2000 ms for 5.8M cases`,
        },
        {
          subject: 'same, with previous period and last year',
          value: percentile(rolledBoth, 50),
          unit: 'ms p50',
          better: 'lower',
        },
        {
          subject: 'assessment, all streets, 1 year, from the rollup',
          value: percentile(rolledStreets, 50),
          unit: 'ms p50',
          better: 'lower',
        },
        {
          subject: 'assessment, all unit grids, 1 year, from the rollup',
          value: percentile(rolledGrids, 50),
          unit: 'ms p50',
          better: 'lower',
        },
      ];
    } finally {
      await drop();
    }
  },
};
