/**
 * The simulator's publishing loop, shared by `onegrid simulate` and `onegrid serve` (which runs a
 * small one in-process so the demo is alive): N connected devices, R messages a second in all,
 * incidents now and then so the rules raise alarms and the alarms file cases.
 */
import { telemetryTopic } from '@onegrid/server';
import mqtt, { type MqttClient } from 'mqtt';
import { type Kind, maybeStartIncident, readingOf, type SimDevice } from './kinds.ts';

export interface SimCounts {
  sent: number;
  acked: number;
  failed: number;
  incidents: number;
}

export interface Simulation {
  counts: SimCounts;
  devices: SimDevice[];
  /** Stops publishing and disconnects (waiting for outstanding acknowledgements). */
  stop(): Promise<void>;
}

/** Runs `fn` over `items` with at most `limit` at a time. */
export async function pool<T, R>(
  items: T[],
  limit: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

export function simDevices(ids: Array<{ id: string; kind: Kind }>, random: () => number): SimDevice[] {
  return ids.map(({ id, kind }) => ({
    id,
    kind,
    bias: random(),
    battery: 60 + random() * 40,
    incident: null,
  }));
}

export async function startSimulation(o: {
  mqttUrl: string;
  /** Devices publish to `<topicPrefix>/devices/<id>/telemetry` (default `onegrid`). */
  topicPrefix?: string;
  devices: SimDevice[];
  tokens: string[];
  /** Messages per second, all devices together. */
  rate: number;
  incidentsPerMinute: number;
  random: () => number;
}): Promise<Simulation> {
  const { devices, random, rate } = o;
  const clients: MqttClient[] = await pool(devices, 50, (d, i) =>
    mqtt
      .connectAsync(o.mqttUrl, {
        clientId: d.id,
        username: d.id,
        password: o.tokens[i],
        reconnectPeriod: 2000,
      })
      .catch((e: Error) => {
        throw new Error(`device ${d.id} could not connect to ${o.mqttUrl}: ${e.message}`);
      }),
  );
  const counts: SimCounts = { sent: 0, acked: 0, failed: 0, incidents: 0 };
  const incidentP = o.incidentsPerMinute / 60 / rate;
  let carry = 0;
  let cursor = 0;
  const tick = () => {
    carry += rate / 10;
    const now = Date.now();
    for (; carry >= 1; carry--) {
      const i = cursor++ % devices.length;
      const d = devices[i]!;
      if (maybeStartIncident(d, now, incidentP, random)) counts.incidents++;
      const payload = JSON.stringify({ ts: now, values: readingOf(d, now, random) });
      counts.sent++;
      clients[i]!.publish(telemetryTopic(d.id, o.topicPrefix), payload, { qos: 1 }, (err) => {
        if (err) counts.failed++;
        else counts.acked++;
      });
    }
  };
  const timer = setInterval(tick, 100);
  return {
    counts,
    devices,
    async stop() {
      clearInterval(timer);
      await Promise.all(clients.map((c) => c.endAsync(false).catch(() => c.endAsync(true))));
    },
  };
}
