/**
 * The demo city lives in all 16 districts, not only in the one seeded in detail: every district
 * gets its departments, responsibility matrix, handlers, a few inspectors and its residents
 * (census 2020, so per-10,000 figures show); inspectors walk their patrols while on duty, and new
 * reports come in from every district at rates that follow the residents and the hour (rush
 * hours, a quiet night, lighter weekends: @onegrid/domain demo/rhythm.ts).
 */
import {
  busyness,
  createRng,
  districtResidents,
  personName,
  type Rng,
  reportsPerDay,
  shanghaiCityCode,
  shanghaiClock,
  terminalStatuses,
} from '@onegrid/domain';
import type { Db } from '../db/db.ts';
import type { Logger } from '../logger.ts';
import { patrolRepository } from '../patrol/patrol.repository.ts';
import type { Server } from '../server.ts';
import { makeDepartmentHandlers, makeMatrix } from './loop.factory.ts';
import { districtDepartments, makeDepartments, makeUsers, type UserSpec } from './org.factory.ts';

export interface DistrictRow {
  code: string;
  name: string;
  residents: number;
}

/** Every district of the city with its residents (the census figure when the row has none). */
export async function cityDistricts(db: Db): Promise<DistrictRow[]> {
  const r = await db.query<{ code: string; name: string; population: number | null }>(
    `SELECT code, name, population FROM areas WHERE level = 'district' ORDER BY code`,
  );
  return r.rows.map((d) => ({
    code: d.code,
    name: d.name,
    residents: d.population ?? districtResidents[d.code] ?? 500_000,
  }));
}

/**
 * Departments, matrix, handlers and (where the district has no grids of its own) a few inspectors
 * in every district; residents of the city, districts and streets where the rows have none (a
 * street gets its district's share by area). Idempotent: run at every start.
 */
export async function prepareLivingCity(db: Db): Promise<DistrictRow[]> {
  const rng = createRng('onegrid-living-city');
  for (const [code, residents] of Object.entries(districtResidents)) {
    await db.query('UPDATE areas SET population = $2 WHERE code = $1 AND population IS NULL', [
      code,
      residents,
    ]);
  }
  await db.query(
    `UPDATE areas c SET population = (SELECT sum(population) FROM areas WHERE level = 'district')
      WHERE c.code = $1 AND c.population IS NULL`,
    [shanghaiCityCode],
  );
  await db.query(
    `UPDATE areas s SET population = round(d.population * s.area_m2 / t.total)::int
       FROM areas d, (SELECT parent_code, sum(area_m2) AS total FROM areas WHERE level = 'street'
                       AND area_m2 > 0 GROUP BY parent_code) t
      WHERE s.level = 'street' AND s.population IS NULL AND s.area_m2 > 0
        AND d.code = s.parent_code AND t.parent_code = s.parent_code AND d.population IS NOT NULL`,
  );
  const districts = await cityDistricts(db);
  for (const d of districts) {
    const has = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM departments WHERE area_code = $1',
      [d.code],
    );
    if (!has.rows[0]?.n) await makeDepartments(db, d.code, districtDepartments(d.name), rng.fork(d.code));
    await makeMatrix(db, d.code);
    await makeDepartmentHandlers(db, d.code);
    const inspectors = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM users WHERE role = 'inspector' AND active AND scope_code LIKE $1 || '%'`,
      [d.code],
    );
    if (!inspectors.rows[0]?.n) {
      // A district without grids of its own: inspectors by its size (3 to 9), on the district.
      const names = rng.fork(`inspectors-${d.code}`);
      const n = Math.min(9, 3 + Math.round(d.residents / 1_000_000));
      const specs: UserSpec[] = Array.from({ length: n }, (_, i) => ({
        username: `insp-${d.code}-${String(i + 1).padStart(2, '0')}`,
        role: 'inspector',
        scopeCode: d.code,
        displayName: `网格监督员 ${personName(names)}`,
        phone: `139${String(names.int(0, 99_999_999)).padStart(8, '0')}`,
        demo: true,
      }));
      await makeUsers(db, specs);
    }
  }
  return districts;
}

interface Walker {
  id: number;
  district: string;
  home: { lng: number; lat: number };
  at: { lng: number; lat: number };
}

/** A random point inside an area's (or a duty grid's) polygon; null without geometry. */
async function pointIn(db: Db, code: string, seed: number): Promise<{ lng: number; lat: number } | null> {
  const r = await db.query<{ lng: number; lat: number }>(
    `SELECT ST_X(p) AS lng, ST_Y(p) AS lat FROM (
       SELECT (ST_Dump(ST_GeneratePoints(geom, 1, $2))).geom AS p FROM (
         SELECT geom FROM duty_grids WHERE code = $1
         UNION ALL SELECT geom FROM areas WHERE code = $1 AND geom IS NOT NULL) g LIMIT 1) x`,
    [code, seed],
  );
  return r.rows[0] ?? null;
}

/**
 * Who walks: per district up to `perDistrict(d)` inspectors, each from a point of their duty grid
 * (or their area). Returns them with their district.
 */
async function walkers(db: Db, districts: readonly DistrictRow[], rng: Rng): Promise<Walker[]> {
  const out: Walker[] = [];
  for (const d of districts) {
    const want = Math.min(10, 3 + Math.round(d.residents / 800_000));
    const r = await db.query<{ id: number; grid: string | null; scope: string }>(
      `SELECT u.id::int AS id, u.scope_code AS scope,
              (SELECT min(duty_grid_code) FROM duty_grid_inspectors g WHERE g.user_id = u.id) AS grid
         FROM users u WHERE u.role = 'inspector' AND u.active AND u.scope_code LIKE $1 || '%'
        ORDER BY md5(u.username) LIMIT $2`,
      [d.code, want],
    );
    for (const u of r.rows) {
      const home =
        (await pointIn(db, u.grid ?? u.scope, rng.int(1, 1_000_000))) ??
        (await pointIn(db, d.code, rng.int(1, 1_000_000)));
      if (home) out.push({ id: u.id, district: d.code, home, at: { ...home } });
    }
  }
  return out;
}

/** Share of a district's walkers on duty now: the day shift all, the night one or two. */
function onDutyShare(now: Date): number {
  const { hour } = shanghaiClock(now);
  return hour >= 7 && hour < 21 ? 1 : 0.25;
}

const categories = ['06010', '06011', '06012', '06014', '07001', '07003', '09005', '09006', '06042', '02030'];

export interface LivingCity {
  stop(): void;
  /** One step now: patrol points for who is on duty, and perhaps a report (tests call it). */
  tick(): Promise<void>;
}

/**
 * Starts the city's life: a first step at once (a report in every district and every walker's
 * first fix, so the command screen shows all 16 districts within the first minute), then every
 * `everyMs` a patrol step and, by the hour's rhythm, new reports through the real case engine.
 */
export async function startLivingCity(
  server: Server,
  db: Db,
  log: Logger,
  options: { everyMs?: number; seed?: string } = {},
): Promise<LivingCity> {
  const rng = createRng(options.seed ?? `living-${Date.now()}`);
  const districts = await cityDistricts(db);
  const people = await walkers(db, districts, rng.fork('walkers'));
  const patrol = patrolRepository(db);
  const inspectorsOf = new Map<string, Walker[]>();
  for (const w of people) inspectorsOf.set(w.district, [...(inspectorsOf.get(w.district) ?? []), w]);
  const principal = async (id: number) =>
    (
      await db.query<{ id: number; username: string; displayName: string; scopeCode: string }>(
        `SELECT id::int AS id, username, display_name AS "displayName", scope_code AS "scopeCode"
           FROM users WHERE id = $1`,
        [id],
      )
    ).rows[0];

  async function walk(now: Date) {
    const share = onDutyShare(now);
    for (const [district, list] of inspectorsOf) {
      const onDuty = list.slice(0, Math.max(1, Math.round(list.length * share)));
      for (const w of onDuty) {
        // About 40 m a step, pulled back towards home so a patrol stays on its beat.
        w.at = {
          lng: w.at.lng + (rng.next() - 0.5) * 0.0008 + (w.home.lng - w.at.lng) * 0.1,
          lat: w.at.lat + (rng.next() - 0.5) * 0.0007 + (w.home.lat - w.at.lat) * 0.1,
        };
        const where = await server.geo.locateWgs84(w.at.lng, w.at.lat);
        if (!where?.district || where.district.code !== district) w.at = { ...w.home };
        await patrol.insert(w.id, [
          {
            recordedAt: now,
            lng: w.at.lng,
            lat: w.at.lat,
            accuracyM: 8,
            unitGridCode: where?.unitGrid?.code ?? null,
          },
        ]);
      }
    }
  }

  async function report(d: DistrictRow) {
    const list = inspectorsOf.get(d.code) ?? [];
    const w = list.length ? rng.pick(list) : undefined;
    if (!w) return;
    const who = await principal(w.id);
    if (!who) return;
    const at = {
      lng: w.at.lng + (rng.next() - 0.5) * 0.0006,
      lat: w.at.lat + (rng.next() - 0.5) * 0.0006,
    };
    await server.cases.service.report(
      { category: rng.pick(categories), description: '巡查发现（演示）', location: at, source: 'inspector' },
      { ...who, role: 'inspector', departmentCode: null },
    );
  }

  const everyMs = options.everyMs ?? 30_000;
  // About one report every 75 s across the city on an average hour (a demo shows the loop moving;
  // the history is the one at believable daily rates), more in the rush hours, few at night.
  const perTick = (0.4 * everyMs) / 30_000;
  let running = false;
  async function tick(first = false) {
    if (running) return;
    running = true;
    const now = new Date();
    try {
      await walk(now);
      if (first) {
        // A district without an open case gets one at once (a restart adds nothing where there is).
        const open = await db.query<{ code: string }>(
          `SELECT DISTINCT district_code AS code FROM cases
            WHERE status <> ALL($1::text[])`,
          [terminalStatuses],
        );
        const busy = new Set(open.rows.map((r) => r.code));
        for (const d of districts) if (!busy.has(d.code)) await report(d).catch(() => undefined);
      } else {
        // Poisson-like: the expected count this tick, by the hour's rhythm.
        let expected = perTick * busyness(now);
        while (expected > 0) {
          if (rng.next() < Math.min(1, expected)) {
            const d = rng.weighted([...districts], (x) => reportsPerDay(x.residents));
            await report(d);
          }
          expected -= 1;
        }
      }
    } catch (e) {
      log.debug({ err: e, category: 'seed' }, 'demo city step failed');
    } finally {
      running = false;
    }
  }
  await tick(true);
  log.info(
    { category: 'seed', districts: districts.length, inspectors: people.length },
    'the demo city lives: patrols and reports in every district',
  );
  const timer = setInterval(() => void tick(), everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer), tick: () => tick() };
}
