/**
 * The city's year for `onegrid seed demo --scale city`: cases with their timelines on the seeded
 * unit grids (5.8 M a year is Shanghai's volume), and devices with a day of readings (100,000 in
 * the city run), generated in SQL (generate_series) in batches with progress. Each part reports
 * its time and the disk it took (docs/benchmarks.md, "The city").
 */
import type { Db } from '../db/db.ts';

export interface CityYearOptions {
  /** Cases over the 365 days before `until` (default 5,800,000). */
  cases?: number;
  /** IoT devices spread over the unit grids (default 100,000). */
  devices?: number;
  /** Readings per device over the last day (default 288: one every 5 minutes). */
  readingsPerDevice?: number;
  until?: Date;
  progress?: (message: string) => void;
}

export interface PartFigure {
  part: string;
  rows: number;
  seconds: number;
  /** Growth of the database on disk, bytes (the tables and their indexes). */
  bytes: number;
}

const categories = ['06010', '06011', '06012', '06016', '09006', '07001', '01001', '01002', '02001', '05002'];

/** Measures one part: rows, seconds and the database's growth on disk. */
export async function measurePart(
  db: Db,
  part: string,
  fn: () => Promise<number>,
  figures: PartFigure[],
  say: (m: string) => void,
): Promise<void> {
  const size = async () =>
    (await db.query<{ b: number }>('SELECT pg_database_size(current_database())::float8 AS b')).rows[0]!.b;
  const before = await size();
  const t = performance.now();
  const rows = await fn();
  const f = { part, rows, seconds: (performance.now() - t) / 1000, bytes: (await size()) - before };
  figures.push(f);
  say(
    `${part}: ${rows.toLocaleString('en-US')} rows in ${f.seconds.toFixed(1)} s, ` +
      `${(f.bytes / 1024 ** 2).toFixed(0)} MB on disk`,
  );
}

export async function seedCityYear(db: Db, options: CityYearOptions = {}): Promise<PartFigure[]> {
  const say = options.progress ?? (() => {});
  const until = options.until ?? new Date();
  const from = new Date(until.getTime() - 365 * 86_400_000);
  const figures: PartFigure[] = [];
  await db.exec(`DROP TABLE IF EXISTS seed_grids;
    CREATE UNLOGGED TABLE seed_grids AS
      SELECT (row_number() OVER (ORDER BY code) - 1)::int AS k, code, community_code, street_code, district_code,
             area_class, duty_grid_code, ST_PointOnSurface(geom) AS p
        FROM unit_grids;
    CREATE UNIQUE INDEX ON seed_grids (k); ANALYZE seed_grids`);
  const grids = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM seed_grids')).rows[0]!.n;
  if (grids === 0) throw new Error('no unit grids: seed the city first');
  const cases = options.cases ?? 5_800_000;
  if (cases > 0)
    await measurePart(
      db,
      'cases + timelines',
      () => loadCases(db, cases, grids, from, until, say),
      figures,
      say,
    );
  const devices = options.devices ?? 100_000;
  if (devices > 0) {
    await measurePart(db, 'devices', () => loadDevices(db, devices, grids), figures, say);
    const per = options.readingsPerDevice ?? 288;
    if (per > 0) {
      await measurePart(
        db,
        'readings (a day)',
        () => loadReadings(db, devices, per, until, say),
        figures,
        say,
      );
    }
  }
  await db.exec('DROP TABLE IF EXISTS seed_grids');
  return figures;
}

async function loadCases(
  db: Db,
  n: number,
  grids: number,
  from: Date,
  until: Date,
  say: (m: string) => void,
) {
  const base = (await db.query<{ id: number }>('SELECT coalesce(max(id), 0)::int AS id FROM cases')).rows[0]!
    .id;
  // Secondary indexes are built once after the load (several times faster than row by row);
  // the keys stay and are checked while loading.
  const secondary = await db.query<{ name: string; def: string }>(
    `SELECT i.indexname AS name, i.indexdef AS def FROM pg_indexes i
      WHERE i.schemaname = current_schema() AND i.tablename IN ('cases', 'case_events')
        AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conname = i.indexname)`,
  );
  for (const ix of secondary.rows) await db.exec(`DROP INDEX ${ix.name}`);
  const batch = 100_000;
  for (let lo = 0; lo < n; lo += batch) {
    const hi = Math.min(n, lo + batch);
    // One case in thirty is still open (the backlog the vitals count), its handling deadline
    // three days after it was dispatched; the others went the seven steps to closed.
    const params = [lo, hi, from, n, until, base, categories, grids];
    await db.query(
      `INSERT INTO cases (id, number, status, source, category_code, urgency, description, geom, unit_grid_code,
         duty_grid_code, community_code, street_code, district_code, area_code, area_class, department_code,
         current_step, due_at, warn_at, closed_at, close_type, snapshot, created_at, updated_at)
       SELECT $6 + i + 1, 'S' || to_char(t AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD') || lpad(i::text, 9, '0'),
         CASE WHEN i % 30 = 0 THEN 'handling' ELSE 'closed' END,
         (ARRAY['inspector','inspector','public','hotline','iot'])[1 + i % 5], ($7::text[])[1 + i % 10],
         CASE WHEN i % 50 = 0 THEN 'urgent' ELSE 'normal' END, '城市级演示案件',
         ST_SetSRID(ST_MakePoint(ST_X(g.p) + ((i % 7) - 3) * 0.00003, ST_Y(g.p) + ((i % 5) - 2) * 0.00003), 4326),
         g.code, g.duty_grid_code, g.community_code, g.street_code, g.district_code, g.code, g.area_class,
         g.district_code || '-hw',
         CASE WHEN i % 30 = 0 THEN 'handling' END,
         CASE WHEN i % 30 = 0 THEN t + interval '3 days' END,
         CASE WHEN i % 30 = 0 THEN t + interval '2 days' END,
         CASE WHEN i % 30 <> 0 THEN t + interval '140 minutes' END,
         CASE WHEN i % 30 <> 0 THEN 'normal' END,
         '{}'::jsonb, t, t
       FROM (SELECT i, $3::timestamptz + (i::double precision / $4) * ($5::timestamptz - $3::timestamptz) AS t,
                    (i::bigint * 7919 % $8)::int AS k
               FROM generate_series($1::int, $2::int - 1) AS i) s
       JOIN seed_grids g ON g.k = s.k`,
      params,
    );
    await db.query(
      `INSERT INTO case_events (case_id, seq, action, actor_id, actor_role, at, from_status, to_status, data, effects)
       SELECT $6 + i + 1, st.seq, st.action, st.role || '-' || (i % 300), st.role, t + st.seq * interval '20 minutes',
         st.from_status, st.to_status,
         CASE st.action WHEN 'close' THEN '{"closeType":"normal"}'::jsonb ELSE '{}'::jsonb END,
         CASE st.action
           WHEN 'accept' THEN jsonb_build_array(jsonb_build_object('type', 'deadline-stopped', 'step', 'filing',
             'onTime', i % 13 <> 0, 'cancelled', false), '{"type":"filed","auto":false}'::jsonb)
           WHEN 'dispatch' THEN jsonb_build_array(jsonb_build_object('type', 'deadline-stopped', 'step', 'dispatch',
             'onTime', i % 17 <> 0, 'cancelled', false))
           WHEN 'handle' THEN jsonb_build_array(jsonb_build_object('type', 'deadline-stopped', 'step', 'handling',
             'onTime', i % 7 <> 0, 'cancelled', false))
           WHEN 'close' THEN '[{"type":"closed","closeType":"normal","selfHandled":false}]'::jsonb
           ELSE '[]'::jsonb END
       FROM (SELECT i, $3::timestamptz + (i::double precision / $4) * ($5::timestamptz - $3::timestamptz) AS t
               FROM generate_series($1::int, $2::int - 1) AS i) s
       CROSS JOIN (VALUES (1, 'report', 'inspector', NULL, 'reported'), (2, 'accept', 'operator', 'reported', 'filed'),
         (3, 'dispatch', 'dispatcher', 'filed', 'dispatched'), (4, 'accept-task', 'handler', 'dispatched', 'handling'),
         (5, 'handle', 'handler', 'handling', 'handled'), (6, 'verify', 'inspector', 'handled', 'checked'),
         (7, 'close', 'operator', 'checked', 'closed')) AS st (seq, action, role, from_status, to_status)
       WHERE st.seq <= 4 OR i % 30 <> 0`,
      params.slice(0, 6),
    );
    say(`  cases: ${hi.toLocaleString('en-US')} of ${n.toLocaleString('en-US')} with their timelines`);
  }
  for (const ix of secondary.rows) {
    say(`  indexing ${ix.name}`);
    await db.exec(ix.def);
  }
  await db.exec(`SELECT setval('cases_id_seq', (SELECT max(id) FROM cases));
    SELECT vital_case_counters_rebuild(now()); ANALYZE cases; ANALYZE case_events`);
  return n;
}

async function loadDevices(db: Db, n: number, grids: number): Promise<number> {
  // Smoke detectors, manhole covers, standing water and air sensors in the same shares as the
  // vitals benchmark's city; every device online, placed in a unit grid.
  await db.query(
    `INSERT INTO devices (id, token_hash, type_id, name, location, unit_grid_code, status, last_seen_at)
     SELECT 'city-' || lpad(i::text, 7, '0'), 'seed', t.id, t.name_zh || ' ' || i,
       ST_SetSRID(ST_MakePoint(ST_X(g.p) + ((i % 9) - 4) * 0.00002, ST_Y(g.p) + ((i % 11) - 5) * 0.00002), 4326),
       g.code, 'online', now()
     FROM generate_series(0, $1::int - 1) AS i
     JOIN seed_grids g ON g.k = (i::bigint * 104729 % $2)::int
     JOIN (SELECT row_number() OVER (ORDER BY id) - 1 AS r, id, name_zh FROM device_types) t
       ON t.r = i % (SELECT count(*) FROM device_types)
     ON CONFLICT (id) DO NOTHING`,
    [n, grids],
  );
  await db.exec('ANALYZE devices');
  return n;
}

async function loadReadings(db: Db, devices: number, per: number, until: Date, say: (m: string) => void) {
  const day = new Date(until.getTime() - 86_400_000);
  for (const d of [day, until]) {
    await db.query('SELECT readings_ensure_partition($1::date)', [d.toISOString().slice(0, 10)]);
  }
  const batch = Math.max(1, Math.floor(2_000_000 / per));
  for (let lo = 0; lo < devices; lo += batch) {
    const hi = Math.min(devices, lo + batch);
    await db.query(
      `INSERT INTO readings (device_id, metric, ts, num)
       SELECT d.id, t.metrics -> 0 ->> 'key', $3::timestamptz + j * ($4::float8 / $5) * interval '1 second',
              ((i * 31 + j * 17) % 1000) / 10.0
         FROM generate_series($1::int, $2::int - 1) AS i
         JOIN devices d ON d.id = 'city-' || lpad(i::text, 7, '0')
         JOIN device_types t ON t.id = d.type_id
         CROSS JOIN generate_series(0, $5::int - 1) AS j
       ON CONFLICT DO NOTHING`,
      [lo, hi, day, 86_400, per],
    );
    say(`  readings: devices ${hi.toLocaleString('en-US')} of ${devices.toLocaleString('en-US')}`);
  }
  await db.query(
    `INSERT INTO readings_latest (device_id, metric, ts, num)
     SELECT DISTINCT ON (device_id, metric) device_id, metric, ts, num FROM readings
      WHERE device_id LIKE 'city-%' ORDER BY device_id, metric, ts DESC
     ON CONFLICT (device_id, metric) DO UPDATE SET ts = EXCLUDED.ts, num = EXCLUDED.num`,
  );
  return devices * per;
}
