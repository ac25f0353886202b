/**
 * The exchange between two instances in one process (a street and its district, each its own
 * database): linking with keys given both ways, a signed hand-up that opens a `lower-platform`
 * case with its photo and timeline, status both ways, a hand-down; a replayed message applied
 * once, an out-of-order one refused with 409, a forged one with 401, nothing written by either.
 * The three-instance run with kill -9 and an outage is packages/cli/test/federation.test.ts.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/db/db.ts';
import { post } from '../src/federation/delivery.ts';
import { federationRepository } from '../src/federation/federation.repository.ts';
import { makeLoopCity, square } from '../src/seed/loop-city.factory.ts';
import { buildServer, type Server } from '../src/server.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';
import { freePort } from './mosquitto-harness.ts';

const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

async function until<T>(fn: () => Promise<T | undefined | false>, what: string, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const jpeg = Buffer.concat([
  Buffer.from([
    0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0, 0, 1, 0, 1, 0, 0,
  ]),
  Buffer.alloc(1500, 5),
  Buffer.from([0xff, 0xd9]),
]);

interface Side {
  t: TestDb;
  db: Db;
  server: Server;
  url: string;
  tokens: Record<string, string>;
}

describe(`federation exchange on ${testEngine}`, () => {
  const street = {} as Side;
  const district = {} as Side;

  async function start(s: Side) {
    s.t = await openTestDb();
    s.db = s.t.db;
    await makeLoopCity(s.db);
    s.server = await buildServer({
      db: s.db,
      log,
      config: {
        sessionHours: 12,
        webDir: '/nonexistent',
        totpRequired: false,
        rateLimits: { loginPerMinute: 0 },
        federation: { retryMaxSeconds: 1, figuresSeconds: 3600 },
      },
      scheduler: { leaseTtlMs: 2000 },
    });
    await s.server.geo.refresh({ force: true });
    const port = await freePort();
    await s.server.app.listen({ port, host: '127.0.0.1' });
    s.url = `http://127.0.0.1:${port}`;
    s.tokens = {};
    for (const u of ['root', 'op']) {
      const r = await s.server.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: u, password: 'secret-pw' },
      });
      s.tokens[u] = r.json().token;
    }
  }
  const call = async (s: Side, user: string, method: string, url: string, payload?: unknown) => {
    const r = await s.server.app.inject({
      method: method as 'GET',
      url,
      headers: { authorization: `Bearer ${s.tokens[user]}` },
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });
    return { status: r.statusCode, body: r.body ? r.json() : undefined };
  };
  const remote = async (db: Db, caseId: number) =>
    (
      await db.query<{ a: string }>(
        "SELECT data->>'remoteAction' AS a FROM case_events WHERE case_id = $1 AND action = 'remote' ORDER BY seq",
        [caseId],
      )
    ).rows.map((r) => r.a);

  beforeAll(async () => {
    await start(street);
    await start(district);
  }, 180_000);
  afterAll(async () => {
    await street.server?.close();
    await district.server?.close();
    await street.t?.close();
    await district.t?.close();
  });

  it('links, hands up with photo and timeline, syncs steps both ways and hands down', async () => {
    const up = await call(street, 'root', 'POST', '/api/v1/federation/links', {
      name: '黄浦区平台',
      direction: 'up',
      peerUrl: district.url,
      areaCode: '310101002',
    });
    expect(up.status).toBe(201);
    const down = await call(district, 'root', 'POST', '/api/v1/federation/links', {
      name: '南京东路街道平台',
      direction: 'down',
      peerUrl: street.url,
      areaCode: '310101002',
      peerPublicKey: up.body.publicKey,
    });
    expect(down.status).toBe(201);
    const bad = await call(street, 'root', 'PATCH', `/api/v1/federation/links/${up.body.id}`, {
      peerPublicKey: 'not-a-key-at-all',
    });
    expect(bad.status).toBe(400);
    const linked = await call(street, 'root', 'PATCH', `/api/v1/federation/links/${up.body.id}`, {
      peerPublicKey: down.body.publicKey,
    });
    expect(linked.body.state).toBe('connected');

    const upload = await street.server.app.inject({
      method: 'POST',
      url: '/api/v1/attachments',
      headers: {
        authorization: `Bearer ${street.tokens.op}`,
        'content-type': 'multipart/form-data; boundary=xx',
      },
      payload: Buffer.concat([
        Buffer.from(
          '--xx\r\nContent-Disposition: form-data; name="file"; filename="p.jpg"\r\nContent-Type: image/jpeg\r\n\r\n',
        ),
        jpeg,
        Buffer.from('\r\n--xx--\r\n'),
      ]),
    });
    expect(upload.statusCode).toBe(201);
    const reported = await call(street, 'op', 'POST', '/api/v1/cases', {
      category: '06010',
      description: '南京东路暴露垃圾',
      location: { lng: square.lng + 0.0003, lat: square.lat + 0.0003 },
      photos: [upload.json().id],
    });
    expect(reported.status).toBe(201);
    const s1 = reported.body;
    const handed = await call(street, 'op', 'POST', `/api/v1/cases/${s1.id}/hand-up`, {
      version: s1.version,
      target: 'higher-platform',
      reason: '超出街道处置权限',
    });
    expect(handed.status).toBe(200);
    const d1 = await until(async () => {
      const r = await district.db.query<{ id: number; number: string }>(
        "SELECT id::int AS id, number FROM cases WHERE source = 'lower-platform'",
      );
      return r.rows[0];
    }, 'the case at the district');
    expect(
      (await district.db.query('SELECT 1 FROM attachments WHERE case_id = $1', [d1.id])).rows,
    ).toHaveLength(1);
    // The timeline is written in the step that links the two cases, just after the case opens.
    expect(
      await until(async () => {
        const a = await remote(district.db, d1.id);
        return a.length >= 2 ? a : undefined;
      }, 'the street timeline at the district'),
    ).toEqual(['report', 'hand-up']);
    const seen = await until(async () => {
      const r = await call(street, 'op', 'GET', `/api/v1/federation/cases/${s1.id}`);
      return r.body[0]?.remoteNumber ? r.body : undefined;
    }, 'the district number at the street');
    expect(seen[0]).toMatchObject({ role: 'sent', remoteNumber: d1.number, direction: 'up' });

    // A step at the district shows on the street's timeline, and one at the street on the district's.
    const dv = (await call(district, 'op', 'GET', `/api/v1/cases/${d1.id}`)).body.version;
    expect(
      (
        await call(district, 'op', 'POST', `/api/v1/cases/${d1.id}/comment`, {
          version: dv,
          note: '区级已接收',
        })
      ).status,
    ).toBe(200);
    await until(
      async () => (await remote(street.db, s1.id)).includes('comment'),
      'the district note at the street',
    );

    // 下派: the district sends it back; the street's case leaves handed-up, and that shows above.
    expect(
      (
        await call(district, 'op', 'POST', `/api/v1/federation/cases/${d1.id}/hand-down`, {
          note: '请街道处置',
        })
      ).status,
    ).toBe(202);
    await until(
      async () =>
        (await street.db.query<{ status: string }>('SELECT status FROM cases WHERE id = $1', [s1.id])).rows[0]
          ?.status === 'filed',
      'the street case handed down',
    );
    await until(
      async () => (await remote(district.db, d1.id)).filter((a) => a === 'hand-down').length === 2,
      'the hand-down back at the district',
    );

    // A message delivered again is applied once; one out of order waits; a forged one is refused.
    const f = federationRepository(street.db);
    const link = (await f.link(up.body.id))!;
    const last = (
      await street.db.query<{ envelope: string }>(
        'SELECT envelope FROM federation_outbox WHERE link_id = $1 ORDER BY id DESC LIMIT 1',
        [link.id],
      )
    ).rows[0]!.envelope;
    const before = (await district.db.query('SELECT count(*)::int AS n FROM case_events')).rows[0];
    const again = await post(link, last);
    expect(again).toBeDefined();
    expect((await district.db.query('SELECT count(*)::int AS n FROM case_events')).rows[0]).toEqual(before);
    const ahead = JSON.parse(last);
    ahead.id = crypto.randomUUID();
    ahead.seq += 5;
    await expect(post(link, JSON.stringify(ahead))).rejects.toThrow(/409/);
    await expect(
      post(
        { ...link, privateKey: (await import('../src/federation/keys.ts')).newKeyPair().privateKey },
        last,
      ),
    ).rejects.toThrow(/401/);
    expect((await district.db.query('SELECT count(*)::int AS n FROM case_events')).rows[0]).toEqual(before);

    const links = await call(street, 'root', 'GET', '/api/v1/federation/links');
    expect(links.body[0]).toMatchObject({ state: 'connected', queued: 0 });
    const metrics = await street.server.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(
      /onegrid_federation_link_up\{link="lnk_[0-9a-f]+",name="黄浦区平台",direction="up"\} 1/,
    );
  }, 180_000);
});
