/**
 * Bad input is a clear 4xx, never a 500 and never silently taken: NUL characters (PostgreSQL text
 * cannot hold them), ids beyond any row, unknown filter values and parameters, out-of-range limits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from '../src/server.ts';
import { makeLoopCity, square } from './case-fixture.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';
import { login, testServer } from './http-harness.ts';

describe(`bad input over HTTP on ${testEngine}`, () => {
  let t: TestDb;
  let server: Server;
  let token: string;
  const call = async (method: string, url: string, payload?: object, auth = true) => {
    const res = await server.app.inject({
      method: method as 'GET',
      url,
      headers: auth ? { authorization: `Bearer ${token}` } : {},
      ...(payload ? { payload } : {}),
    });
    return { status: res.statusCode, body: res.json() as { error: { code: string; message: string } } };
  };

  beforeAll(async () => {
    t = await openTestDb();
    await makeLoopCity(t.db);
    server = await testServer(t.db);
    await server.geo.refresh({ force: true });
    token = await login(server, 'op');
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  it('refuses a NUL character anywhere with 400, on login, public report and search alike', async () => {
    const nul = '\u0000';
    const before = (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM cases')).rows[0]!.n;
    for (const [method, url, body, auth] of [
      ['POST', '/api/v1/auth/login', { username: `op${nul}`, password: 'secret-pw' }, false],
      ['POST', '/api/v1/auth/login', { username: 'op', password: `x${nul}` }, false],
      [
        'POST',
        '/api/v1/public/reports',
        { category: '06010', description: `垃圾${nul}`, location: { lng: square.lng, lat: square.lat } },
        false,
      ],
      ['GET', '/api/v1/cases?q=%00', undefined, true],
      ['GET', '/api/v1/categories?q=a%00b', undefined, true],
      ['GET', '/api/v1/public/reports/C%00', undefined, false],
      [
        'POST',
        '/api/v1/cases',
        { category: '06010', description: 'ok', location: square, reporterName: `张${nul}` },
        true,
      ],
    ] as const) {
      const r = await call(method, url, body, auth);
      expect(r.status, `${method} ${url}`).toBe(400);
      expect(r.body.error.message, url).toMatch(/NUL/);
    }
    expect((await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM cases')).rows[0]!.n).toBe(before);
  });

  it('answers ids beyond any row with 404, not a bigint overflow', async () => {
    for (const url of [
      '/api/v1/cases/99999999999999999999',
      '/api/v1/cases/9223372036854775808',
      '/api/v1/cases/0',
      '/api/v1/cases/99999999999999999999/duplicates',
      '/api/v1/alarms/99999999999999999999',
      '/api/v1/rules/99999999999999999999',
    ]) {
      const r = await call('GET', url);
      expect(r.status, url).toBe(404);
      expect(r.body.error.code).toBe('not_found');
    }
    const act = await call('POST', '/api/v1/cases/99999999999999999999/accept', { version: 1 });
    expect(act.status).toBe(404);
    const merge = await call('POST', '/api/v1/cases/1/merge', {
      version: 1,
      targetCaseId: '99999999999999999999',
    });
    expect(merge.status).toBeGreaterThanOrEqual(400);
    expect(merge.status).toBeLessThan(500);
    // Query integers are bounded too.
    expect((await call('GET', '/api/v1/alarms?rule=99999999999999999999')).status).toBe(400);
  });

  it('refuses unknown filter values and parameters, and limits out of range, saying which', async () => {
    const status = await call('GET', '/api/v1/cases?status=reported,bogus');
    expect(status.status).toBe(400);
    expect(status.body.error.message).toMatch(/unknown status bogus/);
    const source = await call('GET', '/api/v1/cases?source=satellite');
    expect(source.status).toBe(400);
    expect(source.body.error.message).toMatch(/source must be one of inspector, public/);
    const limit = await call('GET', '/api/v1/cases?limit=-1');
    expect(limit.status).toBe(400);
    expect(limit.body.error.message).toMatch(/unknown parameter "limit".*pageSize/);
    for (const url of [
      '/api/v1/cases?pageSize=0',
      '/api/v1/cases?pageSize=-1',
      '/api/v1/cases?pageSize=100000',
      '/api/v1/alarms?limit=-1',
      '/api/v1/alarms?limit=0',
      '/api/v1/devices?limit=1000000',
      '/api/v1/admin/import/runs?limit=-1',
      '/api/v1/alarms?severity=apocalyptic',
      '/api/v1/devices?status=melted',
    ]) {
      const r = await call('GET', url);
      expect(r.status, url).toBe(url.includes('admin') ? 403 : 400);
      if (r.status === 400) expect(r.body.error.message, url).toMatch(/must|unknown/);
    }
    // Known values still work.
    expect(
      (await call('GET', '/api/v1/cases?status=reported,filed&source=inspector&pageSize=5')).status,
    ).toBe(200);
  });
});
