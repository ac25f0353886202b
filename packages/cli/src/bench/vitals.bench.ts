/**
 * `onegrid bench vitals`: a year of cases (default 300,000; `--cases 5800000` for a year of
 * Shanghai) spread over 16 districts, 192 streets and 3,264 communities, plus devices, a day of
 * air-quality readings, active alarms and inspectors' patrol points; then the full-city vital
 * signs (every default indicator for every area, the very engine the server runs) timed over
 * repeated runs, beside a bare `SELECT count(*) FROM cases` in the same process, and beside the
 * same compute counting every open case instead of reading the open-case counters (the full
 * computation, whose figures must be identical: the run fails otherwise).
 * Server mode with DATABASE_URL (a scratch database, dropped afterwards).
 */
import os from 'node:os';
import {
  createLogger,
  type Db,
  migrate,
  type VitalsEngine,
  vitalsEngine,
  vitalsRepository,
} from '@onegrid/server';
import type { Benchmark, BenchRow } from './bench.ts';
import { openBenchDb, percentile, positiveInt } from './scratch-db.ts';

const districts = 16;
const streetsPer = 12;
const communitiesPer = 17;
const communities = districts * streetsPer * communitiesPer;

/** District d (0-based), street s, community c → the 12-digit community code. */
const communitySql = (i: string) =>
  `'3101' || lpad((1 + ${i} % ${districts})::text, 2, '0') || lpad((1 + (${i} / ${districts}) % ${streetsPer})::text, 3, '0')
          || lpad((1 + (${i} / ${districts * streetsPer}) % ${communitiesPer})::text, 3, '0')`;

export async function loadCity(db: Db) {
  await db.exec(`
    INSERT INTO areas (code, level, name) VALUES ('3101', 'city', '上海市') ON CONFLICT DO NOTHING;
    INSERT INTO areas (code, level, name, parent_code, population)
      SELECT '3101' || lpad(d::text, 2, '0'), 'district', 'District ' || d, '3101', 1500000
        FROM generate_series(1, ${districts}) d;
    INSERT INTO areas (code, level, name, parent_code, population)
      SELECT '3101' || lpad(d::text, 2, '0') || lpad(s::text, 3, '0'), 'street', 'Street ' || d || '-' || s,
             '3101' || lpad(d::text, 2, '0'), 120000
        FROM generate_series(1, ${districts}) d, generate_series(1, ${streetsPer}) s;
    INSERT INTO areas (code, level, name, parent_code, population)
      SELECT c, 'community', 'Community ' || c, left(c, 9), 7000
        FROM (SELECT ${communitySql('i')} AS c FROM generate_series(0, ${communities - 1}) i) x;
    INSERT INTO unit_grids (code, community_code, street_code, district_code, geom, area_m2)
      SELECT code || '001', code, left(code, 9), left(code, 6),
             ST_Multi(ST_MakeEnvelope(121.4, 31.2, 121.401, 31.201, 4326)), 10000
        FROM areas WHERE level = 'community';
  `);
}

/**
 * Cases over the year before `now`: one in 30 still open (a third of those overdue), the rest
 * closed a day after they were reported, one closing in seven late. A bulk load: the secondary
 * indexes of `cases` are dropped first and built again after the last batch (sorting once is far
 * cheaper than millions of single inserts into a dozen b-trees and a GiST), while the statement
 * triggers (the vitals counters) stay on and count every batch.
 */
export async function loadCases(db: Db, n: number, now: Date, progress: (m: string) => void) {
  const batch = 200_000;
  const from = new Date(now.getTime() - 365 * 86_400_000);
  const indexes = (
    await db.query<{ name: string; def: string }>(
      `SELECT i.relname AS name, pg_get_indexdef(x.indexrelid) AS def
         FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        WHERE x.indrelid = 'cases'::regclass
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)`,
    )
  ).rows;
  for (const ix of indexes) await db.exec(`DROP INDEX ${ix.name}`);
  for (let lo = 0; lo < n; lo += batch) {
    const hi = Math.min(n, lo + batch);
    await db.query(
      `INSERT INTO cases (id, number, status, source, category_code, urgency, description, geom, unit_grid_code,
         community_code, street_code, district_code, area_code, area_class, snapshot, created_at, updated_at,
         due_at, current_step, closed_at, close_type)
       SELECT i, 'V' || lpad(i::text, 12, '0'), CASE WHEN open THEN 'handling' ELSE 'closed' END, 'inspector',
         '06010', 'normal', 'bench', ST_SetSRID(ST_MakePoint(121.47, 31.23), 4326), c || '001', c, left(c, 9),
         left(c, 6), c || '001', 'A', '{}'::jsonb, t, t,
         CASE WHEN open THEN t + CASE WHEN i % 3 = 0 THEN interval '1 day' ELSE interval '400 days' END END,
         CASE WHEN open THEN 'handling' END,
         CASE WHEN open THEN NULL ELSE least(t + interval '1 day', $5::timestamptz) END,
         CASE WHEN open THEN NULL WHEN i % 7 = 0 THEN 'overdue' ELSE 'normal' END
       FROM (SELECT i, ((i::bigint * 2654435761) >> 11) % 30 = 0 AS open, ${communitySql('(i::bigint * 7919)')} AS c,
                    $3::timestamptz + (i::double precision / $4) * ($5::timestamptz - $3::timestamptz) AS t
               FROM generate_series($1::int, $2::int - 1) AS i) s`,
      [lo, hi, from, n, now],
    );
    progress(`loaded ${hi.toLocaleString()} of ${n.toLocaleString()} cases`);
  }
  for (const [i, ix] of indexes.entries()) {
    progress(`index ${i + 1} of ${indexes.length}: ${ix.name}`);
    await db.exec(ix.def);
  }
}

/** 20,000 devices, 300 air sensors with 24 h of 5-minute PM2.5, 1,000 alarms, 2,000 inspectors. */
export async function loadIot(db: Db, now: Date) {
  const day = (d: Date) => d.toISOString().slice(0, 10);
  await db.query('SELECT readings_ensure_partition($1::date), readings_ensure_partition($2::date)', [
    day(new Date(now.getTime() - 86_400_000)),
    day(now),
  ]);
  await db.query(
    `INSERT INTO devices (id, token_hash, type_id, name, unit_grid_code, status, last_seen_at)
     SELECT 'd' || i, 'x', CASE WHEN i < 2000 THEN 'water-depth' WHEN i < 2300 THEN 'air-quality' ELSE 'smoke' END,
            'device ' || i, ${communitySql('i')} || '001', CASE WHEN i % 25 = 0 THEN 'offline' ELSE 'online' END, $1
       FROM generate_series(0, 19999) i`,
    [now],
  );
  await db.query(
    `INSERT INTO readings_latest (device_id, metric, ts, num)
     SELECT 'd' || i, 'depth', $1::timestamptz - interval '2 minutes', (i % 40)::float8 FROM generate_series(0, 1999) i`,
    [now],
  );
  await db.query(
    `INSERT INTO readings (device_id, metric, ts, num)
     SELECT 'd' || i, 'pm25', $1::timestamptz - k * interval '5 minutes', 20 + (i + k) % 60
       FROM generate_series(2000, 2299) i, generate_series(0, 287) k`,
    [now],
  );
  await db.query(
    `INSERT INTO alarms (rule_id, device_id, severity, area_code, raised_at, updated_at)
     SELECT (SELECT min(id) FROM rules), 'd' || (i * 17), (ARRAY['critical','major','minor','warning'])[1 + i % 4],
            ${communitySql('(i * 17)')} || '001', $1, $1
       FROM generate_series(0, 999) i`,
    [now],
  );
  await db.query(
    `INSERT INTO users (username, display_name, password_hash, role, scope_code)
     SELECT 'insp' || i, 'insp' || i, 'x', 'inspector', '3101' FROM generate_series(0, 1999) i`,
  );
  await db.query(
    `INSERT INTO patrol_points (user_id, recorded_at, geom, unit_grid_code)
     SELECT u.id, $1::timestamptz - ((u.id % 30) || ' minutes')::interval, ST_SetSRID(ST_MakePoint(121.4, 31.2), 4326),
            ${communitySql('u.id::int')} || '001'
       FROM users u WHERE u.role = 'inspector'`,
    [now],
  );
}

type VitalsSnapshot = Awaited<ReturnType<VitalsEngine['refresh']>>;

/** Fails the run when two snapshots differ in any value or level. */
function sameValues(a: VitalsSnapshot, b: VitalsSnapshot, what: string) {
  for (const [area, m] of b.values) {
    for (const [id, v] of m) {
      const w = a.values.get(area)?.get(id);
      if (w?.value !== v.value || w?.level !== v.level)
        throw new Error(
          `${what}: ${id} of ${area} is ${JSON.stringify(w)}, the full computation ${JSON.stringify(v)}`,
        );
    }
  }
  if (a.values.size !== b.values.size)
    throw new Error(`${what}: ${a.values.size} areas, expected ${b.values.size}`);
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

export const vitalsBenchmark: Benchmark = {
  name: 'vitals',
  description:
    'full-city vital signs (every indicator, every area) over a year of cases vs SELECT count(*) FROM cases',
  async run({ progress, options }) {
    const n = positiveInt(options.cases, 300_000, 'cases');
    const runs = positiveInt(options.runs, 20, 'runs');
    const now = new Date();
    const { db, engine, drop } = await openBenchDb('vitals');
    try {
      await migrate(db);
      await loadCity(db);
      const started = performance.now();
      await loadCases(db, n, now, progress);
      await loadIot(db, now);
      progress('vacuum analyze');
      await db.exec('VACUUM ANALYZE');
      const loadS = (performance.now() - started) / 1000;
      const repo = vitalsRepository(db);
      const log = createLogger({ logLevel: 'silent', logPretty: false });
      const vitals = vitalsEngine({ repo, clock: () => now, log });
      // The same engine counting every open case: the full computation the counters must equal.
      const scanned = vitalsEngine({
        repo: { ...repo, figures: (figs, at) => repo.figures(figs, at, 'scan') },
        clock: () => now,
        log,
      });
      progress('warming up, checking the counters against the full computation');
      const first = await vitals.refresh();
      sameValues(first, await scanned.refresh(), 'counters kept by the triggers during the load');
      const rebuild = performance.now();
      await repo.rebuildCaseCounters(now);
      const rebuildMs = performance.now() - rebuild;
      sameValues(await vitals.refresh(), await scanned.refresh(), 'counters after a rebuild');
      const areas = first.values.size;
      const indicators = first.definitions.length;
      const city = first.values.get('3101');
      const baseline = await timed(runs, () => db.query('SELECT count(*) FROM cases'));
      const loadBefore = os.loadavg()[0]!;
      const parts = { loadMs: [] as number[], sqlMs: [] as number[], deriveMs: [] as number[] };
      // Interleaved, so both see the same machine load.
      const full: number[] = [];
      const fullScan: number[] = [];
      const casesOnly: number[] = [];
      const casesOnlyScan: number[] = [];
      for (let i = 0; i < runs; i++) {
        const s = await vitals.refresh();
        full.push(s.tookMs);
        for (const k of ['loadMs', 'sqlMs', 'deriveMs'] as const) parts[k].push(s.timings[k]);
        fullScan.push((await scanned.refresh()).tookMs);
        casesOnly.push((await vitals.recompute(['cases'])).tookMs);
        casesOnlyScan.push((await scanned.recompute(['cases'])).tookMs);
      }
      const loadAfter = os.loadavg()[0]!;
      sameValues(await vitals.current(), await scanned.current(), 'counters after the timed runs');
      await vitals.close();
      await scanned.close();
      const open = city?.get('open_cases')?.value ?? 0;
      const note = `${engine}, ${n.toLocaleString()} cases (${open.toLocaleString()} open), ${areas.toLocaleString()} areas × ${indicators} indicators`;
      const ms = (subject: string, values: number[], p: number, extra: Partial<BenchRow> = {}): BenchRow => ({
        subject,
        value: percentile(values, p),
        unit: 'ms',
        better: 'lower',
        ...extra,
      });
      return [
        { subject: 'load (generate_series)', value: loadS, unit: 's', note },
        {
          subject: 'baseline SELECT count(*) FROM cases',
          value: percentile(baseline, 50),
          unit: 'ms p50',
          better: 'lower',
        },
        ms('vitals, full city, p50', full, 50, {
          baseline: 'baseline SELECT count(*) FROM cases',
          note: `goal < 200 ms (server mode); p50 split: areas+definitions ${percentile(parts.loadMs, 50).toFixed(0)} ms, SQL ${percentile(parts.sqlMs, 50).toFixed(0)} ms, in memory ${percentile(parts.deriveMs, 50).toFixed(0)} ms; load average ${loadBefore.toFixed(1)} → ${loadAfter.toFixed(1)} on ${os.cpus().length} cores`,
        }),
        ms('vitals, full city, p95', full, 95),
        ms('full city counting every open case (no counters), p50', fullScan, 50, {
          note: 'the full computation, interleaved with the runs above; identical figures checked',
        }),
        ms('after a case event (cases only), p50', casesOnly, 50, {
          note: 'what the debounced recompute after case.* events runs',
        }),
        ms('after a case event (cases only), p95', casesOnly, 95),
        ms('after a case event, counting every open case, p50', casesOnlyScan, 50),
        {
          subject: 'open-case counters rebuilt from the cases',
          value: rebuildMs,
          unit: 'ms',
          better: 'lower',
          note: 'vital_case_counters_rebuild: the repair path',
        },
      ];
    } finally {
      await drop();
    }
  },
};
