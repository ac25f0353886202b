import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from '../src/server.ts';
import { makeLoopCity, square } from './case-fixture.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';
import { login, testServer } from './http-harness.ts';

describe(`GET /api/v1/cases/{id}/duplicates on ${testEngine}`, () => {
  let t: TestDb;
  let server: Server;
  const tokens: Record<string, string> = {};
  const now = new Date('2026-11-23T02:00:00Z');
  const call = async (user: string, method: 'GET' | 'POST', url: string, payload?: object) => {
    const res = await server.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${tokens[user]}` },
      ...(payload ? { payload } : {}),
    });
    return { status: res.statusCode, body: res.json() };
  };
  const report = (category: string, dLng: number) =>
    call('insp', 'POST', '/api/v1/cases', {
      category,
      description: '人民广场暴露垃圾',
      location: { lng: square.lng + dLng, lat: square.lat + 0.0003 },
    });

  beforeAll(async () => {
    t = await openTestDb();
    await makeLoopCity(t.db);
    server = await testServer(t.db, () => now);
    await server.geo.refresh({ force: true });
    for (const u of ['insp', 'op', 'xh-op']) tokens[u] = await login(server, u);
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  it('lists open cases of the same category nearby, nearest first, not the case itself', async () => {
    const first = (await report('06010', 0)).body;
    const near = (await report('06010', 0.0004)).body;
    const otherCategory = (await report('06020', 0.0001)).body;
    const far = (await report('06010', 0.02)).body;
    const r = await call('op', 'GET', `/api/v1/cases/${first.id}/duplicates`);
    expect(r.status).toBe(200);
    const ids = r.body.map((d: { id: number }) => d.id);
    expect(ids).toEqual([near.id]);
    expect(ids).not.toContain(otherCategory.id);
    expect(ids).not.toContain(far.id);
    expect(r.body[0]).toMatchObject({ number: near.number, status: 'reported' });
    expect(r.body[0].distanceMeters).toBeGreaterThan(30);
    expect(r.body[0].distanceMeters).toBeLessThan(50);

    // A merged case is no longer a candidate.
    const m = await call('op', 'POST', `/api/v1/cases/${near.id}/merge`, {
      version: 1,
      targetCaseId: first.id,
    });
    expect(m.status).toBe(200);
    expect((await call('op', 'GET', `/api/v1/cases/${first.id}/duplicates`)).body).toEqual([]);
  });

  it('is not found outside your area, as for unknown cases', async () => {
    const c = (await report('06010', 0.0002)).body;
    expect((await call('xh-op', 'GET', `/api/v1/cases/${c.id}/duplicates`)).status).toBe(404);
    expect((await call('op', 'GET', '/api/v1/cases/999999/duplicates')).status).toBe(404);
  });
});
