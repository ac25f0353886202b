/**
 * Data sharing end to end: the catalog, and consumers (service accounts) reading cases and areas
 * incrementally with the share cursor — only rows in their area scope, each field to their
 * clearance (full, masked or left out), changed rows coming again, every read audited, reads
 * rate-limited per account, and clear errors for everything else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from '../src/server.ts';
import { makeLoopCity, square } from './case-fixture.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';
import { ensureUser, login, testServer } from './http-harness.ts';

type Row = Record<string, unknown>;
type Page = { items: Row[]; next: string | null };

describe(`data sharing on ${testEngine}`, () => {
  let t: TestDb;
  let server: Server;
  const tokens: Record<string, string> = {};
  const clients: Record<string, string> = {};
  const caseIds: number[] = [];

  const get = (who: string | undefined, url: string) =>
    server.app.inject({
      method: 'GET',
      url,
      headers: who ? { authorization: `Bearer ${tokens[who]}` } : {},
    });
  const page = async (who: string, url: string): Promise<Page> => {
    const res = await get(who, url);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  const issue = async (name: string, scope: string, grants: string[], clearance: string) => {
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/service-accounts',
      headers: { authorization: `Bearer ${tokens.sec}` },
      payload: { name, scope, grants, clearance },
    });
    expect(res.statusCode, res.body).toBe(201);
    const { clientId, clientSecret } = res.json();
    const tok = await server.app.inject({
      method: 'POST',
      url: '/api/v1/oauth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: clientId,
        client_secret: clientSecret,
      }).toString(),
    });
    tokens[name] = tok.json().access_token;
    clients[name] = clientId;
  };

  beforeAll(async () => {
    t = await openTestDb();
    await makeLoopCity(t.db);
    await ensureUser(t.db, { username: 'sec', role: 'security', scopeCode: '3101' });
    server = await testServer(t.db, undefined, {
      shareSettleSeconds: 0,
      rateLimits: { loginPerMinute: 0, sharePerMinute: 12 },
    });
    await server.geo.refresh({ force: true });
    for (const u of ['sec', 'op']) tokens[u] = await login(server, u);
    await issue('hp-internal', '310101', ['share:cases', 'share:areas'], 'internal');
    await issue('xh-sensitive', '310104', ['share:cases'], 'sensitive');
    await issue('city-public', '3101', ['share:cases'], 'public');
    await issue('hotline-only', '310101', ['hotline'], 'sensitive');
    for (let i = 0; i < 3; i++) {
      const res = await server.app.inject({
        method: 'POST',
        url: '/api/v1/cases',
        headers: { authorization: `Bearer ${tokens.op}` },
        payload: {
          category: '06010',
          source: 'hotline',
          description: `南京东路${i + 1}号门口垃圾堆放，请回电 13912345678`,
          reporterName: '张三丰',
          reporterContact: '13812345678',
          location: { lng: square.lng + 0.0002 * (i + 1), lat: square.lat + 0.0002 },
        },
      });
      expect(res.statusCode, res.body).toBe(201);
      caseIds.push(res.json().id);
    }
  }, 300_000);
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  it('describes every dataset with its fields’ classes, owner and update frequency', async () => {
    const asUser = (await get('sec', '/api/v1/catalog')).json() as Row[];
    // People who configure see it (administrators, security); case work does not need it.
    expect((await get('op', '/api/v1/catalog')).statusCode).toBe(403);
    expect(asUser.map((d) => d.id)).toEqual([
      'cases',
      'components',
      'areas',
      'grids',
      'devices',
      'readings',
      'rollups',
      'alarms',
      'vitals',
      'addresses',
    ]);
    const cases = asUser[0] as {
      fields: { name: string; classification: string }[];
      owner: Row;
      updateFrequency: string;
    };
    expect(cases.fields.find((f) => f.name === 'reporterContact')?.classification).toBe('sensitive');
    expect(cases).toMatchObject({ owner: { zh: expect.any(String) }, updateFrequency: 'realtime' });
    const asMachine = (await get('hp-internal', '/api/v1/catalog')).json() as {
      id: string;
      granted: boolean;
    }[];
    expect(asMachine.filter((d) => d.granted).map((d) => d.id)).toEqual(['cases', 'areas']);
    expect((await get('hotline-only', '/api/v1/catalog')).statusCode).toBe(403);
    expect((await get(undefined, '/api/v1/catalog')).statusCode).toBe(401);
  });

  it('reads a dataset incrementally: pages by cursor, nothing twice, changed rows again', async () => {
    const p1 = await page('hp-internal', '/api/v1/share/cases?limit=2');
    expect(p1.items.map((c) => c.id)).toEqual(caseIds.slice(0, 2));
    const p2 = await page('hp-internal', `/api/v1/share/cases?limit=2&since=${p1.next}`);
    expect(p2.items.map((c) => c.id)).toEqual(caseIds.slice(2));
    const p3 = await page('hp-internal', `/api/v1/share/cases?limit=2&since=${p2.next}`);
    expect(p3).toEqual({ items: [], next: p2.next });

    const accepted = await server.app.inject({
      method: 'POST',
      url: `/api/v1/cases/${caseIds[1]}/accept`,
      headers: { authorization: `Bearer ${tokens.op}` },
      payload: { version: 1, reason: '热线来电已核实' },
    });
    expect(accepted.statusCode, accepted.body).toBe(200);
    const p4 = await page('hp-internal', `/api/v1/share/cases?since=${p3.next}`);
    expect(p4.items.map((c) => [c.id, c.status])).toEqual([[caseIds[1], accepted.json().status]]);
  });

  it('masks each field to the reader’s clearance', async () => {
    const internal = (await page('hp-internal', '/api/v1/share/cases?limit=1')).items[0]!;
    expect(internal).toMatchObject({
      reporterName: '张**',
      reporterContact: '138****5678',
      description: expect.stringContaining('13912345678'),
      location: { lng: expect.any(Number), lat: expect.any(Number) },
    });
    const pub = (await page('city-public', '/api/v1/share/cases?limit=1')).items[0]!;
    expect(pub.reporterName).toBeNull();
    expect(pub.reporterContact).toBeNull();
    expect(pub.description).toContain('139****5678');
    expect(pub.description).not.toContain('13912345678');
    expect(pub.location).toEqual({
      lng: Math.round((internal.location as { lng: number }).lng * 1000) / 1000,
      lat: Math.round((internal.location as { lat: number }).lat * 1000) / 1000,
    });
    expect(pub.number).toBe(internal.number);
  });

  it('gives only rows in the account’s area scope', async () => {
    expect((await page('xh-sensitive', '/api/v1/share/cases')).items).toEqual([]);
    expect((await page('city-public', '/api/v1/share/cases')).items).toHaveLength(3);
    const areas = (await page('hp-internal', '/api/v1/share/areas')).items;
    expect(areas.map((a) => a.code).sort()).toEqual(['310101', '310101002', '310101002001']);
  });

  it('refuses what is not granted, unknown datasets, bad cursors and people, and audits every read', async () => {
    expect((await get('hp-internal', '/api/v1/share/grids')).statusCode).toBe(403);
    expect((await get('hotline-only', '/api/v1/share/cases')).statusCode).toBe(403);
    expect((await get('hp-internal', '/api/v1/share/nothing')).statusCode).toBe(404);
    expect((await get('hp-internal', '/api/v1/share/cases?since=bm90LWEtY3Vyc29y')).statusCode).toBe(400);
    expect((await get('hp-internal', '/api/v1/share/cases?limit=5000')).statusCode).toBe(400);
    expect((await get('op', '/api/v1/share/cases')).statusCode).toBe(403);
    expect((await get(undefined, '/api/v1/share/cases')).statusCode).toBe(401);

    const { rows } = await t.db.query<{ actor: string; object: string; details: { count: number } }>(
      "SELECT actor, object, details FROM audit_log WHERE action = 'service.access' ORDER BY seq",
    );
    const hp = rows.filter((r) => r.actor === `service:${clients['hp-internal']}`);
    expect(hp.filter((r) => r.object === 'dataset:cases').map((r) => r.details.count)).toEqual([
      2, 1, 0, 1, 1,
    ]);
    expect(hp.some((r) => r.object === 'dataset:areas')).toBe(true);
  });

  it('limits reads per account, not per address', async () => {
    let limited = 0;
    for (let i = 0; i < 14 && !limited; i++) {
      const res = await get('xh-sensitive', '/api/v1/share/cases');
      if (res.statusCode === 429) limited = i;
      else expect(res.statusCode).toBe(200);
    }
    expect(limited).toBeGreaterThan(0);
    expect((await get('city-public', '/api/v1/share/cases')).statusCode).toBe(200);
  });
});
