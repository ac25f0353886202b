import os from 'node:os';
import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import { generate } from 'mqtt-packet';
import type { Logger } from '../logger.ts';
import { type BrokerState, deviceOfTopic } from './broker.ts';
import type { IngestStats } from './ingest.stats.ts';
import type { TelemetryService } from './telemetry.service.ts';

export interface IngestWorker {
  state(): BrokerState;
  stats(): { received: number; stored: number; failed: number };
  close(): Promise<void>;
}

export interface IngestWorkerOptions {
  url: string;
  telemetry: TelemetryService;
  stats: IngestStats;
  log: Logger;
  /** Shared-subscription group: workers in one group split the stream. */
  group?: string;
  /** Base of the MQTT client ids; stable ids let a restarted worker resume its session. */
  clientId?: string;
  /** Subscriber connections of this worker (each one has its own in-flight window at the broker). */
  connections?: number;
  /**
   * Seconds the broker keeps the session after a disconnect. A worker restarted with the same
   * client id within it gets every message it had not acknowledged. Mosquitto keeps dealing a
   * dead member its share of the group meanwhile, so a worker gone for good strands that share
   * until the session expires: hence minutes, not hours. 0 means a clean session.
   */
  sessionExpiry?: number;
}

/**
 * Ingestion from an external broker (Mosquitto, EMQX …): MQTT 5 shared subscription
 * `$share/<group>/onegrid/devices/+/telemetry` at QoS 1, so N workers split one stream. Device
 * authentication is the broker's job in this mode.
 *
 * A PUBACK is sent only after the readings are durable. mqtt.js acknowledges when `handleMessage`
 * calls back and handles one message at a time, which would mean one database round trip per
 * message; instead `handleMessage` returns at once without letting mqtt.js acknowledge, and the
 * PUBACK is written on that connection's stream once the batch holding the message is stored. If
 * storing fails the connection is dropped: the broker redelivers the unacknowledged messages to
 * the resumed session, and the primary key makes the redelivery harmless.
 */
export async function startIngestWorker(o: IngestWorkerOptions): Promise<IngestWorker> {
  const log = o.log.child({ category: 'ingest' });
  const group = o.group ?? 'onegrid';
  const base = o.clientId ?? `onegrid-ingest-${os.hostname()}`.slice(0, 60);
  const topic = `$share/${group}/onegrid/devices/+/telemetry`;
  const counters = { received: 0, stored: 0, failed: 0 };
  const clients: MqttClient[] = [];
  const DEFERRED = new Error('acknowledged after storage');

  function connect(i: number): Promise<MqttClient> {
    const client = mqtt.connect(o.url, {
      protocolVersion: 5,
      clientId: `${base}-${i}`,
      clean: (o.sessionExpiry ?? 600) === 0,
      properties: { sessionExpiryInterval: o.sessionExpiry ?? 600, receiveMaximum: 1000 },
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
    });
    client.handleMessage = (packet, callback) => {
      if (packet.cmd !== 'publish') return callback();
      const p = packet as IPublishPacket;
      const stream = client.stream;
      counters.received++;
      const deviceId = deviceOfTopic(p.topic);
      const work = deviceId
        ? o.telemetry.ingestPayload(deviceId, p.payload as Buffer)
        : Promise.resolve(
            o.stats.reject(
              p.topic.slice(0, 64),
              { code: 'forbidden_topic', message: `unexpected topic ${p.topic}` },
              Date.now(),
            ),
          );
      if (p.qos === 0) {
        work.then(
          () => counters.stored++,
          (e: unknown) => {
            counters.failed++;
            log.warn({ err: e }, 'QoS 0 readings lost: not stored');
          },
        );
        return callback();
      }
      work.then(
        () => {
          counters.stored++;
          // Only on the connection it came in on: after a reconnect the broker resends it anyway.
          if (client.stream === stream && !stream.destroyed) {
            stream.write(
              generate({ cmd: 'puback', messageId: p.messageId, reasonCode: 0 }, { protocolVersion: 5 }),
            );
          }
        },
        (e: unknown) => {
          counters.failed++;
          log.warn({ err: e }, 'readings not stored; reconnecting so the broker redelivers them');
          if (client.stream === stream) stream.destroy();
        },
      );
      // mqtt.js skips its own PUBACK when handleMessage reports an error, and moves on.
      return callback(DEFERRED);
    };
    client.on('connect', (connack) => {
      if (!connack.sessionPresent || o.sessionExpiry === 0) {
        client.subscribe(topic, { qos: 1 }, (err) => {
          if (err) log.error({ err }, `subscribing to ${topic} failed`);
        });
      }
      log.info(
        { clientId: `${base}-${i}`, sessionPresent: connack.sessionPresent },
        `ingest worker connected to ${o.url}`,
      );
    });
    client.on('error', (e) => log.warn({ err: e.message }, 'ingest worker MQTT error'));
    client.on('offline', () => log.warn(`ingest worker offline; reconnecting to ${o.url}`));
    clients.push(client);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`cannot reach the MQTT broker at ${o.url}`)), 10_000);
      client.once('connect', () => {
        clearTimeout(t);
        resolve(client);
      });
    });
  }

  try {
    await Promise.all(Array.from({ length: o.connections ?? 4 }, (_, i) => connect(i)));
  } catch (e) {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    throw e;
  }

  return {
    state: () => ({ mode: 'external', connected: clients.some((c) => c.connected), url: o.url }),
    stats: () => ({ ...counters }),
    async close() {
      await Promise.all(clients.map((c) => c.endAsync(false).catch(() => c.endAsync(true))));
    },
  };
}
