/**
 * 值班值守 over HTTP: rosters per platform, "who is on duty now" up the area tree, handovers and
 * the duty log, each change audited; bad input is refused and writes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dutyNow } from '../src/duty/duty.service.ts';
import type { Server } from '../src/server.ts';
import { makeLoopCity } from './case-fixture.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';
import { ensureUser, login, testServer } from './http-harness.ts';

describe(`duty (值班值守) on ${testEngine}`, () => {
  let t: TestDb;
  let server: Server;
  let users: Awaited<ReturnType<typeof makeLoopCity>>;
  let streetOfficer: number;
  const tokens: Record<string, string> = {};
  const now = new Date('2026-12-08T02:00:00Z');
  const at = (h: number) => new Date(now.getTime() + h * 3600_000).toISOString();
  const call = async (user: string, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) => {
    const res = await server.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${tokens[user]}` },
      ...(payload ? { payload } : {}),
    });
    return { status: res.statusCode, body: res.body ? res.json() : undefined };
  };
  const count = async (sql: string) => Number((await t.db.query<{ n: number }>(sql)).rows[0]!.n);

  beforeAll(async () => {
    t = await openTestDb();
    users = await makeLoopCity(t.db);
    streetOfficer = await ensureUser(t.db, {
      username: 'njd-duty',
      role: 'operator',
      scopeCode: '310101002',
    });
    server = await testServer(t.db, () => now);
    for (const u of ['boss', 'op', 'disp', 'xh-op', 'lhsr', 'njd-duty', 'insp'])
      tokens[u] = await login(server, u);
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  it('puts people on shifts and says who is on duty, from the nearest platform up the tree', async () => {
    const city = await call('boss', 'POST', '/api/v1/duty/shifts', {
      areaCode: '3101',
      userId: users.leader,
      post: 'lead',
      startsAt: at(-2),
      endsAt: at(22),
    });
    expect(city.status).toBe(201);
    expect(city.body).toMatchObject({ areaCode: '3101', areaName: '上海市', username: 'boss', post: 'lead' });
    const district = await call('boss', 'POST', '/api/v1/duty/shifts', {
      areaCode: '310101',
      userId: users.operator,
      post: 'officer',
      startsAt: at(-1),
      endsAt: at(7),
    });
    expect(district.status).toBe(201);

    // A unit grid in 南京东路街道: no one on the street, so the district answers.
    const grid = await call('op', 'GET', '/api/v1/duty/now?area=310101002001003');
    expect(grid.status).toBe(200);
    expect(grid.body.platform).toEqual({ code: '310101', name: '黄浦区', level: 'district' });
    expect(grid.body.onDuty.map((s: { username: string }) => s.username)).toEqual(['op']);
    // 徐汇区 has no one: the city platform answers.
    const xh = await call('boss', 'GET', '/api/v1/duty/now?area=310104001');
    expect(xh.body.platform.code).toBe('3101');
    expect(xh.body.onDuty[0]).toMatchObject({ username: 'boss', post: 'lead' });
    // Default: the caller's own area.
    expect((await call('op', 'GET', '/api/v1/duty/now')).body.platform.code).toBe('310101');

    // The street platform gets its own officer: the street now answers for its grids.
    const street = await call('boss', 'POST', '/api/v1/duty/shifts', {
      areaCode: '310101002',
      userId: streetOfficer,
      post: 'officer',
      startsAt: at(0),
      endsAt: at(12),
    });
    expect(street.status).toBe(201);
    expect((await call('op', 'GET', '/api/v1/duty/now?area=310101002001003')).body.platform.code).toBe(
      '310101002',
    );

    // The service function other modules call, at another time: after the district shift ends.
    const later = await dutyNow(t.db, '310101', new Date(at(8)));
    expect(later.platform?.code).toBe('3101');
    const nobody = await dutyNow(t.db, '310101', new Date(at(30)));
    expect(nobody).toEqual({ area: '310101', platform: null, onDuty: [] });

    const roster = await call('op', 'GET', `/api/v1/duty/shifts?area=310101&from=${at(-3)}&to=${at(24)}`);
    expect(roster.body.map((s: { areaCode: string }) => s.areaCode)).toEqual(['310101', '310101002']);
  });

  it('refuses bad shifts and writes nothing', async () => {
    const before = await count('SELECT count(*)::int AS n FROM duty_shifts');
    const base = {
      areaCode: '310101',
      userId: users.dispatcher,
      post: 'officer',
      startsAt: at(1),
      endsAt: at(9),
    };
    expect((await call('boss', 'POST', '/api/v1/duty/shifts', { ...base, endsAt: at(0) })).status).toBe(400);
    expect((await call('boss', 'POST', '/api/v1/duty/shifts', { ...base, endsAt: at(60) })).status).toBe(400);
    // A community is not a duty platform.
    expect(
      (await call('boss', 'POST', '/api/v1/duty/shifts', { ...base, areaCode: '310101002001' })).status,
    ).toBe(400);
    // 徐汇's operator does not cover 黄浦.
    expect(
      (await call('boss', 'POST', '/api/v1/duty/shifts', { ...base, userId: users.xhOperator })).status,
    ).toBe(400);
    // Already on a shift then.
    expect(
      (await call('boss', 'POST', '/api/v1/duty/shifts', { ...base, userId: users.operator })).status,
    ).toBe(409);
    expect((await call('boss', 'POST', '/api/v1/duty/shifts', { ...base, userId: 999999 })).status).toBe(404);
    // Only those who arrange rosters may; scope is checked on the platform.
    expect((await call('op', 'POST', '/api/v1/duty/shifts', base)).status).toBe(403);
    expect((await call('xh-op', 'GET', '/api/v1/duty/now?area=310101')).status).toBe(403);
    expect((await call('insp', 'GET', '/api/v1/duty/now')).status).toBe(403);
    expect(await count('SELECT count(*)::int AS n FROM duty_shifts')).toBe(before);
  });

  it('hands a shift over once, into the duty log; keeps a log; removes only shifts not yet started', async () => {
    const mine = (await call('op', 'GET', '/api/v1/duty/now')).body.onDuty[0];
    expect(
      (await call('disp', 'POST', `/api/v1/duty/shifts/${mine.id}/handover`, { note: 'x' })).status,
    ).toBe(403);
    const handed = await call('op', 'POST', `/api/v1/duty/shifts/${mine.id}/handover`, {
      note: '南京东路积水点已处置，泵车 2 台在位',
    });
    expect(handed.status).toBe(200);
    expect(handed.body).toMatchObject({
      handoverNote: '南京东路积水点已处置，泵车 2 台在位',
      handedOverAt: now.toISOString(),
    });
    expect(
      (await call('op', 'POST', `/api/v1/duty/shifts/${mine.id}/handover`, { note: 'again' })).status,
    ).toBe(409);

    const entry = await call('op', 'POST', '/api/v1/duty/log', {
      areaCode: '310101',
      kind: 'call',
      text: '市民来电：延安东路积水',
    });
    expect(entry.status).toBe(201);
    expect(entry.body).toMatchObject({ kind: 'call', shiftId: mine.id, displayName: 'op' });
    expect(
      (await call('op', 'POST', '/api/v1/duty/log', { areaCode: '310104', kind: 'note', text: 'x' })).status,
    ).toBe(403);
    expect(
      (await call('op', 'POST', '/api/v1/duty/log', { areaCode: '310101', kind: 'handover', text: 'x' }))
        .status,
    ).toBe(400);
    const log = await call('boss', 'GET', '/api/v1/duty/log?area=310101');
    expect(log.body.map((e: { kind: string }) => e.kind)).toEqual(['call', 'handover']);

    const started = (await call('boss', 'GET', '/api/v1/duty/now?area=3101')).body.onDuty[0];
    expect((await call('boss', 'DELETE', `/api/v1/duty/shifts/${started.id}`)).status).toBe(409);
    const future = await call('boss', 'POST', '/api/v1/duty/shifts', {
      areaCode: '310101',
      userId: users.dispatcher,
      post: 'officer',
      startsAt: at(7),
      endsAt: at(19),
    });
    expect((await call('boss', 'DELETE', `/api/v1/duty/shifts/${future.body.id}`)).status).toBe(204);

    const audited = await t.db.query<{ action: string; actor: string }>(
      "SELECT action, actor FROM audit_log WHERE action LIKE 'duty.%' ORDER BY seq",
    );
    expect(audited.rows.map((r) => r.action)).toEqual([
      'duty.shift.create',
      'duty.shift.create',
      'duty.shift.create',
      'duty.handover',
      'duty.log',
      'duty.shift.create',
      'duty.shift.delete',
    ]);
    expect(audited.rows[3]!.actor).toBe('op');
  });
});
