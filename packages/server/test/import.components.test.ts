import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../src/errors.ts';
import { importFile, importRows } from '../src/import/import.service.ts';
import type { ImportReport, RawRow } from '../src/import/types.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';
import { seedCategories, seedGrids, tempDir, writeCsv, writeText } from './import-fixture.ts';

const problems = (r: ImportReport) => r.rejects.map((x) => [x.row, x.key, x.problem]);
const owner = '11310101002411234X';
const header = [
  'id',
  'name',
  'owner_dept_code',
  'owner_dept_name',
  'unit_grid_code',
  'status',
  'survey_date',
  'data_source',
  'street_code',
  'lng',
  'lat',
];
/** A row of the CSV above; the point lies in grid 001 unless told otherwise. */
const row = (id: string, o: Partial<Record<(typeof header)[number], unknown>> = {}): unknown[] => {
  const v: Record<string, unknown> = {
    id,
    name: `井盖 ${id.slice(-3)}`,
    owner_dept_code: owner,
    owner_dept_name: '黄浦区市政管理所',
    unit_grid_code: '',
    status: '完好',
    survey_date: '2024-03-05',
    data_source: '普查',
    street_code: '',
    lng: 121.4745,
    lat: 31.2305,
    ...o,
  };
  return header.map((h) => v[h]);
};

describe(`import of components and addresses on ${testEngine}`, () => {
  let t: TestDb;
  const tmp = tempDir();
  beforeAll(async () => {
    t = await openTestDb();
    await seedGrids(t.db);
  });
  afterAll(async () => {
    await t?.close();
    tmp.remove();
  });

  it('refuses to start while the component catalogue is empty, and says so', async () => {
    const file = writeCsv(tmp.dir, 'one.csv', header, [row('31010101001000001')]);
    const err = await importFile(t.db, { kind: 'components', file }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).message).toMatch(/^the component catalogue is empty/);
    await seedCategories(t.db, ['01001', '01002', '02001']);
  });

  it('maps the 18 attributes, resolves grids by attribute or by point, and rejects with reasons', async () => {
    const file = writeCsv(tmp.dir, 'components.csv', header, [
      row('31010101001000001'),
      row('31010101001000002', {
        status: 'damaged',
        unit_grid_code: '310101002001002',
        street_code: '310101002',
      }),
      row('3101010102000003', { status: '丢失' }),
      row('31010101001000004', { lng: 121.475, lat: 31.2305 }),
      row('31010101001000005', { lng: 121.4755, unit_grid_code: '310101002001999' }),
      row('31010109001000006'),
      row('31010401001000007'),
      row('31010101001000008', { lng: 121.48, lat: 31.24 }),
      row('31010101001000009', { status: '坏了' }),
      row('31010101001000010', { survey_date: '2024-02-30' }),
      row('31010101001000011', { name: '', owner_dept_name: '' }),
      row('31010101001000012', { owner_dept_code: 'HPSZ' }),
      row('3101010101000001'),
      row('31010101001000001', { name: '重复' }),
      row('31010101001000013', { lng: 31.2305, lat: 121.4745 }),
    ]);
    const r = await importFile(t.db, { kind: 'components', file, batchSize: 4 });
    expect([r.rowsRead, r.imported, r.rejected]).toEqual([15, 5, 10]);
    expect(problems(r)).toEqual([
      [7, '31010109001000006', 'unknown_category'],
      [8, '31010401001000007', 'unknown_parent'],
      [9, '31010101001000008', 'no_unit_grid'],
      [10, '31010101001000009', 'bad_value'],
      [11, '31010101001000010', 'bad_value'],
      [12, '31010101001000011', 'missing_field'],
      [13, '31010101001000012', 'bad_value'],
      [14, '31010101001000001', 'duplicate'],
      [15, '31010101001000001', 'duplicate'],
      [16, '31010101001000013', 'swapped_coordinates'],
    ]);
    const reasons = Object.fromEntries(r.rejects.map((x) => [x.row, x.reason]));
    expect(reasons[7]).toBe('category 09001 (from the id) is not in the component catalogue');
    expect(reasons[8]).toBe("district 310104 (the id's first 6 digits) is not in the database");
    expect(reasons[9]).toBe('the point lies in no unit grid (import unit grids first)');
    expect(reasons[10]).toMatch(/^status "坏了" is not 完好\/破损\/丢失\/废弃\/移除/);
    expect(reasons[11]).toBe('first-survey date "2024-02-30" is not a date');
    expect(reasons[12]).toBe('missing mandatory attributes: name, owner department name');
    // Row 14 is the legacy form of row 2's id, in a later batch: found through the run id.
    expect(reasons[14]).toBe('id 31010101001000001 appears earlier in this file');
    expect(reasons[15]).toBe('31010101001000001 appears earlier in this file (row 14)');
    const rows = await t.db.query<Record<string, string | null>>(
      `SELECT id, legacy_id, category_code, unit_grid_code, status, survey_date::text AS survey_date, data_source,
              street_code, street_name, community_code, community_name, district_code, owner_dept_code
       FROM components ORDER BY id`,
    );
    expect(rows.rows.map((x) => [x.id, x.legacy_id, x.unit_grid_code, x.status])).toEqual([
      ['31010101001000001', null, '310101002001001', 'intact'],
      // Given a grid that exists: kept.
      ['31010101001000002', null, '310101002001002', 'damaged'],
      // On the edge both grids share: the smaller code wins.
      ['31010101001000004', null, '310101002001001', 'intact'],
      // Given a grid that does not exist: located by the point instead.
      ['31010101001000005', null, '310101002001002', 'intact'],
      // Legacy 16-digit id: minor code 02 becomes 002, the original is kept.
      ['31010101002000003', '3101010102000003', '310101002001001', 'missing'],
    ]);
    expect(rows.rows[0]).toMatchObject({
      category_code: '01001',
      survey_date: '2024-03-05',
      data_source: 'surveyed',
      street_code: '310101002',
      street_name: '南京东路街道',
      community_code: '310101002001',
      community_name: '云南中路居委会',
      district_code: '310101',
      owner_dept_code: owner,
    });
    const staged = await t.db.query(`SELECT 1 FROM pg_tables WHERE tablename LIKE 'import_stage_%'`);
    expect(staged.rows).toEqual([]);

    // Again: the same counts, no second copy of anything, values updated in place.
    const again = await importFile(t.db, { kind: 'components', file, batchSize: 4 });
    expect([again.rowsRead, again.imported, again.rejected]).toEqual([15, 5, 10]);
    const n = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM components');
    expect(n.rows[0]!.n).toBe(5);
  });

  it('retries a failing batch row by row: only the bad row is rejected, nothing is half-written', async () => {
    // A component already holds legacy id 3101010101000020, under an id it does not map to.
    await t.db.query(
      `INSERT INTO components (id, legacy_id, category_code, name, owner_dept_code, owner_dept_name, unit_grid_code,
         status, survey_date, district_code, geom)
       VALUES ('31010101001000099', '3101010101000020', '01001', '旧井盖', $1, '黄浦区市政管理所',
         '310101002001001', 'intact', '2020-01-01', '310101', ST_SetSRID(ST_MakePoint(121.4745, 31.2305), 4326))`,
      [owner],
    );
    const file = writeCsv(tmp.dir, 'batch.csv', header, [
      row('31010101001000021'),
      row('3101010101000020'),
      row('31010101001000022', { status: 'removed' }),
    ]);
    const r = await importFile(t.db, { kind: 'components', file, batchSize: 10 });
    expect([r.imported, r.rejected]).toEqual([2, 1]);
    expect(r.rejects[0]).toMatchObject({ row: 3, key: '31010101001000020', problem: 'duplicate' });
    expect(r.rejects[0]!.reason).toMatch(
      /^already exists: Key \(legacy_id\)=\(3101010101000020\) already exists/,
    );
    const ids = await t.db.query<{ id: string; status: string }>(
      `SELECT id, status FROM components WHERE id IN ('31010101001000020', '31010101001000021', '31010101001000022')
       ORDER BY id`,
    );
    expect(ids.rows).toEqual([
      { id: '31010101001000021', status: 'intact' },
      { id: '31010101001000022', status: 'removed' },
    ]);
  });

  it('keeps 17-digit ids written as JSON numbers exact, and takes rows from memory too', async () => {
    const json = `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":31010102001000031,
      "name":"消防栓","owner_dept_code":"${owner}","owner_dept_name":"黄浦区消防救援支队","status":"intact",
      "survey_date":"2023/7/1","data_source":"map"},"geometry":{"type":"Point","coordinates":[121.4755,31.2305]}}]}`;
    const file = writeText(tmp.dir, 'hydrant.geojson', json);
    const g = await importFile(t.db, { kind: 'components', file });
    expect(g.imported).toBe(1);
    const rows: RawRow[] = [
      {
        row: 1,
        properties: {
          部件编码: '31010101001000041',
          部件名称: '雨水井盖',
          主管部门代码: owner,
          主管部门名称: '黄浦区水务局',
          部件状态: '破损',
          初始时间: '2022年5月6日',
          数据来源: '其他',
          备注: '内存导入',
        },
        geometry: { type: 'Point', coordinates: [121.4745, 31.2305] },
      },
    ];
    const m = await importRows(t.db, 'components', rows);
    expect(m).toMatchObject({ imported: 1, rejected: 0, format: 'rows', source: 'rows' });
    const got = await t.db.query<{ id: string; status: string; survey_date: string; note: string | null }>(
      `SELECT id, status, survey_date::text AS survey_date, note FROM components
       WHERE id IN ('31010102001000031', '31010101001000041') ORDER BY id`,
    );
    expect(got.rows).toEqual([
      { id: '31010101001000041', status: 'damaged', survey_date: '2022-05-06', note: '内存导入' },
      { id: '31010102001000031', status: 'intact', survey_date: '2023-07-01', note: null },
    ]);
  });

  it('imports addresses, reading the columns of the CRS asked for and locating each point', async () => {
    const file = writeCsv(
      tmp.dir,
      'addresses.csv',
      ['district', 'address', 'gcj02_lng', 'gcj02_lat', 'wgs84_lng', 'wgs84_lat'],
      [
        ['黄浦区', '南京东路100号', 121.479, 31.2285, 121.4745, 31.2305],
        ['黄浦区', '南京东路100号', 121.479, 31.2285, 121.4745, 31.2305],
        ['黄浦区', '', 121.479, 31.2285, 121.4745, 31.2305],
        ['黄浦区', '西藏中路1号', 121.4745, 31.2405, 121.47, 31.2425],
      ],
    );
    const r = await importFile(t.db, { kind: 'addresses', file, crs: 'wgs84' });
    expect(problems(r)).toEqual([
      [3, '南京东路100号', 'duplicate'],
      [4, null, 'missing_field'],
    ]);
    const a = await t.db.query<{
      address: string;
      district_code: string;
      street_code: string;
      unit_grid_code: string;
    }>(`SELECT address, district_code, street_code, unit_grid_code FROM addresses ORDER BY address`);
    expect(a.rows).toEqual([
      {
        address: '南京东路100号',
        district_code: '310101',
        street_code: '310101002',
        unit_grid_code: '310101002001001',
      },
      // North of every street polygon but inside the district's.
      { address: '西藏中路1号', district_code: '310101', street_code: null, unit_grid_code: null },
    ]);
    const wrong = writeCsv(
      tmp.dir,
      'wgs-only.csv',
      ['address', 'wgs84_lng', 'wgs84_lat'],
      [['x', 121.47, 31.23]],
    );
    await expect(importFile(t.db, { kind: 'addresses', file: wrong, crs: 'gcj02' })).rejects.toThrow(
      "the file's coordinate columns are wgs84_lng/wgs84_lat but --crs is gcj02: pass --crs wgs84",
    );
  });
});
