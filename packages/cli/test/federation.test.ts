/**
 * Federation of instances (issue 14, item 2; docs/federation.md), three instances on one machine:
 * a city (PostgreSQL, in this process), a district (PostgreSQL, a real `onegrid serve` process)
 * and a street (PGlite, in this process), linked by their administrators through the API (keys
 * exchanged both ways). A case is handed up street → district → city with its photo and timeline,
 * the district is killed with SIGKILL right after its hand-up commits, the city is down while
 * the district queues for it; then the case is handed down city → district → street. Nothing is
 * lost and nothing arrives twice: one case per level, each remote step once, every queue empty.
 * PostgreSQL runs only (two of the three instances need it).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../server/src/db/db.ts';
import { makeLoopCity, square } from '../../server/src/seed/loop-city.factory.ts';
import { buildServer, type Server } from '../../server/src/server.ts';
import { openPgliteTestDb, openTestDb, type TestDb, testEngine } from '../../server/test/db-harness.ts';
import { freePort } from '../../server/test/mosquitto-harness.ts';

const repo = path.resolve(import.meta.dirname, '../../..');
const bin = path.join(repo, 'packages/cli/bin/onegrid.js');
const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

async function until<T>(fn: () => Promise<T | undefined | false>, what: string, ms = 120_000): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? ` (${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const jpeg = Buffer.concat([
  Buffer.from([
    0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00,
    0x01, 0x00, 0x00,
  ]),
  Buffer.alloc(2000, 7),
  Buffer.from([0xff, 0xd9]),
]);

interface Instance {
  name: string;
  db: Db;
  port: number;
  url: string;
  tokens: Record<string, string>;
}

describe.skipIf(testEngine !== 'postgres')('federation: city, district and street instances', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'onegrid-fed-'));
  let cityDb: TestDb;
  let districtDb: TestDb;
  let streetDb: TestDb;
  let cityServer: Server | undefined;
  let streetServer: Server | undefined;
  let district: { child: ChildProcess; output: () => string } | undefined;
  const city = {} as Instance;
  const dist = {} as Instance;
  const street = {} as Instance;

  async function inProcess(i: Instance, db: Db) {
    const server = await buildServer({
      db,
      log,
      config: {
        sessionHours: 12,
        webDir: '/nonexistent',
        totpRequired: false,
        rateLimits: { loginPerMinute: 0 },
        attachmentsDir: path.join(tmp, i.name),
        federation: { retryMaxSeconds: 1, figuresSeconds: 2 },
      },
      scheduler: { leaseTtlMs: 2000 },
    });
    await server.geo.refresh({ force: true });
    await server.app.listen({ port: i.port, host: '127.0.0.1' });
    return server;
  }

  async function startDistrict() {
    const child = spawn(
      process.execPath,
      [bin, 'serve', '--role', 'api,scheduler', '--no-demo', '--no-simulator'],
      {
        cwd: repo,
        env: {
          ...process.env,
          DATABASE_URL: districtDb.url,
          PORT: String(dist.port),
          HOST: '127.0.0.1',
          LOG_LEVEL: 'warn',
          ONEGRID_DATA_DIR: path.join(tmp, 'district'),
          ONEGRID_SCHEDULER_LEASE_SECONDS: '3',
          ONEGRID_FEDERATION_RETRY_MAX_SECONDS: '1',
          ONEGRID_FEDERATION_FIGURES_SECONDS: '2',
          ONEGRID_RATE_LIMIT_LOGIN: '0',
          ONEGRID_TOTP_REQUIRED: 'false',
          MQTT_URL: '',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout?.on('data', (d) => {
      output += d;
    });
    child.stderr?.on('data', (d) => {
      output += d;
    });
    district = { child, output: () => output };
    await until(
      async () => (await fetch(`${dist.url}/api/v1/health/ready`)).status === 200,
      `the district instance\n${output}`,
      480_000,
    );
  }

  async function call(i: Instance, user: string, method: string, url: string, body?: unknown) {
    const res = await fetch(`${i.url}${url}`, {
      method,
      headers: {
        authorization: `Bearer ${i.tokens[user]}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }
  async function signIn(i: Instance, ...users: string[]) {
    for (const u of users) {
      const res = await fetch(`${i.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: u, password: 'secret-pw' }),
      });
      i.tokens[u] = ((await res.json()) as { token: string }).token;
    }
  }
  const lowerCases = async (db: Db) =>
    (
      await db.query<{ id: number; status: string; number: string }>(
        "SELECT id::int AS id, status, number FROM cases WHERE source = 'lower-platform' ORDER BY id",
      )
    ).rows;
  const remoteActions = async (db: Db, caseId: number) =>
    (
      await db.query<{ a: string }>(
        "SELECT data->>'remoteAction' AS a FROM case_events WHERE case_id = $1 AND action = 'remote' ORDER BY seq",
        [caseId],
      )
    ).rows.map((r) => r.a);
  const pending = async (db: Db) =>
    (
      await db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM federation_outbox WHERE delivered_at IS NULL',
      )
    ).rows[0]!.n;

  beforeAll(async () => {
    [cityDb, districtDb, streetDb] = await Promise.all([openTestDb(), openTestDb(), openPgliteTestDb()]);
    for (const [i, name, db] of [
      [city, 'city', cityDb],
      [dist, 'district', districtDb],
      [street, 'street', streetDb],
    ] as const) {
      await makeLoopCity(db.db);
      i.name = name;
      i.db = db.db;
      i.port = await freePort();
      i.url = `http://127.0.0.1:${i.port}`;
      i.tokens = {};
    }
    cityServer = await inProcess(city, cityDb.db);
    streetServer = await inProcess(street, streetDb.db);
    await startDistrict();
    for (const i of [city, dist, street]) await signIn(i, 'root', 'op');
  }, 900_000);

  afterAll(async () => {
    if (district?.child.exitCode === null) district.child.kill('SIGKILL');
    await cityServer?.close();
    await streetServer?.close();
    await Promise.all([cityDb?.close(), districtDb?.close(), streetDb?.close()]);
    fs.rmSync(tmp, { recursive: true, force: true });
  }, 60_000);

  it('links the instances, hands a case up twice and down again, through a kill -9 and an outage', async () => {
    // Linking: each administrator makes its side and gives its public key to the other.
    const streetUp = await call(street, 'root', 'POST', '/api/v1/federation/links', {
      name: '黄浦区平台',
      direction: 'up',
      peerUrl: dist.url,
      areaCode: '310101002',
    });
    expect(streetUp.status).toBe(201);
    expect(streetUp.body.state).toBe('awaiting-key');
    const distDown = await call(dist, 'root', 'POST', '/api/v1/federation/links', {
      name: '南京东路街道平台',
      direction: 'down',
      peerUrl: street.url,
      areaCode: '310101002',
      peerPublicKey: streetUp.body.publicKey,
    });
    expect(distDown.status).toBe(201);
    expect(
      (
        await call(street, 'root', 'PATCH', `/api/v1/federation/links/${streetUp.body.id}`, {
          peerPublicKey: distDown.body.publicKey,
        })
      ).body.state,
    ).toBe('connected');
    const distUp = await call(dist, 'root', 'POST', '/api/v1/federation/links', {
      name: '上海市平台',
      direction: 'up',
      peerUrl: city.url,
      areaCode: '310101',
    });
    const cityDown = await call(city, 'root', 'POST', '/api/v1/federation/links', {
      name: '黄浦区平台',
      direction: 'down',
      peerUrl: dist.url,
      areaCode: '310101',
      peerPublicKey: distUp.body.publicKey,
    });
    expect(cityDown.status).toBe(201);
    await call(dist, 'root', 'PATCH', `/api/v1/federation/links/${distUp.body.id}`, {
      peerPublicKey: cityDown.body.publicKey,
    });

    // A forged message is refused and writes nothing.
    const forged = await fetch(`${city.url}/api/v1/federation/messages`, {
      method: 'POST',
      headers: {
        'content-type': 'application/vnd.onegrid.federation+json',
        'x-onegrid-key': distUp.body.keyId,
        'x-onegrid-signature': `ed25519=${Buffer.alloc(64, 1).toString('base64')}`,
      },
      body: JSON.stringify({
        v: 1,
        id: crypto.randomUUID(),
        type: 'figures',
        from: distUp.body.keyId,
        to: cityDown.body.keyId,
        stream: 'figures',
        seq: 1,
        sentAt: new Date().toISOString(),
        body: {},
      }),
    });
    expect(forged.status).toBe(401);

    // 1. The street reports a case with a photo and hands it up to the district.
    const form = new FormData();
    form.append('file', new Blob([jpeg], { type: 'image/jpeg' }), 'photo.jpg');
    const photo = (await (
      await fetch(`${street.url}/api/v1/attachments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${street.tokens.op}` },
        body: form,
      })
    ).json()) as { id: string };
    const reported = await call(street, 'op', 'POST', '/api/v1/cases', {
      category: '06010',
      description: '南京东路步行街暴露垃圾，需区级协调',
      location: { lng: square.lng + 0.0003, lat: square.lat + 0.0003 },
      photos: [photo.id],
    });
    expect(reported.status).toBe(201);
    const s1 = reported.body as { id: number; version: number; number: string };
    const up1 = await call(street, 'op', 'POST', `/api/v1/cases/${s1.id}/hand-up`, {
      version: s1.version,
      target: 'higher-platform',
      reason: '超出街道处置权限',
    });
    expect(up1.status).toBe(200);
    const [d1] = await until(async () => {
      const r = await lowerCases(dist.db);
      return r.length ? r : undefined;
    }, 'the case at the district');
    expect(
      (await dist.db.query('SELECT 1 FROM attachments WHERE case_id = $1', [d1!.id])).rows,
      'the photo came along',
    ).toHaveLength(1);
    // The street's timeline came along, written in the same step as the link between the cases.
    await until(async () => {
      const a = await remoteActions(dist.db, d1!.id);
      return a.includes('report') && a.includes('hand-up');
    }, 'the street timeline at the district');

    // 2. The district hands it up to the city, and is killed (SIGKILL) as soon as that commits.
    const d1Row = (await call(dist, 'op', 'GET', `/api/v1/cases/${d1!.id}`)).body;
    const up2 = await call(dist, 'op', 'POST', `/api/v1/cases/${d1!.id}/hand-up`, {
      version: d1Row.version,
      target: 'higher-platform',
      reason: '需市级部门协同',
    });
    expect(up2.status).toBe(200);
    district!.child.kill('SIGKILL');
    await new Promise((r) => district!.child.once('exit', r));
    await startDistrict();
    await signIn(dist, 'root', 'op');
    const [c1] = await until(async () => {
      const r = await lowerCases(city.db);
      return r.length ? r : undefined;
    }, 'the case at the city');
    // The street hears that the district handed it up (a step of its linked case).
    await until(
      async () => (await remoteActions(street.db, s1.id)).includes('hand-up') || undefined,
      'the street timeline',
    );

    // 3. The city is down for a while: the district's steps wait in its queue, the link says failing.
    await cityServer!.close();
    cityServer = undefined;
    for (const note of ['第一次备注', '第二次备注']) {
      const v = (await call(dist, 'op', 'GET', `/api/v1/cases/${d1!.id}`)).body.version;
      expect(
        (await call(dist, 'op', 'POST', `/api/v1/cases/${d1!.id}/comment`, { version: v, note })).status,
      ).toBe(200);
    }
    const failing = await until(async () => {
      const l = (await call(dist, 'root', 'GET', '/api/v1/federation/links')).body.find(
        (x: { id: string }) => x.id === distUp.body.id,
      );
      return l.state === 'failing' && l.queued >= 2 ? l : undefined;
    }, 'the link to the city to say failing');
    expect(failing.failingSince).toBeTruthy();
    const metrics = await (await fetch(`${dist.url}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`onegrid_federation_link_up\\{link="${distUp.body.id}"[^}]*\\} 0`));
    expect(metrics).toMatch(
      new RegExp(`onegrid_federation_queued_messages\\{link="${distUp.body.id}"[^}]*\\} [2-9]`),
    );

    cityServer = await inProcess(city, cityDb.db);
    await signIn(city, 'root', 'op');
    await until(async () => (await pending(dist.db)) === 0 || undefined, 'the district queue to drain');
    await until(async () => {
      const a = await remoteActions(city.db, c1!.id);
      return a.filter((x) => x === 'comment').length === 2 ? a : undefined;
    }, 'both notes at the city');

    // 4. Down again: the city hands down to the district, the district to the street.
    expect(
      (await call(city, 'op', 'POST', `/api/v1/federation/cases/${c1!.id}/hand-down`, { note: '请区级处置' }))
        .status,
    ).toBe(202);
    await until(
      async () => (await lowerCases(dist.db))[0]?.status === 'filed' || undefined,
      'the district case handed down',
    );
    expect(
      (await call(dist, 'op', 'POST', `/api/v1/federation/cases/${d1!.id}/hand-down`, { note: '请街道处置' }))
        .status,
    ).toBe(202);
    await until(
      async () =>
        (await street.db.query<{ status: string }>('SELECT status FROM cases WHERE id = $1', [s1.id])).rows[0]
          ?.status === 'filed' || undefined,
      'the street case handed down',
    );
    // The street's later step flows up and shows on the district's timeline.
    const sv = (await call(street, 'op', 'GET', `/api/v1/cases/${s1.id}`)).body.version;
    expect(
      (
        await call(street, 'op', 'POST', `/api/v1/cases/${s1.id}/comment`, {
          version: sv,
          note: '街道已接收',
        })
      ).status,
    ).toBe(200);
    await until(
      async () => (await remoteActions(dist.db, d1!.id)).includes('comment') || undefined,
      'the street note at the district',
    );
    // The district's hand-down (its case back to filed) shows at the city.
    await until(
      async () => (await remoteActions(city.db, c1!.id)).includes('hand-down') || undefined,
      'the district step at the city',
    );

    // Nothing lost, nothing twice.
    for (const i of [city, dist, street])
      await until(async () => (await pending(i.db)) === 0 || undefined, `${i.name} queue empty`);
    expect(await lowerCases(city.db)).toHaveLength(1);
    expect(await lowerCases(dist.db)).toHaveLength(1);
    const cityActions = await remoteActions(city.db, c1!.id);
    expect(cityActions.filter((a) => a === 'comment')).toHaveLength(2);
    expect(cityActions.filter((a) => a === 'hand-up')).toHaveLength(1);
    const notes = (
      await city.db.query<{ note: string }>(
        "SELECT note FROM case_events WHERE case_id = $1 AND data->>'remoteAction' = 'comment' ORDER BY seq",
        [c1!.id],
      )
    ).rows.map((r) => r.note);
    expect(notes[0]).toContain('第一次备注');
    expect(notes[1]).toContain('第二次备注');
    const streetSide = await call(street, 'op', 'GET', `/api/v1/federation/cases/${s1.id}`);
    expect(streetSide.body[0]).toMatchObject({
      role: 'sent',
      remoteNumber: (await call(dist, 'op', 'GET', `/api/v1/cases/${d1!.id}`)).body.number,
    });
    // The district's figures reached the city for its command screen.
    const figures = await until(async () => {
      const f = (await call(city, 'root', 'GET', '/api/v1/federation/figures')).body;
      return f.length ? f : undefined;
    }, 'figures from the district');
    expect(figures[0]).toMatchObject({ areaCode: '310101', platformUrl: dist.url });
  }, 900_000);
});
