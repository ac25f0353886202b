/**
 * The command screen's API on both engines: open cases (compact, scoped), inspectors' positions and
 * tracks, replay (window, order, limits), incident focus (nearest inspectors first, department),
 * drill-down figures, and bad input.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDevice, addPatrolPoints, raiseAlarm } from '../src/command/command.fixture.ts';
import type { Server } from '../src/server.ts';
import { makeLoopCity, square } from './case-fixture.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';
import { ensureUser, login, testServer } from './http-harness.ts';

interface Compact {
  total: number;
  statuses: string[];
  cases: {
    id: number[];
    lng: number[];
    lat: number[];
    major: string[];
    urgent: number[];
    status: number[];
    overdue: number[];
  };
}

describe(`command screen API on ${testEngine}`, () => {
  let t: TestDb;
  let server: Server;
  const tokens: Record<string, string> = {};
  let now = new Date('2026-11-23T02:00:00Z'); // Monday 10:00 in Shanghai
  const ids: Record<string, number> = {};
  let alarmId = 0;
  const get = async (user: string, url: string) => {
    const res = await server.app.inject({
      method: 'GET',
      url,
      headers: { authorization: `Bearer ${tokens[user]}` },
    });
    return { status: res.statusCode, body: res.json() };
  };
  const report = async (user: string, body: Record<string, unknown>) => {
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: { authorization: `Bearer ${tokens[user]}` },
      payload: body,
    });
    if (res.statusCode !== 201) throw new Error(res.body);
    return res.json() as { id: number; number: string; version: number };
  };

  beforeAll(async () => {
    t = await openTestDb();
    const users = await makeLoopCity(t.db);
    const insp2 = await ensureUser(t.db, { username: 'insp2', role: 'inspector', scopeCode: '310101002' });
    await ensureUser(t.db, { username: 'hp-boss', role: 'leader', scopeCode: '310101' });
    server = await testServer(t.db, () => now);
    await server.geo.refresh({ force: true });
    for (const u of ['insp', 'op', 'disp', 'boss', 'hp-boss', 'root', 'lhsr'])
      tokens[u] = await login(server, u);

    // One reported the day before at 16:00 and rejected at 09:30: open when a replay from 09:00 begins.
    now = new Date('2026-11-22T08:00:00Z');
    const old = await report('root', {
      category: '09001',
      description: '昨日占道经营',
      location: { lng: square.lng + 0.0003, lat: square.lat - 0.0003 },
    });
    ids.old = old.id;
    now = new Date('2026-11-23T01:30:00Z');
    const rejected = await server.app.inject({
      method: 'POST',
      url: `/api/v1/cases/${old.id}/reject`,
      headers: { authorization: `Bearer ${tokens.root}` },
      payload: { version: old.version, reason: '重复上报' },
    });
    if (rejected.statusCode !== 200) throw new Error(rejected.body);
    now = new Date('2026-11-23T02:00:00Z');

    // Two cases in 黄浦 (one urgent), one in 徐汇, at 10:00, 10:05, 10:10.
    ids.a = (
      await report('root', {
        category: '06010',
        description: '人民广场东侧暴露垃圾',
        location: { lng: square.lng + 0.0005, lat: square.lat + 0.0005 },
      })
    ).id;
    now = new Date('2026-11-23T02:05:00Z');
    ids.b = (
      await report('root', {
        category: '01001',
        description: '供水井盖缺失',
        urgency: 'urgent',
        location: { lng: square.lng - 0.0005, lat: square.lat - 0.0005 },
      })
    ).id;
    now = new Date('2026-11-23T02:10:00Z');
    ids.x = (
      await report('root', {
        category: '06010',
        description: '天平路暴露垃圾',
        location: { lng: square.lng - 0.1, lat: square.lat },
      })
    ).id;

    // Inspectors: insp 80 m from case b, insp2 400 m; a stale point from yesterday is ignored.
    await addPatrolPoints(t.db, users.inspector, [
      { lng: square.lng - 0.002, lat: square.lat - 0.0005, at: new Date('2026-11-23T01:50:00Z') },
      { lng: square.lng - 0.0013, lat: square.lat - 0.0005, at: new Date('2026-11-23T02:08:00Z') },
    ]);
    await addPatrolPoints(t.db, insp2, [
      { lng: square.lng + 0.0037, lat: square.lat - 0.0005, at: new Date('2026-11-23T02:09:00Z') },
    ]);
    await addPatrolPoints(t.db, insp2, [
      { lng: square.lng, lat: square.lat, at: new Date('2026-11-22T02:00:00Z') },
    ]);

    // A red (critical) alarm at a smoke detector in 黄浦 at 10:12.
    now = new Date('2026-11-23T02:12:00Z');
    await addDevice(t.db, 'smoke-1', 'smoke', { lng: square.lng + 0.0002, lat: square.lat - 0.0002 });
    alarmId = await raiseAlarm(server, t.db, 'smoke-1', 'critical', now);
    now = new Date('2026-11-23T02:15:00Z');
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  it('lists open cases compactly, scoped to the caller', async () => {
    const city = await get('boss', '/api/v1/command/cases');
    expect(city.status).toBe(200);
    const c = city.body as Compact;
    expect(c.cases.id).toEqual(expect.arrayContaining([ids.a, ids.b, ids.x]));
    const i = c.cases.id.indexOf(ids.b!);
    expect(c.cases.major[i]).toBe('01');
    expect(c.cases.urgent[i]).toBe(1);
    expect(c.statuses[c.cases.status[i]!]).toBeTypeOf('string');
    expect(c.cases.lng[i]).toBeCloseTo(square.lng - 0.0005, 5);
    for (const k of ['lng', 'lat', 'major', 'urgent', 'status', 'overdue'] as const) {
      expect(c.cases[k]).toHaveLength(c.total);
    }
    // A leader of 黄浦 sees 黄浦 alone; asking for 徐汇 is refused.
    const hp = (await get('hp-boss', '/api/v1/command/cases')).body as Compact;
    expect(hp.cases.id).toContain(ids.a);
    expect(hp.cases.id).not.toContain(ids.x);
    expect((await get('hp-boss', '/api/v1/command/cases?area=310104')).status).toBe(403);
    // Narrowing by area works for the city leader.
    const xh = (await get('boss', '/api/v1/command/cases?area=310104')).body as Compact;
    expect(xh.cases.id).toEqual([ids.x]);
  });

  it('counts open cases by street, or by unit grid below a district, for the first view', async () => {
    type Summary = {
      total: number;
      level: string;
      bbox: number[] | null;
      groups: { code: string[]; lng: number[]; lat: number[]; count: number[]; urgent: number[] };
    };
    const full = (await get('boss', '/api/v1/command/cases')).body as Compact;
    const city = await get('boss', '/api/v1/command/cases/summary');
    expect(city.status).toBe(200);
    const s = city.body as Summary;
    expect(s.level).toBe('street');
    expect(s.bbox).toEqual((await get('boss', '/api/v1/command/area')).body.bbox); // the map fits it at once
    expect(s.total).toBe(full.total);
    expect(s.groups.count.reduce((a, b) => a + b, 0)).toBe(full.total);
    expect(s.groups.urgent.reduce((a, b) => a + b, 0)).toBe(full.cases.urgent.reduce((a, b) => a + b, 0));
    expect(s.groups.code.every((c) => c.length === 9)).toBe(true);
    const hp = s.groups.code.indexOf('310101002');
    expect(s.groups.lng[hp]).toBeCloseTo(square.lng, 2);
    // Below a district the groups are unit grids; scoped like the full set.
    const street = (await get('boss', '/api/v1/command/cases/summary?area=310101002')).body as Summary;
    expect(street.level).toBe('grid');
    expect(street.groups.code.every((c) => c.startsWith('310101002') && c.length === 15)).toBe(true);
    expect((await get('hp-boss', '/api/v1/command/cases/summary')).body.groups.code).toEqual(['310101002']);
    expect((await get('hp-boss', '/api/v1/command/cases/summary?area=310104')).status).toBe(403);
  });

  it('refuses roles that do not run the screen and malformed areas', async () => {
    expect((await get('op', '/api/v1/command/cases')).status).toBe(403);
    expect((await get('lhsr', '/api/v1/command/inspectors')).status).toBe(403);
    const bad = await get('boss', '/api/v1/command/cases?area=abc');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBeTypeOf('string');
    const anon = await server.app.inject({ method: 'GET', url: '/api/v1/command/cases' });
    expect(anon.statusCode).toBe(401);
  });

  it('shows inspectors’ latest positions and tracks of the last two hours', async () => {
    const r = await get('disp', '/api/v1/command/inspectors');
    expect(r.status).toBe(200);
    const items = r.body.items as Array<{ name: string; lng: number; track: unknown[]; at: string }>;
    expect(items.map((i) => i.name).sort()).toEqual(['insp', 'insp2']);
    const insp = items.find((i) => i.name === 'insp')!;
    expect(insp.track).toHaveLength(2);
    expect(insp.lng).toBeCloseTo(square.lng - 0.0013, 6);
    expect(insp.at).toBe('2026-11-23T02:08:00.000Z');
    const insp2 = items.find((i) => i.name === 'insp2')!;
    expect(insp2.track).toHaveLength(1); // yesterday's point is not part of it
    expect((await get('boss', '/api/v1/command/inspectors?area=310104')).body.items).toEqual([]);
  });

  it('replays case steps and alarms in the window, in time order', async () => {
    const r = await get('boss', '/api/v1/command/replay?from=2026-11-23T02:00:00Z&to=2026-11-23T03:00:00Z');
    expect(r.status).toBe(200);
    const events = r.body.events as Array<{ at: string; kind: string; id: number; action: string }>;
    const ats = events.map((e) => e.at);
    expect(ats).toEqual([...ats].sort());
    // The alarm filed a case of its own (smoke → case) after the three reports.
    const reports = events.filter((e) => e.kind === 'case' && e.action === 'report').map((e) => e.id);
    expect(reports.slice(0, 3)).toEqual([ids.a, ids.b, ids.x]);
    expect(events).toContainEqual(
      expect.objectContaining({ kind: 'alarm', id: alarmId, action: 'raised', severity: 'critical' }),
    );
    // The window is half-open and tight: only case b's report in [10:05, 10:10).
    const w = await get('boss', '/api/v1/command/replay?from=2026-11-23T02:05:00Z&to=2026-11-23T02:10:00Z');
    expect(
      (w.body.events as Array<{ id: number; kind: string }>)
        .filter((e) => e.kind === 'case')
        .map((e) => e.id),
    ).toEqual(Array(w.body.events.filter((e: { kind: string }) => e.kind === 'case').length).fill(ids.b));
    // Scoped: the 黄浦 leader never sees 徐汇's case.
    const hp = await get('hp-boss', '/api/v1/command/replay?from=2026-11-23&to=2026-11-24');
    expect(
      (hp.body.events as Array<{ id: number; kind: string }>).some(
        (e) => e.kind === 'case' && e.id === ids.x,
      ),
    ).toBe(false);
    // Bad input.
    expect((await get('boss', '/api/v1/command/replay?from=2026-11-23&to=2026-11-22')).status).toBe(400);
    expect((await get('boss', '/api/v1/command/replay?from=2026-11-01&to=2026-11-23')).status).toBe(400);
    const nonsense = await get('boss', '/api/v1/command/replay?from=yesterday&to=2026-11-23');
    expect(nonsense.status).toBe(400);
    expect(nonsense.body.error.message).toMatch(/from/);
    expect((await get('boss', '/api/v1/command/replay?from=2026-11-23')).status).toBe(400);
  });

  it('starts a replay from what was open when its window begins', async () => {
    type Ev = { at: string; kind: string; id: number; action: string; status: string | null };
    const replay = async (user: string, from: string, to: string) => {
      const r = await get(user, `/api/v1/command/replay?from=${from}&to=${to}`);
      expect(r.status).toBe(200);
      return r.body as { initial: Ev[]; events: Ev[] };
    };
    // From 09:00: yesterday's case is open (its last step, the report, before the window), and its
    // rejection at 09:30 is one of the window's events.
    const early = await replay('boss', '2026-11-23T01:00:00Z', '2026-11-23T02:00:00Z');
    expect(early.initial).toEqual([
      expect.objectContaining({ kind: 'case', id: ids.old, action: 'report', status: 'reported' }),
    ]);
    expect(early.events).toContainEqual(
      expect.objectContaining({ kind: 'case', id: ids.old, action: 'reject', status: 'rejected' }),
    );
    // From 09:45 it was gone already.
    const later = await replay('boss', '2026-11-23T01:45:00Z', '2026-11-23T02:00:00Z');
    expect(later.initial).toEqual([]);
    // From 10:13: the morning's cases and the red alarm raised at 10:12 were all there.
    const after = await replay('boss', '2026-11-23T02:13:00Z', '2026-11-23T03:00:00Z');
    expect(after.initial.filter((e) => e.kind === 'case').map((e) => e.id)).toEqual(
      expect.arrayContaining([ids.a, ids.b, ids.x]),
    );
    expect(after.initial.filter((e) => e.kind === 'case').map((e) => e.id)).not.toContain(ids.old);
    expect(after.initial).toContainEqual(
      expect.objectContaining({ kind: 'alarm', id: alarmId, action: 'raised', status: null }),
    );
    // Scoped like the events: 徐汇's case is not part of the 黄浦 leader's start.
    const hp = await replay('hp-boss', '2026-11-23T02:13:00Z', '2026-11-23T03:00:00Z');
    expect(hp.initial.map((e) => e.id)).toContain(ids.a);
    expect(hp.initial.some((e) => e.kind === 'case' && e.id === ids.x)).toBe(false);
  });

  it('focuses an urgent case: nearest inspectors first, the responsible department, the timeline', async () => {
    const r = await get('boss', `/api/v1/command/focus?case=${ids.b}`);
    expect(r.status).toBe(200);
    const f = r.body;
    expect(f).toMatchObject({ kind: 'case', id: ids.b, case: { urgency: 'urgent', category: '01001' } });
    expect(f.inspectors.map((i: { name: string }) => i.name)).toEqual(['insp', 'insp2']);
    expect(f.inspectors[0].distanceM).toBeGreaterThan(50);
    expect(f.inspectors[0].distanceM).toBeLessThan(120);
    expect(f.inspectors[1].distanceM).toBeGreaterThan(f.inspectors[0].distanceM);
    // 01 in 黄浦 → 市政管理 (dispatched automatically or proposed by the matrix).
    expect(f.department).toMatchObject({ code: '310101-szgl' });
    expect(f.timeline[0].action).toBe('report');
  });

  it('focuses a red alarm, and hides what lies outside the scope', async () => {
    const r = await get('hp-boss', `/api/v1/command/focus?alarm=${alarmId}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ kind: 'alarm', alarm: { severity: 'critical', deviceId: 'smoke-1' } });
    expect(r.body.timeline[0].action).toBe('alarm.raised');
    expect(r.body.inspectors.length).toBe(2);
    expect((await get('hp-boss', `/api/v1/command/focus?case=${ids.x}`)).status).toBe(404);
    expect((await get('boss', '/api/v1/command/focus?case=999999')).status).toBe(404);
    expect((await get('boss', '/api/v1/command/focus')).status).toBe(400);
    expect((await get('boss', `/api/v1/command/focus?case=${ids.a}&alarm=${alarmId}`)).status).toBe(400);
    expect((await get('boss', '/api/v1/command/focus?case=abc')).status).toBe(400);
  });

  it('drills down city → district → street → unit grid', async () => {
    const res = await get('boss', '/api/v1/command/area');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const city = res.body;
    expect(city.area).toMatchObject({ code: '3101', level: 'city' });
    expect(city.children.map((c: { code: string }) => c.code).sort()).toEqual(['310101', '310104']);
    // The figures agree with the table (the alarm filed a fourth case in 黄浦).
    const truth = (
      await t.db.query<{ district: string; open: number; urgent: number }>(
        `SELECT district_code AS district, count(*)::int AS open, count(*) FILTER (WHERE urgency = 'urgent')::int AS urgent
           FROM cases WHERE status NOT IN ('closed', 'rejected', 'merged') GROUP BY 1`,
      )
    ).rows;
    const hpTruth = truth.find((r) => r.district === '310101')!;
    expect(hpTruth.open).toBeGreaterThanOrEqual(2);
    const hpRow = city.children.find((c: { code: string }) => c.code === '310101');
    expect(hpRow).toMatchObject({ open: hpTruth.open, urgent: hpTruth.urgent });
    expect(city.children.find((c: { code: string }) => c.code === '310104')).toMatchObject({
      open: 1,
      urgent: 0,
    });
    expect(city.totals.open).toBe(hpTruth.open + 1);
    expect(city.totals.newToday).toBe(hpTruth.open + 1);
    expect(city.trend).toHaveLength(14);
    expect(city.trend.at(-1)).toMatchObject({ day: '2026-11-23', reported: hpTruth.open + 1 });
    expect(city.trend[0]).toMatchObject({ day: '2026-11-10', reported: 0 });
    expect(city.byCategory.find((c: { code: string }) => c.code === '06')).toMatchObject({
      name: '市容环境类',
      count: 2,
    });

    const street = (await get('boss', '/api/v1/command/area?area=310101002')).body;
    expect(street.path.map((p: { code: string }) => p.code)).toEqual(['3101', '310101', '310101002']);
    expect(street.children).toHaveLength(4);
    expect(street.children.every((c: { level: string }) => c.level === 'grid')).toBe(true);
    const grid = street.children.find((c: { open: number }) => c.open > 0);

    const g = (await get('boss', `/api/v1/command/area?area=${grid.code}`)).body;
    expect(g.area.level).toBe('grid');
    expect(g.grid.cases.length).toBe(grid.open);
    expect(g.bbox).toHaveLength(4);

    // A district leader's breadcrumbs start at their district: it is their "city".
    const hp = (await get('hp-boss', '/api/v1/command/area')).body;
    expect(hp.area.code).toBe('310101');
    expect(hp.path.map((p: { code: string }) => p.code)).toEqual(['310101']);
    expect(hp.children.map((c: { code: string }) => c.code)).toEqual(['310101002']);
    expect((await get('hp-boss', '/api/v1/command/area?area=3101')).status).toBe(403);
    expect((await get('boss', '/api/v1/command/area?area=310199')).status).toBe(404);
  });
});
