/**
 * `onegrid geocode <file>` as a person runs it: a real process on a fresh embedded data dir (or
 * PostgreSQL through DATABASE_URL), after `onegrid import addresses`; a CSV in, the same CSV out
 * with the standard address and point of each row appended.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb, testEngine } from '../../server/test/db-harness.ts';
import { tempDir, writeCsv } from '../../server/test/import-fixture.ts';
import { onegridOn as onegrid } from './cli-harness.ts';

describe(`onegrid geocode (command line, ${testEngine})`, () => {
  const tmp = tempDir('onegrid-cli-geocode-');
  const dataDir = path.join(tmp.dir, 'data');
  let pg: TestDb | undefined;
  const run = (args: string[]) => onegrid(args, dataDir, pg?.url);

  beforeAll(async () => {
    if (testEngine === 'postgres') pg = await openTestDb();
    const addresses = writeCsv(
      tmp.dir,
      'addresses.csv',
      ['district', 'address', 'lng', 'lat'],
      [
        ['黄浦区', '南京东路100号', 121.48, 31.235],
        ['黄浦区', '南京东路200号', 121.486, 31.235],
        ['浦东新区', '张东路2281弄', 121.6332, 31.2037],
      ],
    );
    const r = await run(['import', 'addresses', addresses]);
    expect(r.code, r.stderr).toBe(0);
  }, 300_000);
  afterAll(async () => {
    await pg?.close();
    tmp.remove();
  });

  it('appends the standard address and point of every row, in order, keeping the other columns', async () => {
    const input = writeCsv(
      tmp.dir,
      'cases.csv',
      ['编号', '地址', '备注'],
      [
        ['1', '黄浦区南京东路１００号', '门口, 有积水'],
        ['2', '', '没有地址'],
        ['3', '浦东张东路二千二百八十一弄', ''],
        ['4', '南京东路150号', ''],
      ],
    );
    const out = path.join(tmp.dir, 'cases.out.csv');
    const r = await run(['geocode', input, '--out', out, '--crs', 'wgs84']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /geocoded 4 rows from column "地址": 3 found \(1 interpolated along a road\), 1 not found/,
    );
    const rows = parse(fs.readFileSync(out), { columns: true }) as Record<string, string>[];
    expect(rows.map((x) => [x.编号, x.备注, x.geocoded_address, x.geocoded_interpolated])).toEqual([
      ['1', '门口, 有积水', '黄浦区南京东路100号', 'false'],
      ['2', '没有地址', '', ''],
      ['3', '', '浦东新区张东路2281弄', 'false'],
      ['4', '', '黄浦区南京东路150号', 'true'],
    ]);
    expect(Number(rows[0]!.geocoded_lng)).toBeCloseTo(121.48, 6);
    expect(Number(rows[3]!.geocoded_lng)).toBeCloseTo(121.483, 6);
    expect(rows[0]!.geocoded_code).toMatch(/^SA\d{10}$/);
  }, 300_000);

  it('exits 1 naming the columns when it finds no address column, and writes nothing', async () => {
    const input = writeCsv(tmp.dir, 'bad.csv', ['id', 'where'], [['1', '南京东路100号']]);
    const out = path.join(tmp.dir, 'bad.out.csv');
    const r = await run(['geocode', input, '--out', out, '--column', '位置']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('onegrid: no column "位置"');
    expect(r.stderr).toContain('its columns: id, where');
    expect(fs.existsSync(out)).toBe(false);
  }, 300_000);
});
