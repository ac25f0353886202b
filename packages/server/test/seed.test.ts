import { isValidCreditCode } from '@onegrid/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoAccounts, type SeedDemoResult, seedDemo } from '../src/seed/demo.ts';
import { cityCounts } from '../src/seed/factories.ts';
import type { Server } from '../src/server.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';
import { login, testServer } from './http-harness.ts';
import { codingFacts, componentFacts, dutyFacts, reconciliationFacts, tilingFacts } from './seed-checks.ts';

// Two streets of 黄浦区 and a tenth of the components keep this file quick; the full district
// runs in the benchmark and the CLI.
const streets = ['310101002', '310101013'];

describe(`demo city with generated geometry on ${testEngine}`, () => {
  let t: TestDb;
  let result: SeedDemoResult;
  let revisionBefore: number;
  beforeAll(async () => {
    t = await openTestDb();
    revisionBefore = Number(
      (await t.db.query<{ r: number }>('SELECT revision AS r FROM geo_revision')).rows[0]!.r,
    );
    result = await seedDemo(t.db, { sharedDataDir: undefined, streetLimit: 2, componentDensity: 0.1 });
  });
  afterAll(async () => t?.close());

  it('builds the tree with the real codes and names: city, 16 districts, streets of 黄浦区', async () => {
    expect(result).toMatchObject({ seeded: true, geometry: 'synthetic', communityNames: 'synthetic' });
    const districts = await t.db.query<{ code: string; name: string; km2: number; cls: string }>(
      `SELECT code, name, area_m2 / 1e6 AS km2, area_class AS cls FROM areas WHERE level = 'district'
        AND geom IS NOT NULL AND parent_code = '3101' ORDER BY code`,
    );
    expect(districts.rows).toHaveLength(16);
    expect(districts.rows[0]).toMatchObject({ code: '310101', name: '黄浦区', cls: 'A' });
    // Generated around the real centroids, 黄浦区 comes out at a plausible size (really 20.5 km²).
    expect(districts.rows[0]!.km2).toBeGreaterThan(8);
    expect(districts.rows[0]!.km2).toBeLessThan(60);
    const s = await t.db.query<{ code: string; name: string; kind: string; communities: number }>(
      `SELECT s.code, s.name, s.kind, count(c.code)::int AS communities FROM areas s
         JOIN areas c ON c.parent_code = s.code WHERE s.level = 'street' GROUP BY 1, 2, 3 ORDER BY 1`,
    );
    expect(s.rows).toEqual([
      { code: '310101002', name: '南京东路街道', kind: '街道', communities: 19 },
      { code: '310101013', name: '外滩街道', kind: '街道', communities: 17 },
    ]);
    const first = await t.db.query<{ code: string; name: string; cls: string }>(
      `SELECT code, name, area_class AS cls FROM areas WHERE code = '310101002001'`,
    );
    expect(first.rows[0]).toEqual({ code: '310101002001', name: '南京东路第一居委会', cls: 'A' });
  });

  it('cuts each street into communities without gaps or overlaps', async () => {
    const r = await t.db.query<{ code: string; err: number; overlaps: number }>(
      `SELECT s.code, abs(sum(c.area_m2) - s.area_m2) / s.area_m2 AS err,
              (SELECT count(*)::int FROM areas a JOIN areas b ON a.parent_code = s.code AND b.parent_code = s.code
                  AND a.code < b.code AND a.geom && b.geom AND ST_Overlaps(a.geom, b.geom)) AS overlaps
         FROM areas s JOIN areas c ON c.parent_code = s.code WHERE s.level = 'street' GROUP BY s.code, s.area_m2`,
    );
    for (const row of r.rows) {
      expect(row.err).toBeLessThan(0.005);
      expect(row.overlaps).toBe(0);
    }
  });

  it('tiles every community with unit grids: no gaps, no overlaps, none crossing its boundary', async () => {
    const f = await tilingFacts(t.db, streets);
    expect(f.communities).toBe(36);
    expect(f.worstAreaError).toBeLessThan(0.005);
    expect(f.overlaps).toBe(0);
    expect(f.crossOverlapM2).toBeLessThan(1);
    expect(f.worstOutsideM2).toBeLessThan(0.5);
    expect(f.misplaced).toBe(0);
  });

  it('codes unit grids community + 001… west to east, then north to south, ~10,000 m² each', async () => {
    const f = await codingFacts(t.db, streets);
    expect(f.grids).toBeGreaterThan(100);
    expect(f.badCodes).toBe(0);
    expect(f.gappySequences).toBe(0);
    expect(f.outOfOrder).toBe(0);
    expect(f.firstNotNorth).toBe(0);
    expect(f.slivers).toBe(0);
    expect(f.maxPerCommunity).toBeLessThanOrEqual(999);
    expect(f.meanAreaM2).toBeGreaterThan(5_000);
    expect(f.meanAreaM2).toBeLessThan(12_000);
  });

  it('groups about 20 neighbouring unit grids of one street into each duty grid, each with an inspector', async () => {
    const f = await dutyFacts(t.db, streets);
    expect(f.unassigned).toBe(0);
    expect(f.crossStreet).toBe(0);
    expect(f.meanSize).toBeGreaterThan(15);
    expect(f.meanSize).toBeLessThan(25);
    expect(f.minSize).toBeGreaterThanOrEqual(10);
    expect(f.maxSize).toBeLessThanOrEqual(30);
    expect(f.withoutInspector).toBe(0);
  });

  it('reconciles the police grid layer onto unit grids with shares that add up to one', async () => {
    const f = await reconciliationFacts(t.db);
    expect(f.linked).toBe(f.grids);
    expect(f.minSum).toBeGreaterThan(0.999);
    expect(f.maxSum).toBeLessThan(1.001);
    // Police grids follow neither streets nor communities, so some unit grids are split.
    expect(f.fractional).toBeGreaterThan(0);
  });

  it('generates components with all attributes, well-formed ids and a realistic mix', async () => {
    const f = await componentFacts(t.db);
    expect(f.total).toBeGreaterThan(500);
    expect(f.badIds).toBe(0);
    expect(f.unknownCategory).toBe(0);
    expect(f.missingMandatory).toBe(0);
    expect(f.outsideGrid).toBe(0);
    expect(f.intactShare).toBeGreaterThan(0.9);
    expect(f.categories).toBeGreaterThan(30);
    const owners = await t.db.query<{ credit: string }>(
      'SELECT DISTINCT owner_dept_code AS credit FROM components',
    );
    expect(owners.rows.every((o) => isValidCreditCode(o.credit))).toBe(true);
  });

  it('creates the demo accounts, who log in with onegrid-demo', async () => {
    const server: Server = await testServer(t.db);
    try {
      for (const account of demoAccounts()) {
        const token = await login(server, account.username, 'onegrid-demo');
        const me = await server.app.inject({
          method: 'GET',
          url: '/api/v1/auth/me',
          headers: { authorization: `Bearer ${token}` },
        });
        expect(me.json()).toMatchObject({ username: account.username, scopeCode: account.scopeCode });
      }
      const inspector = await t.db.query<{ duty: string; street: string }>(
        `SELECT i.duty_grid_code AS duty, d.street_code AS street FROM duty_grid_inspectors i
           JOIN users u ON u.id = i.user_id JOIN duty_grids d ON d.code = i.duty_grid_code
          WHERE u.username = 'inspector'`,
      );
      expect(inspector.rows).toEqual([{ duty: '310101002D001', street: '310101002' }]);
      const handler = await t.db.query<{ name: string; area: string; demo: boolean }>(
        `SELECT d.name, d.area_code AS area, u.demo FROM users u JOIN departments d ON d.code = u.department_code
          WHERE u.username = 'handler'`,
      );
      expect(handler.rows).toEqual([{ name: '黄浦区环境卫生管理所', area: '310101', demo: true }]);
    } finally {
      await server.close();
    }
  });

  it('bumps geo_revision, does nothing when seeded again, and re-seeds with force', async () => {
    const revision = Number(
      (await t.db.query<{ r: number }>('SELECT revision AS r FROM geo_revision')).rows[0]!.r,
    );
    expect(revision).toBeGreaterThan(revisionBefore);
    const before = await cityCounts(t.db);
    const again = await seedDemo(t.db, { sharedDataDir: undefined });
    expect(again.seeded).toBe(false);
    expect(again.reason).toMatch(/already holds a city/);
    expect(await cityCounts(t.db)).toEqual(before);
    const forced = await seedDemo(t.db, {
      sharedDataDir: undefined,
      force: true,
      streetLimit: 1,
      componentDensity: 0.02,
    });
    expect(forced.seeded).toBe(true);
    expect(forced.counts.streets).toBe(1);
    expect(forced.counts.districts).toBe(16);
    expect(forced.counts.unitGrids).toBeLessThan(before.unitGrids);
    const orphans = await t.db.query(
      `SELECT code FROM unit_grids WHERE street_code <> '310101002'
        UNION ALL SELECT id FROM components WHERE street_code <> '310101002'`,
    );
    expect(orphans.rows).toEqual([]);
  });
});
