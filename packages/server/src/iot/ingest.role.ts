/**
 * The ingest role as a process starts it. Embedded broker: it must listen, or the start fails
 * (when the default port is taken and none was chosen, the next free one is used and said).
 * External broker: the process never waits for it — the API comes up while the broker is away.
 * The worker itself keeps connecting with backoff while the broker is unreachable (health: not
 * connected); should starting it fail anyway (the broker refuses us, say), it is started again
 * with exponential backoff (1 s doubling to 30 s, jittered) and the broker state says so
 * (`retry`) meanwhile.
 */
import type { Config } from '../config.ts';
import type { Db } from '../db/db.ts';
import type { Logger } from '../logger.ts';
import type { Readiness } from '../system/readiness.ts';
import { BrokerPortInUseError, type BrokerState } from './broker.ts';
import { ingestCheck } from './ingest.health.ts';
import { type Iot, type IotRole, startIot } from './iot.ts';

export interface IngestOptions {
  config: Pick<Config, 'mqttUrl' | 'mqttPort'> &
    Partial<Pick<Config, 'readingsRetentionDays' | 'rollupRetentionDays' | 'ingestDeviceRate'>>;
  /** Embedded broker: move to the next free port when `mqttPort` is taken (it was not chosen explicitly). */
  portFallback?: boolean;
  /** External broker: base of this process's MQTT client ids (unique per process). */
  clientId: string;
  /** External broker: shared-subscription group (`ONEGRID_MQTT_SHARE_GROUP`). */
  group: string;
  /** External broker: `<topicPrefix>/devices/<id>/telemetry` (`ONEGRID_MQTT_TOPIC_PREFIX`). */
  topicPrefix: string;
  retryMinMs?: number;
  retryMaxMs?: number;
  /** Where the ingest readiness check goes (`GET /api/v1/health/ready`); buildServer fills it in. */
  readiness?: Readiness;
  /** Seconds without a message, while devices are active, before ingest counts as stalled. */
  stallSeconds?: number;
}

export interface IngestRole {
  state(): BrokerState;
  /** The embedded broker's port (undefined with an external broker). */
  port: number | undefined;
  close(): Promise<void>;
}

/** `mqtt://user:secret@host` → `mqtt://user@host`: states and logs never carry the password. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    return u.toString();
  } catch {
    return url;
  }
}

export async function startIngestRole(d: {
  iot: Iot;
  db: Db;
  log: Logger;
  options: IngestOptions;
}): Promise<IngestRole> {
  const { iot, db, log, options: o } = d;
  const ilog = log.child({ category: 'ingest' });
  const start = (config: IngestOptions['config']) =>
    startIot({
      iot,
      db,
      log,
      config,
      group: o.group,
      clientId: o.clientId,
      topicPrefix: o.topicPrefix,
      maintenance: false,
      ...(o.readiness ? { readiness: o.readiness } : {}),
      ...(o.stallSeconds !== undefined ? { stallSeconds: o.stallSeconds } : {}),
    });

  if (!o.config.mqttUrl) {
    const role = await startEmbedded(o, start, ilog);
    return { state: role.brokerState, port: role.port, close: role.close };
  }

  const url = redactUrl(o.config.mqttUrl);
  const minMs = o.retryMinMs ?? 1000;
  const maxMs = o.retryMaxMs ?? 30_000;
  let role: IotRole | undefined;
  let closed = false;
  let attempts = 0;
  let lastError = '';
  let nextAttemptAt = new Date();
  let timer: NodeJS.Timeout | undefined;
  let pending: Promise<void> | undefined;
  const state = (): BrokerState =>
    role
      ? role.brokerState()
      : {
          mode: 'external',
          connected: false,
          url,
          ...(attempts > 0
            ? { retry: { attempts, lastError, nextAttemptAt: nextAttemptAt.toISOString() } }
            : {}),
        };
  iot.attachBroker(state);
  // Not ready while the broker is away (the worker registers its own check once connected).
  const unregister =
    o.readiness?.register(
      'ingest',
      ingestCheck({ db, state, activity: iot.activity, stallMs: (o.stallSeconds ?? 60) * 1000 }),
    ) ?? (() => {});

  async function attempt(): Promise<void> {
    attempts++;
    try {
      const r = await start(o.config);
      if (closed) {
        await r.close();
        return;
      }
      role = r;
      if (attempts > 1) ilog.info({ attempts }, `ingest worker started on ${url} after ${attempts} attempts`);
    } catch (e) {
      if (closed) return;
      lastError = (e as Error).message.replaceAll(o.config.mqttUrl ?? url, url);
      // Exponential backoff with jitter, so a fleet of workers does not reconnect in step.
      const delay = Math.min(maxMs, minMs * 2 ** Math.min(attempts - 1, 16)) * (0.75 + Math.random() / 2);
      nextAttemptAt = new Date(Date.now() + delay);
      iot.attachBroker(state);
      ilog.warn(
        { attempts, err: lastError, retryInMs: Math.round(delay) },
        `the MQTT broker at ${url} is not reachable; the API runs on, ingest retries`,
      );
      timer = setTimeout(() => {
        pending = attempt();
      }, delay);
      timer.unref();
    }
  }
  pending = attempt();

  return {
    state,
    port: undefined,
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await pending;
      if (!role) unregister();
      await role?.close();
      iot.attachBroker(() => ({ mode: 'off', connected: false }));
    },
  };
}

async function startEmbedded(
  o: IngestOptions,
  start: (config: IngestOptions['config']) => Promise<IotRole>,
  log: Logger,
): Promise<IotRole> {
  try {
    return await start(o.config);
  } catch (e) {
    if (!(e instanceof BrokerPortInUseError) || !o.portFallback) throw e;
    for (const port of [1884, 1885, 1886, 1887, 1888, 0]) {
      try {
        const role = await start({ ...o.config, mqttPort: port });
        const msg = `MQTT port ${o.config.mqttPort} is in use (another broker?); the embedded broker listens on ${role.port} instead. Set ONEGRID_MQTT_PORT to choose.`;
        log.warn(msg);
        console.log(`\n${msg}`);
        return role;
      } catch (again) {
        if (!(again instanceof BrokerPortInUseError)) throw again;
      }
    }
    throw e;
  }
}
