import { streetsOf } from '@onegrid/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SeedDemoResult, seedDemo } from '../src/seed/demo.ts';
import { partitionStreets, readSharedData } from '../src/seed/factories.ts';
import {
  hasSharedData,
  openTestDb,
  sharedDataDir,
  sharedDataSkipMessage,
  type TestDb,
  testEngine,
} from './db-harness.ts';
import { codingFacts, dutyFacts, reconciliationFacts, tilingFacts } from './seed-checks.ts';

if (!hasSharedData) console.log(`skipping the real-data seed tests: ${sharedDataSkipMessage}`);

const streets = ['310101002', '310101013'];

describe.skipIf(!hasSharedData)(`demo city on the public Shanghai data on ${testEngine}`, () => {
  let t: TestDb;
  let result: SeedDemoResult;
  beforeAll(async () => {
    t = await openTestDb();
    result = await seedDemo(t.db, { sharedDataDir, streetLimit: 2, componentDensity: 0.1 });
  });
  afterAll(async () => t?.close());

  it('uses the real boundaries, streets and community names', async () => {
    expect(result).toMatchObject({ seeded: true, geometry: 'shared', communityNames: 'shared' });
    const hp = await t.db.query<{ km2: number }>(
      `SELECT area_m2 / 1e6 AS km2 FROM areas WHERE code = '310101'`,
    );
    expect(hp.rows[0]!.km2).toBeGreaterThan(19.5);
    expect(hp.rows[0]!.km2).toBeLessThan(21.5);
    const c = await t.db.query<{ code: string; name: string; kind: string }>(
      `SELECT code, name, kind FROM areas WHERE parent_code = '310101002' ORDER BY code LIMIT 2`,
    );
    expect(c.rows).toEqual([
      { code: '310101002001', name: '云南中路居委会', kind: '居委会' },
      { code: '310101002002', name: '龙泉园路居委会', kind: '居委会' },
    ]);
    const counts = await t.db.query<{ street: string; n: number }>(
      `SELECT parent_code AS street, count(*)::int AS n FROM areas WHERE level = 'community' GROUP BY 1 ORDER BY 1`,
    );
    expect(counts.rows).toEqual([
      { street: '310101002', n: 19 },
      { street: '310101013', n: 17 },
    ]);
  });

  it('seeds Huangpu’s standard addresses, roads traced through them and the rivers along its boundaries', async () => {
    const n = await t.db.query<{ addresses: number; roads: number; main: number }>(
      `SELECT (SELECT count(*)::int FROM addresses WHERE district_name = '黄浦区') AS addresses,
              (SELECT count(*)::int FROM roads) AS roads,
              (SELECT count(*)::int FROM roads WHERE class = 'primary') AS main`,
    );
    expect(n.rows[0]!.addresses).toBeGreaterThan(2500);
    expect(n.rows[0]!.roads).toBeGreaterThan(50);
    expect(n.rows[0]!.main).toBeGreaterThan(5);
    // 黄浦江 runs along Huangpu's eastern edge: the Bund (外滩, WGS-84) is within 400 m of it.
    const river = await t.db.query<{ name: string; m: number }>(
      `SELECT name, min(ST_DistanceSphere(geom, ST_SetSRID(ST_MakePoint(121.4875, 31.2390), 4326)))::float8 AS m
       FROM water GROUP BY name ORDER BY name`,
    );
    expect(river.rows.map((r) => r.name).sort()).toEqual(['苏州河', '黄浦江'].sort());
    expect(river.rows.find((r) => r.name === '黄浦江')!.m).toBeLessThan(400);
  });

  it('tiles the real communities with unit grids, coded and ordered as the standard says', async () => {
    const tiling = await tilingFacts(t.db, streets);
    expect(tiling.communities).toBe(36);
    expect(tiling.worstAreaError).toBeLessThan(0.005);
    expect(tiling.overlaps).toBe(0);
    expect(tiling.crossOverlapM2).toBeLessThan(1);
    expect(tiling.worstOutsideM2).toBeLessThan(0.5);
    expect(tiling.misplaced).toBe(0);
    const coding = await codingFacts(t.db, streets);
    expect(coding.badCodes + coding.gappySequences + coding.outOfOrder + coding.firstNotNorth).toBe(0);
    expect(coding.slivers).toBe(0);
    const duty = await dutyFacts(t.db, streets);
    expect(duty.unassigned + duty.crossStreet + duty.withoutInspector).toBe(0);
    expect(duty.meanSize).toBeGreaterThan(15);
    expect(duty.meanSize).toBeLessThan(25);
    const shares = await reconciliationFacts(t.db);
    expect(shares.linked).toBe(shares.grids);
    expect(shares.minSum).toBeGreaterThan(0.999);
    expect(shares.maxSum).toBeLessThan(1.001);
  });

  it('fits all of Huangpu’s street polygons into the district without gaps or overlaps', async () => {
    const shared = readSharedData(sharedDataDir, 'district')!;
    const known = new Set(streetsOf('310101').map((s) => s.code));
    const parts = await partitionStreets(t.db, '310101', shared.streets!.get('310101')!, known);
    expect([...parts.keys()].sort()).toEqual([...known].sort());
    const f = await partitionFacts(t.db, '310101', parts);
    expect(f.sumError).toBeLessThan(0.005);
    expect(f.unionError).toBeLessThan(0.005);
    expect(f.overlapM2).toBeLessThan(1);
  });

  it('repairs the city-wide street layer: clips to the district, resolves overlaps, gives leftovers away', async () => {
    const shared = readSharedData(sharedDataDir, 'city')!;
    const polygons = shared.streets!.get('310104')!;
    expect(polygons.some((p) => p.code === null)).toBe(true); // an unnamed polygon to absorb
    const known = new Set(streetsOf('310104').map((s) => s.code));
    const parts = await partitionStreets(t.db, '310104', polygons, known);
    const named = new Set(polygons.flatMap((p) => (p.code && known.has(p.code) ? [p.code] : [])));
    expect(new Set(parts.keys())).toEqual(named);
    const f = await partitionFacts(t.db, '310104', parts);
    expect(f.sumError).toBeLessThan(0.005);
    expect(f.unionError).toBeLessThan(0.005);
    expect(f.overlapM2).toBeLessThan(1);
  });
});

/** How well a set of street geometries (hex EWKB) partitions its district. */
async function partitionFacts(db: TestDb['db'], district: string, parts: Map<string, string>) {
  const r = await db.query<{ sumError: number; unionError: number; overlapM2: number }>(
    `WITH s AS (SELECT x.code, ST_Multi(x.wkb::geometry) AS g FROM jsonb_to_recordset($2::jsonb) AS x(code text, wkb text)),
     d AS (SELECT area_m2 FROM areas WHERE code = $1)
     SELECT abs((SELECT sum(ST_Area(g::geography)) FROM s) - d.area_m2) / d.area_m2 AS "sumError",
            abs((SELECT ST_Area(ST_Union(g, 1e-9::float8)::geography) FROM s) - d.area_m2) / d.area_m2 AS "unionError",
            coalesce((SELECT sum(ST_Area(ST_Intersection(a.g, b.g, 1e-9)::geography)) FROM s a JOIN s b
                        ON a.code < b.code AND a.g && b.g AND ST_Intersects(a.g, b.g)), 0) AS "overlapM2"
       FROM d`,
    [district, JSON.stringify([...parts].map(([code, wkb]) => ({ code, wkb })))],
  );
  return r.rows[0]!;
}
