/**
 * The API stays up while the broker is down: a server with the api and ingest roles starts
 * against an external broker URL where nothing listens, answers HTTP at once and says the broker
 * is away (retrying); then a Mosquitto (deploy/mosquitto.conf) starts on that port and ingestion
 * connects by itself, in this deployment's share group, with no restart.
 */
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telemetryTopic } from '../src/iot/broker.ts';
import { buildServer, type Server } from '../src/server.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';
import { silentLog } from './http-harness.ts';
import { eventually } from './iot-harness.ts';
import { mosquittoMissing, startTestBroker, type TestBroker } from './mosquitto-harness.ts';

describe.skipIf(mosquittoMissing)(`ingest while the broker is away, ${testEngine}`, () => {
  let t: TestDb;
  let server: Server | undefined;
  let broker: TestBroker | undefined;

  beforeAll(async () => {
    t = await openTestDb();
    await t.db.query(
      `INSERT INTO devices (id, token_hash, type_id, name) VALUES ('rd-1', 'x', 'water-depth', 'rd-1')`,
    );
    // The broker's credentials are made when it first starts; then it goes away before OneGrid starts.
    broker = await startTestBroker();
    await broker.stop();
  });
  afterAll(async () => {
    await server?.close();
    await broker?.close();
    await t?.close();
  });

  it('serves the API without the broker, then ingests once the broker appears', async () => {
    server = await buildServer({
      db: t.db,
      log: silentLog,
      config: { sessionHours: 12, webDir: '/nonexistent' },
      roles: ['api', 'ingest'],
      ingest: {
        config: { mqttUrl: broker!.workerUrl, mqttPort: 1883 },
        clientId: 'roles-test-ingest',
        group: 'roles-test',
        topicPrefix: 'onegrid',
      },
    });
    const ingest = server.ingest();
    expect(ingest).toBeDefined();
    // Not connected, and saying so: health degraded, not ready because of ingest; no password shown.
    await eventually(async () => ingest!.state().mode === 'external');
    const away = ingest!.state();
    expect(away).toMatchObject({ mode: 'external', connected: false });
    expect(JSON.stringify(away)).not.toContain(broker!.worker.password);
    const health = await server.app.inject({ method: 'GET', url: '/api/v1/health' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({
      status: 'degraded',
      database: { ok: true },
      broker: { connected: false },
    });
    const ready = await server.app.inject({ method: 'GET', url: '/api/v1/health/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json().failing).toEqual(['ingest']);
    const login = await server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'nobody', password: 'wrong-password' },
    });
    expect(login.statusCode).toBe(401); // the API itself answers

    await broker!.start();
    await eventually(async () => ingest!.state().connected, 30_000);
    expect(ingest!.state()).toMatchObject({ mode: 'external', connected: true });
    const up = await server.app.inject({ method: 'GET', url: '/api/v1/health' });
    expect(up.json()).toMatchObject({ broker: { connected: true } });

    const base = Date.now() - 60_000; // one reading a second: distinct keys (device, metric, ts)
    const device = await mqtt.connectAsync(broker!.url, {
      clientId: 'rd-1',
      protocolVersion: 5,
      ...broker!.publisher,
    });
    try {
      for (let i = 0; i < 5; i++) {
        await device.publishAsync(
          telemetryTopic('rd-1'),
          JSON.stringify({ ts: base + i * 1000, values: { depth: 3 + i } }),
          {
            qos: 1,
          },
        );
      }
    } finally {
      await device.endAsync();
    }
    const stored = await eventually(async () => {
      const n = (
        await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM readings WHERE device_id = 'rd-1'")
      ).rows[0]!.n;
      return n >= 5 ? n : 0;
    }, 15_000);
    expect(stored).toBe(5);
  });
});
