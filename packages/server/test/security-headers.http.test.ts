/**
 * Headers on every answer (CSP that MapLibre's worker accepts, nosniff, frame and referrer
 * policies), no-store on the API's personal data, and per-address rate limits with Retry-After on
 * login and Open311 POST that count nothing else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from '../src/server.ts';
import { makeLoopCity } from './case-fixture.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';
import { testServer } from './http-harness.ts';

describe(`security headers and rate limits on ${testEngine}`, () => {
  let t: TestDb;
  let server: Server;

  beforeAll(async () => {
    t = await openTestDb();
    await makeLoopCity(t.db);
    server = await testServer(t.db, undefined, {
      rateLimits: { loginPerMinute: 3, open311PostsPerMinute: 2 },
    });
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  const login = (password = 'secret-pw') =>
    server.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'op', password } });

  it('sends a CSP MapLibre works under, nosniff, no framing and a same-origin referrer', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/api/v1/health' });
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self' 'unsafe-eval'"); // Ajv's compiled form checks
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).toContain("worker-src 'self' blob:");
    expect(csp).toContain("img-src 'self' data: blob:");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['referrer-policy']).toBe('same-origin');
    // Open311 answers and 404s carry them too.
    const o311 = await server.app.inject({ method: 'GET', url: '/open311/v2/services.json' });
    expect(o311.headers['x-content-type-options']).toBe('nosniff');
    const missing = await server.app.inject({ method: 'GET', url: '/api/v1/nothing-here' });
    expect(missing.headers['x-frame-options']).toBe('DENY');
  });

  it('marks API answers no-store, leaving routes that choose their own caching alone', async () => {
    const ok = await login();
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['cache-control']).toBe('no-store');
    const token = ok.json().token as string;
    const cases = await server.app.inject({
      method: 'GET',
      url: '/api/v1/cases',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(cases.statusCode).toBe(200);
    expect(cases.headers['cache-control']).toBe('no-store');
    const refused = await server.app.inject({ method: 'GET', url: '/api/v1/cases' });
    expect(refused.headers['cache-control']).toBe('no-store');
    const catalogue = await server.app.inject({ method: 'GET', url: '/api/v1/public/categories' });
    expect(catalogue.headers['cache-control']).toBe('public, max-age=60');
  });

  it('limits logins per address with 429 and Retry-After, counting no other route', async () => {
    // The test before used one of the three.
    expect((await login('wrong')).statusCode).toBe(401);
    expect((await login('wrong')).statusCode).toBe(401);
    const limited = await login();
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    for (let i = 0; i < 5; i++) {
      expect((await server.app.inject({ method: 'GET', url: '/api/v1/health' })).statusCode).toBe(200);
    }
    // Another address is not held back.
    const elsewhere = await server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'op', password: 'secret-pw' },
      remoteAddress: '10.1.2.3',
    });
    expect(elsewhere.statusCode).toBe(200);
  });

  it('limits Open311 POSTs per address, answering in the specification’s error shape', async () => {
    const post = () =>
      server.app.inject({
        method: 'POST',
        url: '/open311/v2/requests.json',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'service_code=06010&lat=31.23&long=121.47&description=x',
      });
    expect((await post()).statusCode).toBe(403); // no api_key
    expect((await post()).statusCode).toBe(403);
    const limited = await post();
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.json()).toEqual([{ code: 429, description: expect.stringMatching(/Too many requests/) }]);
    // Reading is not limited by the POST limit.
    expect((await server.app.inject({ method: 'GET', url: '/open311/v2/services.json' })).statusCode).toBe(
      200,
    );
  });
});
