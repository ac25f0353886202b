import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFile } from '../src/import/import.service.ts';
import { openImportFile } from '../src/import/readers/index.ts';
import { getRun } from '../src/import/runs.ts';
import { ImportFileError, type RawRow } from '../src/import/types.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';
import { feature, polygon, square, tempDir, writeGeoJson, writeText } from './import-fixture.ts';

const tmp = tempDir();
afterAll(() => tmp.remove());

async function read(file: string, crs: 'wgs84' | 'gcj02' = 'wgs84'): Promise<RawRow[]> {
  const src = await openImportFile(file, { crs });
  const out: RawRow[] = [];
  for await (const r of src.rows) out.push(r);
  return out;
}

const fileError = async (file: string) => {
  const e = await read(file).catch((x: unknown) => x);
  expect(e).toBeInstanceOf(ImportFileError);
  return (e as Error).message;
};

describe('reading import files', () => {
  it('refuses files that are missing, empty, not UTF-8 or not a FeatureCollection', async () => {
    expect(await fileError(path.join(tmp.dir, 'nope.geojson'))).toBe(
      `file not found: ${path.join(tmp.dir, 'nope.geojson')}`,
    );
    expect(await fileError(writeText(tmp.dir, 'empty.csv', ''))).toMatch(/is empty$/);
    const gbk = path.join(tmp.dir, 'gbk.csv');
    fs.writeFileSync(gbk, Buffer.from([0x63, 0x6f, 0x64, 0x65, 0x2c, 0xc3, 0xfb, 0xb3, 0xc6, 0x0a]));
    expect(await fileError(gbk)).toMatch(/is not UTF-8 text \(GBK from a spreadsheet\?\)/);
    expect(await fileError(writeText(tmp.dir, 'array.json', '[{"type":"Feature"}]'))).toBe(
      'not a GeoJSON FeatureCollection: the file does not hold a JSON object',
    );
    const one = JSON.stringify(feature({ code: '310101' }, polygon(square(121.47, 31.22, 0.01))));
    expect(await fileError(writeText(tmp.dir, 'feature.geojson', one))).toBe(
      'not a GeoJSON FeatureCollection: its type is "Feature"',
    );
    expect(await fileError(writeText(tmp.dir, 'nofeat.geojson', '{"type":"FeatureCollection"}'))).toBe(
      'not a GeoJSON FeatureCollection: it has no "features" array',
    );
  });

  it('names malformed JSON, also when the file just stops', async () => {
    expect(
      await fileError(
        writeText(tmp.dir, 'bad.geojson', '{"type":"FeatureCollection","features":[{"a":1,,}]}'),
      ),
    ).toMatch(/^malformed JSON: Parser cannot parse input/);
    const cut = JSON.stringify({
      type: 'FeatureCollection',
      features: [feature({ code: '1' }), feature({ code: '2' })],
    });
    expect(await fileError(writeText(tmp.dir, 'cut.geojson', cut.slice(0, -20)))).toMatch(/^malformed JSON/);
  });

  it('streams features: top-level members in any order, big integers kept exact, feature ids kept', async () => {
    const text =
      '\uFEFF{"name":"x","crs":{"type":"name","properties":{"name":"EPSG:4326"}},"features":[' +
      '{"type":"Feature","id":7,"properties":{"n":31010101001000123,"s":"a]}"},"geometry":null},' +
      '{"type":"Feature","properties":null,"geometry":{"type":"Point","coordinates":[121.5,31.2]}},' +
      '42],"type":"FeatureCollection"}';
    const rows = await read(writeText(tmp.dir, 'order.geojson', text));
    expect(rows).toEqual([
      { row: 1, properties: { n: '31010101001000123', s: 'a]}', id: 7 }, geometry: undefined },
      { row: 2, properties: {}, geometry: { type: 'Point', coordinates: [121.5, 31.2] } },
      { row: 3, properties: {}, problem: 'feature 3 is not an object' },
    ]);
  });

  it('reads CSV with a BOM, any common delimiter, WKT or lng/lat geometry, and flags ragged lines', async () => {
    const semi = writeText(
      tmp.dir,
      'semi.csv',
      '\uFEFFcode;name;lng;lat\n310101;黄浦区;121.47;31.23\n310104;徐汇区\n',
    );
    expect(await read(semi)).toEqual([
      {
        row: 2,
        properties: { code: '310101', name: '黄浦区', lng: '121.47', lat: '31.23' },
        geometry: { type: 'Point', coordinates: ['121.47', '31.23'] },
      },
      {
        row: 3,
        properties: { code: '310104', name: '徐汇区', lng: '', lat: '' },
        problem: 'line has 2 fields; the header has 4',
      },
    ]);
    const tsv = writeText(
      tmp.dir,
      'grids.tsv',
      'code\tgeometry\n1\tSRID=4326;MULTIPOLYGON Z(((1 2 0, 3 4 0, 5 6 0, 1 2 0)))\n',
    );
    expect((await read(tsv))[0]!.geometry).toEqual({
      type: 'MultiPolygon',
      coordinates: [
        [
          [
            [1, 2],
            [3, 4],
            [5, 6],
            [1, 2],
          ],
        ],
      ],
    });
    expect(await fileError(writeText(tmp.dir, 'quote.csv', 'code,name\n1,"unclosed\n'))).toMatch(
      /^malformed CSV: /,
    );
  });
});

describe(`import file failures on ${testEngine}`, () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb();
  });
  afterAll(async () => t?.close());

  it('fails the run on malformed JSON, writes nothing of the batch in hand, and records the failure', async () => {
    const good = feature({ adcode: 310101, name: '黄浦区' }, polygon(square(121.46, 31.21, 0.04)));
    const text = `{"type":"FeatureCollection","features":[${JSON.stringify(good)},{"type":"Feature","properties":{"adcode":310104`;
    const file = writeText(tmp.dir, 'broken.geojson', text);
    const e = await importFile(t.db, { kind: 'districts', file }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ImportFileError);
    const err = e as ImportFileError;
    expect(err.message).toMatch(/^malformed JSON/);
    // The first feature was read, but its batch was still open when the file broke off.
    expect(err.report).toMatchObject({ status: 'failed', rowsRead: 1, imported: 0 });
    const n = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM areas WHERE level = 'district'`,
    );
    expect(n.rows[0]!.n).toBe(0);
    const run = await getRun(t.db, err.report!.runId);
    expect(run).toMatchObject({ status: 'failed', imported: 0 });
    expect(run!.error).toMatch(/^malformed JSON/);
  });

  it('takes the CRS from the file name unless told, and warns when told otherwise', async () => {
    const f = writeGeoJson(tmp.dir, 'd.gcj02.geojson', [
      feature({ adcode: 310101, name: '黄浦区' }, polygon(square(121.46, 31.21, 0.04))),
    ]);
    const byName = await importFile(t.db, { kind: 'districts', file: f });
    expect([byName.crs, byName.warnings]).toEqual(['gcj02', []]);
    const told = await importFile(t.db, { kind: 'districts', file: f, crs: 'wgs84' });
    expect(told.crs).toBe('wgs84');
    expect(told.warnings).toEqual([
      'the file name says gcj02 but --crs is wgs84; coordinates were read as wgs84',
    ]);
  });
});
