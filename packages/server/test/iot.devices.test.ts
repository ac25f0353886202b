import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceRepository } from '../src/iot/device.repository.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';
import { ensureUser, login } from './http-harness.ts';
import { connectDevice, type IotTest, startIotTest } from './iot-harness.ts';

interface DeviceBody {
  id: string;
  typeId: string;
  name: string;
  location: { lng: number; lat: number } | null;
  unitGridCode: string | null;
  status: string;
}

const square = (x0: number, y0: number, x1: number, y1: number) =>
  `SRID=4326;MULTIPOLYGON(((${x0} ${y0},${x1} ${y0},${x1} ${y1},${x0} ${y1},${x0} ${y0})))`;

describe(`device registry and HTTP telemetry on ${testEngine}`, () => {
  let db: TestDb;
  let t: IotTest;
  let operator: string;
  let hpOperator: string;

  beforeAll(async () => {
    db = await openTestDb();
    t = await startIotTest(db.db);
    await db.db.exec(`
      INSERT INTO areas (code, level, name, parent_code) VALUES
        ('310101', 'district', '黄浦区', '3101'), ('310104', 'district', '徐汇区', '3101'),
        ('310101002', 'street', '南京东路街道', '310101'), ('310101002001', 'community', '云南中路居委会', '310101002')
      ON CONFLICT DO NOTHING;
      INSERT INTO unit_grids (code, community_code, street_code, district_code, geom, area_m2) VALUES
        ('310101002001001', '310101002001', '310101002', '310101', '${square(121.47, 31.23, 121.48, 31.24)}', 10000),
        ('310101002001002', '310101002001', '310101002', '310101', '${square(121.48, 31.23, 121.49, 31.24)}', 10000);
    `);
    await ensureUser(db.db, { username: 'dev-op', role: 'operator' });
    await ensureUser(db.db, { username: 'dev-hp', role: 'operator', scopeCode: '310101' });
    operator = await login(t.server, 'dev-op');
    hpOperator = await login(t.server, 'dev-hp');
  });
  afterAll(async () => {
    await t?.close();
    await db?.close();
  });

  it('documents the IoT API in the OpenAPI document', async () => {
    const doc = await t.api<{
      paths: Record<string, unknown>;
      components: { schemas: Record<string, unknown> };
    }>('GET', '/api/openapi.json');
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/devices',
        '/api/v1/devices/{id}',
        '/api/v1/devices/{id}/readings',
        '/api/v1/device-types',
        '/api/v1/telemetry',
        '/api/v1/rules',
        '/api/v1/alarms',
        '/api/v1/alarms/{id}/ack',
      ]),
    );
    expect(Object.keys(doc.body.components.schemas)).toEqual(
      expect.arrayContaining(['Device', 'Rule', 'Alarm']),
    );
  });

  it('lists the built-in device types with their metrics', async () => {
    const res = await t.api<Array<{ id: string; metrics: Array<{ key: string; type: string }> }>>(
      'GET',
      '/api/v1/device-types',
      undefined,
      operator,
    );
    expect(res.body.map((x) => x.id)).toEqual(
      expect.arrayContaining([
        'air-quality',
        'curtain-wall',
        'manhole-cover',
        'smoke',
        'street-light',
        'water-depth',
      ]),
    );
    expect(res.body.find((x) => x.id === 'manhole-cover')!.metrics.map((m) => `${m.key}:${m.type}`)).toEqual([
      'tilt:number',
      'open:boolean',
      'battery:number',
    ]);
  });

  it('registers a device, resolves its unit grid, returns the token once and keeps only its hash', async () => {
    const res = await t.api<{ device: DeviceBody; token: string }>('POST', '/api/v1/devices', {
      id: 'wl-0001',
      typeId: 'water-depth',
      name: '人民路下立交积水',
      location: { lng: 121.475, lat: 31.235 },
    });
    expect(res.status).toBe(201);
    expect(res.body.device).toMatchObject({
      id: 'wl-0001',
      unitGridCode: '310101002001001',
      status: 'offline',
    });
    expect(res.body.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const stored = await db.db.query<{ token_hash: string }>(
      "SELECT token_hash FROM devices WHERE id = 'wl-0001'",
    );
    expect(stored.rows[0]!.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored.rows[0]!.token_hash).not.toContain(res.body.token);
    const detail = await t.api<Record<string, unknown>>(
      'GET',
      '/api/v1/devices/wl-0001',
      undefined,
      operator,
    );
    expect(detail.status).toBe(200);
    expect(JSON.stringify(detail.body)).not.toContain(res.body.token);
  });

  it('gives a point on a shared grid boundary to the smaller code, and converts GCJ-02', async () => {
    const edge = await t.api<{ device: DeviceBody }>('POST', '/api/v1/devices', {
      id: 'edge',
      typeId: 'smoke',
      name: 'edge',
      location: { lng: 121.48, lat: 31.235 },
    });
    expect(edge.body.device.unitGridCode).toBe('310101002001001');
    const gcj = await t.api<{ device: DeviceBody }>('POST', '/api/v1/devices', {
      id: 'gcj',
      typeId: 'smoke',
      name: 'gcj',
      location: { lng: 121.4895, lat: 31.233, crs: 'gcj02' },
    });
    // GCJ-02 is shifted ≈ 0.0045° east of WGS-84 around Shanghai.
    expect(gcj.body.device.location!.lng).toBeCloseTo(121.485, 2);
    expect(gcj.body.device.unitGridCode).toBe('310101002001002');
  });

  it('lets only administrators write, and refuses bad input with clear errors', async () => {
    const body = { id: 'x1', typeId: 'smoke', name: 'x', location: null };
    expect((await t.api('POST', '/api/v1/devices', body, operator)).status).toBe(403);
    expect((await t.api('PATCH', '/api/v1/devices/wl-0001', { name: 'y' }, operator)).status).toBe(403);
    expect((await t.api('DELETE', '/api/v1/devices/wl-0001', undefined, operator)).status).toBe(403);
    expect((await t.api('POST', '/api/v1/devices', body, '')).status).toBe(401);
    const dup = await t.api<{ error: { code: string } }>('POST', '/api/v1/devices', {
      ...body,
      id: 'wl-0001',
    });
    expect([dup.status, dup.body.error.code]).toEqual([409, 'conflict']);
    const type = await t.api<{ error: { code: string } }>('POST', '/api/v1/devices', {
      ...body,
      typeId: 'toaster',
    });
    expect([type.status, type.body.error.code]).toEqual([400, 'validation_failed']);
    const comp = await t.api<{ error: { details: unknown } }>('POST', '/api/v1/devices', {
      ...body,
      componentId: '31010101001000123',
    });
    expect([comp.status, comp.body.error.details]).toEqual([400, { field: 'componentId' }]);
    expect((await t.api('POST', '/api/v1/devices', { ...body, id: 'a/b' })).status).toBe(400);
  });

  it('shows a district operator only the devices in their district', async () => {
    await t.api('POST', '/api/v1/devices', {
      id: 'nowhere',
      typeId: 'smoke',
      name: 'no place',
      location: null,
    });
    const mine = await t.api<{ items: DeviceBody[]; total: number }>(
      'GET',
      '/api/v1/devices?limit=100',
      undefined,
      hpOperator,
    );
    expect(mine.body.items.map((d) => d.id).sort()).toEqual(['edge', 'gcj', 'wl-0001']);
    expect((await t.api('GET', '/api/v1/devices/nowhere', undefined, hpOperator)).status).toBe(404);
    const all = await t.api<{ total: number }>('GET', '/api/v1/devices', undefined, operator);
    expect(all.body.total).toBe(4);
    const filtered = await t.api<{ items: DeviceBody[]; total: number }>(
      'GET',
      '/api/v1/devices?type=smoke&area=310101002001002&q=gc',
      undefined,
      operator,
    );
    expect(filtered.body.items.map((d) => d.id)).toEqual(['gcj']);
    const page = await t.api<{ items: DeviceBody[]; total: number }>(
      'GET',
      '/api/v1/devices?limit=2&offset=1',
      undefined,
      operator,
    );
    expect([page.body.items.length, page.body.total]).toEqual([2, 4]);
  });

  it('takes a batch over HTTP with the device token and answers per reading', async () => {
    const created = await t.api<{ token: string }>('POST', '/api/v1/devices', {
      id: 'mh-1',
      typeId: 'manhole-cover',
      name: 'mh',
      location: null,
    });
    const token = created.body.token;
    const now = Date.now();
    const res = await t.server.app.inject({
      method: 'POST',
      url: '/api/v1/telemetry',
      headers: { 'x-device-token': token },
      payload: {
        deviceId: 'mh-1',
        readings: [
          { ts: now - 3000, values: { tilt: 2, open: false } },
          { ts: new Date(now - 2000).toISOString(), values: { tilt: 40, open: true, colour: 'red' } },
          { ts: now + 3 * 86_400_000, values: { tilt: 1 } },
          { deviceId: 'wl-0001', values: { depth: 3 } },
        ],
      },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ accepted: 4, rejected: 3 });
    expect(
      body.results.map((r: { accepted: number; errors: Array<{ code: string }> }) => [
        r.accepted,
        r.errors.map((e) => e.code),
      ]),
    ).toEqual([
      [2, []],
      [2, ['unknown_metric']],
      [0, ['ts_in_future']],
      [0, ['unknown_device']],
    ]);
    const raw = await t.api<{ points: Array<{ value: unknown }> }>(
      'GET',
      `/api/v1/devices/mh-1/readings?metric=open&from=${new Date(now - 60_000).toISOString()}`,
      undefined,
      operator,
    );
    expect(raw.body.points.map((p) => p.value)).toEqual([false, true]);

    const wrong = await t.server.app.inject({
      method: 'POST',
      url: '/api/v1/telemetry',
      headers: { 'x-device-token': 'nope' },
      payload: { deviceId: 'mh-1', readings: [{ values: { tilt: 1 } }] },
    });
    expect(wrong.statusCode).toBe(401);
    expect(
      (
        await t.api(
          'POST',
          '/api/v1/telemetry',
          { readings: [{ deviceId: 'mh-1', values: { tilt: 1 } }] },
          '',
        )
      ).status,
    ).toBe(401);
    expect(
      (
        await t.api(
          'POST',
          '/api/v1/telemetry',
          { readings: [{ deviceId: 'mh-1', values: { tilt: 1 } }] },
          operator,
        )
      ).status,
    ).toBe(403);
    const admin = await t.api<{ accepted: number }>('POST', '/api/v1/telemetry', {
      readings: [
        { deviceId: 'mh-1', values: { tilt: 3 } },
        { deviceId: 'wl-0001', values: { depth: 12.5 } },
      ],
    });
    expect(admin.body.accepted).toBe(2);
  });

  it('answers 400 for a poison batch, 429 with Retry-After over the rate and 413 over the size', async () => {
    const token = (await t.api<{ token: string }>('PATCH', '/api/v1/devices/mh-1', { rotateToken: true }))
      .body.token;
    const send = (payload: object | string) =>
      t.server.app.inject({
        method: 'POST',
        url: '/api/v1/telemetry',
        headers: { 'x-device-token': token, 'content-type': 'application/json' },
        payload,
      });
    const poison = await send(
      '{"deviceId":"mh-1","readings":[{"ts":100000000000000000000,"values":{"tilt":1}}]}',
    );
    expect(poison.statusCode).toBe(400);
    expect(poison.json().error.details.results[0].errors[0].code).toBe('bad_timestamp');
    const big = await send({
      deviceId: 'mh-1',
      readings: [{ values: { tilt: 1, pad: 'x'.repeat(2 * 1024 * 1024) } }],
    });
    expect(big.statusCode).toBe(413);
    // The device's rate (50/s, burst 100) is taken per request before anything is stored.
    const all = await Promise.all(
      Array.from({ length: 300 }, () => send({ deviceId: 'mh-1', readings: [{ values: { tilt: 5 } }] })),
    );
    expect(new Set(all.map((r) => r.statusCode))).toEqual(new Set([200, 429]));
    const limited = all.find((r) => r.statusCode === 429);
    expect(limited?.json().error.code).toBe('rate_limited');
    expect(Number(limited?.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });

  it('counts a flood of random device ids in one dead-letter row, not one per id', async () => {
    for (let i = 0; i < 200; i++) {
      const r = await t.server.app.inject({
        method: 'POST',
        url: '/api/v1/telemetry',
        headers: { 'x-device-token': 'guess' },
        payload: {
          deviceId: `random-${i}-${Math.random().toString(36).slice(2)}`,
          readings: [{ values: { x: 1 } }],
        },
      });
      expect(r.statusCode).toBe(401);
    }
    const letters = await t.api<{ items: Array<{ deviceId: string; count: number }> }>(
      'GET',
      '/api/v1/iot/dead-letters?code=unknown_device',
    );
    expect(letters.body.items.map((l) => l.deviceId)).toEqual(['(unknown)']);
    expect(letters.body.items[0]!.count).toBeGreaterThanOrEqual(200);
  });

  it('shows and lets acknowledge alarms only within the caller’s area', async () => {
    await ensureUser(db.db, { username: 'dev-xh', role: 'operator', scopeCode: '310104' });
    const xuhui = await login(t.server, 'dev-xh');
    const r = await t.api<{ id: number }>('POST', '/api/v1/rules', {
      name: 'deep water',
      deviceTypeId: 'water-depth',
      severity: 'critical',
      condition: { kind: 'threshold', metric: 'depth', op: '>', value: 40 },
    });
    expect(r.status).toBe(201);
    await t.api('POST', '/api/v1/telemetry', { readings: [{ deviceId: 'wl-0001', values: { depth: 55 } }] });
    await t.server.iot.alarms.idle();
    const hp = await t.api<{ items: Array<{ id: number; areaCode: string; location: unknown }> }>(
      'GET',
      `/api/v1/alarms?active=true&rule=${r.body.id}`,
      undefined,
      hpOperator,
    );
    expect(hp.body.items).toHaveLength(1);
    expect(hp.body.items[0]).toMatchObject({
      areaCode: '310101002001001',
      location: { lng: 121.475, lat: 31.235 },
    });
    const id = hp.body.items[0]!.id;
    const other = await t.api<{ items: unknown[] }>(
      'GET',
      `/api/v1/alarms?rule=${r.body.id}`,
      undefined,
      xuhui,
    );
    expect(other.body.items).toEqual([]);
    expect((await t.api('GET', `/api/v1/alarms/${id}`, undefined, xuhui)).status).toBe(404);
    expect((await t.api('POST', `/api/v1/alarms/${id}/ack`, undefined, xuhui)).status).toBe(404);
    expect((await t.api('POST', `/api/v1/alarms/${id}/ack`, undefined, hpOperator)).status).toBe(200);
    await t.api('PATCH', `/api/v1/rules/${r.body.id}`, { enabled: false });
  });

  it('disables, re-enables, rotates the token of and deletes a device, and ingestion follows', async () => {
    const created = await t.api<{ token: string }>('POST', '/api/v1/devices', {
      id: 'sl-1',
      typeId: 'street-light',
      name: 'sl',
      location: null,
    });
    const first = created.body.token;
    (await connectDevice(t.port, 'sl-1', first)).end(true);
    const disabled = await t.api<{ device: DeviceBody }>('PATCH', '/api/v1/devices/sl-1', {
      disabled: true,
      name: '路灯 1',
    });
    expect(disabled.body.device).toMatchObject({ status: 'disabled', name: '路灯 1' });
    await expect(connectDevice(t.port, 'sl-1', first)).rejects.toThrow(/Not authorized/);
    const refused = await t.server.app.inject({
      method: 'POST',
      url: '/api/v1/telemetry',
      headers: { 'x-device-token': first },
      payload: { deviceId: 'sl-1', readings: [{ values: { current: 1 } }] },
    });
    // Nothing of the batch stored: 400, with the per-reading results in the details.
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.details.results[0].errors[0].code).toBe('device_disabled');
    expect(
      (await t.api<{ device: DeviceBody }>('PATCH', '/api/v1/devices/sl-1', { disabled: false })).body.device
        .status,
    ).toBe('offline');
    const rotated = await t.api<{ token: string }>('PATCH', '/api/v1/devices/sl-1', { rotateToken: true });
    await expect(connectDevice(t.port, 'sl-1', first)).rejects.toThrow(/Bad username or password/);
    const c = await connectDevice(t.port, 'sl-1', rotated.body.token);
    await c.endAsync();
    const moved = await t.api<{ device: DeviceBody }>('PATCH', '/api/v1/devices/sl-1', {
      location: { lng: 121.485, lat: 31.235 },
    });
    expect(moved.body.device.unitGridCode).toBe('310101002001002');
    expect((await t.api('DELETE', '/api/v1/devices/sl-1')).status).toBe(204);
    expect((await t.api('GET', '/api/v1/devices/sl-1')).status).toBe(404);
    await expect(connectDevice(t.port, 'sl-1', rotated.body.token)).rejects.toThrow(/Not authorized/);
  });

  it('brings a device online when it reports and offline after three silent intervals', async () => {
    await t.server.iot.flush();
    const online = await t.api<DeviceBody & { lastSeenAt: string }>('GET', '/api/v1/devices/mh-1');
    expect(online.body.status).toBe('online');
    expect(online.body.lastSeenAt).not.toBeNull();
    const repo = deviceRepository(db.db);
    expect(await repo.markOffline(new Date(Date.now() + 5 * 60_000))).toEqual(['wl-0001']);
    expect(await repo.markOffline(new Date(Date.now() + 16 * 60_000))).toEqual(['mh-1']);
    expect((await t.api<DeviceBody>('GET', '/api/v1/devices/mh-1')).body.status).toBe('offline');
  });
});
