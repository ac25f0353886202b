import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from '../src/server.ts';
import { makeLoopCity, square } from './case-fixture.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';
import { login, testServer } from './http-harness.ts';

/** The branches cases.http.test.ts leaves out, and a server restart in the middle of a loop. */
describe(`loop branches and restarts over HTTP on ${testEngine}`, () => {
  let t: TestDb;
  let server: Server;
  const tokens: Record<string, string> = {};
  let now = new Date('2026-11-23T02:00:00Z');
  const jpeg = Buffer.concat([
    Buffer.from([
      0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0, 0, 1, 0, 1, 0, 0,
    ]),
    Buffer.alloc(500, 3),
    Buffer.from([0xff, 0xd9]),
  ]);
  const call = async (user: string, url: string, payload?: unknown) => {
    const res = await server.app.inject({
      method: payload === undefined ? 'GET' : 'POST',
      url,
      headers: { authorization: `Bearer ${tokens[user]}` },
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });
    return { status: res.statusCode, body: res.json() };
  };
  const act = async (user: string, id: number, action: string, body: Record<string, unknown>) => {
    const r = await call(user, `/api/v1/cases/${id}/${action}`, body);
    if (r.status !== 200) throw new Error(`${action}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const photo = async (user: string) => {
    const boundary = '----b';
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/attachments',
      headers: {
        authorization: `Bearer ${tokens[user]}`,
        'content-type': `multipart/form-data; boundary=${boundary}`,
      },
      payload: Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n\r\n`),
        jpeg,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]),
    });
    return res.json().id as string;
  };
  const start = async () => {
    server = await testServer(t.db, () => now);
    await server.geo.refresh({ force: true });
    for (const u of ['insp', 'op', 'disp', 'lhsr', 'boss']) tokens[u] = await login(server, u);
  };
  const report = async (extra: Record<string, unknown> = {}) =>
    (
      await call('insp', '/api/v1/cases', {
        category: '06010',
        description: '暴露垃圾',
        location: { lng: square.lng + 0.0005, lat: square.lat - 0.0005 },
        ...extra,
      })
    ).body;

  beforeAll(async () => {
    t = await openTestDb();
    await makeLoopCity(t.db);
    await start();
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  it('hands a case up to the higher platform and back down to dispatch', async () => {
    let c = await report();
    c = await act('op', c.id, 'accept', { version: c.version });
    c = await act('op', c.id, 'hand-up', {
      version: c.version,
      target: 'higher-platform',
      reason: '超出区级职权',
    });
    expect(c.status).toBe('handed-up');
    c = await act('op', c.id, 'hand-down', { version: c.version });
    expect(['filed', 'dispatched']).toContain(c.status);
  });

  it("closes an inspector's self-handled report in one step, with the photo", async () => {
    const c = await report({ category: '07001', description: '小广告，已当场清除' });
    const closed = await act('insp', c.id, 'self-handle', {
      version: c.version,
      photos: [await photo('insp')],
    });
    expect(closed).toMatchObject({ status: 'closed' });
    const d = (await call('op', `/api/v1/cases/${c.id}`)).body;
    expect(d.timeline.map((e: { action: string }) => e.action)).toEqual(['report', 'self-handle']);
  });

  it('reopens a closed case to dispatch, and a rejected one to acceptance', async () => {
    let c = await report({ category: '06011', description: '积存垃圾' });
    const rejected = await act('op', c.id, 'reject', { version: c.version, reason: '重复上报' });
    const back = await act('op', c.id, 'reopen', { version: rejected.version, reason: '核实并非重复' });
    expect(back.status).toBe('reported');
    c = await report({
      category: '07001',
      description: '小广告',
      location: { lng: square.lng - 0.0005, lat: square.lat + 0.0005 },
    });
    const closed = await act('insp', c.id, 'self-handle', {
      version: c.version,
      photos: [await photo('insp')],
    });
    const reopened = await act('boss', c.id, 'reopen', { version: closed.version, reason: '群众反映仍存在' });
    expect(reopened.status).toBe('filed');
  });

  it('loses nothing when the server restarts in the middle of a loop, and deadlines stay true', async () => {
    let c = await report({
      category: '06012',
      description: '道路不洁',
      location: { lng: square.lng + 0.0002, lat: square.lat + 0.0007 },
    });
    c = await act('op', c.id, 'accept', { version: c.version });
    c = await act('disp', c.id, 'dispatch', { version: c.version });
    const before = (await call('op', `/api/v1/cases/${c.id}`)).body;
    await server.close();
    // The server is down for two days: the handling deadline passes with no process running.
    now = new Date(now.getTime() + 2 * 86_400_000);
    await start();
    const after = (await call('op', `/api/v1/cases/${c.id}`)).body;
    expect(after).toMatchObject({
      status: 'dispatched',
      version: before.version,
      departmentCode: '310101-lhsr',
    });
    expect(after.timeline).toEqual(before.timeline);
    expect(after.deadline.dueAt).toBe(before.deadline.dueAt);
    expect(after.deadline.state).toBe('overdue');
    const overdue = (await call('op', '/api/v1/cases?overdue=true')).body.items.map(
      (x: { id: number }) => x.id,
    );
    expect(overdue).toContain(c.id);
    // The loop goes on where it stopped.
    c = await act('lhsr', c.id, 'accept-task', { version: after.version });
    expect(c.status).toBe('handling');
  });
});
