import net from 'node:net';
import { Aedes, type AuthenticateError } from 'aedes';
import type { Logger } from '../logger.ts';
import type { DeviceDirectory } from './device.directory.ts';
import { type IngestStats, UNKNOWN_DEVICE } from './ingest.stats.ts';
import type { TelemetryService } from './telemetry.service.ts';

export interface BrokerState {
  mode: 'embedded' | 'external' | 'off';
  connected: boolean;
  /** External broker: every connection holds its subscription (false: connected, but nothing arrives). */
  subscribed?: boolean;
  url?: string;
  /** Why it is not connected (a refusal, the broker away), when known. */
  error?: string;
  /** External broker not reached yet: the ingest role keeps trying with backoff (the API is up meanwhile). */
  retry?: { attempts: number; lastError: string; nextAttemptAt: string };
}

export interface EmbeddedBroker {
  port: number;
  state(): BrokerState;
  clients(): number;
  close(): Promise<void>;
}

export class BrokerPortInUseError extends Error {
  constructor(port: number) {
    super(
      `The embedded MQTT broker cannot listen on port ${port}: the port is in use (often a system Mosquitto). ` +
        'Set ONEGRID_MQTT_PORT to a free port, or MQTT_URL to use the broker that is already running.',
    );
  }
}

/**
 * Devices publish to `<prefix>/devices/<id>/telemetry`. The prefix (`ONEGRID_MQTT_TOPIC_PREFIX`,
 * default `onegrid`) lets two deployments share one broker.
 */
export const telemetryTopic = (deviceId: string, prefix = 'onegrid') =>
  `${prefix}/devices/${deviceId}/telemetry`;
export function deviceOfTopic(topic: string, prefix = 'onegrid'): string | undefined {
  const head = `${prefix}/devices/`;
  const tail = '/telemetry';
  if (!topic.startsWith(head) || !topic.endsWith(tail)) return undefined;
  const id = topic.slice(head.length, topic.length - tail.length);
  return id.length > 0 && !id.includes('/') ? id : undefined;
}

// CONNACK return codes of MQTT 3.1.1.
const BAD_USERNAME_OR_PASSWORD = 4;
const NOT_AUTHORIZED = 5;
const refused = (message: string, code: number): AuthenticateError =>
  Object.assign(new Error(message), { returnCode: code }) as unknown as AuthenticateError;

/** Largest MQTT packet a device may send the embedded broker (as `max_packet_size` in Mosquitto). */
export const defaultMaxPacketBytes = 262_144;
/** Longest a device's publish waits for its rate share before it is refused (not acknowledged). */
const maxRateWaitMs = 10_000;

/**
 * Watches the bytes of one connection as aedes reads them and reports the first packet whose
 * declared length exceeds `max`, before its body arrives: aedes (mqtt-packet) would otherwise
 * buffer any size. Linear: only fixed headers are looked at, bodies are skipped by count.
 */
export function packetSizeGuard(max: number, onTooLarge: (size: number) => void): (chunk: Buffer) => void {
  let skip = 0;
  let header: number[] = [];
  let tripped = false;
  return (chunk) => {
    let i = 0;
    while (i < chunk.length && !tripped) {
      if (skip > 0) {
        const n = Math.min(skip, chunk.length - i);
        skip -= n;
        i += n;
        continue;
      }
      const b = chunk[i++]!;
      header.push(b);
      if (header.length === 1) continue;
      if (b & 0x80) {
        if (header.length === 5) {
          tripped = true;
          onTooLarge(Number.POSITIVE_INFINITY);
        }
        continue;
      }
      let len = 0;
      for (let k = header.length - 1; k >= 1; k--) len = len * 128 + (header[k]! & 0x7f);
      header = [];
      if (len > max) {
        tripped = true;
        onTooLarge(len);
        return;
      }
      skip = len;
    }
  };
}

/**
 * The embedded broker (aedes, MQTT 3.1.1). Devices connect with their id as client id and
 * username and their token as password, and may only publish to their own telemetry topic.
 *
 * Durability: aedes writes the PUBACK of a QoS 1 publish right after `authorizePublish` calls back
 * (lib/handlers/publish.js: authorizePublish → enqueuePublish → PUBACK → `published`), so the
 * readings are written inside `authorizePublish` and the callback waits until they are durable.
 * aedes processes one socket read's packets concurrently and reads the next chunk only when they
 * are done, so a slow database holds back that device's socket (back-pressure), not the others.
 *
 * The device's rate is applied the same way, before the PUBACK: a publish over the rate waits for
 * its share (up to 10 s; beyond, it is refused and the device sends it again), so nothing that was
 * acknowledged is dropped, and a backlog resent after a restart is slowed, not lost. A bad payload
 * is acknowledged and dead-lettered (sending it again would not help); a packet over
 * `maxPacketBytes` closes the connection before its body is read, as Mosquitto does.
 */
export async function startEmbeddedBroker(o: {
  port: number;
  host?: string;
  directory: DeviceDirectory;
  telemetry: TelemetryService;
  stats: IngestStats;
  log: Logger;
  maxPacketBytes?: number;
}): Promise<EmbeddedBroker> {
  const maxPacketBytes = o.maxPacketBytes ?? defaultMaxPacketBytes;
  const log = o.log.child({ category: 'ingest' });
  const broker = new Aedes({ heartbeatInterval: 60_000, drainTimeout: 30_000, connectTimeout: 10_000 });
  await broker.listen();

  broker.authenticate = (client, username, password, done) => {
    const id = client.id;
    if (!username || username !== id || !password) {
      done(
        refused(
          'client id and username must both be the device id, password its token',
          BAD_USERNAME_OR_PASSWORD,
        ),
        false,
      );
      return;
    }
    o.directory.lookup(id).then(
      (device) => {
        const now = Date.now();
        if (!device) {
          o.stats.reject(
            id,
            { code: 'unknown_device', message: `unknown device ${id.slice(0, 64)} refused at connect` },
            now,
          );
          done(refused('unknown device', NOT_AUTHORIZED), false);
        } else if (!o.directory.verifyToken(device, password.toString('utf8'))) {
          o.stats.reject(id, { code: 'wrong_token', message: 'wrong token at connect' }, now);
          done(refused('wrong token', BAD_USERNAME_OR_PASSWORD), false);
        } else if (device.status === 'disabled') {
          o.stats.reject(id, { code: 'device_disabled', message: 'disabled device refused at connect' }, now);
          done(refused('device disabled', NOT_AUTHORIZED), false);
        } else done(null, true);
      },
      (e: unknown) => {
        log.error({ err: e }, 'device lookup failed at connect');
        done(refused('server unavailable', 3), false);
      },
    );
  };

  broker.authorizePublish = (client, packet, callback) => {
    if (!client) return callback(new Error('no client'));
    if (packet.topic !== telemetryTopic(client.id)) {
      o.stats.reject(
        client.id,
        { code: 'forbidden_topic', message: `may not publish to ${packet.topic.slice(0, 100)}` },
        Date.now(),
      );
      return callback(new Error(`${client.id} may only publish to ${telemetryTopic(client.id)}`));
    }
    const id = client.id;
    const admitted = o.telemetry.admit(id, Date.now(), maxRateWaitMs);
    if (!admitted.ok) {
      // Not acknowledged: the connection closes and the device sends it again later.
      o.stats.reject(
        id,
        { code: 'rate_limited', message: 'over the rate; refused before the PUBACK' },
        Date.now(),
      );
      return callback(new Error(`${id} publishes faster than its rate`));
    }
    const ingest = () =>
      o.telemetry
        .ingestPayload(id, packet.payload as Buffer, undefined, { admitted: true, source: 'mqtt' })
        .then(
          // Bad payloads are acknowledged too: they were counted, and sending them again won't help.
          () => callback(null),
          // Not stored: no PUBACK. The error closes the connection; the device reconnects and resends.
          (e: unknown) => {
            log.warn({ err: e, deviceId: id }, 'readings not stored; disconnecting the device so it resends');
            callback(e instanceof Error ? e : new Error(String(e)));
          },
        );
    if (admitted.waitMs > 0) setTimeout(ingest, admitted.waitMs);
    else void ingest();
  };

  // Devices only publish; subscriptions are refused without dropping the connection.
  broker.authorizeSubscribe = (_client, _sub, callback) => callback(null, null);

  broker.on('clientError', (client, err) =>
    log.debug({ deviceId: client.id, err: err.message }, 'mqtt client error'),
  );
  broker.on('connectionError', (client, err) =>
    log.debug({ deviceId: client.id, err: err.message }, 'mqtt connection error'),
  );

  const server = net.createServer((socket) => {
    const client = broker.handle(socket);
    // After aedes' 'readable' listener: 'data' then fires for each chunk aedes reads, before parsing.
    socket.on(
      'data',
      packetSizeGuard(maxPacketBytes, (size) => {
        const id = client.id || UNKNOWN_DEVICE;
        o.stats.reject(
          id,
          { code: 'payload_too_large', message: `MQTT packet of ${size} bytes exceeds ${maxPacketBytes}` },
          Date.now(),
          { source: 'broker' },
        );
        socket.destroy();
      }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      broker.close();
      reject(e.code === 'EADDRINUSE' ? new BrokerPortInUseError(o.port) : e);
    });
    server.listen(o.port, o.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : o.port;
  log.info({ port }, `embedded MQTT broker listening on ${port}`);
  let open = true;

  return {
    port,
    state: () => ({ mode: 'embedded', connected: open, url: `mqtt://localhost:${port}` }),
    clients: () => broker.connectedClients,
    async close() {
      open = false;
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
