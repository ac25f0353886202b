import net from 'node:net';
import os from 'node:os';
import {
  createIot,
  createLogger,
  type Db,
  migrate,
  type Subscriber,
  startIot,
  startMosquitto,
  startSubscriber,
  telemetryTopic,
} from '@onegrid/server';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import type { Benchmark, BenchRow } from './bench.ts';
import { cpuMeter, localMosquitto, perMsg, postgresPids, procCpuMs, type StageCpu } from './ingest.cpu.ts';
import { extraWorkers, freePort, type PublishOptions, publishFrom } from './ingest.procs.ts';
import type { PublisherDevice } from './ingest.publisher.ts';
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

/**
 * Broker only: the same publishers and messages to a broker nobody stores from. On an external
 * broker as many MQTT 5 subscribers as the ingest has connections share the stream (the ingest
 * worker's subscriber code, acknowledging on receipt); aedes speaks 3.1.1: one mqtt.js subscriber.
 */
async function brokerOnly(
  url: string | undefined,
  devices: PublisherDevice[],
  o: Omit<PublishOptions, 'consumed'> & {
    /** The broker's load-generator client, where anonymous access is off. */
    login?: { username: string; password: string };
    subscribers: number;
    receiveMaximum: number;
    mosquittoPid?: number;
  },
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
        ...(o.login ?? {}),
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
    ...(o.login ? { username: o.login.username, token: o.login.password } : {}),
  }));
  const mosquitto = o.mosquittoPid ?? localMosquitto(url);
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

async function countReadings(db: Db, from: Date, to: Date): Promise<number> {
  const r = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM readings WHERE ts >= $1 AND ts < $2',
    [from, to],
  );
  return r.rows[0]?.n ?? 0;
}

export const ingestBenchmark: Benchmark = {
  name: 'ingest',
  description:
    'end-to-end MQTT readings/s (publish → rules → stored, stored/expected per run) vs broker-only and a raw COPY',
  async run({ progress, options }) {
    const devices = positiveInt(options.devices, 50, 'devices');
    const seconds = options.seconds === undefined ? undefined : positiveInt(options.seconds, 10, 'seconds');
    const total = seconds ? undefined : positiveInt(options.messages, 100_000, 'messages');
    const window = positiveInt(options.window, 100, 'window');
    const procs = positiveInt(options.publishers, 2, 'publishers');
    const connections = positiveInt(options.connections, 2, 'connections');
    const receiveMaximum = positiveInt(options['receive-maximum'], 20_000, 'receive-maximum');
    const runs = positiveInt(options.runs, 1, 'runs');
    const workers = positiveInt(options.workers, 1, 'workers');
    // Published but not yet acknowledged by the consumers, at most. Mosquitto deals a shared
    // subscription's messages round robin however fast each member takes them, so one connection
    // may come to hold nearly all of them: no more than one connection's receive window.
    const backlog = positiveInt(options.backlog, Math.min(10_000, receiveMaximum), 'backlog');
    const perDevice = total ? Math.ceil(total / devices) : undefined;
    // Server mode measures a Mosquitto of its own with deploy/mosquitto.conf, not the machine's.
    const brokerOpt =
      typeof options.broker === 'string' ? options.broker : process.env.DATABASE_URL ? 'mosquitto' : 'aedes';
    const { db, engine, url: dbUrl, drop } = await openBenchDb('ingest');
    const own = brokerOpt === 'mosquitto' ? await startMosquitto() : undefined;
    const mqttUrl = own?.url ?? (brokerOpt === 'aedes' ? undefined : brokerOpt);
    const mosquittoPid = () => own?.pid() ?? localMosquitto(mqttUrl);
    const log = createLogger({ logLevel: 'warn', logPretty: false });
    const rows: BenchRow[] = [];
    const brokerName = own
      ? 'own Mosquitto (deploy/mosquitto.conf)'
      : mqttUrl
        ? new URL(mqttUrl).host
        : 'aedes';
    const mode = `${engine} + ${brokerName}`;
    const publishing = {
      procs,
      window,
      backlog,
      ...(perDevice ? { perDevice } : {}),
      ...(seconds ? { seconds } : {}),
    };
    const group = `bench${process.pid}`;
    try {
      progress(`migrating a scratch database (${engine}) …`);
      await migrate(db);
      // Our own Mosquitto authenticates devices: OneGrid provisions them as it creates them.
      const auth = own
        ? {
            mqttUrl,
            mqttAdminUsername: own.admin.username,
            mqttAdminPassword: own.admin.password,
            mqttUsername: own.worker.username,
            mqttPassword: own.worker.password,
          }
        : {};
      const iot = await createIot({ db, log, config: { ingestDeviceRate: 1_000_000, ...auth } });
      const role = await startIot({
        iot,
        db,
        log,
        config: { mqttPort: await freePort(), mqttUrl, ingestDeviceRate: 1_000_000, ...auth },
        host: '127.0.0.1',
        group,
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
        creds.push({ id, topic: telemetryTopic(id), ...(mqttUrl && !own ? {} : { token: r.token }) });
      }
      const url = mqttUrl ?? `mqtt://127.0.0.1:${role.port}`;
      const t0 = Date.now();
      let why: string | undefined;
      if (workers > 1 && !mqttUrl)
        why = 'embedded mode has one ingest process (aedes): --workers needs server mode';
      if (workers > 1 && mqttUrl && !dbUrl)
        why = 'PGlite is one process’s database: --workers needs DATABASE_URL';
      const plan = why ? [1] : [...new Set([1, workers])];
      const rates = new Map<number, number[]>();
      let baseTs = t0 - 3 * 3_600_000;
      let lastSent = 0;
      for (const w of plan) {
        const extra =
          w > 1
            ? await extraWorkers(w - 1, {
                DATABASE_URL: dbUrl!,
                MQTT_URL: own
                  ? `mqtt://${own.worker.username}:${encodeURIComponent(own.worker.password)}@127.0.0.1:${own.port}`
                  : url,
                SHARE_GROUP: group,
                CLIENT_ID: `bench-ingest-${process.pid}`,
                CONNECTIONS: String(connections),
                RECEIVE_MAXIMUM: String(receiveMaximum),
              })
            : undefined;
        try {
          for (let run = 1; run <= runs; run++) {
            baseTs += 5 * 60_000;
            const from = new Date(baseTs);
            progress(
              `run ${run}/${runs}, ${w} ingest process${w > 1 ? 'es' : ''}: ${devices} devices in ${procs} publisher processes, ${total ? `${total} messages` : `${seconds} s`}, to ${url} …`,
            );
            const mosquitto = mosquittoPid();
            const pgCpu = cpuMeter(() => postgresPids(db));
            await pgCpu.start();
            const brokerCpu0 = mosquitto ? procCpuMs(mosquitto) : undefined;
            const cpu0 = process.cpuUsage();
            const extraCpu0 = extra?.cpuMs() ?? 0;
            const accepted = () => iot.stats.totals().accepted + (extra?.accepted() ?? 0);
            const accepted0 = accepted();
            const pub = await publishFrom(url, creds, {
              ...publishing,
              baseTs,
              ...(mqttUrl ? { consumed: () => (accepted() - accepted0) / 3 } : {}),
            });
            const expected = pub.sent * 3;
            lastSent = pub.sent;
            // Embedded: every PUBACK came after the store. External: until the workers stored them all.
            const end = Date.now() + 120_000;
            while (accepted() - accepted0 < expected && Date.now() < end)
              await new Promise((r) => setTimeout(r, 2));
            const e2eMs = performance.now() - pub.startedAt;
            const own = process.cpuUsage(cpu0);
            const brokerMs =
              mosquitto && brokerCpu0 !== undefined ? procCpuMs(mosquitto)! - brokerCpu0 : undefined;
            const pgMs = db.engine === 'postgres' ? await pgCpu.stop() : undefined;
            const stored = await countReadings(db, from, new Date(baseTs + 5 * 60_000));
            const stages = perMsg(
              [
                { label: 'publishers', ms: pub.cpuMs },
                {
                  label: mqttUrl ? 'ingest process' : 'ingest process (aedes + pipeline + PGlite)',
                  ms: (own.user + own.system) / 1000,
                  single: true,
                },
                ...(extra ? [{ label: `${w - 1} more ingest`, ms: extra.cpuMs() - extraCpu0 }] : []),
                ...(mqttUrl ? [{ label: 'Mosquitto', ms: brokerMs, single: true }] : []),
                ...(pgMs !== undefined ? [{ label: 'PostgreSQL', ms: pgMs }] : []),
              ],
              pub.sent,
            );
            const msgRate = (pub.sent / e2eMs) * 1000;
            rates.set(w, [...(rates.get(w) ?? []), msgRate]);
            const busy = stages.total / (e2eMs * os.availableParallelism());
            rows.push({
              subject: `end-to-end run ${run}, ${w} ingest process${w > 1 ? 'es' : ''} (${mode})`,
              value: msgRate,
              unit: 'msg/s',
              baseline: 'broker only',
              better: 'higher',
              note: `stored/expected ${stored}/${expected} readings${stored < expected ? ` — ${expected - stored} LOST` : ''} (${pub.sent} messages × 3 metrics); cores ${Math.round(busy * 100)} % busy; ${stages.text} → ${Math.round(stages.ceiling)} msg/s if the machine did nothing else (bound: ${stages.bound})`,
            });
          }
        } finally {
          await extra?.close();
        }
      }
      const mean = (xs: number[] | undefined) => (xs?.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
      if (workers > 1) {
        const one = mean(rates.get(1));
        const more = mean(rates.get(workers));
        const load = os.loadavg()[0]!.toFixed(1);
        if (!why && more < one * 1.1) {
          why = `on ${os.availableParallelism()} cores (load ${load}) the publishers, Mosquitto, PostgreSQL and the ingest processes share the same CPU: another process has no idle core to use; Mosquitto is single-threaded`;
        }
        rows.push({
          subject: `${workers} ingest processes vs 1`,
          value: why && more === 0 ? 0 : more / one,
          unit: '×',
          note: why ? `no gain: ${why}` : `${Math.round(one)} → ${Math.round(more)} msg/s`,
        });
      }
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
        ...(own ? { mosquittoPid: own.pid(), login: own.bench } : {}),
      });
      const bStages = perMsg(b.cpu, b.sent);
      rows.unshift({
        subject: 'broker only',
        value: (b.sent / b.ms) * 1000,
        unit: 'msg/s',
        note: `${own ? 'own Mosquitto' : mqttUrl ? 'Mosquitto' : 'aedes'}, QoS 1, ${mqttUrl ? `${connections} subscribers sharing the stream, acknowledging on receipt` : 'one plain subscriber'} (${b.received}/${b.sent} received${b.received < b.sent ? ': the broker dropped messages, lower --backlog' : ''}); ${bStages.text} → ${Math.round(bStages.ceiling)} msg/s if the machine did nothing else (bound: ${bStages.bound})`,
      });

      progress(`raw COPY of the same ${lastSent * 3} rows …`);
      const copyBase = baseTs + 86_400_000;
      const per = Math.ceil(lastSent / devices);
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
      await own?.close();
      await drop();
    }
    return rows;
  },
};
