import gcoord from 'gcoord';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFile } from '../src/import/import.service.ts';
import { getRun } from '../src/import/runs.ts';
import type { ImportReport } from '../src/import/types.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';
import {
  feature,
  geoRevision,
  type Position,
  polygon,
  square,
  tempDir,
  writeCsv,
  writeGeoJson,
} from './import-fixture.ts';

const problems = (r: ImportReport) => r.rejects.map((x) => [x.row, x.key, x.problem]);

describe(`import of areas and grids on ${testEngine}`, () => {
  let t: TestDb;
  const tmp = tempDir();
  beforeAll(async () => {
    t = await openTestDb();
  });
  afterAll(async () => {
    await t?.close();
    tmp.remove();
  });

  it('imports districts, creates the city root, computes area and centre, bumps geo_revision', async () => {
    const before = await geoRevision(t.db);
    const file = writeGeoJson(tmp.dir, 'districts.geojson', [
      feature({ adcode: 310101, name: '黄浦区' }, polygon(square(121.46, 31.21, 0.04))),
      feature({ adcode: 310104, name: '徐汇区' }, polygon(square(121.4, 31.15, 0.05))),
      feature({ adcode: 3101011, name: '七位区' }, polygon(square(121.3, 31.15, 0.01))),
    ]);
    const r = await importFile(t.db, { kind: 'districts', file });
    expect([r.rowsRead, r.imported, r.rejected]).toEqual([3, 2, 1]);
    expect(r.rejects[0]).toMatchObject({ row: 3, key: '3101011', problem: 'bad_code' });
    expect(r.rejects[0]!.reason).toMatch(/has 7 digits; it needs 6/);
    const city = await t.db.query<{ name: string; level: string }>(
      `SELECT name, level FROM areas WHERE code = '3101'`,
    );
    expect(city.rows).toEqual([{ name: '上海市', level: 'city' }]);
    const hp = await t.db.query<{ parent_code: string; km2: number; inside: boolean }>(
      `SELECT parent_code, round((area_m2 / 1e6)::numeric, 1)::float8 AS km2, ST_Contains(geom, center) AS inside
       FROM areas WHERE code = '310101'`,
    );
    // 0.04° × 0.04° at 31.2° N ≈ 4.45 km × 3.81 km.
    expect(hp.rows[0]).toEqual({ parent_code: '3101', km2: 16.9, inside: true });
    // Bumped by the import (and by the geo triggers of 0002 on every statement that writes areas).
    expect(await geoRevision(t.db)).toBeGreaterThan(before);
    const run = await getRun(t.db, r.runId);
    expect(run).toMatchObject({ kind: 'districts', status: 'done', rows_read: 3, imported: 2, rejected: 1 });
    expect(run!.report.rejects[0]).toMatchObject({ row: 3, problem: 'bad_code' });
  });

  it('converts GCJ-02 to WGS-84 before storing', async () => {
    const ring = square(121.42, 31.16, 0.02);
    const file = writeGeoJson(tmp.dir, 'xuhui.gcj02.geojson', [
      feature({ code: '310104', name: '徐汇区' }, polygon(ring)),
    ]);
    const r = await importFile(t.db, { kind: 'districts', file, crs: 'gcj02' });
    expect(r.imported).toBe(1);
    const [x, y] = gcoord.transform(ring[0]!, gcoord.GCJ02, gcoord.WGS84) as Position;
    const got = await t.db.query<{ x: number; y: number }>(
      `SELECT ST_X(p) AS x, ST_Y(p) AS y FROM (SELECT ST_PointN(ST_ExteriorRing(ST_GeometryN(geom, 1)), 1) AS p
       FROM areas WHERE code = '310104') q`,
    );
    expect(got.rows[0]!.x).toBeCloseTo(x, 6);
    expect(got.rows[0]!.y).toBeCloseTo(y, 6);
    // GCJ-02 lies east and north of WGS-84 in Shanghai by a few hundred metres.
    expect(121.42 - x).toBeGreaterThan(0.003);
  });

  it('checks codes, names, parents and duplicates per row, each with its reason', async () => {
    const file = writeGeoJson(tmp.dir, 'streets.geojson', [
      feature(
        { code: '310101002', name: '南京东路街道', district_code: 310101 },
        polygon(square(121.47, 31.22, 0.02)),
      ),
      feature({ code: null, name: null, district_code: 310101 }, polygon(square(121.47, 31.2, 0.01))),
      feature({ code: '31010100', name: '八位街道' }),
      feature({ code: '310199001', name: '无主街道' }),
      feature({ code: '310101013', name: '外滩街道', district_code: '310104' }),
      feature({ code: '310101002', name: '重复街道' }),
      feature({ code: '310101015', district_code: '310101' }),
      feature({ code: '310104003', name: '天平路街道' }),
    ]);
    const r = await importFile(t.db, { kind: 'streets', file });
    expect([r.rowsRead, r.imported, r.rejected]).toEqual([8, 2, 6]);
    expect(problems(r)).toEqual([
      [2, null, 'bad_code'],
      [3, '31010100', 'bad_code'],
      [4, '310199001', 'unknown_parent'],
      [5, '310101013', 'parent_mismatch'],
      [6, '310101002', 'duplicate'],
      [7, '310101015', 'missing_field'],
    ]);
    const reasons = r.rejects.map((x) => x.reason);
    expect(reasons[0]).toBe('no street/town (GB/T 10114) code');
    expect(reasons[2]).toBe('parent district 310199 is neither in the database nor earlier in this file');
    expect(reasons[3]).toBe("code 310101013 does not start with its parent's code 310104");
    expect(reasons[4]).toBe('310101002 appears earlier in this file (row 1)');
    const kinds = await t.db.query<{ code: string; kind: string }>(
      `SELECT code, kind FROM areas WHERE level = 'street' ORDER BY code`,
    );
    expect(kinds.rows).toEqual([
      { code: '310101002', kind: '街道' },
      { code: '310104003', kind: '街道' },
    ]);
  });

  it('repairs a polygon with a tiny self-intersection, rejects a bowtie, and names swapped or foreign coordinates', async () => {
    const k = 0.001;
    const at = (x: number, y: number): Position => [121.47 + x * k, 31.22 + y * k];
    // A 10 × 10 square whose closing edge cuts its first edge: a loop of 0.0025 units below it.
    const spiky: Position[] = [at(0, 0), at(10, 0), at(10, 10), at(0, 10), at(0.05, -0.05), at(0, 0)];
    const bowtie: Position[] = [at(0, 0), at(10, 10), at(10, 0), at(0, 10), at(0, 0)];
    const swapped = square(121.47, 31.22, 0.01).map(([x, y]) => [y, x] as Position);
    const file = writeGeoJson(tmp.dir, 'geometry.geojson', [
      feature({ code: '310101017', name: '小东门街道' }, polygon(spiky)),
      feature({ code: '310101018', name: '豫园街道' }, polygon(bowtie)),
      feature({ code: '310101019', name: '老西门街道' }, polygon(swapped)),
      feature({ code: '310101020', name: '五里桥街道' }, polygon(square(2.35, 48.85, 0.01))),
      feature({ code: '310101021', name: '打浦桥街道' }, { type: 'Point', coordinates: [121.47, 31.22] }),
      feature({ code: '310101022', name: '淮海中路街道' }, polygon(square(121.47, 31.22, 0.01).slice(0, 4))),
    ]);
    const r = await importFile(t.db, { kind: 'streets', file });
    expect([r.imported, r.rejected]).toEqual([1, 5]);
    expect(problems(r)).toEqual([
      [2, '310101018', 'bad_geometry'],
      [3, '310101019', 'swapped_coordinates'],
      [4, '310101020', 'outside_china'],
      [5, '310101021', 'bad_geometry'],
      [6, '310101022', 'bad_geometry'],
    ]);
    expect(r.rejects[0]!.reason).toMatch(
      /^invalid polygon \(Self-intersection\[.*\]\); ST_MakeValid would change its area from \d+ to \d+ m², so it is not repaired/,
    );
    expect(r.rejects[1]!.reason).toMatch(/coordinates look swapped: \(31\.22, 121\.47\) reads as lat, lng/);
    expect(r.rejects[2]!.reason).toMatch(/outside China/);
    expect(r.rejects[3]!.reason).toBe('geometry is a Point; a Polygon or MultiPolygon is needed');
    expect(r.rejects[4]!.reason).toMatch(/is not closed/);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(
      /^row 1 \(310101017\): invalid polygon \(Self-intersection.*repaired with ST_MakeValid/,
    );
    const fixed = await t.db.query<{ valid: boolean; parts: number; ratio: number }>(
      `SELECT ST_IsValid(geom) AS valid, ST_NumGeometries(geom) AS parts,
              area_m2 / ST_Area(ST_MakeEnvelope(121.47, 31.22, 121.48, 31.23, 4326)::geography) AS ratio
       FROM areas WHERE code = '310101017'`,
    );
    // The square minus the 0.25 % sliver the crossing edge cuts off, plus the loop as a second part.
    expect(fixed.rows[0]).toMatchObject({ valid: true, parts: 2 });
    expect(fixed.rows[0]!.ratio).toBeCloseTo(0.9975, 3);
  });

  it('is re-runnable: the same file again gives the same counts and no duplicates', async () => {
    const header = ['code', 'name', 'street_code'];
    const rows = [
      ['310101002001', '云南中路居委会', '310101002'],
      ['310101002002', '龙泉园路居委会', '310101002'],
      ['310101002099', '孤儿居委会', '310101099'],
    ];
    const file = writeCsv(tmp.dir, 'communities.csv', header, rows);
    const first = await importFile(t.db, { kind: 'communities', file });
    const second = await importFile(t.db, { kind: 'communities', file });
    for (const r of [first, second]) expect([r.rowsRead, r.imported, r.rejected]).toEqual([3, 2, 1]);
    expect(second.rejects[0]).toMatchObject({ row: 4, problem: 'parent_mismatch' });
    const n = await t.db.query<{ n: number; kinds: string }>(
      `SELECT count(*)::int AS n, string_agg(DISTINCT kind, ',') AS kinds FROM areas WHERE level = 'community'`,
    );
    expect(n.rows[0]).toEqual({ n: 2, kinds: '居委会' });
    // A list without geometry updates names and keeps the boundary a GeoJSON import gave.
    const csv = writeCsv(
      tmp.dir,
      'streets.csv',
      ['code', 'name', 'district_code'],
      [['310101002', '南京东路', '310101']],
    );
    expect((await importFile(t.db, { kind: 'streets', file: csv })).imported).toBe(1);
    const s = await t.db.query<{ name: string; has: boolean }>(
      `SELECT name, geom IS NOT NULL AS has FROM areas WHERE code = '310101002'`,
    );
    expect(s.rows[0]).toEqual({ name: '南京东路', has: true });
  });

  it('imports unit grids from CSV with WKT, maps legacy 14-digit codes, checks the community', async () => {
    const wkt = (x: number) =>
      `POLYGON((${square(121.474 + x, 31.23, 0.001)
        .map((p) => p.join(' '))
        .join(', ')}))`;
    const file = writeCsv(
      tmp.dir,
      'grids.csv',
      ['code', 'community_code', 'area_class', 'wkt'],
      [
        ['310101002001001', '310101002001', 'A', wkt(0)],
        ['31010100200102', '', '', wkt(0.001)],
        ['310101002002001', '310101002001', '', wkt(0.002)],
        ['310101002003001', '', '', wkt(0.003)],
        ['310101002001004', '', 'D', wkt(0.004)],
        ['310101002001005', '', '', 'POLYGON((1 2, 3'],
      ],
    );
    const r = await importFile(t.db, { kind: 'unit-grids', file });
    expect([r.imported, r.rejected]).toEqual([2, 4]);
    expect(problems(r)).toEqual([
      [4, '310101002002001', 'parent_mismatch'],
      [5, '310101002003001', 'unknown_parent'],
      [6, '310101002001004', 'bad_value'],
      [7, null, 'malformed_row'],
    ]);
    const g = await t.db.query<{
      code: string;
      legacy_code: string | null;
      area_class: string;
      street_code: string;
    }>(`SELECT code, legacy_code, area_class, street_code FROM unit_grids ORDER BY code`);
    expect(g.rows).toEqual([
      { code: '310101002001001', legacy_code: null, area_class: 'A', street_code: '310101002' },
      { code: '310101002001002', legacy_code: '31010100200102', area_class: 'B', street_code: '310101002' },
    ]);
  });

  it('imports duty grids and lets unit grids refer to them', async () => {
    const duty = writeGeoJson(tmp.dir, 'duty.geojson', [
      feature({ code: '310101002-01', name: '南京东路1号责任网格' }),
      feature({ code: 'HP-01', name: '无街道' }),
      feature({ code: '310101002-02', street_code: '310101013', name: '错街道' }),
    ]);
    const d = await importFile(t.db, { kind: 'duty-grids', file: duty });
    expect(problems(d)).toEqual([
      [2, 'HP-01', 'missing_field'],
      [3, '310101002-02', 'parent_mismatch'],
    ]);
    const grids = writeGeoJson(tmp.dir, 'grids.geojson', [
      feature(
        { code: '310101002001001', duty_grid_code: '310101002-01' },
        polygon(square(121.474, 31.23, 0.001)),
      ),
      feature(
        { code: '310101002001002', duty_grid_code: '310101002-09' },
        polygon(square(121.475, 31.23, 0.001)),
      ),
    ]);
    const g = await importFile(t.db, { kind: 'unit-grids', file: grids });
    expect(problems(g)).toEqual([[2, '310101002001002', 'unknown_reference']]);
    const row = await t.db.query<{ duty_grid_code: string; area_class: string }>(
      `SELECT duty_grid_code, area_class FROM unit_grids WHERE code = '310101002001001'`,
    );
    // The area class from the earlier CSV import stays when this file says nothing about it.
    expect(row.rows[0]).toEqual({ duty_grid_code: '310101002-01', area_class: 'A' });
  });
});
