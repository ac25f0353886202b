/**
 * The demo city lives in all 16 districts (issue 18): after the start the command screen's data
 * shows open cases and inspectors on patrol in every district, the per-10,000 figure has residents
 * to divide by, and new reports follow the hour's rhythm through the real case engine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../src/seed/demo.ts';
import { cityDistricts, type LivingCity, prepareLivingCity, startLivingCity } from '../src/seed/demo-life.ts';
import type { Server } from '../src/server.ts';
import { hasSharedData, openTestDb, sharedDataDir, type TestDb, testEngine } from './db-harness.ts';
import { login, silentLog, testServer } from './http-harness.ts';

describe(`the demo city lives in every district on ${testEngine}`, () => {
  let t: TestDb;
  let server: Server;
  let life: LivingCity | undefined;
  const tokens: Record<string, string> = {};
  const get = async (user: string, url: string) => {
    const res = await server.app.inject({
      method: 'GET',
      url,
      headers: { authorization: `Bearer ${tokens[user]}` },
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };

  beforeAll(async () => {
    t = await openTestDb();
    // One street of 黄浦区 in detail, the other districts as boundaries: the shape of `npm start`.
    await seedDemo(t.db, {
      sharedDataDir: hasSharedData ? sharedDataDir : undefined,
      streets: ['310101002'],
      componentDensity: 0.02,
    });
    server = await testServer(t.db);
    await prepareLivingCity(t.db);
    await server.geo.refresh({ force: true });
    // An hour between steps: the test sees the first step only, the one taken at start.
    life = await startLivingCity(server, t.db, silentLog, { everyMs: 3_600_000, seed: 'living-test' });
    for (const u of ['leader', 'admin']) tokens[u] = await login(server, u, 'onegrid-demo');
  }, 240_000);
  afterAll(async () => {
    life?.stop();
    await server?.close();
    await t?.close();
  });

  it('has departments, a matrix, handlers, inspectors and residents in all 16 districts', async () => {
    const districts = await cityDistricts(t.db);
    expect(districts).toHaveLength(16);
    const r = await t.db.query<{
      code: string;
      pop: number | null;
      depts: number;
      rules: number;
      insp: number;
      handlers: number;
    }>(
      `SELECT a.code, a.population AS pop,
              (SELECT count(*)::int FROM departments d WHERE d.area_code = a.code) AS depts,
              (SELECT count(*)::int FROM responsibility_matrix m WHERE m.area_code = a.code) AS rules,
              (SELECT count(*)::int FROM users u WHERE u.role = 'inspector' AND u.scope_code LIKE a.code || '%') AS insp,
              (SELECT count(*)::int FROM users u WHERE u.role = 'handler' AND u.scope_code = a.code) AS handlers
         FROM areas a WHERE a.level = 'district' ORDER BY a.code`,
    );
    for (const d of r.rows) {
      expect(d.pop, d.code).toBeGreaterThan(500_000);
      expect(d.depts, d.code).toBeGreaterThanOrEqual(5);
      expect(d.rules, d.code).toBeGreaterThanOrEqual(8);
      expect(d.insp, d.code).toBeGreaterThanOrEqual(3);
      expect(d.handlers, d.code).toBeGreaterThanOrEqual(4);
    }
    const city = await t.db.query<{ pop: number }>(
      `SELECT population AS pop FROM areas WHERE level = 'city'`,
    );
    expect(city.rows[0]?.pop).toBeGreaterThan(24_000_000);
  });

  it('shows open cases and inspectors on patrol in every district on the command screen', async () => {
    const districts = await cityDistricts(t.db);
    for (const d of districts) {
      const summary = (await get('leader', `/api/v1/command/cases/summary?area=${d.code}`)) as {
        total: number;
      };
      expect(summary.total, `${d.name} has open cases`).toBeGreaterThan(0);
      const inspectors = await get('leader', `/api/v1/command/inspectors?area=${d.code}`);
      expect(inspectors.items.length, `${d.name} has inspectors on patrol`).toBeGreaterThan(0);
    }
    // Reports through the real engine: numbered, located in their district, by an inspector.
    const r = await t.db.query<{ n: number; districts: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT district_code)::int AS districts FROM cases WHERE source = 'inspector'`,
    );
    expect(r.rows[0]).toMatchObject({ districts: 16 });
  });

  it('gives the per-10,000 figure a value for the city', async () => {
    await server.app.inject({
      method: 'POST',
      url: '/api/v1/vitals/refresh',
      headers: { authorization: `Bearer ${tokens.admin}` },
    });
    const v = JSON.stringify(await get('leader', '/api/v1/vitals?area=3101'));
    const at = v.indexOf('"cases_per_10k"');
    expect(at).toBeGreaterThan(-1);
    expect(v.slice(at, at + 400)).toMatch(/"value":\s*\d/);
  });
});
