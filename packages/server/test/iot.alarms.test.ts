import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telemetryTopic } from '../src/iot/broker.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';
import { ensureUser, login } from './http-harness.ts';
import { connectDevice, createDevice, createType, type IotTest, startIotTest } from './iot-harness.ts';

interface AlarmBody {
  id: number;
  ruleId: number;
  deviceId: string;
  severity: string;
  acknowledged: boolean;
  acknowledgedBy: number | null;
  cleared: boolean;
  lastValue: unknown;
  updateCount: number;
  detail: { reason?: string };
  events?: Array<{ kind: string }>;
}

describe(`rules and alarms on ${testEngine}`, () => {
  let db: TestDb;
  let t: IotTest;
  const tokens: Record<string, string> = {};
  const clients = new Map<string, MqttClient>();
  const base = Date.now() - 40 * 60_000;

  /** Sends readings over MQTT (QoS 1) and waits until rules and alarms have caught up. */
  async function send(id: string, readings: Array<[offsetSeconds: number, values: Record<string, unknown>]>) {
    let c = clients.get(id);
    if (!c) {
      c = await connectDevice(t.port, id, tokens[id]!);
      clients.set(id, c);
    }
    for (const [s, values] of readings) {
      await c.publishAsync(telemetryTopic(id), JSON.stringify({ ts: Math.round(base + s * 1000), values }), {
        qos: 1,
      });
    }
    await t.server.iot.alarms.idle();
  }
  const alarmsOf = async (device: string, extra = '') =>
    (await t.api<{ items: AlarmBody[]; total: number }>('GET', `/api/v1/alarms?device=${device}${extra}`))
      .body.items;
  const rule = async (body: object) => {
    const res = await t.api<{ id: number; version: number }>('POST', '/api/v1/rules', {
      severity: 'major',
      ...body,
    });
    if (res.status !== 201) throw new Error(JSON.stringify(res.body));
    return res.body;
  };

  beforeAll(async () => {
    db = await openTestDb();
    t = await startIotTest(db.db);
    await createType(t, db.db, 'gauge', [
      { key: 'level', unit: 'cm', type: 'number', min: 0, max: 1000 },
      { key: 'open', unit: '', type: 'boolean' },
    ]);
    for (const id of ['flap', 'dur', 'api', 'ack', 'quiet', 'restart'])
      tokens[id] = await createDevice(t, { id, typeId: 'gauge' });
  });
  afterAll(async () => {
    await Promise.all([...clients.values()].map((c) => c.endAsync(true)));
    await t?.close();
    await db?.close();
  });

  it('a flapping sensor yields one alarm thanks to hysteresis, updated while it holds', async () => {
    await rule({
      name: 'flap',
      deviceId: 'flap',
      condition: { kind: 'threshold', metric: 'level', op: '>', value: 15, clear: 10 },
    });
    await send('flap', [
      [0, { level: 14 }],
      [1, { level: 16 }],
      [2, { level: 14.5 }],
      [3, { level: 17 }],
      [4, { level: 12 }],
      [5, { level: 16 }],
      [6, { level: 15.5 }],
    ]);
    await t.server.iot.flush();
    let alarms = await alarmsOf('flap');
    expect(alarms).toHaveLength(1);
    expect(alarms[0]).toMatchObject({
      cleared: false,
      acknowledged: false,
      severity: 'major',
      lastValue: 15.5,
      updateCount: 5,
    });
    expect(alarms[0]!.detail.reason).toBe('level 16 > 15');
    await send('flap', [[7, { level: 9 }]]);
    alarms = await alarmsOf('flap');
    expect(alarms).toHaveLength(1);
    expect(alarms[0]).toMatchObject({ cleared: true, lastValue: 9 });
    const detail = await t.api<AlarmBody>('GET', `/api/v1/alarms/${alarms[0]!.id}`);
    expect(detail.body.events!.map((e) => e.kind)).toEqual(['raised', 'cleared']);
    const outbox = await db.db.query<{ topic: string }>(
      "SELECT topic FROM outbox WHERE payload->>'deviceId' = 'flap' ORDER BY id",
    );
    expect(outbox.rows.map((r) => r.topic)).toEqual(['alarm.raised', 'alarm.cleared']);
  });

  it('raises only after the condition held for the duration, and clears below the clear level', async () => {
    await rule({
      name: 'standing water 5 min',
      deviceId: 'dur',
      condition: {
        kind: 'duration',
        seconds: 300,
        of: { kind: 'threshold', metric: 'level', op: '>', value: 15, clear: 10 },
      },
    });
    await send('dur', [
      [0, { level: 20 }],
      [60, { level: 21 }],
      [120, { level: 5 }],
      [180, { level: 20 }],
      [400, { level: 22 }],
    ]);
    expect(await alarmsOf('dur')).toHaveLength(0);
    await send('dur', [[500, { level: 23 }]]);
    expect(await alarmsOf('dur', '&active=true')).toHaveLength(1);
    await send('dur', [[560, { level: 12 }]]);
    expect(await alarmsOf('dur', '&active=true')).toHaveLength(1);
    await send('dur', [[600, { level: 9 }]]);
    expect(await alarmsOf('dur', '&active=true')).toHaveLength(0);
    expect(await alarmsOf('dur', '&active=false')).toHaveLength(1);
  });

  it('edits rules over the API and applies them without a restart', async () => {
    await ensureUser(db.db, { username: 'op', role: 'operator' });
    const op = await login(t.server, 'op');
    expect(
      (
        await t.api(
          'POST',
          '/api/v1/rules',
          { name: 'x', deviceId: 'api', severity: 'minor', condition: { kind: 'noData', seconds: 60 } },
          op,
        )
      ).status,
    ).toBe(403);
    const invalid = await t.api<{ error: { code: string; details: { errors: string[] } } }>(
      'POST',
      '/api/v1/rules',
      {
        name: 'x',
        deviceId: 'api',
        severity: 'minor',
        condition: { kind: 'threshold', metric: 'level', op: '>', value: 5, clear: 9 },
      },
    );
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.details.errors).toEqual(['clear must be at most value (5)']);
    const unknownMetric = await t.api<{ error: { message: string } }>('POST', '/api/v1/rules', {
      name: 'x',
      deviceTypeId: 'gauge',
      severity: 'minor',
      condition: { kind: 'equals', metric: 'smoke', value: true },
    });
    expect(unknownMetric.status).toBe(400);
    expect(unknownMetric.body.error.message).toMatch(/no metric smoke/);

    const r = await rule({
      name: 'open lid',
      deviceId: 'api',
      condition: { kind: 'equals', metric: 'open', value: true },
    });
    await send('api', [[0, { open: true }]]);
    expect(await alarmsOf('api', '&active=true')).toHaveLength(1);
    // A stricter condition is a new version; its state starts afresh from the active alarm.
    const patched = await t.api<{ version: number }>('PATCH', `/api/v1/rules/${r.id}`, {
      condition: {
        kind: 'all',
        of: [
          { kind: 'equals', metric: 'open', value: true },
          { kind: 'threshold', metric: 'level', op: '>', value: 50 },
        ],
      },
    });
    expect(patched.body.version).toBe(r.version + 1);
    await send('api', [[1, { level: 10 }]]);
    expect(await alarmsOf('api', '&active=true')).toHaveLength(0);
    await send('api', [[2, { level: 60 }]]);
    expect(await alarmsOf('api', '&active=true')).toHaveLength(1);
    // Turning a rule off clears its alarms; an alarm history keeps it from being deleted.
    await t.api('PATCH', `/api/v1/rules/${r.id}`, { enabled: false });
    await t.server.iot.alarms.idle();
    expect(await alarmsOf('api', '&active=true')).toHaveLength(0);
    expect((await t.api('DELETE', `/api/v1/rules/${r.id}`)).status).toBe(409);
    const unused = await rule({
      name: 'unused',
      deviceId: 'api',
      condition: { kind: 'noData', seconds: 600 },
    });
    expect((await t.api('DELETE', `/api/v1/rules/${unused.id}`)).status).toBe(204);
    expect((await t.api('GET', `/api/v1/rules/${unused.id}`)).status).toBe(404);
  });

  it('acknowledges on its own axis: an acknowledged alarm stays active until cleared', async () => {
    await rule({
      name: 'ack',
      deviceId: 'ack',
      severity: 'critical',
      condition: { kind: 'threshold', metric: 'level', op: '>', value: 15 },
    });
    await send('ack', [[0, { level: 30 }]]);
    const [alarm] = await alarmsOf('ack');
    await ensureUser(db.db, { username: 'insp', role: 'inspector' });
    const inspector = await login(t.server, 'insp');
    expect((await t.api('POST', `/api/v1/alarms/${alarm!.id}/ack`, undefined, inspector)).status).toBe(403);
    const operator = await login(t.server, 'op');
    const acked = await t.api<AlarmBody>('POST', `/api/v1/alarms/${alarm!.id}/ack`, undefined, operator);
    expect(acked.status).toBe(200);
    expect(acked.body).toMatchObject({ acknowledged: true, cleared: false });
    const again = await t.api<AlarmBody>('POST', `/api/v1/alarms/${alarm!.id}/ack`, undefined, operator);
    expect(again.body.acknowledgedBy).toBe(acked.body.acknowledgedBy);
    expect(await alarmsOf('ack', '&active=true&acknowledged=true&severity=critical')).toHaveLength(1);
    await send('ack', [[1, { level: 3 }]]);
    const [done] = await alarmsOf('ack');
    expect(done).toMatchObject({ acknowledged: true, cleared: true });
    const events = (await t.api<AlarmBody>('GET', `/api/v1/alarms/${alarm!.id}`)).body.events!.map(
      (e) => e.kind,
    );
    expect(events).toEqual(['raised', 'acknowledged', 'cleared']);
    expect((await t.api('POST', '/api/v1/alarms/999999/ack', undefined, operator)).status).toBe(404);
  });

  it('raises "no data" on the clock and clears on the next reading', async () => {
    await rule({
      name: 'offline',
      deviceId: 'quiet',
      severity: 'warning',
      condition: { kind: 'noData', seconds: 120 },
    });
    const now = Date.now();
    await send('quiet', [[(now - base) / 1000, { level: 1 }]]);
    t.server.iot.engine.tick();
    await t.server.iot.alarms.idle();
    expect(await alarmsOf('quiet')).toHaveLength(0);
    t.setNow(now + 300_000);
    t.server.iot.engine.tick();
    await t.server.iot.alarms.idle();
    const [alarm] = await alarmsOf('quiet', '&active=true');
    expect(alarm?.detail.reason).toMatch(/^no data for 3\d\d s$/);
    t.setNow(Date.now());
    await send('quiet', [[(Date.now() - base) / 1000, { level: 2 }]]);
    expect(await alarmsOf('quiet', '&active=true')).toHaveLength(0);
  });

  it('resumes after a restart without raising the same alarm again', async () => {
    await rule({
      name: 'restart',
      deviceId: 'restart',
      condition: {
        kind: 'duration',
        seconds: 60,
        of: { kind: 'threshold', metric: 'level', op: '>', value: 15, clear: 10 },
      },
    });
    await send('restart', [
      [0, { level: 20 }],
      [90, { level: 21 }],
    ]);
    expect(await alarmsOf('restart', '&active=true')).toHaveLength(1);
    await send('restart', [[100, { level: 22 }]]);
    // A new process on the same database: states and the alarm come back from the tables.
    await Promise.all([...clients.values()].map((c) => c.endAsync(true)));
    clients.clear();
    await t.close();
    t = await startIotTest(db.db);
    await send('restart', [
      [110, { level: 25 }],
      [120, { level: 24 }],
    ]);
    await t.server.iot.flush();
    const alarms = await alarmsOf('restart');
    expect(alarms).toHaveLength(1);
    expect(alarms[0]).toMatchObject({ cleared: false, lastValue: 24 });
    await send('restart', [[130, { level: 5 }]]);
    expect(await alarmsOf('restart', '&active=true')).toHaveLength(0);
  });
});
