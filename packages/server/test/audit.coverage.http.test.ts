/**
 * What the audit log covers, driven over HTTP as people do it: configuration changes with before
 * and after, user administration (never a password), case actions with their actor, exports.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../src/audit/audit.service.ts';
import { makeLoopCity, square } from '../src/seed/loop-city.factory.ts';
import type { Server } from '../src/server.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';
import { ensureUser, login, testServer } from './http-harness.ts';

interface Entry {
  seq: number;
  actor: string;
  action: string;
  object: string | null;
  details: Record<string, unknown>;
}

describe(`audit coverage over HTTP on ${testEngine}`, () => {
  let t: TestDb;
  let server: Server;
  const tokens: Record<string, string> = {};
  beforeAll(async () => {
    t = await openTestDb();
    await makeLoopCity(t.db);
    await ensureUser(t.db, { username: 'aud', role: 'auditor' });
    await ensureUser(t.db, { username: 'sec', role: 'security' });
    server = await testServer(t.db);
    await server.geo.refresh({ force: true });
    for (const u of ['aud', 'root', 'sec', 'insp', 'op', 'boss']) tokens[u] = await login(server, u);
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  const call = async (
    user: string,
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    payload?: unknown,
  ) => {
    const res = await server.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${tokens[user]}` },
      ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
    });
    return res;
  };
  const entries = async (query: string): Promise<Entry[]> => {
    const res = await call('aud', 'GET', `/api/v1/audit?${query}`);
    expect(res.statusCode).toBe(200);
    return res.json().items;
  };

  it('records a loop-settings change with before and after, by the admin', async () => {
    const res = await call('root', 'PATCH', '/api/v1/settings/loop', {
      autoDispatchCategories: ['01', '0601'.slice(0, 2)],
    });
    expect(res.statusCode).toBe(200);
    const [e] = await entries('action=config.loop-settings');
    expect(e).toMatchObject({
      actor: 'root',
      object: 'loop-settings',
      details: { after: { autoDispatchCategories: ['01', '06'] } },
    });
    expect(e!.details.before).toHaveProperty('autoDispatchCategories');
  });

  it('records matrix rules added and removed', async () => {
    const put = await call('root', 'PUT', '/api/v1/dispatch/matrix', {
      category: '06',
      areaCode: '310101',
      departmentCode: '310101-szgl',
    });
    expect(put.statusCode).toBe(200);
    const id = put.json().id;
    expect((await call('root', 'DELETE', `/api/v1/dispatch/matrix/${id}`)).statusCode).toBe(204);
    const [removed, replaced] = await entries(`object=matrix-rule:${id}`);
    expect(replaced!.details).toMatchObject({
      before: { departmentCode: '310101-lhsr' },
      after: { departmentCode: '310101-szgl' },
    });
    expect(removed!.details).toMatchObject({ before: { departmentCode: '310101-szgl' }, after: null });
  });

  it('records user administration without the password', async () => {
    const created = await call('sec', 'POST', '/api/v1/admin/users', {
      username: 'newop',
      displayName: '新受理员',
      password: 'a-Long-enough-pass-42',
      role: 'operator',
      scopeCode: '310101',
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id;
    expect((await call('sec', 'PATCH', `/api/v1/admin/users/${id}`, { role: 'dispatcher' })).statusCode).toBe(
      200,
    );
    const [update, create] = await entries('object=user:newop&action=admin');
    expect(create).toMatchObject({
      action: 'admin.user.create',
      actor: 'sec',
      details: { after: { role: 'operator' } },
    });
    expect(JSON.stringify(create)).not.toContain('a-Long-enough-pass-42');
    expect(update).toMatchObject({
      action: 'admin.user.update',
      details: { before: { role: 'operator' }, after: { role: 'dispatcher' } },
    });
  });

  it('records case actions with the person who acted, in the action’s transaction', async () => {
    const report = await call('insp', 'POST', '/api/v1/cases', {
      category: '06010',
      description: '垃圾满溢',
      location: { lng: square.lng + 0.0002, lat: square.lat + 0.0002 },
    });
    expect(report.statusCode).toBe(201);
    const c = report.json();
    const accept = await call('op', 'POST', `/api/v1/cases/${c.id}/accept`, { version: c.version });
    expect(accept.statusCode).toBe(200);
    const stale = await call('op', 'POST', `/api/v1/cases/${c.id}/accept`, { version: c.version });
    expect(stale.statusCode).toBe(409);
    const list = await entries(`object=case:${c.id}`);
    expect(list.map((e) => [e.action, e.actor])).toEqual([
      ['case.accept', 'op'],
      ['case.report', 'insp'],
    ]);
    expect(list[0]!.details).toMatchObject({ from: 'reported', to: 'filed', number: c.number });
  });

  it('records exports: the assessment CSV, and the audit CSV itself', async () => {
    const csv = await call(
      'boss',
      'GET',
      '/api/v1/assessment/export.csv?level=district&from=2026-11-01&to=2026-12-01',
    );
    expect(csv.statusCode).toBe(200);
    const [e] = await entries('action=export.assessment');
    expect(e).toMatchObject({ actor: 'boss', details: { format: 'csv', query: { level: 'district' } } });

    const audit = await call('aud', 'GET', '/api/v1/audit/export.csv?action=config');
    expect(audit.statusCode).toBe(200);
    expect(audit.headers['content-type']).toContain('text/csv');
    const lines = audit.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\n');
    expect(lines[0]).toBe('seq,at,actor,action,object,ip,details,prevHash,hash');
    expect(lines.slice(1).every((l) => l.split(',')[3]?.startsWith('config.'))).toBe(true);
    const [exp] = await entries('action=export.audit');
    expect(exp).toMatchObject({ actor: 'aud', details: { filter: { action: 'config' } } });
    expect((await call('root', 'GET', '/api/v1/audit/export.csv')).statusCode).toBe(403);
    expect((await verifyAuditChain(t.db)).ok).toBe(true);
  });
});
