/**
 * 应急指挥 over HTTP, as a rainstorm goes: water sensors alarm through the real telemetry and rules
 * path, the flood plan's trigger proposes an incident to the person on duty, a leader activates it,
 * departments finish their SOP tasks, the nearest pump is dispatched (KNN), reports go up on time,
 * stand-down releases the pumps and the final report closes it. Scope, roles and bad input are
 * refused and write nothing; every change is audited; a drill is marked as one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from '../src/server.ts';
import { makeLoopCity, square } from './case-fixture.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';
import { ensureUser, login, testServer } from './http-harness.ts';

describe(`emergency command on ${testEngine}`, () => {
  let t: TestDb;
  let server: Server;
  const tokens: Record<string, string> = {};
  // Real time (telemetry is checked against it); moved on by hand for deadlines.
  let now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const call = async (
    user: string,
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    payload?: object,
  ) => {
    const res = await server.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${tokens[user]}` },
      ...(payload ? { payload } : {}),
    });
    return { status: res.statusCode, body: res.body ? res.json() : undefined };
  };
  const count = async (sql: string) => Number((await t.db.query<{ n: number }>(sql)).rows[0]!.n);
  let planId: number;
  const pumps: Record<string, number> = {};
  let incidentId: number;

  const flood = {
    code: 'flood',
    name: '防汛防台专项应急预案',
    incidentType: 'flood',
    areaCode: '3101',
    level: 4,
    triggers: [
      { kind: 'alarms', deviceType: 'water-depth', minDevices: 3, withinMinutes: 30, per: 'street' },
    ],
    steps: [
      { title: '开启泵站强排', departmentCode: '310101-szgl', limitMinutes: 30 },
      { title: '积水路段设置警戒', departmentCode: '310101-lhsr', limitMinutes: 60 },
      { title: '值班室汇总上报', departmentCode: null, limitMinutes: 90 },
    ],
  };

  beforeAll(async () => {
    t = await openTestDb();
    await makeLoopCity(t.db);
    await ensureUser(t.db, {
      username: 'szgl',
      role: 'handler',
      scopeCode: '310101',
      departmentCode: '310101-szgl',
    });
    // The clock moves hours on between steps (deadlines); sessions may idle that long here.
    server = await testServer(t.db, () => now, { sessionIdleMinutes: 12 * 60 });
    await server.geo.refresh({ force: true });
    for (const u of ['root', 'boss', 'op', 'lhsr', 'szgl', 'xh-op', 'insp'])
      tokens[u] = await login(server, u);
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  it('keeps plans and resources as data, checked and audited; finds the nearest available by KNN', async () => {
    const before = await count('SELECT count(*)::int AS n FROM emergency_plans');
    const bad = await call('root', 'POST', '/api/v1/emergency/plans', {
      ...flood,
      steps: [{ title: 'x', departmentCode: 'no-such-dept', limitMinutes: 10 }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/no-such-dept/);
    expect((await call('op', 'POST', '/api/v1/emergency/plans', flood)).status).toBe(403);
    expect(await count('SELECT count(*)::int AS n FROM emergency_plans')).toBe(before);
    const plan = await call('root', 'POST', '/api/v1/emergency/plans', flood);
    expect(plan.status).toBe(201);
    planId = plan.body.id;
    expect((await call('root', 'POST', '/api/v1/emergency/plans', flood)).status).toBe(409);
    // A district operator reads the city's plan.
    expect(
      (await call('op', 'GET', '/api/v1/emergency/plans')).body.map((p: { code: string }) => p.code),
    ).toEqual(['flood']);

    const at = (dx: number, dy = 0) => ({ lng: square.lng + dx, lat: square.lat + dy });
    const resource = async (name: string, kind: string, dx: number, extra: object = {}) => {
      const r = await call('root', 'POST', '/api/v1/emergency/resources', {
        kind,
        name,
        areaCode: '310101002',
        ...at(dx),
        ...extra,
      });
      expect(r.status).toBe(201);
      return r.body.id as number;
    };
    pumps.near = await resource('南京东路泵车 1 号', 'pump', 0.002, { capacity: 300 });
    pumps.far = await resource('黄浦泵车 2 号', 'pump', 0.02, { capacity: 300 });
    pumps.broken = await resource('黄浦泵车 3 号（检修）', 'pump', 0.001, { status: 'unavailable' });
    await resource('黄浦区防汛抢险队', 'team', 0.005, { capacity: 30 });
    await resource('人民广场避难场所', 'shelter', 0.003, { capacity: 2000 });
    await resource('黄浦区防汛物资仓库', 'stockpile', 0.004, {
      stock: [{ item: '沙袋', unit: '袋', quantity: 5000 }],
    });
    expect(
      (
        await call('root', 'POST', '/api/v1/emergency/resources', {
          kind: 'pump',
          name: 'x',
          areaCode: '310101',
          ...at(0),
          status: 'dispatched',
        })
      ).status,
    ).toBe(400);

    const nearest = await call(
      'op',
      'GET',
      `/api/v1/emergency/resources/nearest?lng=${square.lng}&lat=${square.lat}&kind=pump&limit=5`,
    );
    expect(nearest.status).toBe(200);
    expect(nearest.body.map((r: { id: number }) => r.id)).toEqual([pumps.near, pumps.far]);
    // 0.002° of longitude at 31.23° N is about 190 m.
    expect(nearest.body[0].distanceM).toBeGreaterThan(180);
    expect(nearest.body[0].distanceM).toBeLessThan(200);
    const stock = await call('op', 'GET', '/api/v1/emergency/resources?kind=stockpile');
    expect(stock.body[0].stock).toEqual([{ item: '沙袋', unit: '袋', quantity: 5000 }]);
    // 徐汇's operator sees none of 黄浦's resources.
    expect((await call('xh-op', 'GET', '/api/v1/emergency/resources')).body).toEqual([]);
  });

  it('proposes the flood plan to the person on duty when three water sensors in one street alarm', async () => {
    // On duty: the leader for the city, the operator for 黄浦区.
    for (const [username, area, post] of [
      ['boss', '3101', 'lead'],
      ['op', '310101', 'officer'],
    ] as const) {
      const u = await t.db.query<{ id: number }>('SELECT id::int AS id FROM users WHERE username = $1', [
        username,
      ]);
      const r = await call('boss', 'POST', '/api/v1/duty/shifts', {
        areaCode: area,
        userId: u.rows[0]!.id,
        post,
        startsAt: new Date(now.getTime() - 3600_000).toISOString(),
        endsAt: new Date(now.getTime() + 12 * 3600_000).toISOString(),
      });
      expect(r.status).toBe(201);
    }
    const d = 0.0005;
    const spots = [
      [-d, d],
      [d, d],
      [-d, -d],
    ];
    for (const [i, [dx, dy]] of spots.entries()) {
      const r = await call('root', 'POST', '/api/v1/devices', {
        id: `water-${i + 1}`,
        typeId: 'water-depth',
        name: `积水监测仪 ${i + 1} 号`,
        location: { lng: square.lng + dx!, lat: square.lat + dy! },
      });
      expect(r.status).toBe(201);
    }
    // Two sensors: not yet.
    const post = async (ids: number[]) =>
      call('root', 'POST', '/api/v1/telemetry', {
        readings: ids.map((i) => ({
          deviceId: `water-${i}`,
          ts: now.getTime() - 60_000,
          values: { depth: 35 },
        })),
      });
    expect((await post([1, 2])).status).toBe(200);
    await waitFor(
      async () => (await count("SELECT count(*)::int AS n FROM alarms WHERE device_id LIKE 'water-%'")) === 2,
    );
    await server.emergency.sweep();
    expect(await count('SELECT count(*)::int AS n FROM emergency_incidents')).toBe(0);

    expect((await post([3])).status).toBe(200);
    await waitFor(
      async () => (await count("SELECT count(*)::int AS n FROM alarms WHERE device_id LIKE 'water-%'")) === 3,
    );
    await server.emergency.sweep();
    await server.emergency.sweep();
    const open = await call('op', 'GET', '/api/v1/emergency/incidents?open=true');
    expect(open.body).toHaveLength(1);
    expect(open.body[0]).toMatchObject({
      status: 'proposed',
      level: 4,
      areaCode: '310101002',
      proposedPlanId: planId,
      planName: '防汛防台专项应急预案',
      drill: false,
    });
    incidentId = open.body[0].id;
    const detail = await call('op', 'GET', `/api/v1/emergency/incidents/${incidentId}`);
    expect(detail.body.alarms.map((a: { deviceId: string }) => a.deviceId)).toEqual([
      'water-1',
      'water-2',
      'water-3',
    ]);
    // Placed at the centre of its sensors.
    expect(detail.body.lng).toBeCloseTo(square.lng - d / 3, 5);
    expect(detail.body.onDuty.platform.code).toBe('310101');
    // The proposal is on the duty log of the platform on duty.
    const log = await call('op', 'GET', '/api/v1/duty/log?area=310101');
    expect(log.body[0]).toMatchObject({ kind: 'incident', ref: `incident:${incidentId}` });
    expect(log.body[0].text).toMatch(/建议启动「防汛防台专项应急预案」一般（IV 级）响应/);
  });

  it('lets a leader activate the plan; departments finish their own tasks; the nearest pump goes; reports go up on time', async () => {
    const url = `/api/v1/emergency/incidents/${incidentId}`;
    expect((await call('op', 'POST', `${url}/activate`, { planId, level: 4 })).status).toBe(403);
    expect((await call('boss', 'POST', `${url}/activate`, { planId, level: 7 })).status).toBe(400);
    expect((await call('boss', 'POST', `${url}/activate`, { planId: 999999, level: 4 })).status).toBe(404);
    expect((await call('op', 'POST', `${url}/dispatch`, { resourceId: pumps.near })).status).toBe(409);
    const active = await call('boss', 'POST', `${url}/activate`, { planId, level: 4 });
    expect(active.status).toBe(200);
    expect(active.body).toMatchObject({ status: 'active', planId, level: 4 });
    expect(
      active.body.tasks.map((x: { title: string; departmentName: string | null; status: string }) => [
        x.title,
        x.departmentName,
        x.status,
      ]),
    ).toEqual([
      ['开启泵站强排', '黄浦区市政管理', 'open'],
      ['积水路段设置警戒', '黄浦区绿化市容局', 'open'],
      ['值班室汇总上报', null, 'open'],
    ]);
    expect(active.body.tasks[0].dueAt).toBe(new Date(now.getTime() + 30 * 60_000).toISOString());
    expect(active.body.nextReport).toMatchObject({ kind: 'first', toArea: '310101', overdue: false });
    expect((await call('boss', 'POST', `${url}/activate`, { planId, level: 4 })).status).toBe(409);

    const [pumpTask, guardTask, deskTask] = active.body.tasks;
    expect((await call('lhsr', 'POST', `${url}/tasks/${pumpTask.id}/done`, { feedback: 'x' })).status).toBe(
      403,
    );
    expect(
      (await call('szgl', 'POST', `${url}/tasks/${pumpTask.id}/done`, { feedback: '3 座泵站已开机' })).status,
    ).toBe(200);
    expect(
      (await call('szgl', 'POST', `${url}/tasks/${pumpTask.id}/done`, { feedback: 'again' })).status,
    ).toBe(409);
    expect(
      (await call('lhsr', 'POST', `${url}/tasks/${guardTask.id}/done`, { feedback: '警戒已设置' })).status,
    ).toBe(200);
    now = new Date(now.getTime() + 100 * 60_000);
    const desk = await call('op', 'POST', `${url}/tasks/${deskTask.id}/done`, { feedback: '已汇总' });
    expect(desk.body.tasks.map((x: { status: string; overdue: boolean }) => [x.status, x.overdue])).toEqual([
      ['done', false],
      ['done', false],
      ['done', true],
    ]);

    const near = await call(
      'op',
      'GET',
      `/api/v1/emergency/resources/nearest?lng=${desk.body.lng}&lat=${desk.body.lat}&kind=pump&limit=1`,
    );
    const sent = await call('op', 'POST', `${url}/dispatch`, { resourceId: near.body[0].id });
    expect(sent.status).toBe(200);
    expect(sent.body.dispatches).toEqual([
      expect.objectContaining({ resourceId: pumps.near, kind: 'pump', releasedAt: null }),
    ]);
    expect((await call('op', 'POST', `${url}/dispatch`, { resourceId: pumps.near })).status).toBe(409);
    expect((await call('op', 'GET', `/api/v1/emergency/resources/${pumps.near}`)).body).toMatchObject({
      status: 'dispatched',
      incidentId,
    });
    expect((await call('op', 'POST', `${url}/dispatch`, { resourceId: pumps.broken })).status).toBe(409);

    expect((await call('op', 'POST', `${url}/reports`, { kind: 'update', text: 'x' })).status).toBe(409);
    const first = await call('op', 'POST', `${url}/reports`, {
      kind: 'first',
      text: '南京东路街道 3 处积水，已启动 IV 级响应',
    });
    expect(first.status).toBe(200);
    expect(first.body.reports).toEqual([
      expect.objectContaining({ kind: 'first', toArea: '310101', onTime: true }),
    ]);
    expect(first.body.nextReport).toMatchObject({ kind: 'update' });
    expect((await call('op', 'POST', `${url}/reports`, { kind: 'final', text: 'x' })).status).toBe(409);
  });

  it('stands down (pumps come back), closes with the final report, and keeps the whole story', async () => {
    const url = `/api/v1/emergency/incidents/${incidentId}`;
    expect((await call('op', 'POST', `${url}/stand-down`, { note: 'x' })).status).toBe(403);
    const down = await call('boss', 'POST', `${url}/stand-down`, { note: '积水已退' });
    expect(down.body).toMatchObject({ status: 'stood-down', nextReport: { kind: 'final' } });
    expect(down.body.dispatches[0].releasedAt).not.toBeNull();
    expect((await call('op', 'GET', `/api/v1/emergency/resources/${pumps.near}`)).body.status).toBe(
      'available',
    );
    const final = await call('op', 'POST', `${url}/reports`, { kind: 'final', text: '处置完毕，无人员伤亡' });
    expect(final.body.status).toBe('closed');
    expect(final.body.timeline.map((e: { kind: string }) => e.kind)).toEqual([
      'proposed',
      'activated',
      'task',
      'task',
      'task',
      'dispatch',
      'report',
      'stood-down',
      'report',
    ]);
    // The reports landed on the district's duty log.
    const log = await call('op', 'GET', '/api/v1/duty/log?area=310101');
    expect(log.body.filter((e: { text: string }) => /^(首报|终报)/.test(e.text))).toHaveLength(2);

    const audited = await t.db.query<{ action: string; actor: string }>(
      `SELECT action, actor FROM audit_log WHERE object = 'incident:${incidentId}' ORDER BY seq`,
    );
    expect(audited.rows).toEqual([
      { action: 'emergency.incident.create', actor: 'system' },
      { action: 'emergency.incident.activate', actor: 'boss' },
      { action: 'emergency.task.done', actor: 'szgl' },
      { action: 'emergency.task.done', actor: 'lhsr' },
      { action: 'emergency.task.done', actor: 'op' },
      { action: 'emergency.dispatch', actor: 'op' },
      { action: 'emergency.report.send', actor: 'op' },
      { action: 'emergency.incident.stand-down', actor: 'boss' },
      { action: 'emergency.report.send', actor: 'op' },
    ]);
    // Out of scope: not found, naming nothing; an inspector has no emergency reading at all.
    expect((await call('xh-op', 'GET', url)).status).toBe(404);
    expect((await call('xh-op', 'GET', '/api/v1/emergency/incidents?area=310101')).status).toBe(403);
    expect((await call('insp', 'GET', '/api/v1/emergency/incidents')).status).toBe(403);
  });

  it('marks a drill as a drill everywhere', async () => {
    const r = await call('op', 'POST', '/api/v1/emergency/incidents', {
      title: '防汛演练',
      incidentType: 'flood',
      level: 3,
      areaCode: '310101002',
      drill: true,
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ drill: true, status: 'proposed' });
    expect(r.body.timeline[0].text).toMatch(/^【演练】/);
    const events = await t.db.query<{ payload: { drill: boolean } }>(
      `SELECT payload FROM outbox WHERE topic LIKE 'emergency.%' AND payload->>'incidentId' = '${r.body.id}'`,
    );
    expect(events.rows.map((e) => e.payload.drill)).toEqual([true]);
    const log = await call('op', 'GET', '/api/v1/duty/log?area=310101');
    expect(log.body[0].text).toMatch(/^【演练】防汛演练/);
    expect(
      (
        await call('op', 'POST', '/api/v1/emergency/incidents', {
          title: 'x',
          incidentType: 'flood',
          level: 3,
          areaCode: '310101',
          caseIds: [999999],
        })
      ).status,
    ).toBe(400);
  });
});

/** Waits for a condition the server reaches on its own (alarms from readings), without a fixed sleep. */
async function waitFor(fn: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 4000; i++) {
    if (await fn()) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error('condition not reached');
}
