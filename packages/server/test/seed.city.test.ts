import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SeedDemoResult, seedDemo } from '../src/seed/demo.ts';
import { hasSharedData, openTestDb, sharedDataDir, type TestDb, testEngine } from './db-harness.ts';
import { codingFacts, reconciliationFacts, tilingFacts } from './seed-checks.ts';

// City scale commits street by street and covers towns and villages. One street of 崇明区 (with
// generated geometry) shows the rural rules; the real-data case adds a street with no polygon.
describe(`city-scale demo seeding on ${testEngine}`, () => {
  let t: TestDb;
  let result: SeedDemoResult;
  const messages: string[] = [];
  beforeAll(async () => {
    t = await openTestDb();
    result = await seedDemo(t.db, {
      scale: 'city',
      sharedDataDir: undefined,
      detailDistricts: ['310151'],
      streets: ['310151101'],
      componentDensity: 0.05,
      gridGrowth: 3,
      policeCellKm2: 40,
      progress: (m) => messages.push(m),
    });
  });
  afterAll(async () => t?.close());

  it('seeds a town with 居委会 and 村委会, coarser village grids, and reports progress per street', async () => {
    expect(result.seeded).toBe(true);
    expect(messages.some((m) => m.includes('[1/1] 310151101 城桥镇'))).toBe(true);
    const kinds = await t.db.query<{ kind: string; cls: string; n: number }>(
      `SELECT kind, area_class AS cls, count(*)::int AS n FROM areas WHERE parent_code = '310151101'
        GROUP BY 1, 2 ORDER BY 1, 2`,
    );
    expect(kinds.rows.map((r) => `${r.kind}/${r.cls}`)).toEqual(['居委会/B', '村委会/C']);
    const sizes = await t.db.query<{ cls: string; mean: number }>(
      `SELECT area_class AS cls, avg(area_m2)::float8 AS mean FROM unit_grids GROUP BY 1 ORDER BY 1`,
    );
    const mean = Object.fromEntries(sizes.rows.map((r) => [r.cls, r.mean]));
    expect(mean.C).toBeGreaterThan(2 * mean.B!);
    const tiling = await tilingFacts(t.db, ['310151101']);
    expect(tiling.worstAreaError).toBeLessThan(0.005);
    expect(tiling.overlaps).toBe(0);
    expect(tiling.crossOverlapM2).toBeLessThan(1);
    const coding = await codingFacts(t.db, ['310151101']);
    expect(coding.badCodes + coding.gappySequences + coding.outOfOrder).toBe(0);
    expect(coding.maxPerCommunity).toBeLessThanOrEqual(999);
    const shares = await reconciliationFacts(t.db);
    expect(shares.linked).toBe(shares.grids);
    expect(shares.minSum).toBeGreaterThan(0.999);
  });

  it('keeps the demo accounts valid when 黄浦区 is not seeded in detail', async () => {
    const r = await t.db.query<{ username: string; scope: string; dept: string | null }>(
      `SELECT username, scope_code AS scope, department_code AS dept FROM users
        WHERE username IN ('handler', 'inspector', 'hp-operator') ORDER BY username`,
    );
    expect(r.rows).toEqual([
      { username: 'handler', scope: '310101', dept: null },
      { username: 'hp-operator', scope: '310101', dept: null },
      { username: 'inspector', scope: '310101', dept: null },
    ]);
  });
});

describe.skipIf(!hasSharedData)(`city-scale demo seeding on the public data on ${testEngine}`, () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb();
    // 新虹街道 has a polygon in the city layer; 浦锦街道 (created 2019) has none.
    await seedDemo(t.db, {
      scale: 'city',
      sharedDataDir,
      detailDistricts: ['310112'],
      streets: ['310112008', '310112009'],
      componentDensity: 0.02,
      gridGrowth: 4,
      policeCellKm2: 40,
    });
  });
  afterAll(async () => t?.close());

  it('grids streets that have a polygon and lists the others with their real communities', async () => {
    const r = await t.db.query<{ code: string; hasGeom: boolean; communities: number; grids: number }>(
      `SELECT s.code, s.geom IS NOT NULL AS "hasGeom",
              (SELECT count(*)::int FROM areas c WHERE c.parent_code = s.code) AS communities,
              (SELECT count(*)::int FROM unit_grids g WHERE g.street_code = s.code) AS grids
         FROM areas s WHERE s.level = 'street' ORDER BY s.code`,
    );
    expect(r.rows[0]).toMatchObject({ code: '310112008', hasGeom: true, communities: 19 });
    expect(r.rows[0]!.grids).toBeGreaterThan(50);
    expect(r.rows[1]).toEqual({ code: '310112009', hasGeom: false, communities: 37, grids: 0 });
    const tiling = await tilingFacts(t.db, ['310112008']);
    expect(tiling.worstAreaError).toBeLessThan(0.005);
    expect(tiling.overlaps).toBe(0);
    expect(tiling.crossOverlapM2).toBeLessThan(1);
  });
});
