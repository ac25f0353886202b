/**
 * `onegrid bench ingest`: sustained end-to-end readings per second — N devices publish over MQTT
 * (QoS 1, 3 metrics a message), the rules are evaluated, the readings are stored durably — beside
 * the same run's broker-only throughput (the same publishers and messages, a plain subscriber,
 * nothing stored) and a raw COPY of the same rows into the same partitioned table.
 *
 * Embedded mode (default): in-memory PGlite + the embedded aedes broker on a free port; a QoS 1
 * PUBACK is sent only after the reading is stored, so the last acknowledgement ends the run.
 * Server mode: DATABASE_URL (a scratch database is created and dropped) and MQTT_URL (Mosquitto;
 * the ingest worker reads the MQTT 5 shared subscription); the run ends when the database holds
 * every reading. Publishers run in this process: on a 2-core machine they take CPU from the
 * pipeline they measure, in both the pipeline and the baseline runs alike.
 */
import net from 'node:net';
import { createIot, createLogger, type Db, migrate, startIot, telemetryTopic } from '@onegrid/server';
import { Aedes } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import type { Benchmark, BenchRow } from './bench.ts';
import { openBenchDb, positiveInt } from './scratch-db.ts';

type Iot = Awaited<ReturnType<typeof createIot>>;
type Principal = Parameters<Iot['devices']['create']>[0];

/** Messages published but not yet consumed, at most (`--backlog`; external broker only). */
let backlog = 800;

const benchAdmin: Principal = {
  id: 0,
  username: 'bench',
  displayName: 'bench',
  role: 'admin',
  scopeCode: '3101',
  departmentCode: null,
};

interface Cred {
  id: string;
  token: string;
}

/** A reading per message like an air-quality station's: three metrics. */
const payloadOf = (ts: number, k: number) =>
  JSON.stringify({
    ts,
    values: { pm25: 30 + (k % 50), pm10: 50 + (k % 70), aqi: 40 + (k % 60) },
  });

/**
 * Connects the devices and publishes `total` messages (or for `seconds`), at most `window`
 * unacknowledged per device. Resolves with the count and the wall time until the last PUBACK.
 */
async function publishAll(
  url: string,
  creds: Cred[],
  o: {
    total?: number;
    seconds?: number;
    window: number;
    baseTs: number;
    consumed?: () => number;
    backlog?: number;
  },
): Promise<{ sent: number; ms: number; clients: MqttClient[] }> {
  const clients = await Promise.all(
    creds.map((c) =>
      mqtt.connectAsync(url, {
        clientId: c.id,
        username: c.id,
        password: c.token,
        reconnectPeriod: 0,
      }),
    ),
  );
  let sent = 0;
  const started = performance.now();
  const deadline = o.seconds ? started + o.seconds * 1000 : Number.POSITIVE_INFINITY;
  const perDevice = o.total ? Math.ceil(o.total / creds.length) : Number.POSITIVE_INFINITY;
  await Promise.all(
    clients.map(async (client, i) => {
      const id = creds[i]!.id;
      const topic = telemetryTopic(id);
      let inFlight = 0;
      let k = 0;
      await new Promise<void>((resolve, reject) => {
        const pump = () => {
          const done = () =>
            k >= perDevice || (o.total !== undefined && sent >= o.total) || performance.now() > deadline;
          // An external broker acknowledges on receipt: pace by what the consumer has taken, or
          // the broker's queue limit (Mosquitto: max_queued_messages) drops the excess.
          const paced = () => o.consumed !== undefined && sent - o.consumed() >= (o.backlog ?? backlog);
          while (inFlight < o.window && !done()) {
            if (paced()) {
              if (inFlight === 0) setTimeout(pump, 1);
              return;
            }
            const n = k++;
            sent++;
            inFlight++;
            client.publish(topic, payloadOf(o.baseTs + n, n), { qos: 1 }, (err) => {
              inFlight--;
              if (err) return reject(err);
              pump();
            });
          }
          if (inFlight === 0) resolve();
        };
        pump();
      });
    }),
  );
  return { sent, ms: performance.now() - started, clients };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

/** Broker only: the same publishers and messages to a broker nobody stores from; one plain subscriber. */
async function brokerOnly(
  url: string | undefined,
  creds: Cred[],
  o: { total?: number; seconds?: number; window: number; paced: boolean },
): Promise<{ sent: number; received: number; ms: number }> {
  let stop: () => Promise<void> = async () => {};
  let target = url;
  if (!target) {
    const broker = new Aedes();
    await broker.listen();
    const server = net.createServer(broker.handle);
    const port = await freePort();
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
    target = `mqtt://127.0.0.1:${port}`;
    stop = async () => {
      await new Promise<void>((r) => server.close(() => r()));
      await new Promise<void>((r) => broker.close(() => r()));
    };
  }
  // The same topology as the ingestion: on an external broker two subscribers share the stream
  // (MQTT 5 shared subscription, like the two worker connections); aedes speaks 3.1.1: one.
  const external = url !== undefined;
  const subs = await Promise.all(
    Array.from({ length: external ? 2 : 1 }, (_, i) =>
      mqtt.connectAsync(target, {
        clientId: `bench-sub-${process.pid}-${i}`,
        reconnectPeriod: 0,
        protocolVersion: external ? 5 : 4,
      }),
    ),
  );
  let received = 0;
  for (const sub of subs) {
    sub.on('message', () => {
      received++;
    });
    // A separate topic tree: on a shared Mosquitto the ingest workers must not see these.
    await sub.subscribeAsync(
      external
        ? `$share/bench${process.pid}/onegrid-bench/devices/+/telemetry`
        : 'onegrid-bench/devices/+/telemetry',
      { qos: 1 },
    );
  }
  const consumed = o.paced ? () => received : undefined;
  const bare = creds.map((c) => ({ id: `bare-${c.id}`, token: c.token }));
  const clients = await Promise.all(
    bare.map((c) => mqtt.connectAsync(target, { clientId: c.id, reconnectPeriod: 0 })),
  );
  let sent = 0;
  const started = performance.now();
  const deadline = o.seconds ? started + o.seconds * 1000 : Number.POSITIVE_INFINITY;
  const perDevice = o.total ? Math.ceil(o.total / creds.length) : Number.POSITIVE_INFINITY;
  await Promise.all(
    clients.map(async (client, i) => {
      const topic = `onegrid-bench/devices/${bare[i]!.id}/telemetry`;
      let inFlight = 0;
      let k = 0;
      await new Promise<void>((resolve, reject) => {
        const pump = () => {
          const done = () =>
            k >= perDevice || (o.total !== undefined && sent >= o.total) || performance.now() > deadline;
          // An external broker acknowledges on receipt: pace by what the consumer has taken, or
          // the broker's queue limit (Mosquitto: max_queued_messages) drops the excess.
          const paced = () => consumed !== undefined && sent - consumed() >= backlog;
          while (inFlight < o.window && !done()) {
            if (paced()) {
              if (inFlight === 0) setTimeout(pump, 1);
              return;
            }
            const n = k++;
            sent++;
            inFlight++;
            client.publish(topic, payloadOf(n, n), { qos: 1 }, (err) => {
              inFlight--;
              if (err) return reject(err);
              pump();
            });
          }
          if (inFlight === 0) resolve();
        };
        pump();
      });
    }),
  );
  // Until the subscriber has every message (or a few seconds of silence).
  const end = Date.now() + 30_000;
  while (received < sent && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
  const ms = performance.now() - started;
  await Promise.all([...clients, ...subs].map((c) => c.endAsync(true)));
  await stop();
  return { sent, received, ms };
}

async function countReadings(db: Db, from: Date): Promise<number> {
  const r = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM readings WHERE ts >= $1', [from]);
  return r.rows[0]?.n ?? 0;
}

export const ingestBenchmark: Benchmark = {
  name: 'ingest',
  description:
    'end-to-end MQTT readings/s (publish → rules → stored) vs broker-only and a raw COPY of the same rows',
  async run({ progress, options }) {
    const devices = positiveInt(options.devices, 50, 'devices');
    const seconds = options.seconds === undefined ? undefined : positiveInt(options.seconds, 10, 'seconds');
    const total = seconds ? undefined : positiveInt(options.messages, 20_000, 'messages');
    const window = positiveInt(options.window, 64, 'window');
    backlog = positiveInt(options.backlog, 800, 'backlog');
    const mqttUrl = process.env.MQTT_URL;
    const { db, engine, drop } = await openBenchDb('ingest');
    const log = createLogger({ logLevel: 'warn', logPretty: false });
    const rows: BenchRow[] = [];
    const mode = mqttUrl ? `${engine} + ${new URL(mqttUrl).host}` : `${engine} + aedes`;
    try {
      progress(`migrating a scratch database (${engine}) …`);
      await migrate(db);
      const iot = await createIot({ db, log, config: { ingestDeviceRate: 1_000_000 } });
      const role = await startIot({
        iot,
        db,
        log,
        config: { mqttPort: await freePort(), mqttUrl, ingestDeviceRate: 1_000_000 },
        host: '127.0.0.1',
        group: `bench${process.pid}`,
        clientId: `bench-ingest-${process.pid}`,
        ...(mqttUrl ? { connections: 2, sessionExpiry: 0 } : {}),
      });
      const creds: Cred[] = [];
      for (let i = 0; i < devices; i++) {
        const id = `bench-aq-${process.pid}-${i}`;
        const r = await iot.devices.create(benchAdmin, {
          id,
          typeId: 'air-quality',
          name: id,
          location: null,
        });
        creds.push({ id, token: r.token });
      }
      const url = mqttUrl ?? `mqtt://127.0.0.1:${role.port}`;
      const baseTs = Date.now() - 60_000;
      const from = new Date(baseTs);

      progress(
        `${devices} devices publishing ${total ? `${total} messages` : `for ${seconds} s`} to ${url} …`,
      );
      const started = performance.now();
      const pub = await publishAll(url, creds, {
        ...(total ? { total } : {}),
        ...(seconds ? { seconds } : {}),
        window,
        baseTs,
        ...(mqttUrl ? { consumed: () => iot.stats.totals().accepted / 3 } : {}),
      });
      const expected = pub.sent * 3;
      // Embedded: every PUBACK came after the store. External: wait for the database to hold them.
      let stored = await countReadings(db, from);
      const end = Date.now() + 120_000;
      while (stored < expected && Date.now() < end) {
        await new Promise((r) => setTimeout(r, 50));
        stored = await countReadings(db, from);
      }
      const e2eMs = performance.now() - started;
      await Promise.all(pub.clients.map((c) => c.endAsync(true)));
      await iot.flush();
      const stats = iot.engine.stats() as Record<string, unknown>;
      const msgRate = (pub.sent / e2eMs) * 1000;
      rows.push({
        subject: `end-to-end (${mode})`,
        value: msgRate,
        unit: 'msg/s',
        baseline: 'broker only',
        better: 'higher',
        note: `${pub.sent} messages × 3 metrics; ${stored}/${expected} readings stored; rules ${JSON.stringify(stats).slice(0, 100)}`,
      });
      rows.push({
        subject: 'end-to-end readings',
        value: (stored / e2eMs) * 1000,
        unit: 'rows/s',
        baseline: 'raw COPY',
        better: 'higher',
      });
      await role.close();
      await iot.close();

      progress('broker only: the same publishers and messages, nothing stored …');
      const b = await brokerOnly(mqttUrl, creds, {
        ...(total ? { total } : {}),
        ...(seconds ? { seconds } : {}),
        window,
        paced: mqttUrl !== undefined,
      });
      rows.unshift({
        subject: 'broker only',
        value: (b.sent / b.ms) * 1000,
        unit: 'msg/s',
        note: `${mqttUrl ? 'Mosquitto' : 'aedes'}, QoS 1, ${mqttUrl ? 'two plain subscribers sharing the stream' : 'one plain subscriber'} (${b.received}/${b.sent} received${b.received < b.sent ? ': the broker dropped messages, lower --backlog' : ''})`,
      });

      progress(`raw COPY of the same ${expected} rows …`);
      const copyBase = baseTs + 86_400_000;
      const lines = function* () {
        const per = Math.ceil(pub.sent / devices);
        for (let d = 0; d < devices; d++) {
          for (let k = 0; k < per; k++) {
            const ts = new Date(copyBase + k).toISOString();
            const id = creds[d]!.id;
            yield `${id}\tpm25\t${ts}\t${30 + (k % 50)}\t\\N\n`;
            yield `${id}\tpm10\t${ts}\t${50 + (k % 70)}\t\\N\n`;
            yield `${id}\taqi\t${ts}\t${40 + (k % 60)}\t\\N\n`;
          }
        }
      };
      const c0 = performance.now();
      const copied = await db.copyFrom('readings', ['device_id', 'metric', 'ts', 'num', 'txt'], lines());
      const copyMs = performance.now() - c0;
      rows.push({
        subject: 'raw COPY',
        value: (copied / copyMs) * 1000,
        unit: 'rows/s',
        note: `${copied} rows into the partitioned readings table (${((copied / 3 / copyMs) * 1000).toFixed(0)} msg-equivalents/s)`,
      });
    } finally {
      await drop();
    }
    return rows;
  },
};
