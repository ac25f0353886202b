/**
 * Per-level ownership (issue 14, item 1): a district's or street's administrator owns, inside its
 * subtree, matrix rules, loop-setting overrides (deadlines, calendar, auto-dispatch) and local
 * categories; the most specific area wins and the city's settings are the defaults; scope is
 * checked on the object (another district, or the city's defaults, are not theirs).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeLoopCity, square } from '../src/seed/loop-city.factory.ts';
import type { Server } from '../src/server.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';
import { ensureUser, login, testServer } from './http-harness.ts';

describe(`per-level ownership on ${testEngine}`, () => {
  let t: TestDb;
  let server: Server;
  const now = new Date('2026-03-04T02:00:00Z'); // a Wednesday, 10:00 in Shanghai
  const tokens: Record<string, string> = {};
  const call = async (user: string, method: string, url: string, payload?: unknown) => {
    const res = await server.app.inject({
      method: method as 'GET',
      url,
      headers: { authorization: `Bearer ${tokens[user]}` },
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });
    return { status: res.statusCode, body: res.body ? res.json() : undefined };
  };

  beforeAll(async () => {
    t = await openTestDb();
    await makeLoopCity(t.db);
    await ensureUser(t.db, { username: 'hp-admin', role: 'admin', scopeCode: '310101' });
    await ensureUser(t.db, { username: 'xh-admin', role: 'admin', scopeCode: '310104' });
    await ensureUser(t.db, { username: 'nj-admin', role: 'admin', scopeCode: '310101002' });
    server = await testServer(t.db, () => now);
    await server.geo.refresh({ force: true });
    for (const u of ['root', 'hp-admin', 'xh-admin', 'nj-admin', 'op', 'xh-op'])
      tokens[u] = await login(server, u);
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  it('matrix: a district adds rules in its subtree only, sees the city rules it inherits', async () => {
    const street = await call('hp-admin', 'PUT', '/api/v1/dispatch/matrix', {
      category: '07',
      areaCode: '310101002',
      departmentCode: '310101-szgl',
    });
    expect(street.status).toBe(200);
    const other = await call('hp-admin', 'PUT', '/api/v1/dispatch/matrix', {
      category: '07',
      areaCode: '310104',
      departmentCode: '310101-szgl',
    });
    expect(other.status).toBe(403);
    const city = await call('hp-admin', 'PUT', '/api/v1/dispatch/matrix', {
      category: '*',
      areaCode: '3101',
      departmentCode: '310101-szgl',
    });
    expect(city.status).toBe(403);
    expect(
      (
        await call('root', 'PUT', '/api/v1/dispatch/matrix', {
          category: '*',
          areaCode: '3101',
          departmentCode: '310101-szgl',
        })
      ).status,
    ).toBe(200);

    const seen = (await call('nj-admin', 'GET', '/api/v1/dispatch/matrix')).body as {
      id: number;
      areaCode: string;
      inherited: boolean;
      editable: boolean;
    }[];
    expect(seen.map((r) => r.areaCode).sort()).toEqual(['3101', '310101', '310101', '310101002']);
    expect(seen.find((r) => r.areaCode === '310101002')).toMatchObject({ inherited: false, editable: true });
    expect(seen.filter((r) => r.areaCode !== '310101002').every((r) => r.inherited && !r.editable)).toBe(
      true,
    );

    const xhRule = (await call('xh-admin', 'GET', '/api/v1/dispatch/matrix')).body.find(
      (r: { areaCode: string }) => r.areaCode === '310104',
    );
    expect((await call('hp-admin', 'DELETE', `/api/v1/dispatch/matrix/${xhRule.id}`)).status).toBe(404);
    const inherited = seen.find((r) => r.areaCode === '310101')!;
    expect((await call('nj-admin', 'DELETE', `/api/v1/dispatch/matrix/${inherited.id}`)).status).toBe(404);
    expect(
      (await t.db.query('SELECT 1 FROM responsibility_matrix WHERE id = $1', [xhRule.id])).rows,
    ).toHaveLength(1);
  });

  it('deadlines: a district rule beats the city default in its subtree and nowhere else', async () => {
    expect(
      (await call('hp-admin', 'PATCH', '/api/v1/settings/loop', { autoDispatchCategories: [] })).status,
    ).toBe(403);
    expect(
      (
        await call('hp-admin', 'PUT', '/api/v1/settings/loop/areas/310104', {
          autoDispatchCategories: ['06'],
        })
      ).status,
    ).toBe(403);
    const put = await call('hp-admin', 'PUT', '/api/v1/settings/loop/areas/310101', {
      deadlineRules: [
        {
          category: '*',
          limits: { filing: { amount: 7, unit: 'minutes', basis: 'natural' } },
          note: '黄浦区立案时限',
        },
      ],
    });
    expect(put.status).toBe(200);
    expect(put.body.origins).toMatchObject({ deadlineRules: '310101', calendar: 'city' });

    const street = await call('nj-admin', 'GET', '/api/v1/settings/loop/areas/310101002');
    expect(street.status).toBe(200);
    expect(street.body).toMatchObject({ own: {}, editable: true, origins: { deadlineRules: '310101' } });
    expect((await call('nj-admin', 'GET', '/api/v1/settings/loop/areas/310104')).status).toBe(403);

    const here = await call('op', 'POST', '/api/v1/cases', {
      category: '06010',
      description: '人民广场东侧暴露垃圾',
      location: { lng: square.lng + 0.0003, lat: square.lat + 0.0003 },
    });
    expect(here.status).toBe(201);
    expect(here.body.deadline).toMatchObject({
      step: 'filing',
      dueAt: new Date(now.getTime() + 7 * 60_000).toISOString(),
    });
    const there = await call('xh-op', 'POST', '/api/v1/cases', {
      category: '06010',
      description: '徐汇区暴露垃圾',
      location: { lng: square.lng - 0.1, lat: square.lat },
    });
    expect(there.status).toBe(201);
    expect(there.body.deadline.dueAt).not.toBe(new Date(now.getTime() + 7 * 60_000).toISOString());

    // Given back to the city's defaults.
    const back = await call('hp-admin', 'PUT', '/api/v1/settings/loop/areas/310101', { deadlineRules: null });
    expect(back.body.origins.deadlineRules).toBe('city');
  });

  it('categories: a district owns its local categories; others neither see nor use them', async () => {
    const made = await call('hp-admin', 'POST', '/api/v1/categories', {
      kind: 'event',
      majorCode: '06',
      name: '黄浦区共享单车乱停放',
    });
    expect(made.status).toBe(201);
    expect(made.body.ownerArea).toBe('310101');
    const code = made.body.code as string;
    const xhList = (await call('xh-op', 'GET', '/api/v1/categories?q=共享单车乱停放')).body as {
      code: string;
    }[];
    expect(xhList.map((c) => c.code)).not.toContain(code);
    expect(
      (await call('op', 'GET', '/api/v1/categories?q=共享单车乱停放')).body.map(
        (c: { code: string }) => c.code,
      ),
    ).toContain(code);
    expect(
      (await call('xh-admin', 'PATCH', `/api/v1/categories/event/${code}`, { hint: '不是你的' })).status,
    ).toBe(403);
    expect(
      (await call('hp-admin', 'PATCH', '/api/v1/categories/event/06010', { hint: '改城市的' })).status,
    ).toBe(403);
    expect(
      (await call('hp-admin', 'PATCH', `/api/v1/categories/event/${code}`, { hint: '停放点外' })).status,
    ).toBe(200);
    const outside = await call('xh-op', 'POST', '/api/v1/cases', {
      category: code,
      description: '徐汇区用黄浦区的分类',
      location: { lng: square.lng - 0.1, lat: square.lat },
    });
    expect(outside.status).toBe(400);
  });
});
