/**
 * 联勤联动 over HTTP: the command centre adds an assisting department to a dispatched case; the
 * lead's 处置反馈 waits until the assistant has reported; only the assistant's own staff report it;
 * assessment counts both roles; bad requests write nothing; every change audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from '../src/server.ts';
import { makeLoopCity, square } from './case-fixture.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';
import { login, testServer } from './http-harness.ts';

describe(`joint handling (联勤联动) on ${testEngine}`, () => {
  let t: TestDb;
  let server: Server;
  const tokens: Record<string, string> = {};
  const now = new Date('2026-12-08T02:00:00Z');
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
  let caseId: number;
  let version: number;
  const due = new Date(now.getTime() + 2 * 3600_000).toISOString();

  beforeAll(async () => {
    t = await openTestDb();
    await makeLoopCity(t.db);
    server = await testServer(t.db, () => now);
    await server.geo.refresh({ force: true });
    for (const u of ['insp', 'op', 'disp', 'lhsr', 'szgl', 'boss', 'xh-op'])
      tokens[u] = await login(server, u);
    const c = await call('insp', '/api/v1/cases', {
      category: '06010',
      description: '暴露垃圾堵塞雨水口',
      location: { lng: square.lng + 0.0003, lat: square.lat + 0.0003 },
    });
    expect(c.status).toBe(201);
    caseId = c.body.id;
    let s = await call('op', `/api/v1/cases/${caseId}/accept`, { version: c.body.version });
    s = await call('disp', `/api/v1/cases/${caseId}/dispatch`, { version: s.body.version });
    expect(s.body).toMatchObject({ status: 'dispatched', departmentCode: '310101-lhsr' });
    version = s.body.version;
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  it('adds an assisting department with its task and deadline; refuses the wrong ones and writes nothing', async () => {
    const url = `/api/v1/cases/${caseId}/assists`;
    const body = { departmentCode: '310101-szgl', task: '疏通雨水口', dueAt: due };
    expect((await call('lhsr', url, body)).status).toBe(403);
    expect((await call('disp', url, { ...body, departmentCode: '310101-lhsr' })).status).toBe(409);
    expect((await call('disp', url, { ...body, departmentCode: 'nope' })).status).toBe(400);
    expect((await call('disp', url, { ...body, dueAt: '2020-01-01T00:00:00Z' })).status).toBe(409);
    expect((await call('xh-op', url, body)).status).toBe(404);
    expect(
      Number((await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM case_assists')).rows[0]!.n),
    ).toBe(0);
    const candidates = (await call('disp', `${url}/candidates`)).body.map((d: { code: string }) => d.code);
    expect(candidates).toContain('310101-szgl');
    expect(candidates).not.toContain('310101-lhsr');
    const added = await call('disp', url, body);
    expect(added.status).toBe(200);
    expect(added.body).toEqual([
      expect.objectContaining({
        departmentCode: '310101-szgl',
        departmentName: '黄浦区市政管理',
        task: '疏通雨水口',
        doneAt: null,
      }),
    ]);
    expect((await call('disp', url, body)).status).toBe(409);
    // The assistant sees its part though the case is another department's.
    expect((await call('szgl', url)).status).toBe(200);
  });

  it('holds the lead’s 处置反馈 until the assistant has reported, then lets it through', async () => {
    let s = await call('lhsr', `/api/v1/cases/${caseId}/accept-task`, { version });
    expect(s.body.status).toBe('handling');
    const blocked = await call('lhsr', `/api/v1/cases/${caseId}/handle`, {
      version: s.body.version,
      note: '已清运',
      photos: [await photo('lhsr')],
    });
    expect(blocked.status).toBe(409);
    expect(blocked.body.error.message).toMatch(/黄浦区市政管理/);

    const fb = `/api/v1/cases/${caseId}/assists/310101-szgl/feedback`;
    expect((await call('lhsr', fb, { feedback: 'x' })).status).toBe(403);
    const done = await call('szgl', fb, { feedback: '雨水口已疏通' });
    expect(done.status).toBe(200);
    expect(done.body[0]).toMatchObject({ feedback: '雨水口已疏通', doneBy: 'szgl', overdue: false });
    expect((await call('szgl', fb, { feedback: 'again' })).status).toBe(409);

    s = await call('lhsr', `/api/v1/cases/${caseId}/handle`, {
      version: s.body.version,
      note: '已清运',
      photos: [await photo('lhsr')],
    });
    expect(s.status).toBe(200);
    expect(s.body.status).toBe('handled');
  });

  it('counts both roles in assessment, and audits each step', async () => {
    const f = await call('boss', '/api/v1/assessment/joint?area=310101');
    expect(f.status).toBe(200);
    expect(f.body).toEqual([
      expect.objectContaining({ departmentCode: '310101-lhsr', led: 1, ledHandled: 1, assisted: 0 }),
      expect.objectContaining({
        departmentCode: '310101-szgl',
        led: 0,
        assisted: 1,
        onTime: 1,
        late: 0,
        open: 0,
      }),
    ]);
    expect((await call('xh-op', '/api/v1/assessment/joint?area=310101')).status).toBe(403);
    const audited = await t.db.query<{ action: string; actor: string }>(
      `SELECT action, actor FROM audit_log WHERE action LIKE 'case.assist%' ORDER BY seq`,
    );
    expect(audited.rows).toEqual([
      { action: 'case.assist', actor: 'disp' },
      { action: 'case.assist-feedback', actor: 'szgl' },
    ]);
  });
});
