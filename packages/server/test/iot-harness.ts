/**
 * IoT tests: a real server (routes, services, database) plus the ingest role with the embedded
 * broker on a free port, and real MQTT clients as devices.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { Db } from '../src/db/db.ts';
import { type IotRole, startIot } from '../src/iot/iot.ts';
import type { Server } from '../src/server.ts';
import { ensureUser, login, silentLog, testServer } from './http-harness.ts';

export interface IotTest {
  server: Server;
  role: IotRole;
  port: number;
  admin: string;
  /** Moves the server clock (by default it follows real time). */
  setNow(ms: number): void;
  clock(): Date;
  api<T = unknown>(
    method: string,
    url: string,
    body?: unknown,
    token?: string,
  ): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

export async function startIotTest(
  db: Db,
  options: { stallSeconds?: number; mqttUrl?: string } = {},
): Promise<IotTest> {
  // The clock follows real time unless a test moves it: MQTT readings without ts get real time.
  let shift = 0;
  const clock = () => new Date(Date.now() + shift);
  const server = await testServer(db, clock);
  const role = await startIot({
    iot: server.iot,
    db,
    log: silentLog,
    config: { mqttPort: 0, mqttUrl: options.mqttUrl },
    host: '127.0.0.1',
    clock,
    readiness: server.readiness,
    ...(options.stallSeconds !== undefined ? { stallSeconds: options.stallSeconds } : {}),
    ...(options.mqttUrl ? { connections: 1, clientId: `test-ingest-${process.pid}-${Date.now()}` } : {}),
  });
  await ensureUser(db, { username: 'iot-admin', role: 'admin' });
  const admin = await login(server, 'iot-admin');
  return {
    server,
    role,
    port: role.port ?? 0,
    admin,
    setNow(ms) {
      shift = ms - Date.now();
    },
    clock,
    async api<T>(method: string, url: string, body?: unknown, token = admin) {
      const res = await server.app.inject({
        method: method as 'GET',
        url,
        headers: token ? { authorization: `Bearer ${token}` } : {},
        ...(body !== undefined ? { payload: body as object } : {}),
      });
      return { status: res.statusCode, body: (res.body ? res.json() : undefined) as T };
    },
    async close() {
      await role.close();
      await server.close();
    },
  };
}

/** Connects as a device; resolves when connected, rejects with the CONNACK refusal. */
export function connectDevice(
  port: number,
  id: string,
  token: string,
  options: mqtt.IClientOptions = {},
): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, {
      clientId: id,
      username: id,
      password: token,
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: 5000,
      ...options,
    });
    client.once('connect', () => resolve(client));
    client.once('error', (e) => {
      client.end(true);
      reject(e);
    });
  });
}

export async function createDevice(
  t: IotTest,
  body: { id: string; typeId: string; name?: string; location?: { lng: number; lat: number } | null },
): Promise<string> {
  const res = await t.api<{ token: string }>('POST', '/api/v1/devices', {
    name: body.id,
    location: null,
    ...body,
  });
  if (res.status !== 201) throw new Error(`device ${body.id}: ${JSON.stringify(res.body)}`);
  return res.body.token;
}

export async function createType(t: IotTest, db: Db, id: string, metrics: object[], intervalS = 60) {
  await db.query(
    `INSERT INTO device_types (id, name_zh, name_en, metrics, expected_interval_s) VALUES ($1, $1, $1, $2, $3)
     ON CONFLICT (id) DO NOTHING`,
    [id, JSON.stringify(metrics), intervalS],
  );
  await t.server.iot.directory.refresh();
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `fn` returns a truthy value (the rules and alarms run after the readings). */
export async function eventually<T>(fn: () => Promise<T>, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v || Date.now() > end) return v;
    await sleep(25);
  }
}
