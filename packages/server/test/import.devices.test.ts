/**
 * `import devices`: a city's sensors from a file, provisioned as the devices API does — a token
 * per new device handed over once (only its hash kept), the unit grid found from the point, the
 * change audited — with a row report for what is wrong; importing again updates by id.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFile, importRows } from '../src/import/index.ts';
import { hashDeviceToken } from '../src/iot/device.directory.ts';
import { makeLoopCity, square } from './case-fixture.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';
import { tempDir, writeText } from './import-fixture.ts';

describe(`import devices on ${testEngine}`, () => {
  let t: TestDb;
  const tmp = tempDir('onegrid-import-devices-');
  beforeAll(async () => {
    t = await openTestDb();
    await makeLoopCity(t.db);
  });
  afterAll(async () => {
    tmp.remove();
    await t?.close();
  });

  it('provisions new devices with a token each, reports bad rows, and updates on a second import', async () => {
    const csv = writeText(
      tmp.dir,
      'sensors.csv',
      [
        '设备编号,设备类型,设备名称,lng,lat,权属部门,状态',
        `hp-smoke-001,smoke,人民广场东侧烟感,${square.lng + 0.0003},${square.lat + 0.0002},310101-lhsr,`,
        `hp-water-001,water-depth,西藏中路下立交积水,${square.lng - 0.0006},${square.lat + 0.0002},,停用`,
        `hp-bad-001,teleporter,未知设备,${square.lng},${square.lat},,`,
        `bad id!,smoke,编号不对,${square.lng},${square.lat},,`,
        'hp-smoke-002,smoke,没有位置,,,,',
        `hp-smoke-001,smoke,重复一行,${square.lng},${square.lat},,`,
      ].join('\n'),
    );
    const tokens = new Map<string, string>();
    const report = await importFile(t.db, { kind: 'devices', file: csv }, undefined, {
      secret: (id, token) => tokens.set(id, token),
    });
    expect(report).toMatchObject({ kind: 'devices', rowsRead: 6, imported: 2, rejected: 4 });
    const reasons = Object.fromEntries(report.rejects.map((r) => [r.row, r.reason]));
    expect(reasons[4]).toMatch(/unknown device type "teleporter"; types: .*smoke/);
    expect(reasons[5]).toMatch(/device id "bad id!" may hold/);
    expect(reasons[6]).toMatch(/not a number pair|no geometry/);
    expect(reasons[7]).toMatch(/earlier in this file/);

    // Tokens handed over once, kept only as hashes; grid and status as the API would set them.
    expect([...tokens.keys()].sort()).toEqual(['hp-smoke-001', 'hp-water-001']);
    const rows = await t.db.query<{
      id: string;
      token_hash: string;
      unit_grid_code: string | null;
      status: string;
      owner: string | null;
    }>(
      `SELECT id, token_hash, unit_grid_code, status, owner_dept_code AS owner FROM devices
        WHERE id LIKE 'hp-%' ORDER BY id`,
    );
    expect(rows.rows.map((r) => [r.id, r.status, r.owner])).toEqual([
      ['hp-smoke-001', 'offline', '310101-lhsr'],
      ['hp-water-001', 'disabled', null],
    ]);
    for (const r of rows.rows) {
      expect(r.token_hash).toBe(hashDeviceToken(tokens.get(r.id) ?? ''));
      expect(r.unit_grid_code).toMatch(/^310101/);
    }
    const audited = await t.db.query<{ details: { created: string[] } }>(
      `SELECT details FROM audit_log WHERE action = 'config.device' ORDER BY seq DESC LIMIT 1`,
    );
    expect(audited.rows[0]?.details.created.sort()).toEqual(['hp-smoke-001', 'hp-water-001']);

    // Again, renamed and enabled: updated by id, the tokens stay, none is handed over.
    const again = new Map<string, string>();
    const r2 = await importRows(
      t.db,
      'devices',
      [
        {
          row: 2,
          properties: { id: 'hp-water-001', type: 'water-depth', name: '西藏中路下立交积水（新）' },
          geometry: { type: 'Point', coordinates: [square.lng - 0.0006, square.lat + 0.0002] },
        },
      ],
      { secret: (id, token) => again.set(id, token) },
    );
    expect(r2).toMatchObject({ imported: 1, rejected: 0 });
    expect(again.size).toBe(0);
    const after = await t.db.query<{ name: string; status: string; token_hash: string }>(
      `SELECT name, status, token_hash FROM devices WHERE id = 'hp-water-001'`,
    );
    expect(after.rows[0]).toEqual({
      name: '西藏中路下立交积水（新）',
      status: 'offline',
      token_hash: hashDeviceToken(tokens.get('hp-water-001') ?? ''),
    });
  });

  it('refuses to import devices with nowhere to put their tokens, writing nothing', async () => {
    const before = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM devices');
    const rows = [
      {
        row: 2,
        properties: { id: 'x-1', type: 'smoke', name: '一台' },
        geometry: { type: 'Point', coordinates: [square.lng, square.lat] },
      },
    ];
    await expect(importRows(t.db, 'devices', rows)).rejects.toThrow(/--tokens/);
    const after = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM devices');
    expect(after.rows[0]?.n).toBe(before.rows[0]?.n);
  });
});
