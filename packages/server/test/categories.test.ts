import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCategoryCatalogue } from '../src/categories/catalogue.ts';
import type { Server } from '../src/server.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';
import { ensureUser, login, testServer } from './http-harness.ts';

describe(`category catalogue on ${testEngine}`, () => {
  let t: TestDb;
  let server: Server;
  let admin: string;
  let operator: string;
  beforeAll(async () => {
    t = await openTestDb();
    await loadCategoryCatalogue(t.db);
    server = await testServer(t.db);
    await ensureUser(t.db, { username: 'cat-admin', role: 'admin' });
    await ensureUser(t.db, { username: 'cat-operator', role: 'operator' });
    admin = await login(server, 'cat-admin');
    operator = await login(server, 'cat-operator');
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  const get = async (url: string, token = operator) =>
    server.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });

  it('loads all 364 rows, with legacy codes mapped to current ones where the names match', async () => {
    const { rows } = await t.db.query<{ kind: string; n: number; mapped: number }>(
      `SELECT kind, count(*)::int AS n, count(maps_to)::int AS mapped FROM categories GROUP BY kind ORDER BY kind`,
    );
    expect(rows).toEqual([
      { kind: 'component', n: 153, mapped: 0 },
      { kind: 'event', n: 97, mapped: 0 },
      { kind: 'legacy-component', n: 85, mapped: expect.any(Number) },
      { kind: 'legacy-event', n: 29, mapped: expect.any(Number) },
    ]);
    const maps = await t.db.query<{ key: string; maps_to: string }>(
      `SELECT kind || ':' || code AS key, maps_to FROM categories
        WHERE kind LIKE 'legacy-%' AND maps_to IS NOT NULL ORDER BY kind, code`,
    );
    const byCode = Object.fromEntries(maps.rows.map((r) => [r.key, r.maps_to]));
    expect(byCode['legacy-component:0102']).toBe('01002'); // 污水井盖
    expect(byCode['legacy-component:0107']).toBe('01007'); // 通讯井盖 → 通信井盖
    expect(byCode['legacy-component:0101']).toBe('01001'); // 上水井盖 → 供水井盖
    expect(byCode['legacy-component:0501']).toBe('03008'); // 宣传栏 moved major
    expect(byCode['legacy-event:0102']).toBe('06010'); // 暴露垃圾
    expect(maps.rows.length).toBeGreaterThan(60);
    // Every mapping points at a current row of the same kind.
    const dangling = await t.db.query(
      `SELECT l.code FROM categories l LEFT JOIN categories c ON c.code = l.maps_to AND c.kind = substr(l.kind, 8)
        WHERE l.maps_to IS NOT NULL AND c.code IS NULL`,
    );
    expect(dangling.rows).toEqual([]);
  });

  it('is idempotent and never overwrites what an administrator changed', async () => {
    const again = await loadCategoryCatalogue(t.db);
    expect(again).toEqual({ rows: 364, inserted: 0, updated: 0 });
    const res = await server.app.inject({
      method: 'PATCH',
      url: '/api/v1/categories/event/06012',
      headers: { authorization: `Bearer ${admin}` },
      payload: { name: '道路不洁（含人行道）' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ code: '06012', name: '道路不洁（含人行道）', edited: true });
    await t.db.query(`UPDATE categories SET name = 'stale' WHERE kind = 'event' AND code = '06013'`);
    const reload = await loadCategoryCatalogue(t.db);
    expect(reload.updated).toBe(1); // 06013 restored; 06012 kept
    const names = await t.db.query<{ code: string; name: string }>(
      `SELECT code, name FROM categories WHERE kind = 'event' AND code IN ('06012', '06013') ORDER BY code`,
    );
    expect(names.rows).toEqual([
      { code: '06012', name: '道路不洁（含人行道）' },
      { code: '06013', name: '道路破损' },
    ]);
  });

  it('searches by code prefix or name, filtered by kind, for any logged-in user', async () => {
    const byName = await get('/api/v1/categories?q=井盖&kind=component');
    expect(byName.statusCode).toBe(200);
    const names = byName.json() as Array<{ code: string; name: string; kind: string }>;
    expect(names.length).toBeGreaterThan(15);
    expect(names.every((c) => c.kind === 'component' && c.name.includes('井盖'))).toBe(true);
    const byCode = (await get('/api/v1/categories?q=0601')).json() as Array<{ code: string }>;
    expect(byCode.map((c) => c.code)).toEqual(expect.arrayContaining(['06010', '06011', '06012']));
    expect(byCode.every((c) => c.code.startsWith('0601'))).toBe(true);
    const none = await server.app.inject({ method: 'GET', url: '/api/v1/categories' });
    expect(none.statusCode).toBe(401);
    const bad = await get('/api/v1/categories?kind=nonsense');
    expect(bad.statusCode).toBe(400);
  });

  it('carries the confusable-pair hints for the reporting UI', async () => {
    const rows = (await get('/api/v1/categories?q=06010&kind=event')).json() as Array<{
      hint: string;
      confusableWith: string[];
    }>;
    expect(rows[0]?.confusableWith).toEqual(['06042', '06011']);
    expect(rows[0]?.hint).toMatch(/暴露垃圾/);
  });

  it('lets an administrator add local categories numbered down from 999', async () => {
    const post = (payload: object, token = admin) =>
      server.app.inject({
        method: 'POST',
        url: '/api/v1/categories',
        headers: { authorization: `Bearer ${token}` },
        payload,
      });
    const first = await post({ kind: 'event', majorCode: '09', name: '违规设置户外摊位遮阳伞' });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({
      code: '09999',
      kind: 'event',
      majorName: '街面秩序类',
      local: true,
      active: true,
    });
    const second = await post({ kind: 'event', majorCode: '09', name: '共享电单车违规停放' });
    expect(second.json().code).toBe('09998');
    expect((await post({ kind: 'event', majorCode: '09', name: '共享电单车违规停放' })).statusCode).toBe(409);
    expect((await post({ kind: 'event', majorCode: '01', name: '错误大类' })).statusCode).toBe(400);
    expect(
      (await post({ kind: 'component', majorCode: '03', name: '智能垃圾箱', code: '03150' })).statusCode,
    ).toBe(400);
    expect(
      (await post({ kind: 'component', majorCode: '03', name: '智能垃圾箱', code: '03950' })).json(),
    ).toMatchObject({ code: '03950', majorName: '市容环卫设施' });
    expect((await post({ kind: 'event', majorCode: '09', name: '某事项' }, operator)).statusCode).toBe(403);
  });

  it('lets an administrator deactivate a category, and filters on it', async () => {
    const patch = await server.app.inject({
      method: 'PATCH',
      url: '/api/v1/categories/event/09014',
      headers: { authorization: `Bearer ${admin}` },
      payload: { active: false },
    });
    expect(patch.json()).toMatchObject({ code: '09014', active: false, edited: true });
    const active = (await get('/api/v1/categories?kind=event&major=09&active=true')).json() as Array<{
      code: string;
    }>;
    expect(active.map((c) => c.code)).not.toContain('09014');
    expect(active.map((c) => c.code)).toContain('09013');
    const missing = await server.app.inject({
      method: 'PATCH',
      url: '/api/v1/categories/event/09555',
      headers: { authorization: `Bearer ${admin}` },
      payload: { active: false },
    });
    expect(missing.statusCode).toBe(404);
    const forbidden = await server.app.inject({
      method: 'PATCH',
      url: '/api/v1/categories/event/09013',
      headers: { authorization: `Bearer ${operator}` },
      payload: { name: 'x' },
    });
    expect(forbidden.statusCode).toBe(403);
  });
});
