/**
 * `onegrid bench ingest`: sustained end-to-end readings per second — N devices publish over MQTT
 * (QoS 1, 3 metrics a message), the rules are evaluated, the readings are stored durably — beside
 * the same run's broker-only throughput (the same publishers and messages, plain subscribers,
 * nothing stored) and a raw COPY of the same rows into the same partitioned table.
 *
 * Embedded mode (default): in-memory PGlite + the embedded aedes broker on a free port; a QoS 1
 * PUBACK is sent only after the reading is stored, so the last acknowledgement ends the run.
 * Server mode: DATABASE_URL (a scratch database is created and dropped) and MQTT_URL (Mosquitto;
 * the ingest worker reads the MQTT 5 shared subscription); the run ends when every reading is
 * durable (the worker counts a reading once its batch committed; a count(*) checks it after).
 *
 * Publishers are separate processes (`--publishers`, ingest.publisher.ts) writing ready-made
 * packets, so load generation costs little; still, on one machine they, the broker, the ingest
 * process and the database share the cores. The CPU each of them used is reported per message
 * (from process.cpuUsage and, for a local Mosquitto and PostgreSQL, /proc), which shows where the
 * time goes and what the pipeline would do on idle cores.
 */
import { type ChildProcess, fork } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  createIot,
  createLogger,
  type Db,
  migrate,
  type Subscriber,
  startIot,
  startSubscriber,
  telemetryTopic,
} from '@onegrid/server';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import type { Benchmark, BenchRow } from './bench.ts';
import { cpuMeter, localMosquitto, perMsg, postgresPids, procCpuMs, type StageCpu } from './ingest.cpu.ts';
import type { FromPublisher, PublisherDevice, ToPublisher } from './ingest.publisher.ts';
import { openBenchDb, positiveInt } from './scratch-db.ts';

type Iot = Awaited<ReturnType<typeof createIot>>;
type Principal = Parameters<Iot['devices']['create']>[0];

const benchAdmin: Principal = {
  id: 0,
  username: 'bench',
  displayName: 'bench',
  role: 'admin',
  scopeCode: '3101',
  departmentCode: null,
};

interface PublishOptions {
  procs: number;
  perDevice?: number;
  seconds?: number;
  window: number;
  baseTs: number;
  /** External broker: messages the consumers have taken (acknowledged), for pacing. */
  consumed?: () => number;
  backlog: number;
}

interface PublishResult {
  sent: number;
  /** performance.now() when the publishers were let go, and the time until the last PUBACK. */
  startedAt: number;
  ms: number;
  cpuMs: number;
}

/**
 * Forks the publisher processes, deals them the devices, connects them all, then lets them go
 * at once. Resolves when every message was acknowledged by the broker.
 */
async function publishFrom(
  url: string,
  devices: PublisherDevice[],
  o: PublishOptions,
): Promise<PublishResult> {
  const n = Math.min(o.procs, devices.length);
  const script = fileURLToPath(new URL('./ingest.publisher.ts', import.meta.url));
  const tsx = import.meta.resolve('tsx');
  const children: ChildProcess[] = [];
  const done: Array<Extract<FromPublisher, { type: 'done' }>> = [];
  const creditOf = () => (o.consumed ? Math.floor((o.consumed() + o.backlog) / n) : undefined);
  try {
    const ready: Promise<void>[] = [];
    const finished: Promise<void>[] = [];
    for (let i = 0; i < n; i++) {
      const child = fork(script, [], {
        execArgv: ['--import', tsx],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      children.push(child);
      let onReady: () => void = () => {};
      ready.push(new Promise<void>((r) => (onReady = r)));
      finished.push(
        new Promise<void>((resolve, reject) => {
          child.on('message', (m: FromPublisher) => {
            if (m.type === 'ready') onReady();
            else if (m.type === 'done') {
              done.push(m);
              resolve();
            } else {
              reject(new Error(`publisher: ${m.message}`));
            }
          });
          // A credit sent just as a publisher exits fails with EPIPE: nothing to do.
          child.on('error', () => {});
          child.on('exit', (code) => {
            if (code !== 0 && code !== null) reject(new Error(`publisher exited with ${code}`));
          });
        }),
      );
      const mine = devices.filter((_, j) => j % n === i);
      const credit = creditOf();
      child.send({
        type: 'start',
        url,
        devices: mine,
        window: o.window,
        baseTs: o.baseTs,
        ...(o.perDevice ? { perDevice: o.perDevice } : {}),
        ...(o.seconds ? { seconds: o.seconds } : {}),
        ...(credit !== undefined ? { credit } : {}),
      } satisfies ToPublisher);
    }
    await Promise.race([Promise.all(ready), Promise.all(finished)]);
    const started = performance.now();
    for (const c of children) c.send({ type: 'go' } satisfies ToPublisher);
    let last = creditOf();
    const pacer = o.consumed
      ? setInterval(() => {
          const credit = creditOf();
          if (credit === last) return;
          last = credit;
          for (const c of children) {
            if (c.connected) c.send({ type: 'credit', upTo: credit! } satisfies ToPublisher, () => {});
          }
        }, 2)
      : undefined;
    try {
      await Promise.all(finished);
    } finally {
      if (pacer) clearInterval(pacer);
    }
    return {
      sent: done.reduce((s, d) => s + d.sent, 0),
      startedAt: started,
      ms: performance.now() - started,
      cpuMs: done.reduce((s, d) => s + d.cpuMs, 0),
    };
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill();
  }
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

/**
 * Broker only: the same publishers and messages to a broker nobody stores from. On an external
 * broker as many MQTT 5 subscribers as the ingest has connections share the stream (the ingest
 * worker's subscriber code, acknowledging on receipt); aedes speaks 3.1.1: one mqtt.js subscriber.
 */
async function brokerOnly(
  url: string | undefined,
  devices: PublisherDevice[],
  o: Omit<PublishOptions, 'consumed'> & { subscribers: number; receiveMaximum: number },
): Promise<{ sent: number; received: number; ms: number; cpu: StageCpu[] }> {
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
  const external = url !== undefined;
  let received = 0;
  let subs: Subscriber[];
  if (external) {
    // The ingest worker's own MQTT 5 subscriber code, acknowledging at once, in a group and a
    // topic tree of its own: on a shared Mosquitto the ingest workers must not see these.
    subs = Array.from({ length: o.subscribers }, (_, i) =>
      startSubscriber({
        url: target,
        clientId: `bench-sub-${process.pid}-${i}`,
        topic: `$share/bench${process.pid}/onegrid-bench/devices/+/telemetry`,
        sessionExpiry: 0,
        receiveMaximum: o.receiveMaximum,
        onMessage(_m, ack) {
          received++;
          ack();
        },
      }),
    );
    await Promise.all(subs.map((s) => s.ready));
  } else {
    const sub = await mqtt.connectAsync(target, { clientId: `bench-sub-${process.pid}`, reconnectPeriod: 0 });
    sub.on('message', () => {
      received++;
    });
    await sub.subscribeAsync('onegrid-bench/devices/+/telemetry', { qos: 1 });
    subs = [{ connected: true, subscribed: true, ready: Promise.resolve(), close: () => sub.endAsync(true) }];
  }
  const bare = devices.map((d) => ({
    id: `bare-${d.id}`,
    topic: `onegrid-bench/devices/bare-${d.id}/telemetry`,
  }));
  const mosquitto = localMosquitto(url);
  const brokerCpu = mosquitto ? procCpuMs(mosquitto) : undefined;
  const cpu0 = process.cpuUsage();
  const pub = await publishFrom(target, bare, { ...o, ...(external ? { consumed: () => received } : {}) });
  // Until the subscribers have every message (or 30 s).
  const end = Date.now() + 30_000;
  while (received < pub.sent && Date.now() < end) await new Promise((r) => setTimeout(r, 2));
  // Until the last message reached a subscriber, not just the broker.
  const ms = performance.now() - pub.startedAt;
  const own = process.cpuUsage(cpu0);
  const brokerMs = mosquitto && brokerCpu !== undefined ? procCpuMs(mosquitto)! - brokerCpu : undefined;
  await Promise.all(subs.map((c) => c.close(true)));
  await stop();
  return {
    sent: pub.sent,
    received,
    ms: Math.max(ms, 1),
    cpu: [
      { label: 'publishers', ms: pub.cpuMs },
      {
        label: external ? 'subscribers' : 'aedes + subscriber',
        ms: (own.user + own.system) / 1000,
        single: true,
      },
      ...(external ? [{ label: 'Mosquitto', ms: brokerMs, single: true }] : []),
    ],
  };
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
    const total = seconds ? undefined : positiveInt(options.messages, 100_000, 'messages');
    const window = positiveInt(options.window, 100, 'window');
    const procs = positiveInt(options.publishers, 2, 'publishers');
    const connections = positiveInt(options.connections, 2, 'connections');
    const receiveMaximum = positiveInt(options['receive-maximum'], 20_000, 'receive-maximum');
    // Published but not yet acknowledged by the consumers, at most. Mosquitto deals a shared
    // subscription's messages round robin however fast each member takes them, so one connection
    // may come to hold nearly all of them: no more than one connection's receive window (plus
    // Mosquitto's max_queued_messages of 1,000), or Mosquitto drops the excess.
    const backlog = positiveInt(options.backlog, Math.min(10_000, receiveMaximum), 'backlog');
    const perDevice = total ? Math.ceil(total / devices) : undefined;
    const mqttUrl = process.env.MQTT_URL;
    const { db, engine, drop } = await openBenchDb('ingest');
    const log = createLogger({ logLevel: 'warn', logPretty: false });
    const rows: BenchRow[] = [];
    const mode = mqttUrl ? `${engine} + ${new URL(mqttUrl).host}` : `${engine} + aedes`;
    const publishing = {
      procs,
      window,
      backlog,
      ...(perDevice ? { perDevice } : {}),
      ...(seconds ? { seconds } : {}),
    };
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
        ...(mqttUrl ? { connections, sessionExpiry: 0, receiveMaximum } : {}),
      });
      const creds: PublisherDevice[] = [];
      for (let i = 0; i < devices; i++) {
        const id = `bench-aq-${process.pid}-${i}`;
        const r = await iot.devices.create(benchAdmin, {
          id,
          typeId: 'air-quality',
          name: id,
          location: null,
        });
        creds.push({ id, topic: telemetryTopic(id), ...(mqttUrl ? {} : { token: r.token }) });
      }
      const url = mqttUrl ?? `mqtt://127.0.0.1:${role.port}`;
      const baseTs = Date.now() - 60_000;
      const from = new Date(baseTs);

      progress(
        `${devices} devices in ${procs} publisher processes, ${total ? `${total} messages` : `${seconds} s`}, to ${url} …`,
      );
      const mosquitto = localMosquitto(mqttUrl);
      const pgCpu = cpuMeter(() => postgresPids(db));
      await pgCpu.start();
      const brokerCpu0 = mosquitto ? procCpuMs(mosquitto) : undefined;
      const cpu0 = process.cpuUsage();
      const accepted = () => iot.stats.totals().accepted;
      const accepted0 = accepted();
      const pub = await publishFrom(url, creds, {
        ...publishing,
        baseTs,
        ...(mqttUrl ? { consumed: () => (accepted() - accepted0) / 3 } : {}),
      });
      const expected = pub.sent * 3;
      // Embedded: every PUBACK came after the store. External: until the worker has stored them all.
      const end = Date.now() + 120_000;
      while (accepted() - accepted0 < expected && Date.now() < end)
        await new Promise((r) => setTimeout(r, 2));
      const e2eMs = performance.now() - pub.startedAt;
      const own = process.cpuUsage(cpu0);
      const brokerMs = mosquitto && brokerCpu0 !== undefined ? procCpuMs(mosquitto)! - brokerCpu0 : undefined;
      const pgMs = db.engine === 'postgres' ? await pgCpu.stop() : undefined;
      const stored = await countReadings(db, from);
      await iot.flush();
      const stats = iot.engine.stats() as Record<string, unknown>;
      const sink = iot.sink.stats();
      const stages = perMsg(
        [
          { label: 'publishers', ms: pub.cpuMs },
          {
            label: mqttUrl ? 'ingest process' : 'ingest process (aedes + pipeline + PGlite)',
            ms: (own.user + own.system) / 1000,
            single: true,
          },
          ...(mqttUrl ? [{ label: 'Mosquitto', ms: brokerMs, single: true }] : []),
          ...(pgMs !== undefined ? [{ label: 'PostgreSQL', ms: pgMs }] : []),
        ],
        pub.sent,
      );
      const msgRate = (pub.sent / e2eMs) * 1000;
      rows.push({
        subject: `end-to-end (${mode})`,
        value: msgRate,
        unit: 'msg/s',
        baseline: 'broker only',
        better: 'higher',
        note: `${pub.sent} messages × 3 metrics; ${stored}/${expected} readings stored in ${sink.batches} batches; rules ${JSON.stringify(stats).slice(0, 100)}`,
      });
      rows.push({
        subject: 'end-to-end readings',
        value: (stored / e2eMs) * 1000,
        unit: 'rows/s',
        baseline: 'raw COPY',
        better: 'higher',
      });
      rows.push({
        subject: 'end-to-end CPU ceiling',
        value: stages.ceiling,
        unit: 'msg/s',
        note: `${stages.text} → msg/s if the machine did nothing else (bound: ${stages.bound})`,
      });
      await role.close();
      await iot.close();

      progress('broker only: the same publishers and messages, nothing stored …');
      // The plain subscribers take the widest window MQTT 5 allows, so that pacing (which goes
      // through this busy process) is not what limits the broker.
      const b = await brokerOnly(mqttUrl, creds, {
        ...publishing,
        backlog: 60_000,
        baseTs,
        subscribers: connections,
        receiveMaximum: 65_535,
      });
      const bStages = perMsg(b.cpu, b.sent);
      rows.unshift({
        subject: 'broker only',
        value: (b.sent / b.ms) * 1000,
        unit: 'msg/s',
        note: `${mqttUrl ? 'Mosquitto' : 'aedes'}, QoS 1, ${mqttUrl ? `${connections} subscribers sharing the stream, acknowledging on receipt` : 'one plain subscriber'} (${b.received}/${b.sent} received${b.received < b.sent ? ': the broker dropped messages, lower --backlog' : ''}); ${bStages.text} → ${Math.round(bStages.ceiling)} msg/s if the machine did nothing else (bound: ${bStages.bound})`,
      });

      progress(`raw COPY of the same ${expected} rows …`);
      const copyBase = baseTs + 86_400_000;
      const per = Math.ceil(pub.sent / devices);
      // In chunks of a thousand lines, as the ingest writes them.
      const lines = function* () {
        let chunk = '';
        let n = 0;
        for (let d = 0; d < devices; d++) {
          const id = creds[d]!.id;
          for (let k = 0; k < per; k++) {
            const ts = new Date(copyBase + k).toISOString();
            chunk += `${id}\tpm25\t${ts}\t${30 + (k % 50)}\t\\N\n${id}\tpm10\t${ts}\t${50 + (k % 70)}\t\\N\n${id}\taqi\t${ts}\t${40 + (k % 60)}\t\\N\n`;
            if (++n % 333 === 0) {
              yield chunk;
              chunk = '';
            }
          }
        }
        if (chunk) yield chunk;
      };
      const copyCpu = cpuMeter(() => postgresPids(db));
      await copyCpu.start();
      const c0 = performance.now();
      await db.copyFrom('readings', ['device_id', 'metric', 'ts', 'num', 'txt'], lines());
      const copyMs = performance.now() - c0;
      const copyPgMs = db.engine === 'postgres' ? await copyCpu.stop() : undefined;
      const copied = per * devices * 3;
      rows.push({
        subject: 'raw COPY',
        value: (copied / copyMs) * 1000,
        unit: 'rows/s',
        note: `${copied} rows into the partitioned readings table (${((copied / 3 / copyMs) * 1000).toFixed(0)} msg-equivalents/s)${copyPgMs !== undefined ? `; PostgreSQL CPU ${((copyPgMs * 1000) / copied).toFixed(1)} µs/row` : ''}`,
      });
    } finally {
      await drop();
    }
    return rows;
  },
};
