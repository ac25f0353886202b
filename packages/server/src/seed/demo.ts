/**
 * `onegrid seed demo`: the demo city built from the factories. District scale (the default) is
 * 黄浦区 in full detail and the other 15 districts as boundaries; city scale is all 16 districts
 * with grids and Shanghai-sized component counts, committed street by street.
 */
import {
  createRng,
  type Rng,
  type StreetFact,
  shanghaiCityCode,
  shanghaiDistricts,
  streetsOf,
} from '@onegrid/domain';
import { loadCategoryCatalogue } from '../categories/catalogue.ts';
import type { Db, Queryable } from '../db/db.ts';
import {
  communitySpecs,
  makeCity,
  makeCommunities,
  makeStreets,
  partitionStreets,
  syntheticStreetGeometry,
} from './areas.factory.ts';
import { seedDemoBasemap } from './basemap.demo.ts';
import { makeComponents } from './components.factory.ts';
import { seedEmergencyDemo } from './emergency.factory.ts';
import { inspectorsFor, makeDutyGrids, makeUnitGrids } from './grids.factory.ts';
import { makePoliceGrids, policeLayer, reconcileLayer } from './layers.ts';
import { square } from './loop-city.factory.ts';
import {
  cityDepartments,
  demoPassword,
  departmentCode,
  districtDepartments,
  makeDepartments,
  makeUsers,
  streetCentre,
  type UserSpec,
} from './org.factory.ts';
import { readSharedData, type SharedData } from './shared-data.ts';
import { type CityCounts, cityCounts, cityIsEmpty, clearCity, seedSession } from './state.ts';

export interface SeedDemoOptions {
  scale?: 'district' | 'city';
  /** The public Shanghai data folder; geometry and community names are generated without it. */
  sharedDataDir?: string | undefined;
  /** Replace the city in a database that has one. */
  force?: boolean;
  /** Districts seeded in full detail: 310101 at district scale, all at city scale. */
  detailDistricts?: readonly string[];
  /** Only the first N streets of each detailed district (tests). */
  streetLimit?: number;
  /** Only these streets of the detailed districts (tests). */
  streets?: readonly string[];
  /** Multiplies component densities (tests use small fractions). */
  componentDensity?: number;
  /** Grows unit grid cells (tests use it for fewer grids). */
  gridGrowth?: number;
  /** Police grid size in km² (default 1.5 in central districts, 5 elsewhere). */
  policeCellKm2?: number;
  seed?: string;
  /** Standard addresses, roads and rivers of the detailed districts from the shared data (default true). */
  basemap?: boolean;
  progress?: (message: string) => void;
}

export interface SeedDemoResult {
  seeded: boolean;
  /** Why nothing was done, when `seeded` is false. */
  reason?: string;
  scale: 'district' | 'city';
  geometry: 'shared' | 'synthetic';
  communityNames: 'shared' | 'synthetic';
  counts: CityCounts;
  ms: number;
}

/** The demo accounts of CONTRACTS.md; all share the password `onegrid-demo`. */
export function demoAccounts(): UserSpec[] {
  const hp = '310101';
  return [
    { username: 'admin', role: 'admin', scopeCode: shanghaiCityCode, displayName: '系统管理员' },
    { username: 'security', role: 'security', scopeCode: shanghaiCityCode, displayName: '安全管理员 孙悦' },
    { username: 'auditor', role: 'auditor', scopeCode: shanghaiCityCode, displayName: '审计管理员 赵宁' },
    { username: 'leader', role: 'leader', scopeCode: shanghaiCityCode, displayName: '城运中心 周主任' },
    { username: 'operator', role: 'operator', scopeCode: shanghaiCityCode, displayName: '受理员 张敏' },
    { username: 'dispatcher', role: 'dispatcher', scopeCode: shanghaiCityCode, displayName: '派遣员 李强' },
    {
      // The department the matrix sends everyday public reports to (市容环境类 06, e.g. 暴露垃圾).
      username: 'handler',
      role: 'handler',
      scopeCode: hp,
      displayName: '黄浦区环境卫生管理所 王磊',
      departmentCode: departmentCode(hp, 'hw'),
    },
    {
      username: 'inspector',
      role: 'inspector',
      scopeCode: '310101002',
      displayName: '网格监督员 陈静',
      dutyGridCodes: ['310101002D001'],
    },
    { username: 'hp-operator', role: 'operator', scopeCode: hp, displayName: '黄浦区受理员 刘洋' },
  ].map((u) => ({ ...u, demo: true }) as UserSpec);
}

export async function seedDemo(db: Db, options: SeedDemoOptions = {}): Promise<SeedDemoResult> {
  const started = Date.now();
  const scale = options.scale ?? 'district';
  const say = options.progress ?? (() => {});
  const shared = readSharedData(options.sharedDataDir, scale);
  const geometry = shared?.districts ? 'shared' : 'synthetic';
  const communityNames = shared?.communities ? 'shared' : 'synthetic';
  const base = { scale, geometry, communityNames } as const;

  if (!(await cityIsEmpty(db))) {
    if (!options.force) {
      return {
        seeded: false,
        reason: 'the database already holds a city; use --force to replace it',
        ...base,
        counts: await cityCounts(db),
        ms: Date.now() - started,
      };
    }
    say('removing the existing city (--force)');
    await seedSession(db, (tx) => clearCity(tx)).catch((e: unknown) => {
      const pgError = e as { code?: string; table?: string; detail?: string };
      if (pgError.code !== '23503') throw e;
      throw new Error(
        `cannot replace the city: other data still refers to it (${pgError.detail ?? pgError.table ?? 'a foreign key'}). ` +
          'Remove that data first, or seed a fresh database.',
      );
    });
  }

  const rng = createRng(options.seed ?? 'onegrid-demo');
  const detail =
    options.detailDistricts ?? (scale === 'city' ? shanghaiDistricts.map((d) => d.code) : ['310101']);
  say(
    `seeding the ${scale}-scale demo city (geometry: ${geometry}, community names: ${communityNames}` +
      `${shared ? ` from ${shared.dir}` : ''})`,
  );

  const build = async (outer?: Queryable) => {
    const step = <T>(fn: (q: Queryable) => Promise<T>) => (outer ? fn(outer) : seedSession(db, fn));
    await step(async (q) => {
      const catalogue = await loadCategoryCatalogue(q);
      say(`categories: ${catalogue.rows} in the catalogue (${catalogue.inserted} new)`);
      const districts = await makeCity(q, { districtBoundaries: shared?.districts });
      say(`city 上海市 and ${districts.length} districts`);
      await makeDepartments(q, shanghaiCityCode, cityDepartments, rng.fork('city-departments'));
    });
    const inspectors: UserSpec[] = [];
    for (const districtCode of detail) {
      inspectors.push(...(await seedDistrict(step, districtCode, shared, rng.fork(districtCode), options)));
    }
    await step(async (q) => {
      const people = await atTheSquare(q, demoAccounts(), inspectors);
      await makeUsers(q, await fitAccounts(q, people));
      say(`users: ${demoAccounts().length} demo accounts and ${inspectors.length} grid inspectors`);
      if (detail.includes('310101')) {
        await seedEmergencyDemo(q);
        say('emergency: the 黄浦区 flood plan, pumps, teams, stockpiles, shelters and a duty roster');
      }
      await q.query('UPDATE geo_revision SET revision = revision + 1');
    });
  };
  // One district commits at once, so a half-seeded city never exists; a city commits per street.
  if (scale === 'district') await seedSession(db, (tx) => build(tx));
  else await build();
  if (options.basemap !== false) {
    const b = await seedDemoBasemap(db, {
      sharedDir: shared?.dir,
      districtCodes: detail,
      realGeometry: geometry === 'shared',
    });
    say(
      `base map: ${b.addresses} standard addresses, ${b.roads} roads traced through them, ${b.water} rivers`,
    );
  }

  const counts = await cityCounts(db);
  say(
    `done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${counts.districts} districts, ` +
      `${counts.streets} streets, ${counts.communities} communities, ${counts.unitGrids} unit grids, ` +
      `${counts.dutyGrids} duty grids, ${counts.components} components`,
  );
  return { seeded: true, ...base, counts, ms: Date.now() - started };
}

/**
 * The README's `inspector` is the duty inspector (责任监督员) of the grid holding 人民广场, where a
 * first report is made; that grid's generated inspector gives way. Without such a grid (a test
 * seeding other streets) the account keeps its default grid.
 */
async function atTheSquare(
  q: Queryable,
  accounts: readonly UserSpec[],
  inspectors: readonly UserSpec[],
): Promise<UserSpec[]> {
  const r = await q.query<{ code: string; street: string }>(
    `SELECT code, street_code AS street FROM duty_grids
      WHERE ST_Intersects(geom, ST_SetSRID(ST_MakePoint($1, $2), 4326)) ORDER BY code LIMIT 1`,
    [square.lng, square.lat],
  );
  const duty = r.rows[0];
  if (!duty) return [...accounts, ...inspectors];
  return [
    ...accounts.map((a) =>
      a.username === 'inspector' ? { ...a, scopeCode: duty.street, dutyGridCodes: [duty.code] } : a,
    ),
    ...inspectors.filter((i) => !i.dutyGridCodes?.includes(duty.code)),
  ];
}

/**
 * Demo accounts point into 黄浦区; when a test seeds other districts only, an account keeps the
 * nearest area that exists and loses links to departments or grids that do not.
 */
async function fitAccounts(q: Queryable, specs: readonly UserSpec[]): Promise<UserSpec[]> {
  const r = await q.query<{ code: string }>(
    `SELECT code FROM areas UNION ALL SELECT code FROM departments UNION ALL SELECT code FROM duty_grids`,
  );
  const exists = new Set(r.rows.map((x) => x.code));
  return specs.map((u) => {
    let scope = u.scopeCode;
    while (!exists.has(scope) && scope.length > 4)
      scope = scope.slice(0, scope.length === 6 ? 4 : scope.length - 3);
    return {
      ...u,
      scopeCode: scope,
      departmentCode: u.departmentCode && exists.has(u.departmentCode) ? u.departmentCode : null,
      dutyGridCodes: (u.dutyGridCodes ?? []).filter((d) => exists.has(d)),
    };
  });
}

type Step = <T>(fn: (q: Queryable) => Promise<T>) => Promise<T>;

async function seedDistrict(
  step: Step,
  districtCode: string,
  shared: SharedData | undefined,
  rng: Rng,
  options: SeedDemoOptions,
): Promise<UserSpec[]> {
  const say = options.progress ?? (() => {});
  const all = streetsOf(districtCode);
  const chosen = options.streets ? all.filter((s) => options.streets?.includes(s.code)) : all;
  const streets = options.streetLimit ? chosen.slice(0, options.streetLimit) : chosen;
  const district = shanghaiDistricts.find((d) => d.code === districtCode)!;
  await step(async (q) => {
    const polygons = shared?.streets?.get(districtCode);
    const geometry = polygons
      ? await partitionStreets(q, districtCode, polygons, new Set(all.map((s) => s.code)))
      : await syntheticStreetGeometry(q, districtCode, all, rng.fork('streets'));
    await makeStreets(q, streets, geometry);
    await makeDepartments(q, districtCode, districtDepartments(district.name), rng.fork('departments'));
    const missing = streets.filter((s) => !geometry.has(s.code)).map((s) => s.name);
    say(
      `${district.name}: ${streets.length} streets` +
        (missing.length ? ` (no polygon, listed without geometry: ${missing.join('、')})` : ''),
    );
  });
  const inspectors: UserSpec[] = [];
  const sequences = new Map<string, number>();
  for (const [i, street] of streets.entries()) {
    const made = await step((q) => seedStreet(q, street, shared, rng.fork(street.code), options, sequences));
    inspectors.push(...made.inspectors);
    say(
      `  [${i + 1}/${streets.length}] ${street.code} ${street.name}: ${made.communities} communities, ` +
        `${made.unitGrids} unit grids, ${made.dutyGrids} duty grids, ${made.components} components`,
    );
  }
  await step(async (q) => {
    const police = await makePoliceGrids(q, districtCode, rng.fork('police'), {
      ...(options.policeCellKm2 ? { cellKm2: options.policeCellKm2 } : {}),
    });
    const links = await reconcileLayer(q, policeLayer.id, districtCode);
    say(`${district.name}: ${police} police grids reconciled onto unit grids (${links.links} links)`);
  });
  return inspectors;
}

async function seedStreet(
  q: Queryable,
  street: StreetFact,
  shared: SharedData | undefined,
  rng: Rng,
  options: SeedDemoOptions,
  sequences: Map<string, number>,
) {
  const communities = await makeCommunities(
    q,
    street.code,
    communitySpecs(street, shared?.communities?.get(street.code)),
    rng.fork('communities'),
  );
  const unitGrids = await makeUnitGrids(q, street.code, { growth: options.gridGrowth ?? 1 });
  const duty = await makeDutyGrids(q, street.code);
  await makeDepartments(q, street.code, [streetCentre(street.name)], rng.fork('centre'));
  const components = await makeComponents(q, street.code, {
    densityFactor: options.componentDensity ?? 1,
    sequences,
    salt: options.seed ?? '',
  });
  const names = rng.fork('inspectors');
  const inspectors: UserSpec[] = inspectorsFor(duty, names).map((i) => ({
    username: i.username,
    role: 'inspector',
    scopeCode: i.scopeCode,
    displayName: `网格监督员 ${i.displayName}`,
    dutyGridCodes: [i.dutyGridCode],
    phone: `139${String(names.int(0, 99_999_999)).padStart(8, '0')}`,
    demo: true,
  }));
  return { communities, unitGrids, dutyGrids: duty.length, components, inspectors };
}

/**
 * What `onegrid serve` does at start: brings the category catalogue up to date and, unless told
 * not to, loads the demo city into a database that has no city yet. Returns the demo accounts
 * present, for the start-up banner.
 */
export async function prepareCity(
  db: Db,
  options: { demo: boolean; sharedDataDir?: string | undefined; progress?: (message: string) => void },
): Promise<{ seeded: boolean; accounts: string[] }> {
  await loadCategoryCatalogue(db);
  let seeded = false;
  if (options.demo && (await cityIsEmpty(db))) {
    options.progress?.('first start: loading the demo city (onegrid serve --no-demo skips this)');
    seeded = (await seedDemo(db, { sharedDataDir: options.sharedDataDir, progress: options.progress }))
      .seeded;
  }
  const r = await db.query<{ username: string }>(
    'SELECT username FROM users WHERE demo AND active AND username = ANY($1::text[]) ORDER BY id',
    [demoAccounts().map((a) => a.username)],
  );
  return { seeded, accounts: r.rows.map((x) => x.username) };
}

/** The start-up banner's account list. */
export function formatDemoAccounts(usernames: readonly string[]): string {
  if (usernames.length === 0) return '';
  const roles = new Map(demoAccounts().map((a) => [a.username, a.displayName ?? a.role]));
  const lines = usernames.map((u) => `  ${u.padEnd(12)} ${roles.get(u) ?? ''}`);
  return `demo accounts (password: ${demoPassword}):\n${lines.join('\n')}\n`;
}
