/**
 * `onegrid bench assessment`: a year of cases with their timelines, generated in SQL
 * (generate_series; default 500,000 cases, `--cases 5800000` for a year of Shanghai), then the
 * all-districts assessment for that year (the same service the API calls) beside a baseline: a
 * plain count of the year's events per district over the same join. Server mode with DATABASE_URL.
 */
import { assessmentRepository, assessmentService, type Db, makeLoopCity, migrate } from '@onegrid/server';
import type { Benchmark } from './bench.ts';
import { openBenchDb, percentile, positiveInt } from './scratch-db.ts';

const yearFrom = new Date('2025-01-01T00:00:00+08:00');
const yearTo = new Date('2026-01-01T00:00:00+08:00');

/**
 * Seven steps per closed case (report, accept, dispatch, accept-task, handle, verify, close) with
 * the effects the engine writes; one case in ten stays open after dispatch. 16 districts,
 * 40,625 unit grids, 20 departments, a few hundred actors per role.
 */
export async function loadAssessmentYear(db: Db, n: number, progress: (m: string) => void) {
  const batch = 100_000;
  for (let from = 0; from < n; from += batch) {
    const to = Math.min(n, from + batch);
    await db.query(
      `INSERT INTO cases (id, number, status, source, category_code, urgency, description, geom, unit_grid_code,
         community_code, street_code, district_code, area_code, area_class, department_code, reporter_user_id,
         snapshot, created_at, updated_at)
       SELECT i, 'A' || lpad(i::text, 12, '0'), CASE WHEN i % 10 = 0 THEN 'dispatched' ELSE 'closed' END,
         (ARRAY['inspector','inspector','public','iot'])[1 + i % 4], '06010', 'normal', 'bench',
         ST_SetSRID(ST_MakePoint(121.47, 31.23), 4326), g, left(g, 12), left(g, 9), left(g, 6), g, 'A',
         'dept-' || (i % 20), NULL, '{}'::jsonb, t, t
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

export const assessmentBenchmark: Benchmark = {
  name: 'assessment',
  description: 'all-districts assessment of a year of cases vs a plain per-district count of the same events',
  async run({ progress, options }) {
    const n = positiveInt(options.cases, 500_000, 'cases');
    const runs = positiveInt(options.runs, 3, 'runs');
    const { db, engine, drop } = await openBenchDb('assessment');
    try {
      await migrate(db);
      await makeLoopCity(db);
      const started = performance.now();
      await loadAssessmentYear(db, n, progress);
      const loadS = (performance.now() - started) / 1000;
      const events = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM case_events');
      const service = assessmentService({ db, clock: () => yearTo });
      const period = { from: yearFrom, to: yearTo };
      let districts = 0;
      progress('warming up');
      districts = (await service.assess({ level: 'district', period, scope: '31' })).rows.length;
      const baseline = await timed(runs, () =>
        db.query(
          `SELECT c.district_code, count(*) FROM case_events e JOIN cases c ON c.id = e.case_id
           WHERE e.at >= $1 AND e.at < $2 GROUP BY 1`,
          [yearFrom, yearTo],
        ),
      );
      const assess = await timed(runs, () => service.assess({ level: 'district', period, scope: '31' }));
      const departments = await timed(runs, () =>
        service.assess({ level: 'department', period, scope: '31' }),
      );
      // The daily rollup (migration 0016): build the year's 365 days once, then read it.
      progress('building the daily rollup');
      const live = await service.assess({ level: 'district', period, scope: '31' });
      const rollup = assessmentRepository(db).rollup;
      const buildStarted = performance.now();
      const days = (await rollup.catchUp(yearTo, yearFrom)).length;
      const buildS = (performance.now() - buildStarted) / 1000;
      const rows = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM assessment_area_daily');
      const fast = await service.assess({ level: 'district', period, scope: '31' });
      if (JSON.stringify(fast.rows) !== JSON.stringify(live.rows))
        throw new Error('the rollup and the live scan disagree');
      const rolled = await timed(runs, () => service.assess({ level: 'district', period, scope: '31' }));
      const rolledBoth = await timed(runs, () =>
        service.assess({ level: 'district', period, scope: '31', compare: 'both' }),
      );
      const rolledGrids = await timed(runs, () => service.assess({ level: 'grid', period, scope: '31' }));
      const note = `${engine}, ${n.toLocaleString()} cases, ${(events.rows[0]?.n ?? 0).toLocaleString()} events, ${districts} districts`;
      return [
        { subject: 'load (generate_series)', value: loadS, unit: 's', note },
        {
          subject: 'baseline count per district',
          value: percentile(baseline, 50),
          unit: 'ms p50',
          better: 'lower',
        },
        {
          subject: 'assessment, all districts, 1 year',
          value: percentile(assess, 50),
          unit: 'ms p50',
          baseline: 'baseline count per district',
          better: 'lower',
          note: 'goal < 2000 ms for 5.8M cases (server mode)',
        },
        {
          subject: 'assessment, all departments, 1 year',
          value: percentile(departments, 50),
          unit: 'ms p50',
          baseline: 'baseline count per district',
          better: 'lower',
        },
        {
          subject: 'daily rollup build, whole year',
          value: buildS,
          unit: 's',
          note: `${days} days, ${(rows.rows[0]?.n ?? 0).toLocaleString()} rows (day × place); once, then a day a night`,
        },
        {
          subject: 'assessment, all districts, 1 year, from the rollup',
          value: percentile(rolled, 50),
          unit: 'ms p50',
          baseline: 'baseline count per district',
          better: 'lower',
          note: 'identical figures to the live scan (checked); goal < 2000 ms for 5.8M cases',
        },
        {
          subject: 'same, with previous period and last year',
          value: percentile(rolledBoth, 50),
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
