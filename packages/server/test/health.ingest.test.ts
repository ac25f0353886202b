/**
 * Readiness of the ingest role: failing while ingest has stalled with devices active (embedded
 * broker, both engines) and while the connection to an external broker is gone (own Mosquitto
 * with deploy/mosquitto.conf); ready again by itself once messages flow or the broker is back.
 */
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telemetryTopic } from '../src/iot/broker.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';
import {
  connectDevice,
  createDevice,
  createType,
  eventually,
  type IotTest,
  startIotTest,
} from './iot-harness.ts';
import { mosquittoMissing, startTestBroker, type TestBroker } from './mosquitto-harness.ts';

const ready = async (t: IotTest) => {
  const res = await t.server.app.inject({ method: 'GET', url: '/api/v1/health/ready' });
  return {
    status: res.statusCode,
    body: res.json() as { failing: string[]; checks: { name: string; ok: boolean; detail?: string }[] },
  };
};
const ingestDetail = async (t: IotTest) => (await ready(t)).body.checks.find((c) => c.name === 'ingest');

describe(`ingest readiness, embedded broker, ${testEngine}`, () => {
  let db: TestDb;
  let t: IotTest;
  let device: MqttClient | undefined;
  beforeAll(async () => {
    db = await openTestDb();
    t = await startIotTest(db.db, { stallSeconds: 0.3 });
    await createType(t, db.db, 'ready-gauge', [{ key: 'level', type: 'number', unit: 'm' }]);
  });
  afterAll(async () => {
    await device?.endAsync(true);
    await t?.close();
    await db?.close();
  });

  it('is ready with the broker up and no device active', async () => {
    const r = await ready(t);
    expect(r.status).toBe(200);
    expect(r.body.checks).toContainEqual({ name: 'ingest', ok: true, detail: 'no devices active' });
  });

  it('fails, naming ingest, when nothing arrives while devices are active; ready again once readings flow', async () => {
    const token = await createDevice(t, { id: 'ready-d1', typeId: 'ready-gauge' });
    // The device was active a moment ago; since then nothing has arrived.
    await db.db.query("UPDATE devices SET last_seen_at = now(), status = 'online' WHERE id = 'ready-d1'");
    const stalled = await eventually(async () => (await ready(t)).status === 503);
    expect(stalled).toBe(true);
    const r = await ready(t);
    expect(r.body.failing).toEqual(['ingest']);
    expect((await ingestDetail(t))?.detail).toMatch(
      /stalled: no message for \d+ s while 1 devices were active/,
    );
    const health = await t.server.app.inject({ method: 'GET', url: '/api/v1/health' });
    expect(health.json()).toMatchObject({ status: 'degraded', database: { ok: true } });

    device = await connectDevice(t.port, 'ready-d1', token);
    await device.publishAsync(telemetryTopic('ready-d1'), JSON.stringify({ values: { level: 1.5 } }), {
      qos: 1,
    });
    const back = await eventually(async () => (await ready(t)).status === 200);
    expect(back).toBe(true);
    const metrics = await t.server.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '127.0.0.1' });
    expect(metrics.body).toMatch(/^onegrid_ingest_messages_total\{outcome="accepted"\} [1-9]/m);
  });
});

describe.skipIf(mosquittoMissing === undefined)('ingest readiness, external broker', () => {
  it.skip(`skipped: ${mosquittoMissing}`, () => {});
});

describe.skipIf(mosquittoMissing !== undefined)(`ingest readiness, own Mosquitto, ${testEngine}`, () => {
  let db: TestDb;
  let broker: TestBroker;
  let t: IotTest;
  beforeAll(async () => {
    db = await openTestDb();
    broker = await startTestBroker();
    t = await startIotTest(db.db, { mqttUrl: broker.workerUrl });
  });
  afterAll(async () => {
    await t?.close();
    await broker?.close();
    await db?.close();
  });

  it('fails, naming ingest, while the broker is down, and recovers alone when it is back', async () => {
    expect((await ready(t)).status).toBe(200);
    const health0 = await t.server.app.inject({ method: 'GET', url: '/api/v1/health' });
    expect(health0.json()).toMatchObject({
      status: 'ok',
      broker: { mode: 'external', connected: true, subscribed: true },
    });

    await broker.stop();
    const down = await eventually(async () => (await ready(t)).status === 503);
    expect(down).toBe(true);
    expect((await ready(t)).body.failing).toEqual(['ingest']);
    expect((await ingestDetail(t))?.detail).toMatch(/not connected to the MQTT broker/);
    const health = await t.server.app.inject({ method: 'GET', url: '/api/v1/health' });
    expect(health.json()).toMatchObject({ status: 'degraded', broker: { connected: false } });

    await broker.start();
    const up = await eventually(async () => (await ready(t)).status === 200, 15_000);
    expect(up).toBe(true);
  }, 30_000);
});
