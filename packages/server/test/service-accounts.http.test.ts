/**
 * Service accounts end to end: a security user issues one, the machine takes a token with OAuth 2
 * client credentials (form body and HTTP Basic), the access gate lets it through routes that
 * declare its grant only, rotation and disabling cut it off at once, its secret is an Open311
 * api_key when granted open311, and every step is audited without the secret or token in it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authRepository } from '../src/auth/auth.repository.ts';
import { authService } from '../src/auth/auth.service.ts';
import { loginThrottle } from '../src/auth/login-throttle.ts';
import { type App, createApp } from '../src/http/app.ts';
import type { Server } from '../src/server.ts';
import { serviceAccountOf, serviceSees } from '../src/service-accounts/access.ts';
import { makeLoopCity } from './case-fixture.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';
import { ensureUser, login, silentLog, testServer } from './http-harness.ts';

type Json = Record<string, unknown>;

describe(`service accounts on ${testEngine}`, () => {
  let t: TestDb;
  let server: Server;
  /** A second app on the same database with routes as later features declare them. */
  let gate: App;
  let now = new Date('2026-12-01T02:00:00Z');
  const clock = () => now;
  const tokens: Record<string, string> = {};
  let account: { id: number; clientId: string; clientSecret: string };

  const as = (who: string | undefined, method: 'GET' | 'POST', url: string, payload?: object) =>
    server.app.inject({
      method,
      url,
      headers: who ? { authorization: `Bearer ${tokens[who] ?? who}` } : {},
      ...(payload ? { payload } : {}),
    });
  const tokenForm = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
    server.app.inject({
      method: 'POST',
      url: '/api/v1/oauth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      payload: new URLSearchParams(fields).toString(),
    });
  const takeToken = async (clientId: string, secret: string, scope?: string) => {
    const res = await tokenForm({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: secret,
      ...(scope ? { scope } : {}),
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { access_token: string; token_type: string; expires_in: number; scope: string };
  };
  const onGate = (token: string | undefined, url: string) =>
    gate.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });

  beforeAll(async () => {
    t = await openTestDb();
    await makeLoopCity(t.db);
    await ensureUser(t.db, { username: 'sec', role: 'security', scopeCode: '3101' });
    await ensureUser(t.db, { username: 'hp-sec', role: 'security', scopeCode: '310101' });
    server = await testServer(t.db, clock);
    for (const u of ['sec', 'hp-sec', 'root', 'op']) tokens[u] = await login(server, u);

    const users = authRepository(t.db);
    gate = await createApp({
      logger: silentLog,
      auth: authService({
        users,
        db: t.db,
        throttle: loginThrottle(users),
        clock,
        sessionHours: 12,
        sessionIdleMinutes: 600,
        lockoutAfter: 10,
        totpRequired: false,
      }),
      serviceAccounts: server.serviceAccounts,
    });
    gate.get(
      '/api/v1/hotline/orders/:area',
      { config: { access: { grant: 'hotline' } } },
      async (request) => {
        const sa = serviceAccountOf(request);
        const { area } = request.params as { area: string };
        return { client: sa.clientId, sees: serviceSees(sa, area), clearance: sa.clearance };
      },
    );
    gate.get(
      '/api/v1/cameras/x',
      { config: { access: { grant: 'cameras', or: 'cases:read' } } },
      async () => ({
        ok: true,
      }),
    );
    gate.get('/api/v1/people-only', { config: { access: 'cases:read' } }, async () => ({ ok: true }));
    await gate.ready();
  }, 300_000);
  afterAll(async () => {
    await gate?.close();
    await server?.close();
    await t?.close();
  });

  it('issues an account to a security user only, the secret once, and refuses bad input writing nothing', async () => {
    const body = {
      name: '12345 热线系统',
      scope: '310101',
      grants: ['hotline', 'open311'],
      clearance: 'internal',
    };
    expect((await as('root', 'POST', '/api/v1/service-accounts', body)).statusCode).toBe(403);
    expect((await as('op', 'POST', '/api/v1/service-accounts', body)).statusCode).toBe(403);
    expect((await as(undefined, 'POST', '/api/v1/service-accounts', body)).statusCode).toBe(401);

    const bad = [
      { ...body, grants: ['hotline', 'share:nothing'] },
      { ...body, grants: [] },
      { ...body, clearance: 'secret' },
      { ...body, scope: '310199' },
    ];
    for (const b of bad) {
      const res = await as('sec', 'POST', '/api/v1/service-accounts', b);
      expect(res.statusCode, res.body).toBe(400);
    }
    // A district's security user cannot issue an account seeing the city.
    const wide = await as('hp-sec', 'POST', '/api/v1/service-accounts', { ...body, scope: '3101' });
    expect(wide.statusCode).toBe(400);
    expect(wide.json().error.details.problem).toBe('outside_scope');
    expect((await t.db.query('SELECT 1 FROM service_accounts')).rows).toHaveLength(0);

    const res = await as('sec', 'POST', '/api/v1/service-accounts', body);
    expect(res.statusCode, res.body).toBe(201);
    account = res.json();
    expect(account.clientSecret).toMatch(/^ogs_[A-Za-z0-9_-]{43}$/);
    expect((await as('sec', 'POST', '/api/v1/service-accounts', body)).statusCode).toBe(409);

    const list = (await as('sec', 'GET', '/api/v1/service-accounts')).json() as Json[];
    expect(list.map((a) => a.clientId)).toEqual([account.clientId]);
    expect(list[0]).toMatchObject({ scope: '310101', grants: ['hotline', 'open311'], clearance: 'internal' });
    expect(JSON.stringify(list)).not.toContain(account.clientSecret);
    const stored = await t.db.query<Json>('SELECT * FROM service_accounts');
    expect(JSON.stringify(stored.rows)).not.toContain(account.clientSecret);
    // The district's security user sees the accounts of its district (this one is in it).
    expect(((await as('hp-sec', 'GET', '/api/v1/service-accounts')).json() as Json[]).length).toBe(1);
  });

  it('gives a token for client credentials in the form body or HTTP Basic, and RFC 6749 errors otherwise', async () => {
    const tok = await takeToken(account.clientId, account.clientSecret);
    expect(tok).toMatchObject({ token_type: 'Bearer', expires_in: 900, scope: 'hotline open311' });
    expect(tok.access_token).toMatch(/^ogt_/);
    tokens.machine = tok.access_token;

    const basic = Buffer.from(
      `${encodeURIComponent(account.clientId)}:${encodeURIComponent(account.clientSecret)}`,
    ).toString('base64');
    const viaBasic = await tokenForm(
      { grant_type: 'client_credentials' },
      { authorization: `Basic ${basic}` },
    );
    expect(viaBasic.statusCode, viaBasic.body).toBe(200);
    expect(viaBasic.headers['cache-control']).toBe('no-store');

    const wrong = await tokenForm(
      { grant_type: 'client_credentials' },
      { authorization: `Basic ${Buffer.from(`${account.clientId}:ogs_nope`).toString('base64')}` },
    );
    expect([wrong.statusCode, wrong.json().error]).toEqual([401, 'invalid_client']);
    expect(wrong.headers['www-authenticate']).toMatch(/^Basic /);
    const cases: [Record<string, string>, number, string][] = [
      [{ client_id: account.clientId, client_secret: account.clientSecret }, 400, 'invalid_request'],
      [
        { grant_type: 'password', client_id: account.clientId, client_secret: 'x' },
        400,
        'unsupported_grant_type',
      ],
      [
        { grant_type: 'client_credentials', client_id: 'og_unknown', client_secret: 'x' },
        401,
        'invalid_client',
      ],
      [{ grant_type: 'client_credentials', client_id: account.clientId }, 401, 'invalid_client'],
      [
        {
          grant_type: 'client_credentials',
          client_id: account.clientId,
          client_secret: account.clientSecret,
          scope: 'cameras',
        },
        400,
        'invalid_scope',
      ],
    ];
    for (const [fields, status, error] of cases) {
      const res = await tokenForm(fields);
      expect([res.statusCode, res.json().error], JSON.stringify(fields)).toEqual([status, error]);
      expect(res.json().error_description).toEqual(expect.any(String));
    }
    const bare = await server.app.inject({ method: 'POST', url: '/api/v1/oauth/token' });
    expect([bare.statusCode, bare.json().error], bare.body).toEqual([400, 'invalid_request']);
    // Both ways at once is one too many (RFC 6749 §2.3).
    const twice = await tokenForm(
      { grant_type: 'client_credentials', client_id: account.clientId, client_secret: account.clientSecret },
      { authorization: `Basic ${basic}` },
    );
    expect(twice.json().error).toBe('invalid_request');
    // A token narrowed to one grant carries only that one.
    const narrow = await takeToken(account.clientId, account.clientSecret, 'open311');
    expect(narrow.scope).toBe('open311');
    expect((await onGate(narrow.access_token, '/api/v1/hotline/orders/310101')).statusCode).toBe(403);
  });

  it('lets a service account through routes declaring its grant only, with its scope to check on objects', async () => {
    const inside = await onGate(tokens.machine, '/api/v1/hotline/orders/310101002');
    expect(inside.statusCode, inside.body).toBe(200);
    expect(inside.json()).toEqual({ client: account.clientId, sees: true, clearance: 'internal' });
    expect((await onGate(tokens.machine, '/api/v1/hotline/orders/310104')).json().sees).toBe(false);
    // Without the grant, or on a route for people: refused by the gate.
    expect((await onGate(tokens.machine, '/api/v1/cameras/x')).statusCode).toBe(403);
    expect((await onGate(tokens.machine, '/api/v1/people-only')).statusCode).toBe(403);
    expect((await as('machine', 'GET', '/api/v1/cases')).statusCode).toBe(403);
    expect((await as('machine', 'GET', '/api/v1/service-accounts')).statusCode).toBe(403);
    // People: a grant-only route refuses them; `or` lets a role in.
    expect((await onGate(tokens.op, '/api/v1/hotline/orders/310101')).statusCode).toBe(403);
    expect((await onGate(tokens.op, '/api/v1/cameras/x')).statusCode).toBe(200);
    expect((await onGate(undefined, '/api/v1/hotline/orders/310101')).statusCode).toBe(401);
    expect((await onGate('ogt_madeup', '/api/v1/hotline/orders/310101')).statusCode).toBe(401);
  });

  it('takes the client secret as an Open311 api_key when the account holds open311', async () => {
    const read = (key: string) =>
      server.app.inject({
        method: 'GET',
        url: `/open311/v2/requests.json?api_key=${encodeURIComponent(key)}`,
      });
    expect((await read(account.clientSecret)).statusCode).toBe(200);
    const other = await as('sec', 'POST', '/api/v1/service-accounts', {
      name: 'camera vendor',
      scope: '310101',
      grants: ['cameras'],
      clearance: 'public',
    });
    expect((await read(other.json().clientSecret)).statusCode).toBe(403);
  });

  it('ends tokens when they expire, when the secret rotates and when the account is disabled', async () => {
    const t1 = await takeToken(account.clientId, account.clientSecret);
    now = new Date(now.getTime() + 901_000);
    expect((await onGate(t1.access_token, '/api/v1/hotline/orders/310101')).statusCode).toBe(401);

    const t2 = await takeToken(account.clientId, account.clientSecret);
    const rotated = await as('sec', 'POST', `/api/v1/service-accounts/${account.id}/rotate`);
    expect(rotated.statusCode, rotated.body).toBe(200);
    const secret = rotated.json().clientSecret as string;
    expect(secret).not.toBe(account.clientSecret);
    expect((await onGate(t2.access_token, '/api/v1/hotline/orders/310101')).statusCode).toBe(401);
    const old = await tokenForm({
      grant_type: 'client_credentials',
      client_id: account.clientId,
      client_secret: account.clientSecret,
    });
    expect(old.statusCode).toBe(401);
    const t3 = await takeToken(account.clientId, secret);
    expect((await onGate(t3.access_token, '/api/v1/hotline/orders/310101')).statusCode).toBe(200);

    const disabled = await as('sec', 'POST', `/api/v1/service-accounts/${account.id}/disable`);
    expect(disabled.json().disabledAt).toEqual(expect.any(String));
    expect((await onGate(t3.access_token, '/api/v1/hotline/orders/310101')).statusCode).toBe(401);
    const after = await tokenForm({
      grant_type: 'client_credentials',
      client_id: account.clientId,
      client_secret: secret,
    });
    expect(after.statusCode).toBe(401);
    expect((await as('sec', 'POST', `/api/v1/service-accounts/${account.id}/rotate`)).statusCode).toBe(409);
    // Out of a security user's scope: not found.
    expect((await as('hp-sec', 'POST', '/api/v1/service-accounts/999999/disable')).statusCode).toBe(404);
  });

  it('audits every issue, token, refusal, rotation and disabling, never the secret or a token', async () => {
    const { rows } = await t.db.query<{ actor: string; action: string; object: string; details: Json }>(
      `SELECT actor, action, object, details FROM audit_log WHERE action LIKE 'service.%' ORDER BY seq`,
    );
    const actions = new Set(rows.map((r) => r.action));
    for (const a of [
      'service.account.create',
      'service.token',
      'service.token-failed',
      'service.account.rotate',
      'service.account.disable',
    ]) {
      expect(actions, a).toContain(a);
    }
    expect(rows.find((r) => r.action === 'service.account.create')?.actor).toBe('sec');
    expect(rows.find((r) => r.action === 'service.token')?.actor).toBe(`service:${account.clientId}`);
    const text = JSON.stringify(rows);
    expect(text).not.toContain(account.clientSecret);
    expect(text).not.toContain(tokens.machine);
    expect(text).not.toMatch(/ogt_|ogs_/);
  });
});
