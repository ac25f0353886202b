/**
 * The scope leaks and the source claims found in the security review, each shown closed: a
 * 黄浦区 operator cannot merge into, learn of or be told about 徐汇区 cases; rules for devices
 * outside a user's scope stay hidden; a person reports only as their role may.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from '../src/server.ts';
import { makeLoopCity, square } from './case-fixture.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';
import { login, testServer } from './http-harness.ts';

describe(`scope and source by right on ${testEngine}`, () => {
  let t: TestDb;
  let server: Server;
  const tokens: Record<string, string> = {};
  const call = async (user: string, method: string, url: string, payload?: object) => {
    const res = await server.app.inject({
      method: method as 'GET',
      url,
      headers: { authorization: `Bearer ${tokens[user]}` },
      ...(payload ? { payload } : {}),
    });
    return { status: res.statusCode, body: res.json(), text: res.body };
  };
  // The districts meet at lng − 0.05: two points 20 m apart, one on each side.
  const hpPoint = { lng: square.lng - 0.0499, lat: square.lat };
  const xhPoint = { lng: square.lng - 0.0501, lat: square.lat };
  const report = (user: string, at: { lng: number; lat: number }, extra: object = {}) =>
    call(user, 'POST', '/api/v1/cases', {
      category: '06010',
      description: '暴露垃圾',
      location: at,
      ...extra,
    });

  beforeAll(async () => {
    t = await openTestDb();
    await makeLoopCity(t.db);
    server = await testServer(t.db);
    await server.geo.refresh({ force: true });
    for (const u of ['op', 'xh-op', 'insp', 'lhsr', 'boss', 'root']) tokens[u] = await login(server, u);
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  it('keeps merges, merge errors and duplicate lists inside the caller’s scope', async () => {
    const xh = await report('xh-op', xhPoint);
    expect(xh.status).toBe(201);
    const hp = await report('op', hpPoint);
    expect(hp.status).toBe(201);
    // The report's duplicate list names only cases its reporter may see …
    expect(hp.body.duplicates).toEqual([]);
    // … while the city-wide leader, reporting there too, is told of both.
    const boss = await report('boss', hpPoint);
    expect(boss.body.duplicates.map((d: { id: number }) => d.id).sort()).toEqual(
      [xh.body.id, hp.body.id].sort(),
    );

    // Merging into the other district's case: refused exactly like a case that does not exist.
    const merge = await call('op', 'POST', `/api/v1/cases/${hp.body.id}/merge`, {
      version: hp.body.version,
      targetCaseId: xh.body.id,
    });
    const missing = await call('op', 'POST', `/api/v1/cases/${hp.body.id}/merge`, {
      version: hp.body.version,
      targetCaseId: 987654,
    });
    expect(merge.status).toBe(400);
    expect(merge.body.error.message).toBe(`Case ${xh.body.id} does not exist`);
    expect(merge.text).not.toContain(xh.body.number);
    expect(merge.text).not.toContain(xh.body.status);
    expect(missing.body.error.message).toBe('Case 987654 does not exist');
    const xhNow = await call('xh-op', 'GET', `/api/v1/cases/${xh.body.id}`);
    expect(xhNow.body.timeline.map((e: { action: string }) => e.action)).not.toContain('merged-in');
    expect(xhNow.body.version).toBe(xh.body.version);

    // The duplicates route filters the same way.
    const near = await call('op', 'GET', `/api/v1/cases/${hp.body.id}/duplicates`);
    expect(near.body.map((d: { id: number }) => d.id)).not.toContain(xh.body.id);
    const nearForBoss = await call('boss', 'GET', `/api/v1/cases/${hp.body.id}/duplicates`);
    expect(nearForBoss.body.map((d: { id: number }) => d.id)).toContain(xh.body.id);
  });

  it('answers out-of-scope case ids like unknown ones, and names no case', async () => {
    const xh = (await report('xh-op', xhPoint, { description: '另一处' })).body;
    for (const [method, url, body] of [
      ['GET', `/api/v1/cases/${xh.id}`, undefined],
      ['GET', `/api/v1/cases/${xh.id}/duplicates`, undefined],
      ['POST', `/api/v1/cases/${xh.id}/accept`, { version: xh.version }],
    ] as const) {
      const out = await call('op', method, url, body);
      const unknown = await call('op', method, url.replace(String(xh.id), '987654'), body);
      expect(out.status, url).toBe(404);
      expect(out.body.error.message).toBe(unknown.body.error.message.replace('987654', String(xh.id)));
      expect(out.text).not.toContain(xh.number);
    }
  });

  it('hides rules for devices outside the caller’s scope', async () => {
    const device = await call('root', 'POST', '/api/v1/devices', {
      id: 'wl-hp-1',
      typeId: 'water-depth',
      name: '黄浦积水',
      location: { lng: square.lng + 0.0005, lat: square.lat + 0.0005 },
    });
    expect(device.status).toBe(201);
    const rule = await call('root', 'POST', '/api/v1/rules', {
      name: '积水',
      deviceId: 'wl-hp-1',
      severity: 'major',
      condition: { kind: 'threshold', metric: 'depth', op: '>', value: 20 },
    });
    expect(rule.status).toBe(201);
    const mine = await call('op', 'GET', '/api/v1/rules');
    const theirs = await call('xh-op', 'GET', '/api/v1/rules');
    expect(mine.body.map((r: { id: number }) => r.id)).toContain(rule.body.id);
    expect(theirs.body.map((r: { id: number }) => r.id)).not.toContain(rule.body.id);
    expect(theirs.text).not.toContain('wl-hp-1');
    expect(theirs.body.length).toBeGreaterThan(0); // rules for device types stay visible
    expect((await call('xh-op', 'GET', `/api/v1/rules/${rule.body.id}`)).status).toBe(404);
    expect((await call('op', 'GET', `/api/v1/rules/${rule.body.id}`)).status).toBe(200);
  });

  it('sets the source by right: a claim the role may not make is refused, nothing is filed', async () => {
    const here = { lng: square.lng + 0.0004, lat: square.lat + 0.0004 };
    const before = (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM cases')).rows[0]!.n;
    for (const [user, claim] of [
      ['insp', 'camera'],
      ['lhsr', 'camera'],
      ['insp', 'iot'],
      ['op', 'higher-platform'],
      ['op', 'camera'],
      ['insp', 'public'],
    ] as const) {
      const r = await report(user, here, { source: claim });
      expect(r.status, `${user} as ${claim}`).toBe(403);
      expect(r.body.error.details).toMatchObject({ field: 'source' });
    }
    expect((await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM cases')).rows[0]!.n).toBe(before);

    // Without a claim each role gets its own source; an allowed claim is kept, and nothing skips
    // the operator: an inspector's report waits to be filed.
    const insp = await report('insp', here);
    expect(insp.body).toMatchObject({ source: 'inspector', status: 'reported' });
    expect((await report('lhsr', here)).body.source).toBe('department');
    expect((await report('op', here, { source: 'public' })).body.source).toBe('public');
  });
});
