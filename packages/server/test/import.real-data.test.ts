/**
 * The public Shanghai files of /work/shared/data (see SOURCES.md) through the import, as a
 * city administrator would load them: districts, Huangpu's streets, the NBS street and
 * community lists, the city-wide street polygons with their unnamed pieces.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFile } from '../src/import/import.service.ts';
import {
  hasSharedData,
  openTestDb,
  sharedDataDir,
  sharedDataSkipMessage,
  type TestDb,
  testEngine,
} from './db-harness.ts';

if (!hasSharedData) console.log(`skipping the real-data import tests: ${sharedDataSkipMessage}`);

const data = (f: string) => path.join(sharedDataDir, f);
const peoplesSquare = 'ST_SetSRID(ST_MakePoint(121.4737, 31.2304), 4326)';

describe.skipIf(!hasSharedData)(`import of the public Shanghai data on ${testEngine}`, () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb();
  });
  afterAll(async () => t?.close());

  it('imports the 16 districts (GCJ-02) under the city root 3101 上海市', async () => {
    const r = await importFile(t.db, {
      kind: 'districts',
      file: data('shanghai-districts.gcj02.geojson'),
      crs: 'gcj02',
    });
    expect([r.rowsRead, r.imported, r.rejected]).toEqual([16, 16, 0]);
    const d = await t.db.query<{ n: number; parents: string; km2: number }>(
      `SELECT count(*)::int AS n, string_agg(DISTINCT parent_code, ',') AS parents,
              round(sum(area_m2) / 1e6)::int AS km2 FROM areas WHERE level = 'district'`,
    );
    // Shanghai has 6,341 km² of land and 8,359 km² with its waters; DataV's outline takes in part of them.
    expect(d.rows[0]!.n).toBe(16);
    expect(d.rows[0]!.parents).toBe('3101');
    expect(d.rows[0]!.km2).toBeGreaterThan(6341);
    expect(d.rows[0]!.km2).toBeLessThan(8359);
  });

  it("imports Huangpu's 10 streets (WGS-84); People's Square lies in 黄浦区 and 南京东路街道", async () => {
    const r = await importFile(t.db, { kind: 'streets', file: data('huangpu-streets.wgs84.geojson') });
    expect([r.rowsRead, r.imported, r.rejected]).toEqual([10, 10, 0]);
    const hit = await t.db.query<{ code: string; name: string }>(
      `SELECT code, name FROM areas WHERE ST_Intersects(geom, ${peoplesSquare}) ORDER BY code`,
    );
    expect(hit.rows).toEqual([
      { code: '310101', name: '黄浦区' },
      { code: '310101002', name: '南京东路街道' },
    ]);
    const total = await t.db.query<{ km2: number }>(
      `SELECT round((sum(area_m2) / 1e6)::numeric, 1)::float8 AS km2 FROM areas WHERE parent_code = '310101'`,
    );
    expect(total.rows[0]!.km2).toBeCloseTo(20.5, 0);
  });

  it('imports the NBS street and community lists with no rejects, keeping the polygons', async () => {
    const s = await importFile(t.db, { kind: 'streets', file: data('shanghai-streets.csv') });
    expect([s.rowsRead, s.imported, s.rejected]).toEqual([234, 234, 0]);
    const c = await importFile(t.db, { kind: 'communities', file: data('shanghai-communities.csv') });
    expect([c.rowsRead, c.imported, c.rejected]).toEqual([6509, 6509, 0]);
    const n = await t.db.query<{ level: string; n: number; with_geom: number }>(
      `SELECT level, count(*)::int AS n, count(geom)::int AS with_geom FROM areas GROUP BY level ORDER BY level`,
    );
    expect(n.rows).toEqual([
      { level: 'city', n: 1, with_geom: 0 },
      { level: 'community', n: 6509, with_geom: 0 },
      { level: 'district', n: 16, with_geom: 16 },
      { level: 'street', n: 234, with_geom: 10 },
    ]);
    const hp = await t.db.query<{ n: number; kinds: string }>(
      `SELECT count(*)::int AS n, string_agg(DISTINCT kind, ',') AS kinds FROM areas WHERE code LIKE '310101%' AND level = 'community'`,
    );
    expect(hp.rows[0]).toEqual({ n: 170, kinds: '居委会' });
  });

  it('imports the city-wide street polygons, rejecting the 43 unnamed ones with a reason', async () => {
    const r = await importFile(t.db, {
      kind: 'streets',
      file: data('shanghai-street-polygons.wgs84.geojson'),
    });
    expect([r.rowsRead, r.imported, r.rejected]).toEqual([251, 208, 43]);
    expect(r.rejectsByProblem).toEqual({ bad_code: 43 });
    expect(new Set(r.rejects.map((x) => x.reason))).toEqual(new Set(['no street/town (GB/T 10114) code']));
    const n = await t.db.query<{ n: number }>(
      `SELECT count(geom)::int AS n FROM areas WHERE level = 'street'`,
    );
    expect(n.rows[0]!.n).toBe(208);
  });

  it('gives the same counts on a re-run and duplicates nothing', async () => {
    const r = await importFile(t.db, {
      kind: 'districts',
      file: data('shanghai-districts.gcj02.geojson'),
      crs: 'gcj02',
    });
    expect([r.rowsRead, r.imported, r.rejected]).toEqual([16, 16, 0]);
    const n = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM areas`);
    expect(n.rows[0]!.n).toBe(1 + 16 + 234 + 6509);
  });
});
