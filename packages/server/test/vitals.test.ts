/**
 * City vital signs over HTTP, against a fixture whose every figure is counted by hand below.
 * Clock: Monday 2026-11-23 10:00 in Shanghai (02:00 UTC); "today" began 2026-11-22 16:00 UTC.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/db/db.ts';
import type { Server } from '../src/server.ts';
import { makeLoopCity, square } from './case-fixture.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';
import { ensureUser, login, streamPath, testServer } from './http-harness.ts';

const now = new Date('2026-11-23T02:00:00Z');
const ago = (minutes: number) => new Date(now.getTime() - minutes * 60_000).toISOString();
const HP = '310101'; // 黄浦区: street 310101002, community 310101002001, grids …001–004
const XH = '310104'; // 徐汇区: street 310104001, community 310104001001 (no unit grids in the fixture)

/**
 * Cases (status, created, due, closed, close type):
 *   黄浦  c1 handling  today 01:00Z      due in 1 h     → open, new today
 *         c2 dispatched 11-20            due 11-22      → open, overdue
 *         c3 filed     today 00:30Z      no deadline    → open, new today
 *         c4 closed    11-21   closed 11-22 20:00Z normal   → closed in 24 h, on time
 *         c5 closed    11-18   closed 11-22 10:00Z overdue  → closed in 24 h, late
 *         c6 closed    11-10   closed 11-20        normal   → outside 24 h
 *         c7 rejected  today 01:30Z                      → new today, not open
 *   徐汇  c8 handling  11-22 10:00Z (18:00 local, yesterday) due 11-22 20:00Z → open, overdue
 *         c9 closed    11-21   closed today 01:00Z normal   → closed in 24 h, on time
 * 黄浦: open 3, overdue 1 (33.3 %), new today 3, closed 2 / on time 1 (50.0 %)
 * 徐汇: open 1, overdue 1 (100.0 %), new today 0, closed 1 / on time 1 (100.0 %)
 * city: open 4, overdue 2 (50.0 %), new today 3, closed 3 / on time 2 (66.7 %)
 */
async function seedVitals(db: Db) {
  const grid = (code: string) => ({
    d: code.slice(0, 6),
    s: code.slice(0, 9),
    c: code.slice(0, 12),
  });
  const cases: [string, string, string, string | null, string | null, string | null, string][] = [
    ['c1', 'handling', '2026-11-23T01:00:00Z', '2026-11-23T03:00:00Z', null, null, '310101002001001'],
    ['c2', 'dispatched', '2026-11-20T02:00:00Z', '2026-11-22T02:00:00Z', null, null, '310101002001002'],
    ['c3', 'filed', '2026-11-23T00:30:00Z', null, null, null, '310101002001003'],
    ['c4', 'closed', '2026-11-21T02:00:00Z', null, '2026-11-22T20:00:00Z', 'normal', '310101002001004'],
    ['c5', 'closed', '2026-11-18T02:00:00Z', null, '2026-11-22T10:00:00Z', 'overdue', '310101002001001'],
    ['c6', 'closed', '2026-11-10T02:00:00Z', null, '2026-11-20T02:00:00Z', 'normal', '310101002001001'],
    ['c7', 'rejected', '2026-11-23T01:30:00Z', null, null, null, '310101002001002'],
    ['c8', 'handling', '2026-11-22T10:00:00Z', '2026-11-22T20:00:00Z', null, null, '310104001001001'],
    ['c9', 'closed', '2026-11-21T02:00:00Z', null, '2026-11-23T01:00:00Z', 'normal', '310104001001001'],
  ];
  for (const [n, status, created, due, closed, closeType, g] of cases) {
    const a = grid(g);
    await db.query(
      `INSERT INTO cases (number, status, source, category_code, urgency, description, geom, unit_grid_code,
         community_code, street_code, district_code, area_code, area_class, snapshot, created_at, updated_at,
         due_at, current_step, closed_at, close_type)
       VALUES ($1, $2, 'inspector', '06010', 'normal', 'vitals fixture', ST_SetSRID(ST_MakePoint($3, $4), 4326),
         $5, $6, $7, $8, $5, 'A', '{}', $9, $9, $10, CASE WHEN $10::timestamptz IS NULL THEN NULL ELSE 'handling' END,
         $11, $12)`,
      [`V-${n}`, status, square.lng, square.lat, g, a.c, a.s, a.d, created, due, closed, closeType],
    );
  }
  await db.exec(`
    UPDATE areas SET population = 600000 WHERE code = '310101';
    UPDATE areas SET population = 30000 WHERE code = '310101002';
    UPDATE areas SET population = 4000 WHERE code = '310101002001';
  `);

  // Devices: 黄浦 w1 w2 a1 a2 online, s1 offline; 徐汇 w3 offline, a3 disabled; n1 has no grid.
  const devices: [string, string, string | null, string][] = [
    ['w1', 'water-depth', '310101002001001', 'online'],
    ['w2', 'water-depth', '310101002001002', 'online'],
    ['w3', 'water-depth', '310104001001001', 'offline'],
    ['a1', 'air-quality', '310101002001003', 'online'],
    ['a2', 'air-quality', '310101002001004', 'online'],
    ['a3', 'air-quality', '310104001001001', 'disabled'],
    ['s1', 'smoke', '310101002001001', 'offline'],
    ['n1', 'smoke', null, 'online'],
  ];
  for (const [id, type, g, status] of devices) {
    await db.query(
      `INSERT INTO devices (id, token_hash, type_id, name, unit_grid_code, status, last_seen_at)
       VALUES ($1, 'x', $2, $1, $3, $4, $5)`,
      [id, type, g, status, status === 'online' ? ago(0.5) : null],
    );
  }
  // Standing water: w1 30 cm (over 27), w2 exactly 27 (not over), w3 40 cm but two hours old.
  for (const [id, depth, at] of [
    ['w1', 30, ago(10)],
    ['w2', 27, ago(5)],
    ['w3', 40, ago(120)],
  ] as const) {
    await db.query(`INSERT INTO readings_latest (device_id, metric, ts, num) VALUES ($1, 'depth', $2, $3)`, [
      id,
      at,
      depth,
    ]);
  }
  // PM2.5 in the last 24 h: a1 40 and 60, a2 20 → mean 40.0 µg/m³ → IAQI 50/40 × 5 + 50 = 56.25 → 57.
  // Left out: a1's 500 from 25 h ago, and disabled a3's 300.
  await db.exec(
    `SELECT readings_ensure_partition('2026-11-22'::date); SELECT readings_ensure_partition('2026-11-23'::date);`,
  );
  for (const [id, v, at] of [
    ['a1', 40, ago(60)],
    ['a1', 60, ago(120)],
    ['a2', 20, ago(30)],
    ['a1', 500, ago(25 * 60)],
    ['a3', 300, ago(60)],
  ] as const) {
    await db.query(`INSERT INTO readings (device_id, metric, ts, num) VALUES ($1, 'pm25', $2, $3)`, [
      id,
      at,
      v,
    ]);
  }
  // Alarms: 黄浦 critical w1, major w2, minor s1, warning a1; 徐汇 critical w3 (active), major w3 (cleared).
  const rule = (await db.query<{ id: number }>('SELECT min(id)::int AS id FROM rules')).rows[0]!.id;
  const alarms: [string, string, string, boolean][] = [
    ['w1', 'critical', '310101002001001', false],
    ['w2', 'major', '310101002001002', false],
    ['s1', 'minor', '310101002001001', false],
    ['a1', 'warning', '310101002001003', false],
    ['w3', 'critical', '310104001001001', false],
  ];
  for (const [device, severity, area, cleared] of alarms) {
    await db.query(
      `INSERT INTO alarms (rule_id, device_id, severity, area_code, raised_at, updated_at, cleared, cleared_at)
       VALUES ($1, $2, $3, $4, $5, $5, $6, $7)`,
      [rule, device, severity, area, ago(30), cleared, cleared ? ago(10) : null],
    );
  }
  const otherRule = (await db.query<{ id: number }>('SELECT max(id)::int AS id FROM rules')).rows[0]!.id;
  await db.query(
    `INSERT INTO alarms (rule_id, device_id, severity, area_code, raised_at, updated_at, cleared, cleared_at)
     VALUES ($1, 'w3', 'major', '310104001001001', $2, $2, true, $2)`,
    [otherRule, ago(40)],
  );
  // Patrol points in the last 15 min: insp (twice) and insp2 in 黄浦 → 2 inspectors. Left out:
  // insp3 16 min ago, and the operator (not an inspector).
  const insp2 = await ensureUser(db, { username: 'insp2', role: 'inspector', scopeCode: '310101002' });
  const insp3 = await ensureUser(db, { username: 'insp3', role: 'inspector', scopeCode: '310101002' });
  const ids = await db.query<{ username: string; id: number }>(
    "SELECT username, id::int AS id FROM users WHERE username IN ('insp', 'op')",
  );
  const id = (u: string) => ids.rows.find((r) => r.username === u)!.id;
  for (const [user, g, at] of [
    [id('insp'), '310101002001001', ago(5)],
    [id('insp'), '310101002001002', ago(12)],
    [insp2, '310101002001003', ago(14)],
    [insp3, '310101002001004', ago(16)],
    [id('op'), '310101002001004', ago(1)],
  ] as const) {
    await db.query(
      `INSERT INTO patrol_points (user_id, recorded_at, geom, unit_grid_code)
       VALUES ($1, $2, ST_SetSRID(ST_MakePoint($3, $4), 4326), $5)`,
      [user, at, square.lng, square.lat, g],
    );
  }
}

type Indicator = {
  id: string;
  value: number | null;
  level: string | null;
  thresholds: Record<string, number>;
};
type VitalsBody = {
  computedAt: string;
  area: { code: string; name: string; level: string | null };
  indicators: Indicator[];
  children: {
    code: string;
    name: string;
    level: string | null;
    values: Record<string, { value: number | null; level: string | null }>;
  }[];
};

describe(`city vital signs on ${testEngine}`, () => {
  let t: TestDb;
  let server: Server;
  const tokens: Record<string, string> = {};
  const call = async (
    user: string,
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    payload?: unknown,
  ) => {
    const res = await server.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${tokens[user]}` },
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });
    return { status: res.statusCode, body: res.body ? res.json() : undefined };
  };
  const vitals = async (user: string, area?: string) => {
    const r = await call(user, 'GET', `/api/v1/vitals${area ? `?area=${area}` : ''}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body as VitalsBody;
  };
  const byId = (b: VitalsBody) => Object.fromEntries(b.indicators.map((i) => [i.id, [i.value, i.level]]));

  beforeAll(async () => {
    t = await openTestDb();
    await makeLoopCity(t.db);
    await ensureUser(t.db, { username: 'hp-boss', role: 'leader', scopeCode: HP });
    await seedVitals(t.db);
    server = await testServer(t.db, () => now);
    await server.geo.refresh({ force: true });
    await server.vitals.engine.refresh();
    for (const u of ['insp', 'op', 'boss', 'hp-boss', 'root']) tokens[u] = await login(server, u);
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  it('computes every default indicator for the city as counted by hand', async () => {
    const b = await vitals('boss');
    expect(b.computedAt).toBe(now.toISOString());
    expect(b.area).toEqual({ code: '3101', name: '上海市', level: 'red' });
    expect(byId(b)).toEqual({
      open_cases: [4, 'green'],
      new_today: [3, 'green'],
      overdue_rate: [50, 'red'],
      ontime_close_rate: [66.7, 'red'],
      alarms_red: [2, 'red'],
      alarms_orange: [1, 'orange'],
      alarms_yellow: [2, 'yellow'],
      water_over_threshold: [1, 'orange'],
      aqi: [57, 'yellow'],
      pm25: [40, 'yellow'],
      device_online_rate: [66.7, 'red'],
      inspectors_on_duty: [2, 'green'],
      cases_per_10k: [null, null],
    });
    const open = b.indicators.find((i) => i.id === 'open_cases')!;
    expect(open.thresholds).toEqual({ yellow: 20_000, orange: 40_000, red: 80_000 });
    expect(b.children.map((c) => [c.code, c.name])).toEqual([
      [HP, '黄浦区'],
      [XH, '徐汇区'],
    ]);
  });

  it('gives each district its own values, as children of the city and as areas of their own', async () => {
    const b = await vitals('boss');
    const hp = b.children.find((c) => c.code === HP)!;
    const xh = b.children.find((c) => c.code === XH)!;
    const flat = (c: (typeof b.children)[number]) =>
      Object.fromEntries(Object.entries(c.values).map(([k, v]) => [k, [v.value, v.level]]));
    expect(flat(hp)).toEqual({
      open_cases: [3, 'green'],
      new_today: [3, 'green'],
      overdue_rate: [33.3, 'red'],
      ontime_close_rate: [50, 'red'],
      alarms_red: [1, 'red'],
      alarms_orange: [1, 'orange'],
      alarms_yellow: [2, 'yellow'],
      water_over_threshold: [1, 'orange'],
      aqi: [57, 'yellow'],
      pm25: [40, 'yellow'],
      device_online_rate: [80, 'orange'],
      inspectors_on_duty: [2, 'green'],
      cases_per_10k: [0.05, 'green'],
    });
    expect(flat(xh)).toEqual({
      open_cases: [1, 'green'],
      new_today: [0, 'green'],
      overdue_rate: [100, 'red'],
      ontime_close_rate: [100, 'green'],
      alarms_red: [1, 'red'],
      alarms_orange: [0, 'green'],
      alarms_yellow: [0, 'green'],
      water_over_threshold: [0, 'green'],
      aqi: [null, null],
      pm25: [null, null],
      device_online_rate: [0, 'red'],
      inspectors_on_duty: [0, 'yellow'],
      cases_per_10k: [null, null],
    });
    expect(hp.level).toBe('red');
    expect(byId(await vitals('boss', HP))).toEqual(flat(hp));
  });

  it('goes down to streets and communities, with per-level thresholds', async () => {
    const street = await vitals('boss', '310101002');
    expect(street.area.code).toBe('310101002');
    expect(byId(street).cases_per_10k).toEqual([1, 'green']); // 3 / 30,000 × 10,000
    expect(street.children.map((c) => c.code)).toEqual(['310101002001']);
    const community = street.children[0]!;
    expect(community.values.cases_per_10k).toEqual({ value: 7.5, level: 'green' }); // 3 / 4,000 × 10,000
    expect(community.values.open_cases).toEqual({ value: 3, level: 'green' }); // community: 5 / 10 / 20
    const c = await vitals('boss', '310101002001');
    expect(c.indicators.find((i) => i.id === 'open_cases')!.thresholds).toEqual({
      yellow: 5,
      orange: 10,
      red: 20,
    });
    expect(c.children).toEqual([]);
  });

  it('shows a district leader their district as the city, and nothing outside it', async () => {
    const b = await vitals('hp-boss');
    expect(b.area.code).toBe(HP);
    expect(b.children.map((c) => c.code)).toEqual(['310101002']);
    expect(byId(b).open_cases).toEqual([3, 'green']);
    for (const area of ['3101', XH, '310104001']) {
      const r = await call('hp-boss', 'GET', `/api/v1/vitals?area=${area}`);
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe('forbidden');
    }
    const insp = await vitals('insp');
    expect(insp.area.code).toBe('310101002');
  });

  it('refuses unknown areas and malformed codes clearly', async () => {
    const unknown = await call('boss', 'GET', '/api/v1/vitals?area=310101999');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toMatch(/310101999 not found/);
    const bad = await call('boss', 'GET', '/api/v1/vitals?area=31x');
    expect(bad.status).toBe(400);
    const anonymous = await server.app.inject({ method: 'GET', url: '/api/v1/vitals' });
    expect(anonymous.statusCode).toBe(401);
  });

  it('lets an administrator change thresholds, effective at once, with a version check', async () => {
    const list = (await call('boss', 'GET', '/api/v1/vitals/indicators')).body.items as {
      id: string;
      version: number;
      builtin: boolean;
    }[];
    expect(list.map((i) => i.id)).toEqual([
      'open_cases',
      'new_today',
      'overdue_rate',
      'ontime_close_rate',
      'alarms_red',
      'alarms_orange',
      'alarms_yellow',
      'water_over_threshold',
      'aqi',
      'pm25',
      'device_online_rate',
      'inspectors_on_duty',
      'cases_per_10k',
    ]);
    const open = list.find((i) => i.id === 'open_cases')!;
    expect(open.builtin).toBe(true);

    const forbidden = await call('op', 'PATCH', '/api/v1/vitals/indicators/open_cases', {
      version: open.version,
      thresholds: { yellow: 1, orange: 2, red: 3 },
    });
    expect(forbidden.status).toBe(403);
    const disorder = await call('root', 'PATCH', '/api/v1/vitals/indicators/open_cases', {
      version: open.version,
      thresholds: { yellow: 5, orange: 2, red: 3 },
    });
    expect(disorder.status).toBe(400);
    expect(disorder.body.error.code).toBe('validation_failed');
    expect(disorder.body.error.message).toMatch(/yellow ≤ orange ≤ red/);
    const notNumbers = await call('root', 'PATCH', '/api/v1/vitals/indicators/open_cases', {
      version: open.version,
      thresholds: { yellow: 'a', orange: 2, red: 3 },
    });
    expect(notNumbers.status).toBe(400);

    const ok = await call('root', 'PATCH', '/api/v1/vitals/indicators/open_cases', {
      version: open.version,
      thresholds: { yellow: 1, orange: 2, red: 3 },
      thresholdsByLevel: null,
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.version).toBe(open.version + 1);
    expect(ok.body.thresholdsByLevel).toBeUndefined();
    // No restart: the next read already uses them. City 4 > 3 → red; 黄浦 3 > 2 → orange; 徐汇 1 → green.
    const b = await vitals('boss');
    expect(byId(b).open_cases).toEqual([4, 'red']);
    expect(b.indicators.find((i) => i.id === 'open_cases')!.thresholds).toEqual({
      yellow: 1,
      orange: 2,
      red: 3,
    });
    expect(b.children.map((c) => c.values.open_cases!.level)).toEqual(['orange', 'green']);

    const stale = await call('root', 'PATCH', '/api/v1/vitals/indicators/open_cases', {
      version: open.version,
      thresholds: { yellow: 10, orange: 20, red: 30 },
    });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('stale_version');
    const unknown = await call('root', 'PATCH', '/api/v1/vitals/indicators/no_such_thing', { version: 1 });
    expect(unknown.status).toBe(404);
  });

  it('adds, disables and removes indicators without a restart', async () => {
    const created = await call('root', 'POST', '/api/v1/vitals/indicators', {
      id: 'alarms_all',
      name: { zh: '全部告警', en: 'All active alarms' },
      unit: '条',
      source: 'alarms',
      measure: 'active',
      aggregation: 'count',
      window: 'now',
      level: 'community',
      thresholds: { yellow: 2, orange: 4, red: 8 },
      higherIsWorse: true,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    let b = await vitals('boss');
    expect(byId(b).alarms_all).toEqual([5, 'orange']); // 4 in 黄浦 + 1 in 徐汇
    expect(b.children.map((c) => c.values.alarms_all!.value)).toEqual([4, 1]);
    const again = await call('root', 'POST', '/api/v1/vitals/indicators', {
      ...created.body,
      id: 'alarms_all',
    });
    expect(again.status).toBe(400); // builtin/version/updatedAt are not part of a new definition
    const dup = await call('root', 'POST', '/api/v1/vitals/indicators', {
      id: 'alarms_all',
      name: { zh: '重复', en: 'Duplicate' },
      unit: '',
      source: 'alarms',
      measure: 'active',
      aggregation: 'count',
      window: 'now',
      level: 'city',
      thresholds: { yellow: 1, orange: 2, red: 3 },
      higherIsWorse: true,
    });
    expect(dup.status).toBe(409);
    const wrongMeasure = await call('root', 'POST', '/api/v1/vitals/indicators', {
      id: 'odd',
      name: { zh: '怪', en: 'Odd' },
      unit: '',
      source: 'cases',
      measure: 'purple',
      aggregation: 'count',
      window: 'now',
      level: 'city',
      thresholds: { yellow: 1, orange: 2, red: 3 },
      higherIsWorse: true,
    });
    expect(wrongMeasure.status).toBe(400);
    expect(wrongMeasure.body.error.message).toMatch(/measure of cases must be one of/);

    const off = await call('root', 'PATCH', '/api/v1/vitals/indicators/alarms_all', {
      version: created.body.version,
      enabled: false,
    });
    expect(off.status).toBe(200);
    b = await vitals('boss');
    expect(byId(b).alarms_all).toBeUndefined();
    const del = await call(
      'root',
      'DELETE',
      `/api/v1/vitals/indicators/alarms_all?version=${off.body.version}`,
    );
    expect(del.status).toBe(204);
    const items = (await call('boss', 'GET', '/api/v1/vitals/indicators')).body.items as { id: string }[];
    expect(items.some((i) => i.id === 'alarms_all')).toBe(false);
    expect((await call('root', 'DELETE', '/api/v1/vitals/indicators/alarms_all')).status).toBe(404);
  });

  it('writes history on demand and answers trend queries', async () => {
    expect((await call('op', 'POST', '/api/v1/vitals/refresh')).status).toBe(403);
    const r = await call('root', 'POST', '/api/v1/vitals/refresh');
    expect(r.status).toBe(200);
    // city, 2 districts, 2 streets × 13 indicators
    expect(r.body.historyRows).toBe(65);
    const h = await call('boss', 'GET', `/api/v1/vitals/history?area=${HP}&indicator=overdue_rate`);
    expect(h.status).toBe(200);
    expect(h.body.points).toEqual([{ at: now.toISOString(), value: 33.3, level: 'red' }]);
    const empty = await call(
      'boss',
      'GET',
      `/api/v1/vitals/history?area=${HP}&indicator=overdue_rate&from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z`,
    );
    expect(empty.body.points).toEqual([]);
    const unknown = await call('boss', 'GET', '/api/v1/vitals/history?indicator=nope');
    expect(unknown.status).toBe(404);
    const outside = await call('hp-boss', 'GET', `/api/v1/vitals/history?area=${XH}&indicator=aqi`);
    expect(outside.status).toBe(403);
    const backwards = await call(
      'boss',
      'GET',
      '/api/v1/vitals/history?indicator=aqi&from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z',
    );
    expect(backwards.status).toBe(400);
  });

  it('publishes a vitals event on the stream after a case is filed, and recomputes within a second', async () => {
    await server.app.listen({ port: 0, host: '127.0.0.1' });
    const address = server.app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const ctrl = new AbortController();
    const res = await fetch(
      `http://127.0.0.1:${port}${await streamPath(server, tokens['hp-boss']!, 'topics=vitals')}`,
      {
        signal: ctrl.signal,
      },
    );
    const reader = res.body!.getReader();
    let text = '';
    void (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          text += new TextDecoder().decode(value);
        }
      } catch {
        /* aborted */
      }
    })();
    await new Promise((r) => setTimeout(r, 300));
    const filed = await call('insp', 'POST', '/api/v1/cases', {
      category: '06010',
      description: '生命体征测试：暴露垃圾',
      location: { lng: square.lng + 0.0003, lat: square.lat + 0.0003 },
    });
    expect(filed.status).toBe(201);
    const started = Date.now();
    while (!/event: vitals\ndata: /.test(text) && Date.now() - started < 30_000)
      await new Promise((r) => setTimeout(r, 20));
    ctrl.abort();
    const m = /event: vitals\ndata: (.*)\n/.exec(text);
    expect(m, text).not.toBeNull();
    expect(JSON.parse(m![1]!)).toMatchObject({ computedAt: now.toISOString() });
    console.info(`vitals event reached the stream in ${Date.now() - started} ms`);
    const b = await vitals('hp-boss');
    expect(byId(b).new_today).toEqual([4, 'green']);
    expect(byId(b).open_cases![0]).toBe(4);
  });
});
