import os from 'node:os';
import type { Logger } from '../logger.ts';
import { type BrokerState, deviceOfTopic } from './broker.ts';
import { redact } from './dynsec.ts';
import { type IngestStats, UNKNOWN_DEVICE } from './ingest.stats.ts';
import { type Subscriber, startSubscriber } from './mqtt.subscriber.ts';
import type { TelemetryService } from './telemetry.service.ts';

export interface IngestWorker {
  state(): BrokerState;
  /** Every connection is up and subscribed (health: ingest works). */
  subscribed(): boolean;
  stats(): { received: number; stored: number; failed: number; connects: number; subscribes: number };
  close(): Promise<void>;
}

export interface IngestWorkerOptions {
  url: string;
  /** The workers' broker client (ONEGRID_MQTT_USERNAME/PASSWORD); else from the URL, if any. */
  username?: string;
  password?: string;
  telemetry: TelemetryService;
  stats: IngestStats;
  log: Logger;
  /** Shared-subscription group: workers in one group split the stream. */
  group?: string;
  /** Base of the MQTT client ids; stable ids let a restarted worker resume its session. */
  clientId?: string;
  /** Topics are `<topicPrefix>/devices/<id>/telemetry` (default `onegrid`). */
  topicPrefix?: string;
  /** Subscriber connections of this worker (each one has its own in-flight window at the broker). */
  connections?: number;
  /**
   * Messages the broker may have in flight to each connection, unacknowledged (MQTT 5 Receive
   * Maximum). A PUBACK waits for the batch to be durable, so this must cover a few batches;
   * beyond it Mosquitto queues (`max_queued_messages`, 1,000 by default) and then drops.
   */
  receiveMaximum?: number;
  /**
   * Seconds the broker keeps the session after a disconnect. A worker restarted with the same
   * client id within it gets every message it had not acknowledged. Mosquitto keeps dealing a
   * dead member its share of the group meanwhile, so a worker gone for good strands that share
   * until the session expires: hence minutes, not hours. 0 means a clean session.
   */
  sessionExpiry?: number;
  /** MQTT 5 Maximum Packet Size the broker may send this worker (default 1 MiB). */
  maxPacketSize?: number;
  /** First reconnect delay (doubles up to 30 s). */
  reconnectMs?: number;
  /**
   * The broker is down at start: resolve anyway after the first failed attempt and keep
   * connecting with backoff (the API runs meanwhile; health says ingest is not connected).
   * Default true; false rejects instead.
   */
  startWithoutBroker?: boolean;
}

/**
 * Ingestion from an external broker (Mosquitto, EMQX …): MQTT 5 shared subscription
 * `$share/<group>/onegrid/devices/+/telemetry` at QoS 1, so N workers (and N connections of each)
 * split one stream. Device authentication is the broker's job in this mode.
 *
 * A PUBACK is sent only after the readings are durable: each message goes to the telemetry
 * service at once, the service's batcher gathers thousands into one COPY, and the PUBACKs of a
 * stored batch leave together (mqtt.subscriber.ts). The broker keeps up to `receiveMaximum`
 * messages in flight per connection meanwhile. If storing fails the connection is dropped: the
 * broker redelivers the unacknowledged messages to the resumed session, and the primary key makes
 * the redelivery harmless. A message that cannot be stored for what it holds (bad JSON, a
 * timestamp out of range, an unknown device, too large …) is counted, dead-lettered and
 * acknowledged, so the broker does not deliver it again and again; and what the broker delivers
 * is stored even when a device is over its rate (it was acknowledged to the device already; the
 * excess is counted as `overRate`).
 */
export async function startIngestWorker(o: IngestWorkerOptions): Promise<IngestWorker> {
  const log = o.log.child({ category: 'ingest' });
  const group = o.group ?? 'onegrid';
  const base = o.clientId ?? `onegrid-ingest-${os.hostname()}`.slice(0, 60);
  const prefix = o.topicPrefix ?? 'onegrid';
  const topic = `$share/${group}/${prefix}/devices/+/telemetry`;
  const counters = { received: 0, stored: 0, failed: 0, connects: 0, subscribes: 0 };
  const sessionExpiry = o.sessionExpiry ?? 600;
  let lastError: string | undefined;

  const soft = o.startWithoutBroker ?? true;
  let firstFailure: () => void = () => {};
  const failedOnce = new Promise<'down'>((resolve) => {
    firstFailure = () => resolve('down');
  });

  function connect(i: number): Subscriber {
    const clientId = `${base}-${i}`;
    return startSubscriber({
      url: o.url,
      ...(o.username !== undefined ? { username: o.username } : {}),
      ...(o.password !== undefined ? { password: o.password } : {}),
      clientId,
      topic,
      sessionExpiry,
      receiveMaximum: o.receiveMaximum ?? 10_000,
      ...(o.maxPacketSize ? { maxPacketSize: o.maxPacketSize } : {}),
      ...(o.reconnectMs ? { reconnectMs: o.reconnectMs } : {}),
      onMessage(m, ack, drop) {
        counters.received++;
        const deviceId = deviceOfTopic(m.topic, prefix);
        const now = Date.now();
        let work: Promise<unknown>;
        if (m.tooLarge !== undefined) {
          o.stats.reject(
            deviceId ?? UNKNOWN_DEVICE,
            { code: 'payload_too_large', message: `MQTT packet of ${m.tooLarge} bytes skipped unread` },
            now,
            { source: 'mqtt' },
          );
          work = Promise.resolve();
        } else if (!deviceId) {
          o.stats.reject(
            UNKNOWN_DEVICE,
            { code: 'forbidden_topic', message: `unexpected topic ${m.topic.slice(0, 100)}` },
            now,
            { source: 'mqtt', payload: m.payload },
          );
          work = Promise.resolve();
        } else work = o.telemetry.ingestPayload(deviceId, m.payload, undefined, { source: 'mqtt' });
        work.then(
          () => {
            counters.stored++;
            if (m.qos > 0) ack();
          },
          (e: unknown) => {
            counters.failed++;
            if (m.qos === 0) {
              log.warn({ err: e }, 'QoS 0 readings lost: not stored');
              return;
            }
            log.warn({ err: e }, 'readings not stored; reconnecting so the broker redelivers them');
            drop();
          },
        );
      },
      onConnect: (sessionPresent) => {
        counters.connects++;
        lastError = undefined;
        log.info({ clientId, sessionPresent }, `ingest worker connected to ${redact(o.url)}`);
      },
      onSubscribed: () => {
        counters.subscribes++;
      },
      onError: (message) => {
        // A refusal repeats at every reconnect: log it as an error once, then quietly.
        if (message !== lastError) log.error({ clientId, err: message }, 'ingest worker MQTT error');
        lastError = message;
      },
      onOffline: () => {
        firstFailure();
        log.warn({ clientId }, `ingest worker offline; reconnecting to ${redact(o.url)}`);
      },
      retryFirstConnect: soft,
    });
  }

  const subscribers = Array.from({ length: o.connections ?? 4 }, (_, i) => connect(i));
  try {
    const up = Promise.all(subscribers.map((s) => s.ready)).then(() => 'up' as const);
    if ((await Promise.race([up, failedOnce])) === 'down') {
      up.catch((e: unknown) => log.error({ err: e }, 'ingest worker refused by the broker'));
      log.warn(`MQTT broker at ${redact(o.url)} unreachable; ingest keeps connecting with backoff`);
    }
  } catch (e) {
    await Promise.all(subscribers.map((s) => s.close(true)));
    throw e;
  }

  return {
    state: () => {
      const connected = subscribers.some((s) => s.connected);
      return {
        mode: 'external',
        connected,
        subscribed: subscribers.every((s) => s.subscribed),
        url: redact(o.url),
        ...(!connected && lastError ? { error: lastError } : {}),
      };
    },
    subscribed: () => subscribers.every((s) => s.subscribed),
    stats: () => ({ ...counters }),
    async close() {
      await Promise.all(subscribers.map((s) => s.close()));
    },
  };
}
