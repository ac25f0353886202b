/**
 * No secret reaches a log line: passwords, session tokens, stream tickets, authorisation headers,
 * TOTP secrets — captured from the real logger while a user logs in, opens the stream and logs out.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, scrubUrl } from '../src/logger.ts';
import { buildServer, type Server } from '../src/server.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';
import { ensureUser } from './http-harness.ts';

describe(`log redaction on ${testEngine}`, () => {
  let t: TestDb;
  let server: Server;
  let captured = '';
  const sink = new Writable({
    write(chunk, _enc, done) {
      captured += chunk.toString();
      done();
    },
  });
  const log = createLogger({ logLevel: 'trace', logPretty: false }, sink);

  beforeAll(async () => {
    t = await openTestDb();
    await ensureUser(t.db, { username: 'loggy', role: 'operator', password: 'very-secret-pass' });
    server = await buildServer({
      db: t.db,
      log,
      config: { sessionHours: 12, webDir: '/nonexistent', totpRequired: false },
    });
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  it('keeps passwords, tokens, tickets and secrets out of every line', async () => {
    const login = await server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'loggy', password: 'very-secret-pass' },
    });
    const token = login.json().token as string;
    const auth = { authorization: `Bearer ${token}` };
    const ticket = (
      await server.app.inject({ method: 'POST', url: '/api/v1/stream/ticket', headers: auth })
    ).json().ticket as string;
    // A used-up or wrong ticket still gets its URL logged: scrubbed.
    await server.app.inject({ method: 'GET', url: `/api/v1/stream?topics=case&ticket=${ticket}x` });
    const totp = (
      await server.app.inject({ method: 'POST', url: '/api/v1/auth/totp', headers: auth })
    ).json();
    // What a careless call site might log.
    log.info(
      {
        password: 'very-secret-pass',
        user: { token },
        req: { headers: auth },
        nested: { deep: { secret: totp.secret } },
      },
      'careless',
    );
    await server.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: auth });

    expect(captured).toContain('incoming request');
    expect(captured).toContain('/api/v1/stream?topics=case&ticket=[Redacted]');
    expect(captured).toContain('[Redacted]');
    for (const secret of ['very-secret-pass', token, ticket, totp.secret, 'Bearer ']) {
      expect(captured.includes(secret), secret).toBe(false);
    }
  });

  it('scrubs credential parameters from URLs, leaving the rest', () => {
    expect(scrubUrl('/cb?code=abc&state=xyz&lang=zh')).toBe('/cb?code=[Redacted]&state=[Redacted]&lang=zh');
    expect(scrubUrl('/api/v1/stream?access_token=t&topics=a')).toBe(
      '/api/v1/stream?access_token=[Redacted]&topics=a',
    );
    expect(scrubUrl('/api/v1/cases?status=open')).toBe('/api/v1/cases?status=open');
  });
});
