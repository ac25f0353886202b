/**
 * A publisher process of `onegrid bench ingest` (forked by ingest.bench.ts; talks over IPC).
 *
 * Load generation must not be what the bench measures, so this skips a general MQTT client: each
 * device is one TCP connection that writes ready-made QoS 1 PUBLISH packets (topic, message id
 * and payload laid out once per message into one buffer per burst) and reads back PUBACKs, at most
 * `window` unacknowledged per connection. Several of these processes run side by side.
 *
 * Pacing: an external broker acknowledges on receipt, not after storage, and Mosquitto drops what
 * exceeds a subscriber's queue (`max_queued_messages`), so the parent grants credit — how many
 * messages this process may have sent in all — from what the consumers have taken.
 */
import net from 'node:net';
import { generate, parser as mqttParser } from 'mqtt-packet';

export interface PublisherDevice {
  id: string;
  /** Password at connect: the device's token (both brokers check it), or a load generator's. */
  token?: string;
  /** User name at connect when it is not the device id (a load generator's client). */
  username?: string;
  topic: string;
}

export type ToPublisher =
  | {
      type: 'start';
      url: string;
      devices: PublisherDevice[];
      /** Messages per device (count mode) — or publish until `seconds` have passed. */
      perDevice?: number;
      seconds?: number;
      window: number;
      /** Timestamps: baseTs + k for the k-th message of a device (unique per device and metric). */
      baseTs: number;
      /** Initial credit (cumulative messages this process may send); absent = unpaced. */
      credit?: number;
    }
  | { type: 'go' }
  | { type: 'credit'; upTo: number }
  | { type: 'stop' };

export type FromPublisher =
  | { type: 'ready' }
  | { type: 'done'; sent: number; acked: number; ms: number; cpuMs: number }
  | { type: 'error'; message: string };

/** The bench's air-quality message: three metrics. */
export const benchPayload = (ts: number, k: number): string =>
  `{"ts":${ts},"values":{"pm25":${30 + (k % 50)},"pm10":${50 + (k % 70)},"aqi":${40 + (k % 60)}}}`;

/** Remaining-length field of an MQTT fixed header. */
function varint(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}

/** A QoS 1 PUBLISH packet (MQTT 3.1.1 and 5 alike when there are no v5 properties: here v3.1.1). */
function publishPacket(topic: Buffer, messageId: number, payload: string): Buffer {
  const body = 2 + topic.length + 2 + Buffer.byteLength(payload);
  const head = varint(body);
  const buf = Buffer.allocUnsafe(1 + head.length + body);
  let o = 0;
  buf[o++] = 0x32; // PUBLISH, QoS 1
  for (const b of head) buf[o++] = b;
  buf.writeUInt16BE(topic.length, o);
  o += 2;
  o += topic.copy(buf, o);
  buf.writeUInt16BE(messageId, o);
  o += 2;
  buf.write(payload, o, 'utf8');
  return buf;
}

interface Conn {
  socket: net.Socket;
  topic: Buffer;
  inFlight: number;
  k: number;
  nextId: number;
}

async function connect(url: URL, d: PublisherDevice): Promise<Conn> {
  const socket = net.connect({ host: url.hostname, port: Number(url.port || 1883), noDelay: true });
  const parse = mqttParser({ protocolVersion: 4 });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.write(
        generate({
          cmd: 'connect',
          protocolId: 'MQTT',
          protocolVersion: 4,
          clientId: d.id,
          clean: true,
          keepalive: 0,
          ...(d.token ? { username: d.username ?? d.id, password: Buffer.from(d.token) } : {}),
        }),
      );
    });
    parse.once('packet', (p) => {
      if (p.cmd === 'connack' && (p.returnCode ?? p.reasonCode ?? 0) === 0) resolve();
      else reject(new Error(`${d.id}: connection refused (${JSON.stringify(p)})`));
    });
    socket.on('data', (chunk: Buffer) => parse.parse(chunk));
  });
  socket.removeAllListeners('data');
  return { socket, topic: Buffer.from(d.topic), inFlight: 0, k: 0, nextId: 1 };
}

async function run(start: Extract<ToPublisher, { type: 'start' }>) {
  const send = (m: FromPublisher) => process.send?.(m);
  const url = new URL(start.url);
  const conns = await Promise.all(start.devices.map((d) => connect(url, d)));
  let credit = start.credit ?? Number.POSITIVE_INFINITY;
  let sent = 0;
  let acked = 0;
  let stopping = false;
  let started = 0;
  let cpu0 = process.cpuUsage();
  let deadline = Number.POSITIVE_INFINITY;
  const perDevice = start.perDevice ?? Number.POSITIVE_INFINITY;
  let resolveAll: () => void = () => {};
  const allDone = new Promise<void>((r) => {
    resolveAll = r;
  });

  const finished = (c: Conn) => c.k >= perDevice || stopping || performance.now() > deadline;
  const checkDone = () => {
    if (conns.every((c) => c.inFlight === 0 && finished(c))) resolveAll();
  };

  function pump(c: Conn) {
    const parts: Buffer[] = [];
    while (c.inFlight < start.window && !finished(c) && sent < credit) {
      const k = c.k++;
      parts.push(publishPacket(c.topic, c.nextId, benchPayload(start.baseTs + k, k)));
      c.nextId = c.nextId === 65535 ? 1 : c.nextId + 1;
      c.inFlight++;
      sent++;
    }
    if (parts.length > 0) c.socket.write(parts.length === 1 ? parts[0]! : Buffer.concat(parts));
  }

  for (const c of conns) {
    // PUBACKs only come back (4 bytes each); a PUBACK may straddle two reads.
    let rest: Buffer | undefined;
    c.socket.on('data', (chunk: Buffer) => {
      const buf = rest ? Buffer.concat([rest, chunk]) : chunk;
      rest = undefined;
      let n = 0;
      let o = 0;
      while (buf.length - o >= 2) {
        const len = buf[o + 1]!;
        if (buf.length - o < 2 + len) break;
        if (buf[o]! >> 4 === 4) n++;
        o += 2 + len;
      }
      if (o < buf.length) rest = buf.subarray(o);
      c.inFlight -= n;
      acked += n;
      pump(c);
      checkDone();
    });
    c.socket.on('error', (e) => send({ type: 'error', message: e.message }));
    c.socket.on('close', () => {
      if (!stopping && !finished(c)) send({ type: 'error', message: 'broker closed a publisher connection' });
    });
  }

  process.on('message', (m: ToPublisher) => {
    if (m.type === 'credit') {
      credit = m.upTo;
      for (const c of conns) pump(c);
    } else if (m.type === 'stop') {
      stopping = true;
      checkDone();
    } else if (m.type === 'go') {
      started = performance.now();
      cpu0 = process.cpuUsage();
      if (start.seconds) deadline = started + start.seconds * 1000;
      for (const c of conns) pump(c);
      checkDone();
      if (start.seconds) setTimeout(checkDone, start.seconds * 1000 + 5).unref();
    }
  });
  send({ type: 'ready' });
  await allDone;
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpu0);
  stopping = true;
  for (const c of conns) c.socket.end(generate({ cmd: 'disconnect' }));
  send({ type: 'done', sent, acked, ms, cpuMs: (cpu.user + cpu.system) / 1000 });
  setTimeout(() => process.exit(0), 200).unref();
}

// The bench gone (finished, failed, interrupted): nothing left to publish for.
process.on('disconnect', () => process.exit(0));
process.once('message', (m: ToPublisher) => {
  if (m.type !== 'start') return;
  run(m).catch((e: unknown) => {
    process.send?.({ type: 'error', message: (e as Error).message } satisfies FromPublisher);
    process.exit(1);
  });
});
