import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telemetryTopic } from '../src/iot/broker.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';
import { ensureUser, login } from './http-harness.ts';
import { connectDevice, createDevice, createType, type IotTest, startIotTest } from './iot-harness.ts';

const metrics = [
  { key: 'level', unit: 'cm', type: 'number', min: 0, max: 1000 },
  { key: 'open', unit: '', type: 'boolean' },
  { key: 'note', unit: '', type: 'string' },
];

describe(`MQTT ingestion on the embedded broker, ${testEngine}`, () => {
  let db: TestDb;
  let t: IotTest;
  const tokens: Record<string, string> = {};
  const clients: MqttClient[] = [];
  const device = async (id: string) => {
    const c = await connectDevice(t.port, id, tokens[id]!);
    clients.push(c);
    return c;
  };
  const count = async (sql: string, params: unknown[]) =>
    (await db.db.query<{ n: number }>(sql, params)).rows[0]!.n;

  beforeAll(async () => {
    db = await openTestDb();
    t = await startIotTest(db.db);
    await createType(t, db.db, 'test-gauge', metrics);
    for (const id of ['g1', 'g2', 'g3', 'g4', 'g5'])
      tokens[id] = await createDevice(t, { id, typeId: 'test-gauge' });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    await t?.close();
    await db?.close();
  });

  it('refuses an unknown device, a wrong token and a client id that is not the username', async () => {
    await expect(connectDevice(t.port, 'nobody', 'whatever')).rejects.toThrow(/Not authorized/i);
    await expect(connectDevice(t.port, 'g1', 'wrong-token')).rejects.toThrow(/Bad username or password/i);
    await expect(connectDevice(t.port, 'g1', tokens.g1!, { username: 'g2' })).rejects.toThrow(
      /Bad username or password/i,
    );
    const ok = await connectDevice(t.port, 'g1', tokens.g1!);
    expect(ok.connected).toBe(true);
    await ok.endAsync();
    await t.server.iot.stats.flush();
    const codes = (
      await db.db.query<{ device_id: string; code: string }>(
        'SELECT device_id, code FROM ingest_errors ORDER BY 1, 2',
      )
    ).rows;
    expect(codes).toEqual(
      expect.arrayContaining([
        { device_id: 'g1', code: 'wrong_token' },
        // Ids that are not devices share one row: a flood of random ids cannot grow the table.
        { device_id: '(unknown)', code: 'unknown_device' },
      ]),
    );
  });

  it('reports the broker in health', async () => {
    const res = await t.api<{ broker: { mode: string; connected: boolean; url: string } }>(
      'GET',
      '/api/v1/health',
    );
    expect(res.body.broker).toEqual({ mode: 'embedded', connected: true, url: `mqtt://localhost:${t.port}` });
  });

  it('has a QoS 1 reading in the database by the time its PUBACK arrives', async () => {
    const c = await device('g1');
    const base = Date.now() - 60_000;
    for (let i = 0; i < 20; i++) {
      await c.publishAsync(telemetryTopic('g1'), JSON.stringify({ ts: base + i, values: { level: i } }), {
        qos: 1,
      });
      // No waiting, no flushing: the acknowledgement itself promises durability.
      expect(
        await count(
          "SELECT count(*)::int AS n FROM readings WHERE device_id = 'g1' AND metric = 'level' AND ts = $1",
          [new Date(base + i)],
        ),
      ).toBe(1);
    }
    // Many in flight at once are batched, and still all stored when acknowledged (75 stays within
    // the per-device rate limit's burst of 100, 20 of which were used above).
    await Promise.all(
      Array.from({ length: 75 }, (_, i) =>
        c.publishAsync(telemetryTopic('g1'), JSON.stringify({ ts: base + 1000 + i, level: i % 100 }), {
          qos: 1,
        }),
      ),
    );
    expect(
      await count("SELECT count(*)::int AS n FROM readings WHERE device_id = 'g1' AND ts >= $1", [
        new Date(base + 1000),
      ]),
    ).toBe(75);
  });

  it('stores a duplicate once and keeps the latest value through out-of-order readings', async () => {
    const c = await device('g2');
    const minute = Math.floor((Date.now() - 3_600_000) / 60_000) * 60_000;
    const send = (ts: number, level: number) =>
      c.publishAsync(telemetryTopic('g2'), JSON.stringify({ ts, values: { level } }), { qos: 1 });
    await send(minute + 1000, 10);
    await send(minute + 1000, 10); // a QoS 1 redelivery
    await send(minute + 3000, 30);
    await send(minute + 2000, 20); // late
    await t.server.iot.flush();
    expect(await count("SELECT count(*)::int AS n FROM readings WHERE device_id = 'g2'", [])).toBe(3);
    const latest = await t.api<{ latest: Array<{ metric: string; value: number; ts: string }> }>(
      'GET',
      '/api/v1/devices/g2',
    );
    expect(latest.body.latest).toEqual([
      { metric: 'level', value: 30, ts: new Date(minute + 3000).toISOString() },
    ]);
    const rollup = await t.api<{ points: Array<{ count: number; min: number; max: number; avg: number }> }>(
      'GET',
      `/api/v1/devices/g2/readings?metric=level&bucket=1m&from=${new Date(minute).toISOString()}&to=${new Date(minute + 60_000).toISOString()}`,
    );
    expect(rollup.body.points).toEqual([
      { ts: new Date(minute).toISOString(), count: 3, min: 10, max: 30, avg: 20 },
    ]);
    const hourly = await t.api<{ points: Array<{ count: number }> }>(
      'GET',
      `/api/v1/devices/g2/readings?metric=level&bucket=1h&from=${new Date(minute - 3_600_000).toISOString()}&to=${new Date(minute + 3_600_000).toISOString()}`,
    );
    expect(hourly.body.points.map((p) => p.count)).toEqual([3]);
  });

  it('counts bad payloads per device, keeps the connection, and never slows another device', async () => {
    const bad = await device('g3');
    const good = await device('g4');
    const now = Date.now();
    const garbage: Array<string | Buffer> = [
      '{"level": ',
      '{"level": NaN}',
      '{"level": 1e999}',
      '{"level": "high"}',
      '{"temperature": 3}',
      JSON.stringify({ ts: now + 2 * 86_400_000, values: { level: 1 } }),
      JSON.stringify({ ts: now - 31 * 86_400_000, values: { level: 1 } }),
      JSON.stringify({ ts: 'yesterday', values: { level: 1 } }),
      JSON.stringify({ level: 5000 }),
      '[1, 2, 3]',
      Buffer.alloc(100 * 1024, 'x'),
      // Poison that used to throw in the parser (a Date out of range) or fail the database batch.
      '{"ts":100000000000000000000,"values":{"level":1}}',
      JSON.stringify({ values: { note: 'a\u0000b' } }),
    ];
    const goodOnes = Array.from({ length: 50 }, (_, i) =>
      good.publishAsync(
        telemetryTopic('g4'),
        JSON.stringify({ ts: now - 10_000 + i, values: { level: i, open: i % 2 === 0, note: 'ok' } }),
        {
          qos: 1,
        },
      ),
    );
    for (const g of garbage) await bad.publishAsync(telemetryTopic('g3'), g, { qos: 1 });
    await Promise.all(goodOnes);
    // The bad device is still connected and its next good reading is stored.
    await bad.publishAsync(telemetryTopic('g3'), JSON.stringify({ level: 7, note: 'fine again' }), {
      qos: 1,
    });
    expect(bad.connected).toBe(true);
    expect(await count("SELECT count(*)::int AS n FROM readings WHERE device_id = 'g4'", [])).toBe(150);
    expect(await count("SELECT count(*)::int AS n FROM readings WHERE device_id = 'g3'", [])).toBe(2);
    const detail = await t.api<{ ingestErrors: Array<{ code: string; count: number }> }>(
      'GET',
      '/api/v1/devices/g3',
    );
    const byCode = Object.fromEntries(detail.body.ingestErrors.map((e) => [e.code, e.count]));
    expect(byCode).toEqual({
      malformed_json: 2,
      not_finite: 1,
      wrong_type: 2,
      unknown_metric: 1,
      ts_in_future: 1,
      ts_too_old: 1,
      bad_timestamp: 2,
      out_of_range: 1,
      bad_shape: 1,
      payload_too_large: 1,
    });
    const g4 = await t.api<{ ingestErrors: unknown[] }>('GET', '/api/v1/devices/g4');
    expect(g4.body.ingestErrors).toEqual([]);
  });

  it('holds a flooding device to its rate before the PUBACK and drops nothing it acknowledged', async () => {
    const flood = await device('g5');
    // 150 at once against 50/s with a burst of 100: the rest waits for its share (back-pressure).
    for (let i = 0; i < 150; i++)
      flood.publish(
        telemetryTopic('g5'),
        JSON.stringify({ ts: Date.now() - 5000 + i, values: { level: i } }),
        {
          qos: 1,
        },
      );
    await flood.publishAsync(telemetryTopic('g5'), JSON.stringify({ level: 2 }), { qos: 1 });
    expect(flood.connected).toBe(true);
    expect(await count("SELECT count(*)::int AS n FROM readings WHERE device_id = 'g5'", [])).toBe(151);
    const stats = await t.api<{ byCode: Record<string, number> }>('GET', '/api/v1/ingest/stats');
    expect(stats.body.byCode.rate_limited ?? 0).toBe(0);
  });

  it('closes the connection on a packet over the maximum size, counts it, and takes the device back', async () => {
    const big = await device('g2');
    const closed = new Promise<void>((r) => big.once('close', () => r()));
    big.publish(telemetryTopic('g2'), Buffer.alloc(300 * 1024, 'x'), { qos: 0 });
    await closed;
    big.end(true);
    await t.server.iot.stats.flush();
    expect(
      await count(
        "SELECT count::int AS n FROM ingest_errors WHERE device_id = 'g2' AND code = 'payload_too_large'",
        [],
      ),
    ).toBe(1);
    const again = await device('g2');
    await again.publishAsync(telemetryTopic('g2'), JSON.stringify({ level: 77 }), { qos: 1 });
    expect(
      await count("SELECT count(*)::int AS n FROM readings WHERE device_id = 'g2' AND num = 77", []),
    ).toBe(1);
  });

  it('lets an administrator read the dead letters, with the start of the last payload', async () => {
    const res = await t.api<{
      items: Array<{ deviceId: string; code: string; count: number; lastPayload: string }>;
    }>('GET', '/api/v1/iot/dead-letters?deviceId=g3&code=bad_timestamp');
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([
      expect.objectContaining({ deviceId: 'g3', code: 'bad_timestamp', count: 2, source: 'mqtt' }),
    ]);
    expect(res.body.items[0]!.lastPayload).toContain('100000000000000000000');
    await ensureUser(db.db, { username: 'dl-operator', role: 'operator' });
    const operator = await login(t.server, 'dl-operator');
    expect((await t.api('GET', '/api/v1/iot/dead-letters', undefined, operator)).status).toBe(403);
  });

  it('disconnects a device that publishes to another device’s topic', async () => {
    const c = await device('g1');
    const closed = new Promise<void>((r) => c.once('close', () => r()));
    c.publish(telemetryTopic('g2'), JSON.stringify({ level: 999 }), { qos: 1 });
    await closed;
    expect(
      await count("SELECT count(*)::int AS n FROM readings WHERE device_id = 'g2' AND num = 999", []),
    ).toBe(0);
    await t.server.iot.stats.flush();
    expect(
      await count(
        "SELECT count::int AS n FROM ingest_errors WHERE device_id = 'g1' AND code = 'forbidden_topic'",
        [],
      ),
    ).toBe(1);
  });
});
