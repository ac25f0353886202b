import crypto from 'node:crypto';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telemetryTopic } from '../src/iot/broker.ts';
import { type IngestWorker, startIngestWorker } from '../src/iot/ingest.worker.ts';
import type { TelemetryService } from '../src/iot/telemetry.service.ts';
import type { Server } from '../src/server.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';
import { silentLog, testServer } from './http-harness.ts';
import { eventually } from './iot-harness.ts';
import { mosquittoMissing, startTestBroker, type TestBroker } from './mosquitto-harness.ts';

if (mosquittoMissing) {
  describe('external broker (Mosquitto) with MQTT 5 shared subscriptions', () => {
    it.skip(`skipped: ${mosquittoMissing}`, () => {});
  });
}

describe.skipIf(!!mosquittoMissing)(
  `two ingestion workers on a Mosquitto of the test's own, ${testEngine}`,
  () => {
    let broker: TestBroker;
    let url: string;
    let workerUrl: string;
    const login: { username?: string; password?: string } = {};
    let db: TestDb;
    let server: Server;
    const workers: IngestWorker[] = [];
    const run = crypto.randomBytes(4).toString('hex');
    const ids = Array.from({ length: 8 }, (_, i) => `mq-${run}-${i}`);
    const tally = [new Map<string, number>(), new Map<string, number>()];

    beforeAll(async () => {
      broker = await startTestBroker();
      url = broker.url;
      // Where the broker requires credentials, the harness has them for the workers and a publisher.
      const x = broker as TestBroker & {
        workerUrl?: string;
        publisher?: { username: string; password: string };
      };
      workerUrl = x.workerUrl ?? url;
      Object.assign(login, x.publisher ?? {});
      db = await openTestDb();
      server = await testServer(db.db);
      await db.db.query(
        `INSERT INTO devices (id, token_hash, type_id, name) SELECT id, 'x', 'water-depth', id FROM unnest($1::text[]) AS id`,
        [ids],
      );
      await server.iot.directory.refresh();
      for (const [w, counts] of tally.entries()) {
        const telemetry: TelemetryService = {
          ...server.iot.telemetry,
          ingestPayload(id, payload, at) {
            if (ids.includes(id)) counts.set(id, (counts.get(id) ?? 0) + 1);
            return server.iot.telemetry.ingestPayload(id, payload, at);
          },
        };
        workers.push(
          await startIngestWorker({
            url: workerUrl,
            telemetry,
            stats: server.iot.stats,
            log: silentLog,
            group: `onegrid-test-${run}`,
            clientId: `onegrid-test-${run}-w${w}`,
            connections: 2,
            sessionExpiry: 0,
          }),
        );
      }
    });
    afterAll(async () => {
      await Promise.all(workers.map((w) => w.close()));
      await server?.close();
      await db?.close();
      await broker?.close();
    });

    it('splits one stream between two workers and stores every message exactly once', async () => {
      expect(workers.map((w) => w.state())).toEqual([
        expect.objectContaining({ mode: 'external', connected: true }),
        expect.objectContaining({ mode: 'external', connected: true }),
      ]);
      const publisher = await mqtt.connectAsync(url, {
        ...login,
        protocolVersion: 5,
        clientId: `onegrid-test-${run}-pub`,
      });
      const base = Date.now() - 60_000;
      const perDevice = 50;
      try {
        await Promise.all(
          ids.flatMap((id) =>
            Array.from({ length: perDevice }, (_, i) =>
              publisher.publishAsync(
                telemetryTopic(id),
                JSON.stringify({ ts: base + i * 10, values: { depth: i, battery: 90 } }),
                {
                  qos: 1,
                },
              ),
            ),
          ),
        );
      } finally {
        await publisher.endAsync();
      }
      const total = ids.length * perDevice;
      const stored = await eventually(async () => {
        const r = await db.db.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM readings WHERE device_id = ANY($1)',
          [ids],
        );
        return r.rows[0]!.n === total * 2 ? r.rows[0]!.n : 0;
      }, 15_000);
      expect(stored).toBe(total * 2);
      const received = tally.map((m) => [...m.values()].reduce((a, b) => a + b, 0));
      // Both took part, and together they saw each message once: no duplicates, nothing lost.
      expect(received[0]).toBeGreaterThan(0);
      expect(received[1]).toBeGreaterThan(0);
      expect(received[0]! + received[1]!).toBe(total);
    });

    it('loses nothing when a worker dies holding unacknowledged messages: its restart gets them', async () => {
      // A group member that takes its share and dies before acknowledging anything, as a worker
      // process killed mid-batch does: no PUBACK, no DISCONNECT, its session kept by the broker.
      // The first test's workers leave, so that only this group stores what is published here.
      await Promise.all(workers.splice(0).map((w) => w.close()));
      const group = `onegrid-test-${run}-crash`;
      const dyingBase = `onegrid-test-${run}-dying`;
      const topic = `$share/${group}/onegrid/devices/+/telemetry`;
      let held = 0;
      const dying = await mqtt.connectAsync(workerUrl, {
        protocolVersion: 5,
        clientId: `${dyingBase}-0`,
        clean: false,
        properties: { sessionExpiryInterval: 120, receiveMaximum: 1000 },
        reconnectPeriod: 0,
      });
      dying.handleMessage = (_packet, _callback) => {
        held++; // never calls back: mqtt.js sends no PUBACK
      };
      await dying.subscribeAsync(topic, { qos: 1 });

      const survivorTally = new Map<string, number>();
      const counting = (counts: Map<string, number>): TelemetryService => ({
        ...server.iot.telemetry,
        ingestPayload(id, payload, at) {
          if (ids.includes(id)) counts.set(id, (counts.get(id) ?? 0) + 1);
          return server.iot.telemetry.ingestPayload(id, payload, at);
        },
      });
      const survivor = await startIngestWorker({
        url: workerUrl,
        telemetry: counting(survivorTally),
        stats: server.iot.stats,
        log: silentLog,
        group,
        clientId: `onegrid-test-${run}-survivor`,
        connections: 1,
        sessionExpiry: 0,
      });
      workers.push(survivor);

      const publisher = await mqtt.connectAsync(url, {
        ...login,
        protocolVersion: 5,
        clientId: `onegrid-test-${run}-pub2`,
      });
      const base = Date.now() - 30_000;
      const perDevice = 40;
      try {
        await Promise.all(
          ids.flatMap((id) =>
            Array.from({ length: perDevice }, (_, i) =>
              publisher.publishAsync(
                telemetryTopic(id),
                JSON.stringify({ ts: base + i * 10, values: { depth: 100 + i } }),
                { qos: 1 },
              ),
            ),
          ),
        );
      } finally {
        await publisher.endAsync();
      }
      const total = ids.length * perDevice;
      const stored = async () =>
        (
          await db.db.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM readings WHERE device_id = ANY($1) AND metric = 'depth' AND num >= 100`,
            [ids],
          )
        ).rows[0]!.n;
      // The survivor stores its share; the dying member holds one message in flight and the broker
      // queues the rest of its share in its session.
      const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
      await eventually(async () => (held > 0 && sum(survivorTally) >= total / 4 ? true : undefined), 15_000);
      await new Promise((r) => setTimeout(r, 500));
      expect(held).toBeGreaterThan(0);
      expect(await stored()).toBe(sum(survivorTally));
      expect(sum(survivorTally)).toBeLessThan(total);

      // It dies: the socket closes without a DISCONNECT, the broker keeps its session.
      dying.stream.destroy();
      await new Promise((r) => setTimeout(r, 300));

      // Restarted under the same client id, a real worker resumes the session and is given every
      // message the dead one had not acknowledged.
      const restartedTally = new Map<string, number>();
      const restarted = await startIngestWorker({
        url: workerUrl,
        telemetry: counting(restartedTally),
        stats: server.iot.stats,
        log: silentLog,
        group,
        clientId: dyingBase,
        connections: 1,
        sessionExpiry: 120,
      });
      workers.push(restarted);
      const all = await eventually(async () => ((await stored()) === total ? total : 0), 15_000);
      expect(all).toBe(total);
      // Each message was stored once: by the survivor, or by the restarted worker from the dead
      // one's session (what it held in flight and what the broker had queued for it).
      expect(sum(restartedTally)).toBeGreaterThanOrEqual(held);
      expect(sum(survivorTally) + sum(restartedTally)).toBe(total);
    });
  },
);
