/**
 * The authorisation sweep: every route the server registered (the OpenAPI document's and the
 * hidden ones) × anonymous and every role × odd spellings of the URL, checked against the policy
 * in @onegrid/domain. A route added tomorrow is in `app.routeTable` and so in this sweep.
 */
import { type Access, can, type Role, roles } from '@onegrid/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteEntry } from '../src/http/app.ts';
import type { Server } from '../src/server.ts';
import { makeLoopCity, square } from './case-fixture.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';
import { ensureUser, login, testServer } from './http-harness.ts';

/** One user per role, in 黄浦区 310101 unless the role sees the city. */
const people: Record<Role, string> = {
  admin: 'root',
  security: 'sec',
  auditor: 'aud',
  leader: 'boss',
  operator: 'op',
  dispatcher: 'disp',
  handler: 'lhsr',
  inspector: 'insp',
};

/** Routes whose answer never ends (an event stream): checked for refusals only. */
const endless = new Set(['/api/v1/stream']);
/** Routes that would end the caller's session for the rest of the sweep. */
const sessionEnding = new Set(['/api/v1/auth/logout']);

describe(`authorisation sweep on ${testEngine}`, () => {
  let t: TestDb;
  let server: Server;
  let table: RouteEntry[];
  const tokens = {} as Record<Role | 'xh', string>;
  let hpCase: { id: number; number: string };

  const inject = (method: string, url: string, who?: Role | 'xh', payload?: object) => {
    if (process.env.SWEEP_TRACE) console.log('>>', method, url, who);
    return server.app.inject({
      method: method as 'GET',
      url,
      headers: who ? { authorization: `Bearer ${tokens[who]}` } : {},
      ...(payload ? { payload } : {}),
    });
  };

  /** A concrete URL for a route pattern: ids that exist where it matters, harmless values elsewhere. */
  const concrete = (url: string) =>
    url
      .replace('/api/v1/cases/:id', `/api/v1/cases/${hpCase.id}`)
      .replace(':action', 'accept')
      .replace(':number', hpCase.number)
      .replace(':layer/:z/:x/:y', 'districts/14/13722/6698')
      .replace(':kind', 'event')
      .replace(/:id\b/g, '999999')
      .replace(/:[a-z_]+/gi, 'x')
      .replace('*', 'x');

  beforeAll(async () => {
    t = await openTestDb();
    await makeLoopCity(t.db);
    await ensureUser(t.db, { username: 'sec', role: 'security', scopeCode: '3101' });
    await ensureUser(t.db, { username: 'aud', role: 'auditor', scopeCode: '3101' });
    server = await testServer(t.db);
    await server.geo.refresh({ force: true });
    table = server.app.routeTable;
    for (const role of roles) tokens[role] = await login(server, people[role]);
    tokens.xh = await login(server, 'xh-op');
    const res = await inject('POST', '/api/v1/cases', 'inspector', {
      category: '06010',
      description: '人民广场东侧暴露垃圾',
      location: { lng: square.lng + 0.0003, lat: square.lat + 0.0003 },
    });
    expect(res.statusCode).toBe(201);
    hpCase = res.json();
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  it('finds every route declaring who may call it, and every documented route in the table', async () => {
    const undeclared = table.filter((r) => r.access === undefined).map((r) => `${r.method} ${r.url}`);
    expect(undeclared, 'routes without config.access (closed to everyone until they declare one)').toEqual(
      [],
    );

    const doc = (await inject('GET', '/api/openapi.json')).json() as { paths: Record<string, object> };
    const known = new Set(table.map((r) => `${r.method} ${r.url.replace(/:([A-Za-z_]+)/g, '{$1}')}`));
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(documented.length).toBeGreaterThan(50);
    expect(documented.filter((d) => !known.has(d))).toEqual([]);
  });

  it('refuses a route that declares nothing, to everyone', async () => {
    // A route registered after start-up cannot be added to this server; the gate is the same
    // function for every route, so its refusal is shown on a fresh one.
    const { createApp } = await import('../src/http/app.ts');
    const { silentLog } = await import('./http-harness.ts');
    const app = await createApp({
      logger: silentLog,
      auth: {
        authenticate: async () => ({
          principal: {
            id: 1,
            username: 'a',
            displayName: 'a',
            role: 'admin',
            scopeCode: '3101',
            departmentCode: null,
          },
          session: { hash: 'x', enrolmentOnly: false },
        }),
      } as never,
    });
    app.get('/api/v1/undeclared', async () => ({ secret: true }));
    await app.ready();
    const anon = await app.inject({ method: 'GET', url: '/api/v1/undeclared' });
    const admin = await app.inject({
      method: 'GET',
      url: '/api/v1/undeclared',
      headers: { authorization: 'Bearer x' },
    });
    expect([anon.statusCode, admin.statusCode]).toEqual([403, 403]);
    expect(app.routeTable.find((r) => r.url === '/api/v1/undeclared')?.access).toBeUndefined();
    await app.close();
  });

  it('answers every route × anonymous and every role as the policy says', async () => {
    const problems: string[] = [];
    let checked = 0;
    for (const r of table) {
      const url = concrete(r.url);
      const access = r.access as Access;
      const anon = await inject(r.method, url);
      checked++;
      if (access !== 'public' && anon.statusCode !== 401) {
        problems.push(`${r.method} ${url} anonymous → ${anon.statusCode} (want 401)`);
      }
      if (anon.statusCode >= 500) problems.push(`${r.method} ${url} anonymous → ${anon.statusCode}`);
      if (access === 'public') continue;
      for (const role of roles) {
        const allowed = can(role, access);
        if (allowed && (endless.has(r.url) || sessionEnding.has(r.url))) continue;
        const res = await inject(
          r.method,
          url,
          role,
          r.method === 'GET' || r.method === 'HEAD' ? undefined : {},
        );
        checked++;
        const gate = res.statusCode === 403 && (r.method === 'HEAD' || /may not do this/.test(res.body));
        if (!allowed && !gate) problems.push(`${r.method} ${url} as ${role} → ${res.statusCode} (want 403)`);
        if (allowed && (gate || res.statusCode === 401)) {
          problems.push(`${r.method} ${url} as ${role} → ${res.statusCode} (policy allows ${access})`);
        }
        if (res.statusCode >= 500)
          problems.push(`${r.method} ${url} as ${role} → ${res.statusCode} ${res.body}`);
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(300);
  }, 240_000);

  it('gives an anonymous caller nothing from a closed route however the URL is spelled', async () => {
    const spellings = (url: string): string[] => {
      const [first, ...rest] = url.slice(1).split('/');
      const tail = rest.join('/');
      const encodeOne = (s: string) => s.replace(/[a-z]/, (c) => `%${c.charCodeAt(0).toString(16)}`);
      return [
        `/${first}/${rest.map(encodeOne).join('/')}`,
        url.replace('/api/v1/', '/api/%761/'),
        url.replace('/api/v1/', '/api/%76%31/'),
        url.replace('/api/', '/%61pi/'),
        url.replace('/api/v1/', '/api//v1/'),
        url.replace('/api/v1/', '//api/v1/'),
        url.replace('/api/v1/', '/api/v1//'),
        url.toUpperCase(),
        url.replace('/api/v1/', '/API/V1/'),
        url.replace('/api/v1/', '/api/V1/'),
        `${url}.`,
        `${url}/`,
        `${url}/.`,
        url.replace('/api/v1/', '/api/v1./'),
        url.replace('/api/v1/', '/api/v1/./'),
        url.replace('/api/v1/', '/api/x/../v1/'),
        `/${first}/${tail}%00`,
        `${url}%2f`,
        `${url};x=1`,
      ];
    };
    const problems: string[] = [];
    for (const r of table) {
      if (r.access === 'public' || endless.has(r.url)) continue;
      const url = concrete(r.url);
      for (const odd of spellings(url)) {
        const anon = await inject(r.method, odd);
        if (anon.statusCode < 300 || anon.statusCode >= 500) {
          problems.push(`${r.method} ${odd} anonymous → ${anon.statusCode}`);
        }
        // An auditor holds nothing but the audit log: an odd spelling must not open a door either.
        if (r.access !== 'session' && r.access !== 'audit:read') {
          const aud = await inject(r.method, odd, 'auditor');
          if (aud.statusCode < 300 || aud.statusCode >= 500) {
            problems.push(`${r.method} ${odd} as auditor → ${aud.statusCode}`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
    // The finding that started this: the percent-encoded spelling reached the handler.
    expect((await inject('GET', '/api/%761/settings/loop')).statusCode).toBe(401);
    expect((await inject('GET', '/api/%761/geo/locate?lng=121.47&lat=31.23')).statusCode).toBe(401);
  }, 240_000);

  it('answers object routes out of scope with 404, naming nothing', async () => {
    const objectRoutes = table.filter((r) => r.url.startsWith('/api/v1/cases/:id') && r.method !== 'HEAD');
    expect(objectRoutes.length).toBeGreaterThanOrEqual(3);
    for (const r of objectRoutes) {
      const url = concrete(r.url);
      const body = r.method === 'POST' ? { version: 1 } : undefined;
      const out = await inject(r.method, url, 'xh', body);
      expect(out.statusCode, `${r.method} ${url} out of scope`).toBe(404);
      expect(out.body).not.toContain(hpCase.number);
      if (r.method === 'GET') {
        const inside = await inject(r.method, url, 'operator');
        expect(inside.statusCode, `${r.method} ${url} in scope`).toBe(200);
      }
    }
    // The in-scope operator can take the step the out-of-scope one could not.
    const accepted = await inject('POST', `/api/v1/cases/${hpCase.id}/accept`, 'operator', { version: 1 });
    expect(accepted.statusCode).toBe(200);
  });
});
