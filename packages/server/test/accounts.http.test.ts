/**
 * Accounts as an attacker and a security administrator see them: login throttling per account and
 * per address (429 + Retry-After), lockout until unlocked, idle and absolute session expiry,
 * revoking a user's sessions, the TOTP second factor, stream tickets instead of tokens in URLs,
 * and streams that end with their session.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authRepository } from '../src/auth/auth.repository.ts';
import { authService } from '../src/auth/auth.service.ts';
import { loginThrottle } from '../src/auth/login-throttle.ts';
import { totpCode } from '../src/auth/totp.ts';
import type { Server } from '../src/server.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';
import { ensureUser, login, streamPath, testServer } from './http-harness.ts';

describe(`accounts over HTTP on ${testEngine}`, () => {
  let t: TestDb;
  let server: Server;
  let strict: Server;
  let now = new Date('2026-11-22T08:00:00Z');
  const clock = () => now;
  const later = (seconds: number) => {
    now = new Date(now.getTime() + seconds * 1000);
  };
  const attempt = (s: Server, username: string, password: string, ip = '10.0.0.1', code?: string) =>
    s.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      remoteAddress: ip,
      payload: { username, password, ...(code ? { code } : {}) },
    });
  const get = (s: Server, token: string, url: string) =>
    s.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
  const post = (s: Server, token: string, url: string, payload?: object) =>
    s.app.inject({
      method: 'POST',
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(payload ? { payload } : {}),
    });

  beforeAll(async () => {
    t = await openTestDb();
    for (const u of ['alice', 'bob', 'carol', 'dave', 'erin', 'frank']) {
      await ensureUser(t.db, { username: u, role: 'operator' });
    }
    await ensureUser(t.db, { username: 'sec', role: 'security' });
    await ensureUser(t.db, { username: 'boss', role: 'admin' });
    await ensureUser(t.db, { username: 'demo-admin', role: 'admin' });
    await t.db.query("UPDATE users SET demo = true WHERE username = 'demo-admin'");
    server = await testServer(t.db, clock);
    strict = await testServer(t.db, clock, { totpRequired: true });
  }, 240_000);
  afterAll(async () => {
    await strict?.close();
    await server?.close();
    await t?.close();
  });

  it('refuses the right password after 50 wrong ones in a row: 429 with Retry-After', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 50; i++) statuses.push((await attempt(server, 'alice', `wrong-${i}`)).statusCode);
    expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
    expect(statuses.slice(3).every((s) => s === 429)).toBe(true);
    const right = await attempt(server, 'alice', 'secret-pw');
    expect(right.statusCode).toBe(429);
    expect(Number(right.headers['retry-after'])).toBeGreaterThan(0);
    expect(right.json().error.code).toBe('rate_limited');
    // An unknown name is slowed down the same way: the answers do not tell which names exist.
    for (let i = 0; i < 4; i++) await attempt(server, 'nobody-here', 'x', '10.0.0.9');
    expect((await attempt(server, 'nobody-here', 'x', '10.0.0.9')).statusCode).toBe(429);
  });

  it('slows down one address trying many accounts', async () => {
    const ip = '10.0.0.2';
    const names = ['n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7', 'n8', 'n9', 'n10', 'n11'];
    for (const n of names.slice(0, 10)) expect((await attempt(server, n, 'guess', ip)).statusCode).toBe(401);
    const next = await attempt(server, 'bob', 'secret-pw', ip);
    expect(next.statusCode).toBe(429);
    expect(Number(next.headers['retry-after'])).toBeGreaterThan(0);
    // Another address is not held up by that one.
    expect((await attempt(server, 'bob', 'secret-pw', '10.0.0.3')).statusCode).toBe(200);
  });

  it('locks an account after 10 failures in a row until a security administrator unlocks it', async () => {
    for (let i = 0; i < 10; i++) {
      const r = await attempt(server, 'carol', 'wrong', `10.1.0.${i}`);
      expect(r.statusCode, `attempt ${i}`).toBe(401);
      later(Number(r.headers['retry-after'] ?? 0) + 1000);
    }
    later(3600);
    const right = await attempt(server, 'carol', 'secret-pw', '10.1.1.1');
    expect(right.statusCode).toBe(403);
    expect(right.json().error.code).toBe('account_locked');
    // A wrong password on a locked account says only "wrong": the lock is no oracle.
    expect((await attempt(server, 'carol', 'wrong', '10.1.1.2')).statusCode).toBe(401);
    later(3600);
    const sec = await login(server, 'sec');
    const list = await get(server, sec, '/api/v1/admin/users?q=carol');
    const carol = list.json()[0];
    expect(carol).toMatchObject({ username: 'carol', locked: true });
    const unlocked = await post(server, sec, `/api/v1/admin/users/${carol.id}/unlock`);
    expect(unlocked.statusCode).toBe(200);
    expect(unlocked.json().locked).toBe(false);
    expect((await attempt(server, 'carol', 'secret-pw', '10.1.1.3')).statusCode).toBe(200);
    // Only the security administrator unlocks.
    const op = await login(server, 'dave');
    expect((await post(server, op, `/api/v1/admin/users/${carol.id}/unlock`)).statusCode).toBe(403);
  });

  it('ends a session after 30 idle minutes, and after 12 hours however busy', async () => {
    const idle = await login(server, 'erin');
    later(29 * 60);
    expect((await get(server, idle, '/api/v1/auth/me')).statusCode).toBe(200);
    later(31 * 60);
    expect((await get(server, idle, '/api/v1/auth/me')).statusCode).toBe(401);
    const busy = await login(server, 'erin');
    for (let i = 0; i < 35; i++) {
      later(20 * 60);
      expect((await get(server, busy, '/api/v1/auth/me')).statusCode, `${i}`).toBe(200);
    }
    later(21 * 60); // 12 h 01 min after the login, 21 min after the last request
    expect((await get(server, busy, '/api/v1/auth/me')).statusCode).toBe(401);
  });

  it("lets a security administrator revoke a user's sessions", async () => {
    const a = await login(server, 'frank');
    const b = await login(server, 'frank');
    const sec = await login(server, 'sec');
    const id = (await get(server, a, '/api/v1/auth/me')).json().id;
    const r = await post(server, sec, `/api/v1/admin/users/${id}/revoke-sessions`);
    expect(r.json()).toEqual({ ended: 2 });
    expect((await get(server, a, '/api/v1/auth/me')).statusCode).toBe(401);
    expect((await get(server, b, '/api/v1/auth/me')).statusCode).toBe(401);
  });

  it('opens the stream with a single-use ticket, never with a token in the URL', async () => {
    const token = await login(server, 'dave');
    const byToken = await server.app.inject({
      method: 'GET',
      url: `/api/v1/stream?access_token=${token}`,
    });
    expect(byToken.statusCode).toBe(401);
    const ticket = await post(server, token, '/api/v1/stream/ticket');
    expect(ticket.statusCode).toBe(200);
    expect(ticket.json()).toMatchObject({ ticket: expect.any(String), expiresAt: expect.any(String) });
    expect(ticket.json().ticket).not.toBe(token);
    // An expired ticket is refused.
    later(61);
    const stale = await server.app.inject({
      method: 'GET',
      url: `/api/v1/stream?ticket=${ticket.json().ticket}`,
    });
    expect(stale.statusCode).toBe(401);
    expect(
      (await server.app.inject({ method: 'GET', url: '/api/v1/stream?ticket=made-up' })).statusCode,
    ).toBe(401);
  });

  it('ends an open event stream when its session logs out, and the ticket cannot be used twice', async () => {
    await server.app.listen({ port: 0, host: '127.0.0.1' });
    const address = server.app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const token = await login(server, 'dave');
    const path = await streamPath(server, token);
    const res = await fetch(`http://127.0.0.1:${port}${path}`);
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    let text = new TextDecoder().decode((await reader.read()).value);
    expect(text).toContain('connected as dave');
    const again = await fetch(`http://127.0.0.1:${port}${path}`);
    expect(again.status).toBe(401);
    await again.body?.cancel();
    expect((await post(server, token, '/api/v1/auth/logout')).statusCode).toBe(204);
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    expect(text).toContain('event: session.ended');
  });

  it('makes a non-demo administrator enrol a TOTP factor, then asks for a code at every login', async () => {
    const first = await attempt(strict, 'boss', 'secret-pw', '10.2.0.1');
    expect(first.statusCode).toBe(200);
    expect(first.json().secondFactorEnrolmentRequired).toBe(true);
    const token = first.json().token as string;
    const blocked = await get(strict, token, '/api/v1/admin/departments');
    expect(blocked.statusCode).toBe(403);
    expect(blocked.json().error.code).toBe('second_factor_enrolment_required');
    expect((await get(strict, token, '/api/v1/auth/me')).statusCode).toBe(200);
    const enrol = await post(strict, token, '/api/v1/auth/totp');
    expect(enrol.statusCode).toBe(200);
    expect(enrol.headers['cache-control']).toBe('no-store');
    const { secret, otpauthUrl, qrSvg } = enrol.json();
    expect(otpauthUrl).toMatch(/^otpauth:\/\/totp\/OneGrid:boss\?/);
    expect(qrSvg).toMatch(/^<svg/);
    const wrong = await post(strict, token, '/api/v1/auth/totp/confirm', { code: '000000' });
    expect(wrong.statusCode).toBe(400);
    const code = totpCode(secret, now);
    expect((await post(strict, token, '/api/v1/auth/totp/confirm', { code })).statusCode).toBe(204);
    expect((await get(strict, token, '/api/v1/admin/departments')).statusCode).toBe(200);

    later(30);
    const noCode = await attempt(strict, 'boss', 'secret-pw', '10.2.0.2');
    expect(noCode.statusCode).toBe(401);
    expect(noCode.json().error.code).toBe('second_factor_required');
    const next = totpCode(secret, now);
    const ok = await attempt(strict, 'boss', 'secret-pw', '10.2.0.3', next);
    expect(ok.statusCode).toBe(200);
    expect(ok.json().secondFactorEnrolmentRequired).toBe(false);
    // The same code cannot be replayed.
    const replay = await attempt(strict, 'boss', 'secret-pw', '10.2.0.4', next);
    expect(replay.statusCode).toBe(401);

    // Demo accounts walk the first-run tour without a phone.
    const demo = await attempt(strict, 'demo-admin', 'secret-pw', '10.2.0.5');
    expect(demo.json().secondFactorEnrolmentRequired).toBe(false);
    // An operator may enrol but need not.
    const op = await attempt(strict, 'erin', 'secret-pw', '10.2.0.6');
    expect(op.json().secondFactorEnrolmentRequired).toBe(false);
  });

  it("forgets ended sessions, expired tickets and stale failure counts, keeping a real account's count", async () => {
    await attempt(server, 'frank', 'wrong', '10.3.0.1');
    await attempt(server, 'no-such-name', 'wrong', '10.3.0.1');
    const token = await login(server, 'dave');
    expect((await post(server, token, '/api/v1/stream/ticket')).statusCode).toBe(200);
    const count = async (sql: string) => Number((await t.db.query<{ n: number }>(sql)).rows[0]?.n);
    const users = authRepository(t.db);
    const auth = authService({
      users,
      db: t.db,
      throttle: loginThrottle(users),
      clock,
      sessionHours: 12,
      sessionIdleMinutes: 30,
      lockoutAfter: 10,
      totpRequired: false,
    });
    later(2 * 86_400);
    const removed = await auth.cleanUp();
    expect(removed.sessions).toBeGreaterThan(0);
    expect(await count("SELECT count(*)::int AS n FROM login_failures WHERE key = 'u:no-such-name'")).toBe(0);
    expect(await count("SELECT count(*)::int AS n FROM login_failures WHERE key LIKE 'a:%'")).toBe(0);
    expect(await count("SELECT count(*)::int AS n FROM login_failures WHERE key = 'u:frank'")).toBe(1);
    expect(await count('SELECT count(*)::int AS n FROM stream_tickets')).toBe(0);
    expect((await get(server, token, '/api/v1/auth/me')).statusCode).toBe(401);
  });
});
