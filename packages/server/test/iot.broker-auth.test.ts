/**
 * Device authentication in server mode, on the broker itself: a Mosquitto of the test's own with
 * `deploy/mosquitto.conf` (dynamic-security plugin, anonymous access off), OneGrid provisioning
 * devices through the plugin, the ingest worker on the shared subscription, real MQTT clients as
 * devices. Before this, every client below was stored.
 */
import crypto from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telemetryTopic } from '../src/iot/broker.ts';
import { connectDynsec } from '../src/iot/dynsec.ts';
import { startIngestWorker } from '../src/iot/ingest.worker.ts';
import { type IotRole, startIot } from '../src/iot/iot.ts';
import { buildServer, type Server } from '../src/server.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';
import { ensureUser, login, silentLog } from './http-harness.ts';
import { connectDevice, eventually } from './iot-harness.ts';
import { mosquittoMissing, startTestBroker, type TestBroker } from './mosquitto-harness.ts';

describe.skipIf(mosquittoMissing)(
  `device authentication on Mosquitto (dynamic security), ${testEngine}`,
  () => {
    let db: TestDb;
    let broker: TestBroker;
    let server: Server;
    let role: IotRole;
    let admin: string;
    const run = crypto.randomBytes(3).toString('hex');

    const api = async <T = unknown>(method: string, url: string, body?: unknown) => {
      const res = await server.app.inject({
        method: method as 'GET',
        url,
        headers: { authorization: `Bearer ${admin}` },
        ...(body !== undefined ? { payload: body as object } : {}),
      });
      return { status: res.statusCode, body: (res.body ? res.json() : undefined) as T };
    };
    const create = async (id: string) => {
      const r = await api<{ token: string }>('POST', '/api/v1/devices', {
        id,
        typeId: 'water-depth',
        name: id,
        location: null,
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return r.body.token;
    };
    const count = async (id: string) =>
      (await db.db.query<{ n: number }>('SELECT count(*)::int AS n FROM readings WHERE device_id = $1', [id]))
        .rows[0]!.n;
    /** Publishes a reading (QoS 1) and waits until the device has `n` readings stored. */
    const publishAndWait = async (c: MqttClient, id: string, depth: number, n: number) => {
      await c.publishAsync(telemetryTopic(id), JSON.stringify({ values: { depth } }), { qos: 1 });
      expect(await eventually(async () => ((await count(id)) >= n ? count(id) : 0), 10_000)).toBe(n);
    };
    const refusal = (id: string, token: string, options: mqtt.IClientOptions = {}) =>
      connectDevice(broker.port, id, token, options).then(
        async (c) => {
          await c.endAsync(true);
          return 'connected';
        },
        (e: { code?: number }) => e.code,
      );
    const provisioning = () =>
      (server.iot.brokerStats() as { provisioning: { needsRotation: string[]; lastReconcileAt?: string } })
        .provisioning;

    beforeAll(async () => {
      db = await openTestDb();
      broker = await startTestBroker();
      const config = {
        sessionHours: 12,
        webDir: '/nonexistent',
        totpRequired: false,
        mqttUrl: broker.url,
        mqttAdminUsername: broker.admin.username,
        mqttAdminPassword: broker.admin.password,
        mqttUsername: broker.worker.username,
        mqttPassword: broker.worker.password,
      };
      server = await buildServer({ db: db.db, log: silentLog, config });
      role = await startIot({
        iot: server.iot,
        db: db.db,
        log: silentLog,
        config: { ...config, mqttPort: 0 },
        group: `auth-${run}`,
        clientId: `auth-${run}`,
        connections: 1,
        sessionExpiry: 0,
      });
      await ensureUser(db.db, { username: 'auth-admin', role: 'admin' });
      admin = await login(server, 'auth-admin');
    });
    afterAll(async () => {
      await role?.close();
      await server?.close();
      await broker?.close();
      await db?.close();
    });

    it('stores a provisioned device, refuses anonymous clients and wrong tokens', async () => {
      expect(role.brokerState()).toMatchObject({ mode: 'external', connected: true });
      const id = `auth-${run}-a`;
      const token = await create(id);
      const device = await connectDevice(broker.port, id, token);
      try {
        await publishAndWait(device, id, 10, 1);
      } finally {
        await device.endAsync();
      }
      // MQTT 3.1.1 CONNACK 5, "not authorised".
      expect(
        await mqtt
          .connectAsync(broker.url, { protocolVersion: 4, reconnectPeriod: 0, clientId: `anon-${run}` })
          .then(
            () => 'connected',
            (e: { code?: number }) => e.code,
          ),
      ).toBe(5);
      expect(await refusal(id, 'not-the-token')).toBe(5);
      // The token is bound to the device's client id too.
      expect(await refusal(id, token, { clientId: `auth-${run}-other` })).toBe(5);
    });

    it("does not deliver device A's publish to device B's topic (MQTT 3.1.1 and 5)", async () => {
      const a = `auth-${run}-pa`;
      const b = `auth-${run}-pb`;
      const tokenA = await create(a);
      await create(b);
      // Mosquitto 2.0 refuses the publish and drops the connection (MQTT 5 first gets a PUBACK
      // saying "not authorised"; MQTT 3.1.1 has no way to say it).
      for (const protocolVersion of [4, 5] as const) {
        const c = mqtt.connect(broker.url, {
          protocolVersion,
          clientId: a,
          username: a,
          password: tokenA,
          reconnectPeriod: 0,
        });
        c.on('error', () => {});
        await new Promise((resolve) => c.once('connect', resolve));
        const closed = new Promise<void>((resolve) => c.once('close', () => resolve()));
        const answer = c
          .publishAsync(telemetryTopic(b), JSON.stringify({ values: { depth: 666 } }), { qos: 1 })
          .then(
            () => 'acknowledged',
            (e: { code?: number }) => e.code ?? 'closed',
          );
        await closed;
        c.end(true);
        // (A 3.1.1 client may take the broker's PUBACK for an acknowledgement: it is not one.)
        if (protocolVersion === 5) expect(await answer).toBe(0x87);
      }
      // A's own reading, published after, is stored: the foreign ones would have come first.
      const own = await connectDevice(broker.port, a, tokenA);
      try {
        await publishAndWait(own, a, 1, 1);
      } finally {
        await own.endAsync();
      }
      expect(await count(b)).toBe(0);
    });

    it('refuses a disabled device (and drops its connection); enabling lets it back', async () => {
      const id = `auth-${run}-dis`;
      const token = await create(id);
      const device = await connectDevice(broker.port, id, token);
      const dropped = new Promise<void>((resolve) => device.once('close', () => resolve()));
      expect((await api('PATCH', `/api/v1/devices/${id}`, { disabled: true })).status).toBe(200);
      await dropped;
      device.end(true);
      expect(await refusal(id, token)).toBe(5);
      expect((await api('PATCH', `/api/v1/devices/${id}`, { disabled: false })).status).toBe(200);
      expect(await refusal(id, token)).toBe('connected');
    });

    it('a rotated token works and the old one does not', async () => {
      const id = `auth-${run}-rot`;
      const old = await create(id);
      const r = await api<{ token: string }>('PATCH', `/api/v1/devices/${id}`, { rotateToken: true });
      expect(r.status).toBe(200);
      expect(await refusal(id, old)).toBe(5);
      const device = await connectDevice(broker.port, id, r.body.token);
      try {
        await publishAndWait(device, id, 5, 1);
      } finally {
        await device.endAsync();
      }
    });

    it('random ids never reach OneGrid: no ingest_errors rows', async () => {
      const errors = async () =>
        (await db.db.query<{ n: number }>('SELECT count(*)::int AS n FROM ingest_errors')).rows[0]!.n;
      await server.iot.flush();
      const before = await errors();
      const ids = Array.from({ length: 300 }, (_, i) => `rnd-${run}-${i}`);
      const results: Array<number | string | undefined> = [];
      for (let i = 0; i < ids.length; i += 50) {
        results.push(...(await Promise.all(ids.slice(i, i + 50).map((id) => refusal(id, 'guess')))));
      }
      expect(results.every((x) => x === 5)).toBe(true);
      await server.iot.flush();
      expect(await errors()).toBe(before);
    });

    it('reconcile removes stray clients; a broker that lost its state gets the worker back and reports devices to rotate', async () => {
      const kept = `auth-${run}-lost`;
      const token = await create(kept);
      // A device deleted behind the broker's back leaves a client that must go.
      const dynsec = connectDynsec({ url: broker.url, ...broker.admin, clientId: `t-${run}` });
      await eventually(async () => dynsec.connected, 5000);
      await dynsec.send([
        {
          command: 'createClient',
          username: `auth-${run}-ghost`,
          password: 'x',
          clientid: `auth-${run}-ghost`,
          textname: 'onegrid-device',
        },
      ]);
      await dynsec.close();
      expect(await refusal(`auth-${run}-ghost`, 'x')).toBe('connected');
      expect((await server.iot.provisioner!.reconcile()).removed).toBe(1);
      expect(await refusal(`auth-${run}-ghost`, 'x')).toBe(5);

      await broker.stop();
      broker.resetDynsec();
      await broker.start();
      // The admin connection comes back and reconciles; the worker's client is created again.
      const repaired = await eventually(
        async () =>
          provisioning().needsRotation.includes(kept) && role.brokerState().connected ? true : undefined,
        15_000,
      );
      expect(repaired).toBe(true);
      expect(await refusal(kept, token)).toBe(5);

      const r = await api<{ token: string }>('PATCH', `/api/v1/devices/${kept}`, { rotateToken: true });
      expect(r.status).toBe(200);
      expect(provisioning().needsRotation).not.toContain(kept);
      const device = await connectDevice(broker.port, kept, r.body.token);
      try {
        await publishAndWait(device, kept, 7, 1);
      } finally {
        await device.endAsync();
      }
      const report = await server.iot.provisioner!.reconcile();
      expect(report.needsRotation).not.toContain(kept);
      expect(report.worker).toBe('ok');
    });

    it('refuses a worker with wrong credentials, and the server says so', async () => {
      await expect(
        startIngestWorker({
          url: broker.url,
          username: broker.worker.username,
          password: 'wrong',
          telemetry: server.iot.telemetry,
          stats: server.iot.stats,
          log: silentLog,
          clientId: `bad-${run}`,
          connections: 1,
          sessionExpiry: 0,
        }),
      ).rejects.toThrow(/refused.*ONEGRID_MQTT_USERNAME/);

      // A running worker whose password the broker no longer accepts: disconnected, and it says why.
      const dynsec = connectDynsec({ url: broker.url, ...broker.admin, clientId: `t2-${run}` });
      await eventually(async () => dynsec.connected, 5000);
      await dynsec.send([
        { command: 'setClientPassword', username: broker.worker.username, password: 'changed' },
      ]);
      await dynsec.close();
      const state = await eventually(async () => {
        const s = role.brokerState();
        return !s.connected && /refused/.test(s.error ?? '') ? s : undefined;
      }, 10_000);
      expect(state?.error).toMatch(/refused.*ONEGRID_MQTT_USERNAME/);
      const health = await server.app.inject({ method: 'GET', url: '/api/v1/health' });
      expect(health.json()).toMatchObject({ status: 'degraded', broker: { connected: false } });

      // The next reconcile puts the configured password back, and the worker reconnects by itself.
      expect((await server.iot.provisioner!.reconcile()).worker).toBe('password_set');
      expect(await eventually(async () => role.brokerState().connected, 10_000)).toBe(true);
    });

    it('changes nothing when the broker cannot take the credentials (503)', async () => {
      await broker.stop();
      try {
        const id = `auth-${run}-down`;
        const r = await api<{ error: { code: string } }>('POST', '/api/v1/devices', {
          id,
          typeId: 'water-depth',
          name: id,
          location: null,
        });
        expect(r.status).toBe(503);
        expect((await api('GET', `/api/v1/devices/${id}`)).status).toBe(404);
        const rot = await api('PATCH', `/api/v1/devices/auth-${run}-rot`, { rotateToken: true });
        expect(rot.status).toBe(503);
      } finally {
        await broker.start();
      }
    });
  },
);
