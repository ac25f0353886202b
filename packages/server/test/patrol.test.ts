/**
 * Patrol tracks over HTTP: an inspector uploads GPS points in batches (a replay stores nothing
 * twice), bad points fail the batch with one message per point, tracks are read by scope; and an
 * inspector's check replayed from an offline queue with the same idempotency key is applied once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureUser } from '../src/seed/loop-city.factory.ts';
import type { Server } from '../src/server.ts';
import { makeLoopCity, square } from './case-fixture.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';
import { login, testServer } from './http-harness.ts';

describe(`patrol tracks and replayed actions on ${testEngine}`, () => {
  let t: TestDb;
  let server: Server;
  let users: Awaited<ReturnType<typeof makeLoopCity>>;
  let xhInspector: number;
  const tokens: Record<string, string> = {};
  const now = new Date('2026-11-23T02:00:00Z');
  const call = async (user: string, method: 'GET' | 'POST', url: string, payload?: unknown) => {
    const res = await server.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${tokens[user]}` },
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });
    return { status: res.statusCode, body: res.json() };
  };
  const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000).toISOString();
  const point = (m: number, dx = 0) => ({
    recordedAt: minutesAgo(m),
    lng: square.lng + 0.0003 + dx,
    lat: square.lat + 0.0003,
    accuracyM: 8,
  });

  beforeAll(async () => {
    t = await openTestDb();
    users = await makeLoopCity(t.db);
    xhInspector = await ensureUser(t.db, { username: 'xh-insp', role: 'inspector', scopeCode: '310104001' });
    server = await testServer(t.db, () => now);
    await server.geo.refresh({ force: true });
    for (const u of ['insp', 'xh-insp', 'op', 'disp', 'lhsr', 'boss']) tokens[u] = await login(server, u);
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  it("gives an inspector their beat: their duty grids' extent, else their area's", async () => {
    const before = await call('insp', 'GET', '/api/v1/patrol/beat');
    expect(before.status).toBe(200);
    expect(before.body.grids).toEqual([]);
    const [w, s, e, n] = before.body.bbox as [number, number, number, number];
    expect(w < square.lng && square.lng < e && s < square.lat && square.lat < n).toBe(true);
    await t.db.query(
      `INSERT INTO duty_grids (code, name, street_code, district_code, geom)
       VALUES ('310101002D901', '人民广场责任网格', '310101002', '310101',
               ST_Multi(ST_Buffer(ST_SetSRID(ST_MakePoint($1, $2), 4326), 0.002)))`,
      [square.lng, square.lat],
    );
    await t.db.query(
      `INSERT INTO duty_grid_inspectors (duty_grid_code, user_id) VALUES ('310101002D901', $1)`,
      [users.inspector],
    );
    const mine = await call('insp', 'GET', '/api/v1/patrol/beat');
    expect(mine.body.grids).toEqual([{ code: '310101002D901', name: '人民广场责任网格' }]);
    const box = mine.body.bbox as number[];
    expect(box[2]! - box[0]!).toBeCloseTo(0.004, 3);
    expect((await call('op', 'GET', '/api/v1/patrol/beat')).status).toBe(403);
  });

  it('stores a batch with the unit grid located, and ignores the same points replayed', async () => {
    const batch = { points: [point(10), point(9, 0.0001), point(8, 0.0002)] };
    const first = await call('insp', 'POST', '/api/v1/patrol/points', batch);
    expect(first).toMatchObject({ status: 200, body: { received: 3, stored: 3, duplicates: 0 } });
    const again = await call('insp', 'POST', '/api/v1/patrol/points', {
      points: [...batch.points, point(7)],
    });
    expect(again).toMatchObject({ status: 200, body: { received: 4, stored: 1, duplicates: 3 } });

    const tracks = await call('insp', 'GET', '/api/v1/patrol/tracks');
    expect(tracks.status).toBe(200);
    expect(tracks.body).toHaveLength(1);
    expect(tracks.body[0]).toMatchObject({ userId: users.inspector, username: 'insp' });
    expect(tracks.body[0].points).toHaveLength(4);
    expect(tracks.body[0].points[0]).toMatchObject({
      recordedAt: minutesAgo(10),
      accuracyM: 8,
      unitGridCode: '310101002001002',
    });
    expect(tracks.body[0].points[0].lng).toBeCloseTo(square.lng + 0.0003, 6);
    // Oldest first.
    expect(tracks.body[0].points.map((p: { recordedAt: string }) => p.recordedAt)).toEqual(
      [10, 9, 8, 7].map(minutesAgo),
    );
  });

  it('rejects points outside the city and absurd times, naming each, and stores none of the batch', async () => {
    const r = await call('insp', 'POST', '/api/v1/patrol/points', {
      points: [
        point(3),
        { recordedAt: minutesAgo(2), lng: 116.4, lat: 39.9 },
        { recordedAt: new Date(now.getTime() + 3600_000).toISOString(), lng: square.lng, lat: square.lat },
        { recordedAt: minutesAgo(60 * 24 * 30), lng: square.lng, lat: square.lat },
      ],
    });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('validation_failed');
    expect(r.body.error.message).toMatch(/3 points are wrong; point 1: .*outside the city/);
    expect(r.body.error.details).toEqual([
      { index: 1, field: 'location', message: expect.stringMatching(/outside the city/) },
      { index: 2, field: 'recordedAt', message: expect.stringMatching(/in the future/) },
      { index: 3, field: 'recordedAt', message: expect.stringMatching(/more than 7 days old/) },
    ]);
    const tracks = await call('insp', 'GET', `/api/v1/patrol/tracks?from=${minutesAgo(4)}`);
    expect(tracks.body).toEqual([]);

    const schema = await call('insp', 'POST', '/api/v1/patrol/points', {
      points: [{ recordedAt: 'yesterday', lng: 'east', lat: 31 }],
    });
    expect(schema.status).toBe(400);
    expect(schema.body.error.code).toBe('validation_failed');
    const empty = await call('insp', 'POST', '/api/v1/patrol/points', { points: [] });
    expect(empty.status).toBe(400);
  });

  it('lets only inspectors upload, and reads tracks by role and area', async () => {
    expect((await call('op', 'POST', '/api/v1/patrol/points', { points: [point(1)] })).status).toBe(403);
    expect((await call('lhsr', 'POST', '/api/v1/patrol/points', { points: [point(1)] })).status).toBe(403);
    const xh = await call('xh-insp', 'POST', '/api/v1/patrol/points', {
      points: [{ recordedAt: minutesAgo(5), lng: square.lng - 0.1, lat: square.lat }],
    });
    expect(xh).toMatchObject({ status: 200, body: { stored: 1 } });

    // An inspector sees their own track only.
    const own = await call('xh-insp', 'GET', '/api/v1/patrol/tracks');
    expect(own.body.map((t: { username: string }) => t.username)).toEqual(['xh-insp']);
    const other = await call('xh-insp', 'GET', `/api/v1/patrol/tracks?user=${users.inspector}`);
    expect(other.status).toBe(403);
    expect(other.body.error.message).toMatch(/own patrol track/);

    // The leader (whole city) sees both; the 黄浦 dispatcher only 黄浦's inspector.
    const all = await call('boss', 'GET', '/api/v1/patrol/tracks');
    expect(all.body.map((t: { username: string }) => t.username).sort()).toEqual(['insp', 'xh-insp']);
    const hp = await call('disp', 'GET', '/api/v1/patrol/tracks');
    expect(hp.body.map((t: { username: string }) => t.username)).toEqual(['insp']);
    const one = await call('boss', 'GET', `/api/v1/patrol/tracks?user=${xhInspector}`);
    expect(one.body.map((t: { username: string }) => t.username)).toEqual(['xh-insp']);
    expect((await call('op', 'GET', '/api/v1/patrol/tracks')).status).toBe(403);
    expect((await call('lhsr', 'GET', '/api/v1/patrol/tracks')).status).toBe(403);

    const backwards = await call(
      'boss',
      'GET',
      `/api/v1/patrol/tracks?from=${minutesAgo(1)}&to=${minutesAgo(5)}`,
    );
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.message).toMatch(/from must be before to/);
  });

  it("lists an inspector's own reports with reporter=me", async () => {
    const mine = await call('insp', 'POST', '/api/v1/cases', {
      category: '06010',
      description: '我的上报',
      location: { lng: square.lng - 0.0003, lat: square.lat + 0.0003 },
      idempotencyKey: 'mine-0001-abcdef',
    });
    expect(mine.status).toBe(201);
    const list = await call('insp', 'GET', '/api/v1/cases?reporter=me');
    expect(list.body.items.map((c: { id: number }) => c.id)).toEqual([mine.body.id]);
    const others = await call('op', 'GET', '/api/v1/cases?reporter=me');
    expect(others.body.items.map((c: { id: number }) => c.id)).not.toContain(mine.body.id);
    const bad = await call('insp', 'GET', '/api/v1/cases?reporter=someone');
    expect(bad.status).toBe(400);
  });

  it('applies an action replayed with the same idempotency key once', async () => {
    const reported = await call('op', 'POST', '/api/v1/cases', {
      category: '06010',
      description: '暴露垃圾',
      location: { lng: square.lng + 0.0003, lat: square.lat + 0.0003 },
    });
    expect(reported.status).toBe(201);
    const sent = await call('op', 'POST', `/api/v1/cases/${reported.body.id}/verify-report`, {
      version: reported.body.version,
      inspectorId: users.inspector,
    });
    expect(sent.body.status).toBe('verifying');
    const body = { version: sent.body.version, confirmed: true, idempotencyKey: 'check-0001-abcdef' };
    const first = await call('insp', 'POST', `/api/v1/cases/${reported.body.id}/confirm-report`, body);
    expect(first.status).toBe(200);
    expect(first.body.status).toBe('reported');
    // The phone did not hear the answer and sends the same again (now with a stale version).
    const replay = await call('insp', 'POST', `/api/v1/cases/${reported.body.id}/confirm-report`, body);
    expect(replay.status).toBe(200);
    expect(replay.body.version).toBe(first.body.version);
    expect(
      replay.body.timeline.filter((e: { action: string }) => e.action === 'confirm-report'),
    ).toHaveLength(1);
    // The same key for something else is a client bug, said plainly.
    const misuse = await call('insp', 'POST', `/api/v1/cases/${reported.body.id}/comment`, {
      version: first.body.version,
      note: 'x',
      idempotencyKey: 'check-0001-abcdef',
    });
    expect(misuse.status).toBe(409);
    expect(misuse.body.error.message).toMatch(/already used for confirm-report/);
    // Without a key a stale version is still refused.
    const stale = await call('insp', 'POST', `/api/v1/cases/${reported.body.id}/confirm-report`, {
      version: sent.body.version,
      confirmed: true,
    });
    expect(stale.status).toBe(409);
  });
});
