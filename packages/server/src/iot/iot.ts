/**
 * The IoT module's composition: `createIot` builds the services the API and the broker share
 * (device directory, reading sink, rules engine, alarms); `iotRoutes` mounts the API; `startIot`
 * is the `ingest` role — the embedded broker or the external-broker worker, plus maintenance
 * (partitions ahead, retention, devices going offline).
 */
import type { Config } from '../config.ts';
import type { Db } from '../db/db.ts';
import type { App } from '../http/app.ts';
import type { Logger } from '../logger.ts';
import type { Readiness } from '../system/readiness.ts';
import { alarmRepository } from './alarm.repository.ts';
import { alarmRoutes } from './alarm.routes.ts';
import { type AlarmService, alarmService } from './alarm.service.ts';
import { type BrokerProvisioner, createBrokerProvisioner } from './broker.provision.ts';
import { type BrokerState, startEmbeddedBroker } from './broker.ts';
import { createDeviceDirectory, type DeviceDirectory } from './device.directory.ts';
import { deviceRepository } from './device.repository.ts';
import { deviceRoutes } from './device.routes.ts';
import { type DeviceService, deviceService } from './device.service.ts';
import { type IngestActivity, ingestCheck, watchIngestActivity } from './ingest.health.ts';
import { createIngestStats, type IngestStats } from './ingest.stats.ts';
import { startIngestWorker } from './ingest.worker.ts';
import { iotSchemas } from './iot.schema.ts';
import { type ReadingsRepository, readingsRepository } from './readings.repository.ts';
import { createReadingSink, type ReadingSink } from './readings.sink.ts';
import { createRulesEngine, type RulesEngine } from './rules.engine.ts';
import { rulesRepository } from './rules.repository.ts';
import { rulesRoutes } from './rules.routes.ts';
import { type RulesService, rulesService } from './rules.service.ts';
import { telemetryRoutes } from './telemetry.routes.ts';
import { type TelemetryService, telemetryService } from './telemetry.service.ts';

export type { BrokerState } from './broker.ts';

export type IotConfig = Pick<Config, 'readingsRetentionDays' | 'rollupRetentionDays' | 'ingestDeviceRate'> &
  Partial<
    Pick<Config, 'mqttUrl' | 'mqttUsername' | 'mqttPassword' | 'mqttAdminUsername' | 'mqttAdminPassword'>
  >;
export const defaultIotConfig: IotConfig = {
  readingsRetentionDays: 90,
  rollupRetentionDays: 730,
  ingestDeviceRate: 50,
};

export interface Iot {
  devices: DeviceService;
  directory: DeviceDirectory;
  telemetry: TelemetryService;
  readings: ReadingsRepository;
  sink: ReadingSink;
  stats: IngestStats;
  /** When the last telemetry message arrived (health and metrics). */
  activity: IngestActivity;
  rules: RulesService;
  engine: RulesEngine;
  alarms: AlarmService;
  /** Server mode with a dynamic-security admin configured: device credentials on the broker. */
  provisioner: BrokerProvisioner | undefined;
  brokerState(): BrokerState;
  brokerStats(): Record<string, unknown>;
  /** Set by the ingest role so health and stats report the real broker. */
  attachBroker(state: () => BrokerState, stats?: () => Record<string, unknown>): void;
  /** Writes everything deferred: last-seen times, latest values, rollups, rule states, alarms. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export interface IotDeps {
  db: Db;
  log: Logger;
  clock?: () => Date;
  config?: Partial<IotConfig>;
  /** Called after alarm events were committed to the outbox (nudges the SSE bus). */
  onEventsCommitted?: () => void;
}

export async function createIot({
  db,
  log,
  clock = () => new Date(),
  config,
  onEventsCommitted,
}: IotDeps): Promise<Iot> {
  const cfg = { ...defaultIotConfig, ...config };
  const ilog = log.child({ category: 'ingest' });
  const devicesRepo = deviceRepository(db);
  const readings = readingsRepository(db);
  const alarmRepo = alarmRepository(db);
  const rulesRepo = rulesRepository(db);
  const directory = await createDeviceDirectory({ repo: devicesRepo, log: ilog });
  const stats = createIngestStats({ db, log });
  const activity = watchIngestActivity(stats);
  const alarms = alarmService({
    db,
    repo: alarmRepo,
    log,
    clock,
    ...(onEventsCommitted ? { onCommitted: onEventsCommitted } : {}),
  });
  const engine = createRulesEngine({ rules: rulesRepo, alarmRepo, alarms, directory, readings, log, clock });
  const sink = createReadingSink({
    repo: readings,
    log: ilog,
    onStored: (rows) => engine.onReadings(rows),
    // PGlite is one connection in this process; PostgreSQL overlaps a few batches.
    concurrency: db.engine === 'postgres' ? 3 : 1,
  });
  const telemetry = telemetryService({
    directory,
    devices: devicesRepo,
    sink,
    stats,
    log: ilog,
    clock,
    deviceRatePerSecond: cfg.ingestDeviceRate,
    limits: { maxPastMs: Math.min(30, cfg.readingsRetentionDays) * 86_400_000 },
  });
  await engine.start();
  // A previous process may have stopped between durable readings and their deferred updates
  // (latest values lag a second, rollups a minute): redo the last three minutes from the raw rows.
  const now = clock().getTime();
  const repairing = readings
    .repairRecent(new Date(now - 3 * 60_000), new Date(now + 86_400_000))
    .catch((e) => ilog.warn({ err: e }, 'repairing recent latest values and rollups failed'));
  const seenTimer = setInterval(() => {
    telemetry.flushSeen().catch((e) => ilog.warn({ err: e }, 'saving last-seen times failed'));
  }, 5000);
  seenTimer.unref();

  let brokerState: () => BrokerState = () => ({ mode: 'off', connected: false });
  let brokerStats: () => Record<string, unknown> = () => ({});
  const provisioner =
    cfg.mqttUrl && cfg.mqttAdminUsername && cfg.mqttAdminPassword
      ? createBrokerProvisioner({
          url: cfg.mqttUrl,
          admin: { username: cfg.mqttAdminUsername, password: cfg.mqttAdminPassword },
          repo: devicesRepo,
          log,
          ...(cfg.mqttUsername && cfg.mqttPassword
            ? { worker: { username: cfg.mqttUsername, password: cfg.mqttPassword } }
            : {}),
        })
      : undefined;
  const devices = deviceService({
    db,
    repo: devicesRepo,
    readings,
    directory,
    stats,
    ...(provisioner ? { broker: provisioner } : {}),
  });
  const rules = rulesService({ db, repo: rulesRepo, directory, engine });

  const iot: Iot = {
    devices,
    directory,
    telemetry,
    readings,
    sink,
    stats,
    activity,
    rules,
    engine,
    alarms,
    provisioner,
    brokerState: () => brokerState(),
    brokerStats: () => ({
      ...brokerStats(),
      ...(provisioner ? { provisioning: provisioner.state() } : {}),
    }),
    attachBroker(state, s) {
      brokerState = state;
      if (s) brokerStats = s;
    },
    async flush() {
      await telemetry.flushSeen();
      await sink.flushDerived();
      await alarms.idle();
      await stats.flush();
      await engine.persist();
    },
    async close() {
      clearInterval(seenTimer);
      activity.close();
      await repairing;
      await sink.close();
      await telemetry.flushSeen().catch((e) => ilog.warn({ err: e }, 'saving last-seen times failed'));
      await engine.close();
      await alarms.close();
      await stats.close();
      await provisioner?.close();
      directory.close();
    },
  };
  return iot;
}

export function iotRoutes(app: App, iot: Iot) {
  for (const s of iotSchemas) app.addSchema(s);
  deviceRoutes(app, iot.devices);
  rulesRoutes(app, iot.rules);
  alarmRoutes(app, iot.alarms);
  telemetryRoutes(app, {
    telemetry: iot.telemetry,
    directory: iot.directory,
    devices: iot.devices,
    readings: iot.readings,
    stats: iot.stats,
    sink: iot.sink,
    engineStats: () => iot.engine.stats(),
    brokerStats: () => ({ ...iot.brokerState(), ...iot.brokerStats() }),
  });
}

export interface IotRole {
  brokerState(): BrokerState;
  /** The embedded broker's port (useful when it was asked for port 0). */
  port: number | undefined;
  close(): Promise<void>;
}

/**
 * The ingest role: the embedded broker on `mqttPort`, or — when `mqttUrl` is set — a worker on
 * that broker's shared subscription; plus the maintenance loop.
 */
export async function startIot(o: {
  iot: Iot;
  db: Db;
  log: Logger;
  config: Pick<Config, 'mqttUrl' | 'mqttPort'> & Partial<IotConfig>;
  /** Seconds between full reconciles of broker credentials (server mode with an admin). */
  reconcileSeconds?: number;
  clock?: () => Date;
  host?: string;
  /** External broker: share group and client id base (defaults: onegrid, onegrid-ingest-<host>). */
  group?: string;
  clientId?: string;
  /** External broker: topics are `<topicPrefix>/devices/<id>/telemetry` (default `onegrid`). */
  topicPrefix?: string;
  connections?: number;
  /** External broker: unacknowledged messages each connection may hold (MQTT 5 Receive Maximum). */
  receiveMaximum?: number;
  sessionExpiry?: number;
  maintenanceMs?: number;
  /** Where the role registers its readiness check `ingest` (connected, subscribed, not stalled). */
  readiness?: Readiness;
  /** Seconds without a message, while devices are active, before ingest counts as stalled. */
  stallSeconds?: number;
  /**
   * Partitions ahead, retention, devices going offline (default on, for tools and tests that start
   * ingestion alone). The server runs it as a scheduler job instead (`iotMaintenance`), once.
   */
  maintenance?: boolean;
}): Promise<IotRole> {
  const { iot, log } = o;
  const cfg = { ...defaultIotConfig, ...o.config };
  const clock = o.clock ?? (() => new Date());
  const ilog = log.child({ category: 'ingest' });

  const registerCheck = (state: () => BrokerState) =>
    o.readiness?.register(
      'ingest',
      ingestCheck({ db: o.db, state, activity: iot.activity, stallMs: (o.stallSeconds ?? 60) * 1000 }),
    ) ?? (() => {});
  const timer =
    o.maintenance === false
      ? undefined
      : await startIotMaintenance({ iot, db: o.db, log, config: cfg, clock, everyMs: o.maintenanceMs });

  try {
    if (o.config.mqttUrl) {
      if (iot.provisioner) {
        // Before the worker connects: its own client may be what the broker lost.
        await iot.provisioner.connected(5000);
        await iot.provisioner
          .reconcile()
          .catch((e) => ilog.error({ err: e }, 'reconciling MQTT broker credentials at start failed'));
        iot.provisioner.startReconciling((o.reconcileSeconds ?? 300) * 1000);
      } else {
        ilog.warn(
          'device authentication on the MQTT broker is not managed by OneGrid (ONEGRID_MQTT_ADMIN_USERNAME is unset): ' +
            'make sure the broker refuses unknown clients and restricts each device to its own topic',
        );
      }
      const worker = await startIngestWorker({
        url: o.config.mqttUrl,
        ...(cfg.mqttUsername && cfg.mqttPassword
          ? { username: cfg.mqttUsername, password: cfg.mqttPassword }
          : {}),
        telemetry: iot.telemetry,
        stats: iot.stats,
        log,
        ...(o.group ? { group: o.group } : {}),
        ...(o.clientId ? { clientId: o.clientId } : {}),
        ...(o.topicPrefix ? { topicPrefix: o.topicPrefix } : {}),
        ...(o.connections ? { connections: o.connections } : {}),
        ...(o.receiveMaximum ? { receiveMaximum: o.receiveMaximum } : {}),
        ...(o.sessionExpiry !== undefined ? { sessionExpiry: o.sessionExpiry } : {}),
      });
      iot.attachBroker(worker.state, worker.stats);
      const unregister = registerCheck(worker.state);
      return {
        brokerState: worker.state,
        port: undefined,
        async close() {
          unregister();
          await timer?.close();
          await worker.close();
          iot.attachBroker(() => ({ mode: 'off', connected: false }));
        },
      };
    }
    const broker = await startEmbeddedBroker({
      port: o.config.mqttPort,
      ...(o.host ? { host: o.host } : {}),
      directory: iot.directory,
      telemetry: iot.telemetry,
      stats: iot.stats,
      log,
    });
    iot.attachBroker(broker.state, () => ({ clients: broker.clients() }));
    const unregister = registerCheck(broker.state);
    return {
      brokerState: broker.state,
      port: broker.port,
      async close() {
        unregister();
        await timer?.close();
        await broker.close();
        iot.attachBroker(() => ({ mode: 'off', connected: false }));
      },
    };
  } catch (e) {
    await timer?.close();
    throw e;
  }
}

/**
 * IoT maintenance: partitions ahead, retention (whole daily partitions past it are dropped),
 * devices going offline. Runs once at start, then every `everyMs`.
 */
export async function startIotMaintenance(o: {
  iot: Iot;
  db: Db;
  log: Logger;
  config: IotConfig;
  clock: () => Date;
  everyMs?: number | undefined;
}) {
  const ilog = o.log.child({ category: 'ingest' });
  const devicesRepo = deviceRepository(o.db);
  let running: Promise<void> | undefined;
  async function maintain() {
    const r = await o.iot.readings.maintain(2, o.config.readingsRetentionDays, o.config.rollupRetentionDays);
    if (r.dropped > 0) ilog.info({ dropped: r.dropped }, 'dropped reading partitions past retention');
    const offline = await devicesRepo.markOffline(o.clock());
    if (offline.length > 0) ilog.info({ count: offline.length }, 'devices went offline');
  }
  await maintain();
  const timer = setInterval(() => {
    running ??= maintain()
      .catch((e) => ilog.warn({ err: e }, 'IoT maintenance failed'))
      .finally(() => {
        running = undefined;
      });
  }, o.everyMs ?? 60_000);
  timer.unref();
  return {
    async close() {
      clearInterval(timer);
      await running;
    },
  };
}
