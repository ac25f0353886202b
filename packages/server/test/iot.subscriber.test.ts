import net from 'node:net';
import { generate, parser as mqttParser } from 'mqtt-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { type InboundMessage, pubacks, startSubscriber } from '../src/iot/mqtt.subscriber.ts';

/** A scripted MQTT 5 broker: answers CONNECT and SUBSCRIBE, records the packets it receives. */
async function fakeBroker(onSubscribed: (socket: net.Socket) => void, sessionPresent = false) {
  const received: Array<{ cmd: string; messageId?: number; properties?: unknown; clean?: boolean }> = [];
  const sockets: net.Socket[] = [];
  const server = net.createServer((socket) => {
    sockets.push(socket);
    const parse = mqttParser({ protocolVersion: 5 });
    parse.on('packet', (p) => {
      received.push(p as (typeof received)[number]);
      if (p.cmd === 'connect') {
        socket.write(generate({ cmd: 'connack', sessionPresent, reasonCode: 0 }, { protocolVersion: 5 }));
      } else if (p.cmd === 'subscribe') {
        socket.write(
          generate({ cmd: 'suback', messageId: p.messageId, granted: [1] }, { protocolVersion: 5 }),
        );
        onSubscribed(socket);
      }
    });
    socket.on('data', (b: Buffer) => parse.parse(b));
    socket.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    received,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const publish = (topic: string, messageId: number, payload: string, properties?: object) =>
  generate(
    {
      cmd: 'publish',
      topic,
      messageId,
      qos: 1,
      dup: false,
      retain: false,
      payload,
      ...(properties ? { properties } : {}),
    },
    { protocolVersion: 5 },
  );

describe('lean MQTT 5 subscriber', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  it('cuts PUBLISH frames out of arbitrary chunks and acknowledges only what it is told to', async () => {
    const frames = Buffer.concat([
      publish('onegrid/devices/a/telemetry', 1, '{"depth":1}'),
      publish('onegrid/devices/b/telemetry', 2, '{"depth":2}', { userProperties: { k: 'v' } }),
      publish('onegrid/devices/c/telemetry', 300, 'x'.repeat(300)),
    ]);
    // One byte at a time: every frame (and its remaining length) straddles reads.
    const broker = await fakeBroker((socket) => {
      let i = 0;
      const drip = () => {
        if (i >= frames.length || socket.destroyed) return;
        socket.write(frames.subarray(i, i + 1));
        i++;
        setImmediate(drip);
      };
      drip();
    });
    cleanups.push(() => broker.close());
    const got: InboundMessage[] = [];
    const sub = startSubscriber({
      url: broker.url,
      clientId: 'w-0',
      topic: '$share/g/onegrid/devices/+/telemetry',
      sessionExpiry: 60,
      receiveMaximum: 5000,
      onMessage(m, ack) {
        got.push({ ...m, payload: Buffer.from(m.payload) });
        if (m.messageId !== 2) ack();
      },
    });
    cleanups.push(() => sub.close());
    await sub.ready;
    for (let t = 0; t < 200 && got.length < 3; t++) await new Promise((r) => setTimeout(r, 10));
    expect(got.map((m) => [m.topic, m.messageId, m.payload.toString()])).toEqual([
      ['onegrid/devices/a/telemetry', 1, '{"depth":1}'],
      ['onegrid/devices/b/telemetry', 2, '{"depth":2}'],
      ['onegrid/devices/c/telemetry', 300, 'x'.repeat(300)],
    ]);
    await new Promise((r) => setTimeout(r, 50));
    const connect = broker.received.find((p) => p.cmd === 'connect');
    expect(connect).toMatchObject({
      clean: false,
      properties: { sessionExpiryInterval: 60, receiveMaximum: 5000 },
    });
    // Message 2 was never declared durable: no PUBACK for it.
    expect(broker.received.filter((p) => p.cmd === 'puback').map((p) => p.messageId)).toEqual([1, 300]);
  });

  it('subscribes although the broker says the session is present (a restored session lacks it)', async () => {
    const broker = await fakeBroker(() => {}, true);
    cleanups.push(() => broker.close());
    const sub = startSubscriber({
      url: broker.url,
      clientId: 'w-2',
      topic: '$share/g/onegrid/devices/+/telemetry',
      sessionExpiry: 600,
      receiveMaximum: 100,
      onMessage() {},
    });
    cleanups.push(() => sub.close());
    await sub.ready;
    expect(sub.subscribed).toBe(true);
    expect(broker.received.map((p) => p.cmd)).toEqual(['connect', 'subscribe']);
  });

  it('asks for a maximum packet size and skips a larger packet unread, handing it over as too large', async () => {
    const frames = Buffer.concat([
      publish('onegrid/devices/big/telemetry', 7, 'y'.repeat(50_000)),
      publish('onegrid/devices/a/telemetry', 8, '{"depth":1}'),
    ]);
    const broker = await fakeBroker((socket) => {
      // In 1 kB chunks: the oversized body streams past in many reads.
      for (let i = 0; i < frames.length; i += 1000) socket.write(frames.subarray(i, i + 1000));
    });
    cleanups.push(() => broker.close());
    const got: InboundMessage[] = [];
    const sub = startSubscriber({
      url: broker.url,
      clientId: 'w-3',
      topic: '$share/g/onegrid/devices/+/telemetry',
      sessionExpiry: 60,
      receiveMaximum: 10,
      maxPacketSize: 4096,
      onMessage(m, ack) {
        got.push({ ...m, payload: Buffer.from(m.payload) });
        ack();
      },
    });
    cleanups.push(() => sub.close());
    await sub.ready;
    for (let t = 0; t < 200 && got.length < 2; t++) await new Promise((r) => setTimeout(r, 10));
    expect(got.map((m) => [m.topic, m.messageId, m.payload.length, m.tooLarge])).toEqual([
      ['onegrid/devices/big/telemetry', 7, 0, expect.any(Number)],
      ['onegrid/devices/a/telemetry', 8, 11, undefined],
    ]);
    expect(got[0]!.tooLarge).toBeGreaterThan(50_000);
    for (let t = 0; t < 100 && broker.received.filter((p) => p.cmd === 'puback').length < 2; t++)
      await new Promise((r) => setTimeout(r, 10));
    expect(broker.received.find((p) => p.cmd === 'connect')).toMatchObject({
      properties: { maximumPacketSize: 4096 },
    });
    expect(broker.received.filter((p) => p.cmd === 'puback').map((p) => p.messageId)).toEqual([7, 8]);
  });

  it('joins a large packet from many chunks once, intact', async () => {
    const big = Buffer.alloc(8 * 1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = i % 251;
    const frames = Buffer.concat([
      publish('onegrid/devices/a/telemetry', 1, 'first'),
      publish('onegrid/devices/big/telemetry', 2, big as unknown as string),
      publish('onegrid/devices/a/telemetry', 3, 'last'),
    ]);
    const broker = await fakeBroker((socket) => {
      for (let i = 0; i < frames.length; i += 65_536) socket.write(frames.subarray(i, i + 65_536));
    });
    cleanups.push(() => broker.close());
    const got: InboundMessage[] = [];
    const sub = startSubscriber({
      url: broker.url,
      clientId: 'w-4',
      topic: 't',
      sessionExpiry: 0,
      receiveMaximum: 10,
      maxPacketSize: 16 * 1024 * 1024,
      onMessage(m, ack) {
        got.push({ ...m, payload: Buffer.from(m.payload) });
        ack();
      },
    });
    cleanups.push(() => sub.close());
    await sub.ready;
    for (let t = 0; t < 500 && got.length < 3; t++) await new Promise((r) => setTimeout(r, 10));
    expect(got.map((m) => m.messageId)).toEqual([1, 2, 3]);
    expect(got[1]!.payload.equals(big)).toBe(true);
    expect(got[2]!.payload.toString()).toBe('last');
  });

  it('writes PUBACKs as MQTT 5 success acknowledgements', () => {
    expect([...pubacks([1, 0x1234])]).toEqual([0x40, 2, 0, 1, 0x40, 2, 0x12, 0x34]);
  });

  it('rejects when the broker cannot be reached', async () => {
    const s = net.createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    const port = (s.address() as net.AddressInfo).port;
    await new Promise<void>((r) => s.close(() => r()));
    const sub = startSubscriber({
      url: `mqtt://127.0.0.1:${port}`,
      clientId: 'w-1',
      topic: 't',
      sessionExpiry: 0,
      receiveMaximum: 10,
      onMessage() {},
    });
    await expect(sub.ready).rejects.toThrow(/cannot reach/);
    await sub.close();
  });
});
