/**
 * AI cameras over HTTP with a real service account (grant `cameras`): a camera registers, a
 * detection under its type's threshold is only recorded, a sighting opens a case that the system
 * files and dispatches with the snapshot attached, later sightings of the same camera and type
 * join it, a clear detection closes it once the department has handled it, a new sighting within
 * the reopen window reopens it, and the sweep closes a case whose problem has not been seen for
 * the type's window.
 */
import { cameraTypeRules } from '@onegrid/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshotPng } from '../src/cameras/snapshot.ts';
import type { Server } from '../src/server.ts';
import { makeLoopCity, square } from './case-fixture.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';
import { ensureUser, login, testServer } from './http-harness.ts';

describe(`AI cameras on ${testEngine}`, () => {
  let t: TestDb;
  let server: Server;
  let now = new Date('2026-11-23T02:00:00Z');
  const clock = () => now;
  const tokens: Record<string, string> = {};
  let machine = '';
  const call = async (who: string, method: 'GET' | 'POST', url: string, payload?: unknown) => {
    const res = await server.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${tokens[who] ?? who}` },
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });
    return { status: res.statusCode, body: res.json() };
  };
  const detect = (body: Record<string, unknown>, camera = 'cam-001') =>
    call(machine, 'POST', `/api/v1/cameras/${camera}/detections`, {
      ts: now.toISOString(),
      bbox: [0.3, 0.5, 0.25, 0.3],
      ...body,
    });
  const act = async (user: string, id: number, action: string, body: Record<string, unknown> = {}) => {
    const c = await call(user, 'GET', `/api/v1/cases/${id}`);
    return call(user, 'POST', `/api/v1/cases/${id}/${action}`, { version: c.body.version, ...body });
  };
  let account = { clientId: '', clientSecret: '' };
  /** Machine tokens last 15 minutes: take a fresh one as a camera platform would. */
  const takeToken = async () => {
    const tok = await server.app.inject({
      method: 'POST',
      url: '/api/v1/oauth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: account.clientId,
        client_secret: account.clientSecret,
      }).toString(),
    });
    machine = tok.json().access_token;
  };
  const minutes = async (m: number) => {
    now = new Date(now.getTime() + m * 60_000);
    await takeToken();
  };
  let photo = '';

  beforeAll(async () => {
    t = await openTestDb();
    await makeLoopCity(t.db);
    await ensureUser(t.db, { username: 'sec', role: 'security', scopeCode: '3101' });
    server = await testServer(t.db, clock, { sessionHours: 24 * 30, sessionIdleMinutes: 60 * 24 * 30 });
    await server.geo.refresh({ force: true });
    for (const u of ['sec', 'lhsr', 'op', 'root']) tokens[u] = await login(server, u);
    const sa = await call('sec', 'POST', '/api/v1/service-accounts', {
      name: '视频智能分析平台',
      scope: '310101',
      grants: ['cameras'],
      clearance: 'internal',
    });
    expect(sa.status, JSON.stringify(sa.body)).toBeLessThan(300);
    account = sa.body;
    await takeToken();
    photo = snapshotPng('garbage', [0.3, 0.5, 0.25, 0.3]).toString('base64');
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  it('registers cameras in the account’s area, and lists them for the map', async () => {
    const cam = await call(machine, 'POST', '/api/v1/cameras', {
      id: 'cam-001',
      name: '人民广场东侧 1 号球机',
      location: { lng: square.lng + 0.0003, lat: square.lat + 0.0003 },
      heading: 90,
      streamUrl: 'https://video.example.gov.cn/live/cam-001.m3u8',
    });
    expect(cam.status, JSON.stringify(cam.body)).toBe(200);
    expect(cam.body).toMatchObject({
      id: 'cam-001',
      unitGridCode: '310101002001002',
      status: 'online',
      heading: 90,
    });
    // Outside the city, or by someone who may not configure: refused, nothing written.
    const outside = await call(machine, 'POST', '/api/v1/cameras', {
      id: 'cam-x',
      name: 'x',
      location: { lng: 116.4, lat: 39.9 },
    });
    expect(outside.status, JSON.stringify(outside.body)).toBe(400);
    expect(
      (
        await call('lhsr', 'POST', '/api/v1/cameras', {
          id: 'cam-y',
          name: 'y',
          location: { lng: square.lng, lat: square.lat },
        })
      ).status,
    ).toBe(403);
    const list = await call('op', 'GET', '/api/v1/cameras');
    expect(list.body.map((c: { id: string }) => c.id)).toEqual(['cam-001']);
    // A person cannot post detections; only a camera platform's account.
    expect(
      (
        await call('op', 'POST', '/api/v1/cameras/cam-001/detections', {
          ts: now.toISOString(),
          type: 'garbage',
          confidence: 0.9,
          bbox: [0, 0, 1, 1],
        })
      ).status,
    ).toBe(403);
  });

  it('opens one case for a sighting, joins the next, and closes it on a clear once handled', async () => {
    const low = await detect({ type: 'garbage', confidence: cameraTypeRules.garbage.minConfidence - 0.1 });
    expect(low.body).toEqual({ outcome: 'below-threshold', case: null });

    const first = await detect({ type: 'garbage', confidence: 0.92, snapshot: photo });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.outcome).toBe('open');
    expect(first.body.case.status).toBe('dispatched'); // 自动识别 → 自动派单
    const id = first.body.case.id;
    const c = await call('op', 'GET', `/api/v1/cases/${id}`);
    expect(c.body).toMatchObject({ source: 'camera', category: '06010', departmentCode: '310101-lhsr' });

    await minutes(20);
    const again = await detect({ type: 'garbage', confidence: 0.88, snapshot: photo });
    expect(again.body).toMatchObject({ outcome: 'join', case: { id } });
    const dets = await call('op', 'GET', `/api/v1/cases/${id}/detections`);
    expect(dets.body).toHaveLength(2);
    expect(dets.body[0]).toMatchObject({ type: 'garbage', bbox: [0.3, 0.5, 0.25, 0.3] });
    expect(dets.body[0].attachmentId).toBeTruthy();
    // The snapshot is the case's photo, readable by those who see the case.
    const img = await server.app.inject({
      method: 'GET',
      url: `/api/v1/attachments/${dets.body[1].attachmentId}`,
      headers: { authorization: `Bearer ${tokens.op}` },
    });
    expect(img.statusCode).toBe(200);
    expect(img.headers['content-type']).toContain('image/png');

    // 人力处置, then the camera sees the street clear: checked and closed by the system.
    expect((await act('lhsr', id, 'accept-task')).status).toBe(200);
    const handled = await act('lhsr', id, 'handle', { note: '已清运', photos: [dets.body[0].attachmentId] });
    expect(handled.status, JSON.stringify(handled.body)).toBe(200);
    await minutes(5);
    const clear = await detect({ type: 'garbage', confidence: 0.9, clear: true });
    expect(clear.body).toMatchObject({ outcome: 'clear', case: { id, status: 'closed' } });

    // Seen again within the reopen window: the same case comes back and goes to the department.
    await minutes(30);
    const back = await detect({ type: 'garbage', confidence: 0.8 });
    expect(back.body).toMatchObject({ outcome: 'reopen', case: { id, status: 'dispatched' } });
  });

  it('clears a case by itself when the problem is not seen for the type’s window', async () => {
    const first = await detect({ type: 'street-vendor', confidence: 0.9 });
    expect(first.body.outcome).toBe('open');
    const id = first.body.case.id;
    await minutes(cameraTypeRules['street-vendor'].clearAfterS / 60 + 1);
    const swept = await server.cameras.service.sweep();
    expect(swept.cleared).toBe(1);
    const after = await call('op', 'GET', `/api/v1/cases/${id}`);
    // Not handled yet: the case stays with people; the close follows the handling.
    expect(after.body.status).not.toBe('closed');
    const link = await t.db.query<{ state: string }>(
      "SELECT state FROM camera_case_links WHERE camera_id = 'cam-001' AND type = 'street-vendor'",
    );
    expect(link.rows[0]!.state).toBe('cleared');
  });

  it('refuses bad detections with a clear 4xx and writes nothing', async () => {
    const before = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM camera_detections');
    expect((await detect({ type: 'ufo', confidence: 0.9 })).status).toBe(400);
    expect((await detect({ type: 'garbage', confidence: 1.5 })).status).toBe(400);
    expect(
      (
        await detect({
          type: 'garbage',
          confidence: 0.9,
          snapshot: Buffer.from('not an image').toString('base64'),
        })
      ).status,
    ).toBe(415);
    expect((await detect({ type: 'garbage', confidence: 0.9 }, 'no-such-camera')).status).toBe(404);
    const after = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM camera_detections');
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
  });
});
