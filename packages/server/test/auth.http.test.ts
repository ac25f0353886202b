import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from '../src/server.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';
import { ensureUser, login, testServer } from './http-harness.ts';

describe(`auth and errors over HTTP on ${testEngine}`, () => {
  let t: TestDb;
  let server: Server;
  let now = new Date('2026-11-22T08:00:00Z');
  beforeAll(async () => {
    t = await openTestDb();
    server = await testServer(t.db, () => now);
    await ensureUser(t.db, { username: 'alice', role: 'operator' });
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  it('answers health without a login', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/api/v1/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok', database: { engine: testEngine, ok: true } });
  });

  it('logs in, knows the user, and refuses a wrong password with the same message as an unknown user', async () => {
    const token = await login(server, 'alice');
    const me = await server.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(me.json()).toMatchObject({ username: 'alice', role: 'operator', scopeCode: '3101' });
    const wrong = await server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'alice', password: 'nope' },
    });
    const unknown = await server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'bob', password: 'nope' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json().error.message).toBe(unknown.json().error.message);
  });

  it('needs a token on the API and says when a session has expired', async () => {
    const none = await server.app.inject({ method: 'GET', url: '/api/v1/auth/me' });
    expect(none.statusCode).toBe(401);
    expect(none.json()).toEqual({ error: { code: 'unauthenticated', message: 'Log in first' } });
    const token = await login(server, 'alice');
    now = new Date(now.getTime() + 13 * 3600_000);
    const expired = await server.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(expired.statusCode).toBe(401);
    expect(expired.json().error.message).toMatch(/expired/);
  });

  it('answers malformed JSON and schema violations with 400 in the error format', async () => {
    const bad = await server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: '{"username": ',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('bad_request');
    const missing = await server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'x' },
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.code).toBe('validation_failed');
  });

  it('serves an OpenAPI document that lists its routes', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/auth/login', '/api/v1/health']));
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['Error', 'User']));
  });
});
