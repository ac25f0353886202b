/**
 * One MQTT 5 subscriber connection for the ingestion workers, lean on purpose. A general client
 * (mqtt.js) parses every packet into an object through a buffer list, logs through `debug` and
 * runs its own handler chain; at tens of thousands of messages a second that cost as much as
 * storing them. Here PUBLISH frames are cut out of the socket's chunks by hand (topic, packet id,
 * zero-copy payload); the rare other packets (CONNACK, SUBACK, PINGRESP, DISCONNECT) go through
 * mqtt-packet. PUBACKs are written when the caller says the message is durable, coalesced into
 * one socket write per turn of the event loop.
 *
 * It keeps a persistent session (clean start only when `sessionExpiry` is 0) and subscribes on
 * every connect, whatever "session present" says: Mosquitto with `persistence true` restores the
 * session after a restart but not its shared subscription, and a worker that trusted the flag
 * would never receive again. It pings while idle and reconnects with the same client id, with
 * backoff (`reconnectMs` doubling up to `maxReconnectMs`, reset by a CONNACK), so the broker
 * resends what was not acknowledged.
 *
 * Bytes are handled in linear time: the chunks of an incomplete packet are only collected (no
 * copy per chunk) and joined once the packet is whole. CONNECT carries an MQTT 5 Maximum Packet
 * Size, so the broker never sends more; a broker that does anyway has the packet skipped unread
 * and handed over as `tooLarge` (the caller counts and acknowledges it). TCP (`mqtt:`, `tcp:`) and
 * TLS (`mqtts:`, `ssl:`); user name and password from the URL.
 */
import net from 'node:net';
import tls from 'node:tls';
import { generate, parser as mqttParser, type Packet } from 'mqtt-packet';

export interface InboundMessage {
  topic: string;
  payload: Buffer;
  qos: number;
  messageId: number;
  /** Set when the packet exceeded `maxPacketSize`: its size; the payload was skipped (empty). */
  tooLarge?: number;
}

export interface SubscriberOptions {
  url: string;
  clientId: string;
  /** Broker credentials; they take precedence over a user name and password in the URL. */
  username?: string;
  password?: string;
  /** Topic filter, e.g. `$share/onegrid/onegrid/devices/+/telemetry`; subscribed at QoS 1. */
  topic: string;
  sessionExpiry: number;
  receiveMaximum: number;
  keepalive?: number;
  /** First reconnect delay; doubles on each failed attempt up to `maxReconnectMs`. */
  reconnectMs?: number;
  maxReconnectMs?: number;
  connectTimeoutMs?: number;
  /** MQTT 5 Maximum Packet Size sent in CONNECT (default 1 MiB). */
  maxPacketSize?: number;
  /**
   * When the broker cannot be reached at the first attempt: keep trying with backoff (`ready`
   * waits, `onOffline` reports each failure) instead of rejecting `ready`.
   */
  retryFirstConnect?: boolean;
  /** A message arrived; `ack` (QoS 1 only) sends its PUBACK on the connection it came in on. */
  onMessage(m: InboundMessage, ack: () => void, drop: () => void): void;
  onConnect?(sessionPresent: boolean): void;
  /** The subscription was granted (after every connect). */
  onSubscribed?(): void;
  onError?(message: string): void;
  onOffline?(): void;
}

export interface Subscriber {
  readonly connected: boolean;
  /** Connected and the subscription granted on this connection. */
  readonly subscribed: boolean;
  /** Resolves once subscribed (or the session resumed); rejects if the broker cannot be reached or refuses. */
  ready: Promise<void>;
  /** Sends DISCONNECT (the session stays for `sessionExpiry`) or, with `force`, just drops the socket. */
  close(force?: boolean): Promise<void>;
}

const PUBLISH = 3;

/** PUBACKs with reason Success (MQTT 5 lets the reason code and properties be left out then). */
export function pubacks(messageIds: readonly number[]): Buffer {
  const buf = Buffer.allocUnsafe(4 * messageIds.length);
  for (let i = 0; i < messageIds.length; i++) {
    const id = messageIds[i]!;
    buf[4 * i] = 0x40;
    buf[4 * i + 1] = 2;
    buf[4 * i + 2] = id >> 8;
    buf[4 * i + 3] = id & 0xff;
  }
  return buf;
}

/** A variable byte integer at `o`: [value, bytes], or undefined when the buffer ends first. */
function varint(buf: Buffer, o: number): [number, number] | undefined {
  let value = 0;
  let mult = 1;
  for (let i = 0; i < 4; i++) {
    if (o + i >= buf.length) return undefined;
    const b = buf[o + i]!;
    value += (b & 0x7f) * mult;
    if ((b & 0x80) === 0) return [value, i + 1];
    mult *= 128;
  }
  throw new Error('malformed remaining length');
}

/** Why a CONNACK refused us, in words an operator can act on. */
function refusal(code: number, username: string | undefined): string {
  const who = username ? `user ${username}` : 'an anonymous client';
  // Mosquitto 2.0 answers a wrong password with "not authorised" (0x87) too.
  if (code === 0x86 || code === 0x87 || code === 4 || code === 5)
    return (
      `${who} was refused: bad user name or password, or not authorised (reason ${code}); ` +
      'check ONEGRID_MQTT_USERNAME and ONEGRID_MQTT_PASSWORD against the broker'
    );
  return `reason ${code}`;
}

export function startSubscriber(o: SubscriberOptions): Subscriber {
  const url = new URL(o.url);
  if (!['mqtt:', 'tcp:', 'mqtts:', 'ssl:'].includes(url.protocol)) {
    throw new Error(`the ingest worker speaks MQTT over TCP or TLS (mqtt://, mqtts://), not ${url.protocol}`);
  }
  const secure = url.protocol === 'mqtts:' || url.protocol === 'ssl:';
  const port = Number(url.port || (secure ? 8883 : 1883));
  const keepalive = o.keepalive ?? 60;
  const maxPacketSize = o.maxPacketSize ?? 1_048_576;
  const firstDelay = o.reconnectMs ?? 500;
  const maxDelay = Math.max(firstDelay, o.maxReconnectMs ?? 30_000);
  let delay = firstDelay;
  const username = o.username ?? (url.username ? decodeURIComponent(url.username) : undefined);
  const password = o.password ?? (url.password ? decodeURIComponent(url.password) : undefined);
  let socket: net.Socket | undefined;
  let connected = false;
  let subscribed = false;
  let closing = false;
  let pingTimer: NodeJS.Timeout | undefined;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let settle: { resolve(): void; reject(e: Error): void } | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });

  function open() {
    const s = secure
      ? tls.connect({ host: url.hostname, port, servername: url.hostname })
      : net.connect({ host: url.hostname, port });
    s.setNoDelay(true);
    socket = s;
    const control = mqttParser({ protocolVersion: 5 });
    // An incomplete packet's chunks, joined once `need` bytes are there; `skip` bytes of an
    // oversized packet still to come and to be thrown away.
    let parts: Buffer[] = [];
    let partsLength = 0;
    let need = 0;
    let skip = 0;
    let acks: number[] = [];
    const flushAcks = () => {
      const ids = acks;
      acks = [];
      // Only on the connection they came in on: after a reconnect the broker resends them anyway.
      if (socket === s && !s.destroyed && ids.length > 0) s.write(pubacks(ids));
    };
    const ackOf = (messageId: number) => () => {
      if (acks.length === 0) setImmediate(flushAcks);
      acks.push(messageId);
    };
    const drop = () => {
      if (socket === s) s.destroy();
    };
    const timeout = setTimeout(() => {
      o.onError?.(`no CONNACK from ${url.host} within ${o.connectTimeoutMs ?? 10_000} ms`);
      s.destroy();
    }, o.connectTimeoutMs ?? 10_000);

    s.once(secure ? 'secureConnect' : 'connect', () => {
      s.write(
        generate(
          {
            cmd: 'connect',
            protocolId: 'MQTT',
            protocolVersion: 5,
            clientId: o.clientId,
            clean: o.sessionExpiry === 0,
            keepalive,
            properties: {
              sessionExpiryInterval: o.sessionExpiry,
              receiveMaximum: o.receiveMaximum,
              maximumPacketSize: maxPacketSize,
            },
            ...(username ? { username } : {}),
            ...(password ? { password: Buffer.from(password) } : {}),
          },
          { protocolVersion: 5 },
        ),
      );
    });

    control.on('packet', (p: Packet) => {
      if (p.cmd === 'connack') {
        clearTimeout(timeout);
        const code = p.reasonCode ?? p.returnCode ?? 0;
        if (code !== 0) {
          const e = new Error(`the broker at ${url.host} refused ${o.clientId}: ${refusal(code, username)}`);
          o.onError?.(e.message);
          settle?.reject(e);
          settle = undefined;
          s.destroy();
          return;
        }
        connected = true;
        delay = firstDelay;
        pingTimer = setInterval(() => s.write(generate({ cmd: 'pingreq' })), (keepalive * 1000) / 2);
        pingTimer.unref();
        o.onConnect?.(p.sessionPresent);
        // Always: a restored session need not hold the (shared) subscription.
        s.write(
          generate(
            { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: o.topic, qos: 1 }] },
            { protocolVersion: 5 },
          ),
        );
      } else if (p.cmd === 'suback') {
        const granted = p.granted as number[];
        if (granted.some((g) => g >= 0x80)) {
          const e = new Error(`subscribing to ${o.topic} failed (reason ${granted.join(', ')})`);
          o.onError?.(e.message);
          settle?.reject(e);
          settle = undefined;
          s.destroy();
          return;
        }
        subscribed = true;
        o.onSubscribed?.();
        settle?.resolve();
        settle = undefined;
      } else if (p.cmd === 'disconnect') {
        o.onError?.(`the broker disconnected ${o.clientId} (reason ${p.reasonCode ?? 0})`);
        s.destroy();
      }
    });
    control.on('error', (e: Error) => {
      o.onError?.(`bad packet from the broker: ${e.message}`);
      s.destroy();
    });

    s.on('data', (input: Buffer) => {
      let chunk = input;
      if (skip > 0) {
        if (chunk.length <= skip) {
          skip -= chunk.length;
          return;
        }
        chunk = chunk.subarray(skip);
        skip = 0;
      }
      let buf: Buffer;
      if (partsLength > 0) {
        parts.push(chunk);
        partsLength += chunk.length;
        if (partsLength < need) return;
        buf = Buffer.concat(parts, partsLength);
        parts = [];
        partsLength = 0;
      } else buf = chunk;
      let at = 0;
      try {
        while (buf.length - at >= 2) {
          const len = varint(buf, at + 1);
          if (!len) {
            need = buf.length - at + 1;
            break;
          }
          const start = at + 1 + len[1];
          const end = start + len[0];
          const first = buf[at]!;
          if (end - at > maxPacketSize) {
            if (first >> 4 !== PUBLISH) throw new Error(`packet of ${end - at} bytes over the maximum`);
            // Only the topic and packet id are needed; the rest is skipped as it streams in.
            const qos = (first >> 1) & 3;
            if (buf.length < start + 2) {
              need = start + 2 - at;
              break;
            }
            const topicLength = buf.readUInt16BE(start);
            const headEnd = start + 2 + topicLength + (qos > 0 ? 2 : 0);
            if (buf.length < headEnd) {
              need = headEnd - at;
              break;
            }
            const topic = buf.toString('utf8', start + 2, start + 2 + topicLength);
            const messageId = qos > 0 ? buf.readUInt16BE(start + 2 + topicLength) : 0;
            const m = { topic, payload: Buffer.alloc(0), qos, messageId, tooLarge: end - at };
            o.onMessage(m, ackOf(messageId), drop);
            if (end > buf.length) {
              skip = end - buf.length;
              at = buf.length;
              break;
            }
            at = end;
            continue;
          }
          if (end > buf.length) {
            need = end - at;
            break;
          }
          if (first >> 4 === PUBLISH) {
            const qos = (first >> 1) & 3;
            let p = start;
            const topicLength = buf.readUInt16BE(p);
            p += 2;
            const topic = buf.toString('utf8', p, p + topicLength);
            p += topicLength;
            let messageId = 0;
            if (qos > 0) {
              messageId = buf.readUInt16BE(p);
              p += 2;
            }
            const props = varint(buf, p);
            if (!props) throw new Error('malformed PUBLISH properties');
            p += props[1] + props[0];
            if (p > end) throw new Error('malformed PUBLISH');
            o.onMessage({ topic, payload: buf.subarray(p, end), qos, messageId }, ackOf(messageId), drop);
          } else {
            control.parse(buf.subarray(at, end));
          }
          at = end;
        }
      } catch (e) {
        o.onError?.(`bad packet from the broker: ${(e as Error).message}`);
        s.destroy();
        return;
      }
      if (at < buf.length) {
        parts = [buf.subarray(at)];
        partsLength = buf.length - at;
        if (need <= partsLength) need = partsLength + 1;
      }
    });
    s.on('error', (e) => o.onError?.(e.message));
    s.on('close', () => {
      clearTimeout(timeout);
      if (pingTimer) clearInterval(pingTimer);
      pingTimer = undefined;
      const was = connected;
      connected = false;
      subscribed = false;
      if (socket === s) socket = undefined;
      if (closing) return;
      if (settle && !was && !o.retryFirstConnect) {
        // Never connected: the first attempt reports the failure instead of retrying quietly.
        settle.reject(new Error(`cannot reach the MQTT broker at ${o.url}`));
        settle = undefined;
        return;
      }
      o.onOffline?.();
      reconnectTimer = setTimeout(open, delay);
      delay = Math.min(maxDelay, delay * 2);
    });
  }

  open();
  return {
    get connected() {
      return connected;
    },
    get subscribed() {
      return subscribed;
    },
    ready,
    async close(force = false) {
      closing = true;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      const s = socket;
      if (!s || s.destroyed) return;
      await new Promise<void>((resolve) => {
        s.once('close', () => resolve());
        if (force || !connected) s.destroy();
        else s.end(generate({ cmd: 'disconnect', reasonCode: 0 }, { protocolVersion: 5 }));
        setTimeout(() => s.destroy(), 2000).unref();
      });
    },
  };
}
