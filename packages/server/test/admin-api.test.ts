/**
 * The admin API: users (create, change, deactivate, reset password, never a hash), departments,
 * the import upload with its report, scope and role checks, and bad input with clear errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeLoopCity } from '../src/seed/loop-city.factory.ts';
import type { Server } from '../src/server.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';
import { ensureUser, login, testServer } from './http-harness.ts';

describe(`admin API on ${testEngine}`, () => {
  let t: TestDb;
  let server: Server;
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
  const upload = async (user: string, filename: string, text: string, query = 'kind=addresses') => {
    const boundary = '----onegrid-admin-boundary';
    const payload = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      ),
      Buffer.from(text),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const res = await server.app.inject({
      method: 'POST',
      url: `/api/v1/admin/import?${query}`,
      headers: {
        authorization: `Bearer ${tokens[user]}`,
        'content-type': `multipart/form-data; boundary=${boundary}`,
      },
      payload,
    });
    return { status: res.statusCode, body: res.json() };
  };

  beforeAll(async () => {
    t = await openTestDb();
    await makeLoopCity(t.db);
    await ensureUser(t.db, { username: 'root', role: 'admin' });
    await ensureUser(t.db, { username: 'hp-admin', role: 'admin', scopeCode: '310101' });
    // Users belong to the security administrator (三员分立), departments to the administrator.
    await ensureUser(t.db, { username: 'sec', role: 'security' });
    await ensureUser(t.db, { username: 'hp-sec', role: 'security', scopeCode: '310101' });
    server = await testServer(t.db);
    for (const u of ['root', 'hp-admin', 'sec', 'hp-sec', 'op']) tokens[u] = await login(server, u);
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  it('creates a user with an initial password, who can then log in; no hash is ever returned', async () => {
    const r = await call('sec', 'POST', '/api/v1/admin/users', {
      username: 'wang.wei',
      displayName: '王伟',
      password: 'initial-pw-1',
      role: 'handler',
      scopeCode: '310101',
      departmentCode: '310101-lhsr',
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      username: 'wang.wei',
      role: 'handler',
      departmentName: '黄浦区绿化市容局',
    });
    expect(JSON.stringify(r.body)).not.toMatch(/scrypt|password/i);
    expect(await login(server, 'wang.wei', 'initial-pw-1')).toBeTruthy();
    const list = await call('sec', 'GET', '/api/v1/admin/users?q=wang');
    expect(list.body.map((u: { username: string }) => u.username)).toEqual(['wang.wei']);
    expect(JSON.stringify((await call('sec', 'GET', '/api/v1/admin/users')).body)).not.toMatch(/scrypt/);
  });

  it('refuses bad input with the field and the problem', async () => {
    const base = { displayName: 'x', password: 'long-enough', role: 'operator', scopeCode: '310101' };
    const bad = await call('sec', 'POST', '/api/v1/admin/users', { ...base, username: 'Bad Name' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
    expect(JSON.stringify(bad.body.error.details)).toContain('username');
    const short = await call('sec', 'POST', '/api/v1/admin/users', {
      ...base,
      username: 'ok',
      password: 'short',
    });
    expect(short.status).toBe(400);
    const dup = await call('sec', 'POST', '/api/v1/admin/users', { ...base, username: 'wang.wei' });
    expect(dup.status).toBe(409);
    expect(dup.body.error.details).toEqual({ field: 'username', problem: 'taken' });
    const noDept = await call('sec', 'POST', '/api/v1/admin/users', {
      ...base,
      username: 'h2',
      role: 'handler',
    });
    expect(noDept.status).toBe(400);
    expect(noDept.body.error.details).toMatchObject({ field: 'departmentCode', problem: 'departmentNeeded' });
    const area = await call('sec', 'POST', '/api/v1/admin/users', {
      ...base,
      username: 'h3',
      scopeCode: '310199',
    });
    expect(area.status).toBe(400);
    expect(area.body.error.details).toMatchObject({ field: 'scopeCode', problem: 'invalid' });
  });

  it('changes role and scope, resets the password, deactivates — ending sessions', async () => {
    const id = (await call('sec', 'GET', '/api/v1/admin/users?q=wang.wei')).body[0].id as number;
    tokens.wang = await login(server, 'wang.wei', 'initial-pw-1');
    const patched = await call('sec', 'PATCH', `/api/v1/admin/users/${id}`, {
      role: 'operator',
      scopeCode: '310101002',
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      role: 'operator',
      scopeCode: '310101002',
      scopeName: '南京东路街道',
    });
    expect((await call('wang', 'GET', '/api/v1/auth/me')).status).toBe(401);
    expect((await call('sec', 'POST', `/api/v1/admin/users/${id}/password`, { password: 'x' })).status).toBe(
      400,
    );
    expect(
      (await call('sec', 'POST', `/api/v1/admin/users/${id}/password`, { password: 'second-pw-2' })).status,
    ).toBe(204);
    await expect(login(server, 'wang.wei', 'initial-pw-1')).rejects.toThrow();
    tokens.wang = await login(server, 'wang.wei', 'second-pw-2');
    expect((await call('sec', 'PATCH', `/api/v1/admin/users/${id}`, { active: false })).body.active).toBe(
      false,
    );
    expect((await call('wang', 'GET', '/api/v1/auth/me')).status).toBe(401);
    await expect(login(server, 'wang.wei', 'second-pw-2')).rejects.toThrow();
    const self = (await call('sec', 'GET', '/api/v1/auth/me')).body.id;
    expect((await call('sec', 'PATCH', `/api/v1/admin/users/${self}`, { active: false })).status).toBe(409);
  });

  it('keeps a district administrator inside the district', async () => {
    const users = (await call('hp-sec', 'GET', '/api/v1/admin/users')).body as { scopeCode: string }[];
    expect(users.length).toBeGreaterThan(0);
    expect(users.every((u) => u.scopeCode.startsWith('310101'))).toBe(true);
    const out = await call('hp-sec', 'POST', '/api/v1/admin/users', {
      username: 'xh-op',
      displayName: '徐汇',
      password: 'long-enough',
      role: 'operator',
      scopeCode: '310104',
    });
    expect(out.status).toBe(400);
    expect(out.body.error.details).toMatchObject({ field: 'scopeCode', problem: 'notInScope' });
    const root = (await call('sec', 'GET', '/api/v1/admin/users?q=root')).body[0].id;
    expect((await call('hp-sec', 'PATCH', `/api/v1/admin/users/${root}`, { displayName: 'x' })).status).toBe(
      404,
    );
    const depts = (await call('hp-admin', 'GET', '/api/v1/admin/departments')).body as { code: string }[];
    expect(depts.map((d) => d.code)).not.toContain('310104-lhsr');
    expect(
      (await call('hp-admin', 'PATCH', '/api/v1/admin/departments/310104-lhsr', { name: 'x' })).status,
    ).toBe(404);
  });

  it('creates, changes and deactivates departments', async () => {
    const r = await call('root', 'POST', '/api/v1/admin/departments', {
      code: '310101-fxb',
      name: '黄浦区防汛办',
      areaCode: '310101',
      creditCode: '11310101MB2F12345X',
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      code: '310101-fxb',
      areaName: '黄浦区',
      kind: 'handler',
      users: 0,
      active: true,
    });
    expect(
      (await call('root', 'POST', '/api/v1/admin/departments', { ...r.body, users: undefined })).status,
    ).toBe(400);
    const dup = await call('root', 'POST', '/api/v1/admin/departments', {
      code: '310101-fxb',
      name: 'x',
      areaCode: '310101',
    });
    expect(dup.status).toBe(409);
    const badCredit = await call('root', 'POST', '/api/v1/admin/departments', {
      code: '310101-x',
      name: 'x',
      areaCode: '310101',
      creditCode: 'ABC',
    });
    expect(badCredit.status).toBe(400);
    const p = await call('root', 'PATCH', '/api/v1/admin/departments/310101-fxb', {
      phone: '021-12345',
      active: false,
    });
    expect(p.body).toMatchObject({ phone: '021-12345', active: false });
    const inactive = await call('sec', 'POST', '/api/v1/admin/users', {
      username: 'fx1',
      displayName: 'x',
      password: 'long-enough',
      role: 'handler',
      scopeCode: '310101',
      departmentCode: '310101-fxb',
    });
    expect(inactive.status).toBe(400);
    expect(inactive.body.error.details).toMatchObject({ field: 'departmentCode' });
    const areas = (await call('hp-admin', 'GET', '/api/v1/admin/areas')).body as { code: string }[];
    expect(areas.map((a) => a.code)).toContain('310101002');
    expect(areas.map((a) => a.code)).not.toContain('310104');
  });

  it('imports an uploaded GeoJSON and returns its report; a broken file writes nothing', async () => {
    const fc = {
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          properties: { address: '南京东路1号' },
          geometry: { type: 'Point', coordinates: [121.4737, 31.2304] },
        },
        { type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [121.4738, 31.2305] } },
        {
          type: 'Feature',
          properties: { address: '南京东路3号' },
          geometry: { type: 'Point', coordinates: [31.23, 121.47] },
        },
      ],
    };
    const ok = await upload('root', 'addr.geojson', JSON.stringify(fc));
    expect(ok.status).toBe(200);
    expect(ok.body.run).toMatchObject({
      kind: 'addresses',
      source: 'addr.geojson',
      status: 'done',
      rowsRead: 3,
      imported: 1,
      rejected: 2,
    });
    expect(ok.body.rejectsByProblem.missing_field).toBe(1);
    expect(ok.body.rejects.map((r: { row: number }) => r.row)).toEqual([2, 3]);
    const n = await t.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM addresses WHERE address LIKE '南京东路%'",
    );
    expect(n.rows[0]!.n).toBe(1);

    const broken = JSON.stringify({
      ...fc,
      features: [{ ...fc.features[0], properties: { address: '南京东路9号' } }],
    }).slice(0, -5);
    const bad = await upload('root', 'broken.geojson', broken);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.report.run.status).toBe('failed');
    expect(bad.body.error.message).not.toContain('/tmp');
    const none = await t.db.query("SELECT 1 FROM addresses WHERE address = '南京东路9号'");
    expect(none.rows).toHaveLength(0);

    expect((await upload('root', 'city.zip', 'PK')).status).toBe(415);
    expect((await upload('root', 'a.geojson', '{}', 'kind=nonsense')).status).toBe(400);
    expect((await upload('hp-admin', 'a.geojson', JSON.stringify(fc))).status).toBe(403);

    const runs = (await call('root', 'GET', '/api/v1/admin/import/runs')).body as {
      id: number;
      status: string;
    }[];
    expect(runs.slice(0, 2).map((r) => r.status)).toEqual(['failed', 'done']);
    const one = await call('root', 'GET', `/api/v1/admin/import/runs/${ok.body.run.id}`);
    expect(one.body.run.imported).toBe(1);
    expect((await call('root', 'GET', '/api/v1/admin/import/runs/999999')).status).toBe(404);
  });

  it('answers 403 to other roles and 401 without a login', async () => {
    for (const [m, url] of [
      ['GET', '/api/v1/admin/users'],
      ['GET', '/api/v1/admin/departments'],
      ['GET', '/api/v1/admin/import/runs'],
      ['POST', '/api/v1/admin/users/1/password'],
    ] as const) {
      const r = await call('op', m, url, m === 'POST' ? { password: 'long-enough' } : undefined);
      expect(r.status, url).toBe(403);
    }
    const anon = await server.app.inject({ method: 'GET', url: '/api/v1/admin/users' });
    expect(anon.statusCode).toBe(401);
  });

  it('leaves accounts to the security administrator: the system administrator gets 403, and weak passwords are refused', async () => {
    for (const [m, url] of [
      ['GET', '/api/v1/admin/users'],
      ['POST', '/api/v1/admin/users/1/password'],
      ['POST', '/api/v1/admin/users/1/unlock'],
      ['POST', '/api/v1/admin/users/1/revoke-sessions'],
    ] as const) {
      const r = await call(
        'root',
        m,
        url,
        url.endsWith('password') ? { password: 'long-enough' } : undefined,
      );
      expect(r.status, url).toBe(403);
    }
    const base = { displayName: '李', role: 'operator', scopeCode: '310101' };
    for (const [username, password, problem] of [
      ['li.na', '12345678', 'common'],
      ['li.na', 'woaini1314', 'common'],
      ['li.na', 'li.na123', 'sameAsUsername'],
      ['li.na', '        ', 'repeated'],
    ]) {
      const r = await call('sec', 'POST', '/api/v1/admin/users', { ...base, username, password });
      expect(r.status, password).toBe(400);
      expect(r.body.error.details, password).toEqual({ field: 'password', problem });
    }
    const id = (await call('sec', 'GET', '/api/v1/admin/users?q=hp-admin')).body[0].id as number;
    const reset = await call('sec', 'POST', `/api/v1/admin/users/${id}/password`, { password: 'password' });
    expect(reset.status).toBe(400);
    expect(reset.body.error.details).toEqual({ field: 'password', problem: 'common' });
  });
});
