/**
 * Sign-in through an identity provider: a real OpenID Connect provider (`oidc-provider`) started
 * here on a free port, its own login and consent pages driven as a browser would, the code
 * exchanged with PKCE, the session handed to the web app by a one-time code (never a token in a
 * URL), an unknown account refused, a forged state refused.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from '../src/server.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';
import { ensureUser, testServer } from './http-harness.ts';

const redirectUrl = 'http://localhost:8080/api/v1/auth/oidc/callback';

describe(`OpenID Connect sign-in on ${testEngine}`, () => {
  let t: TestDb;
  let server: Server;
  let idp: http.Server;
  let issuer = '';

  beforeAll(async () => {
    t = await openTestDb();
    await ensureUser(t.db, { username: 'chief', role: 'operator' });
    idp = http.createServer();
    await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
    const provider = new Provider(issuer, {
      clients: [
        {
          client_id: 'onegrid',
          client_secret: 'a-test-client-secret',
          redirect_uris: [redirectUrl],
          grant_types: ['authorization_code'],
          response_types: ['code'],
        },
      ],
      pkce: { required: () => true },
      claims: { openid: ['sub'], profile: ['preferred_username'] },
      findAccount: async (_ctx, sub) => ({
        accountId: sub,
        claims: async () => ({ sub, preferred_username: sub }),
      }),
      cookies: { keys: ['a-test-cookie-key'] },
    });
    idp.on('request', provider.callback());
    server = await testServer(t.db, undefined, {
      oidc: {
        issuer,
        clientId: 'onegrid',
        clientSecret: 'a-test-client-secret',
        redirectUrl,
        usernameClaim: 'preferred_username',
        scope: 'openid profile',
      },
    });
  }, 240_000);
  afterAll(async () => {
    await server?.close();
    idp?.closeAllConnections();
    await new Promise((r) => idp?.close(r));
    await t?.close();
  });

  /** Drives the provider's login and consent pages as `login`; returns the callback URL. */
  async function signInAtProvider(login: string): Promise<URL> {
    const start = await server.app.inject({ method: 'GET', url: '/api/v1/auth/oidc/start' });
    expect(start.statusCode).toBe(302);
    const authUrl = new URL(start.headers.location as string);
    expect(authUrl.origin).toBe(issuer);
    expect(authUrl.searchParams.get('code_challenge_method')).toBe('S256');
    const cookies = new Map<string, string>();
    let next: { url: string; method: 'GET' | 'POST'; body?: URLSearchParams } = {
      url: authUrl.href,
      method: 'GET',
    };
    for (let hop = 0; hop < 20; hop++) {
      const res = await fetch(next.url, {
        method: next.method,
        redirect: 'manual',
        headers: {
          cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '),
          ...(next.body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
        ...(next.body ? { body: next.body.toString() } : {}),
      });
      for (const c of res.headers.getSetCookie()) {
        const [pair] = c.split(';');
        const eq = pair!.indexOf('=');
        cookies.set(pair!.slice(0, eq), pair!.slice(eq + 1));
      }
      const location = res.headers.get('location');
      if (location) {
        const target = new URL(location, next.url);
        if (target.href.startsWith(redirectUrl)) return target;
        next = { url: target.href, method: 'GET' };
        continue;
      }
      const html = await res.text();
      const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
      const prompt = /name="prompt" value="([a-z]+)"/.exec(html)?.[1];
      if (!action || !prompt)
        throw new Error(`unexpected page from the provider (${res.status}): ${html.slice(0, 300)}`);
      const body = new URLSearchParams({ prompt });
      if (prompt === 'login') {
        body.set('login', login);
        body.set('password', 'anything');
      }
      next = { url: new URL(action.replace(/&amp;/g, '&'), next.url).href, method: 'POST', body };
    }
    throw new Error('too many redirects at the provider');
  }

  it('signs an existing user in and hands the session over by a one-time code', async () => {
    const back = await signInAtProvider('chief');
    expect(back.searchParams.get('code')).toBeTruthy();
    const callback = await server.app.inject({ method: 'GET', url: `${back.pathname}${back.search}` });
    expect(callback.statusCode, callback.body).toBe(302);
    const location = callback.headers.location as string;
    const m = /^\/#\/oidc\/([\w-]+)$/.exec(location);
    expect(m).not.toBeNull();
    const code = m![1]!;

    const exchange = await server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/oidc/exchange',
      payload: { code },
    });
    expect(exchange.statusCode).toBe(200);
    const { token, user } = exchange.json();
    expect(user.username).toBe('chief');
    // The session token is in that POST answer and in no URL along the way.
    expect(location).not.toContain(token);
    const me = await server.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(me.json().username).toBe('chief');
    // The hand-off code works once.
    const again = await server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/oidc/exchange',
      payload: { code },
    });
    expect(again.statusCode).toBe(401);
    // The callback's code and state cannot be replayed either.
    const replay = await server.app.inject({ method: 'GET', url: `${back.pathname}${back.search}` });
    expect(replay.statusCode).toBe(401);
    const methods = await server.app.inject({ method: 'GET', url: '/api/v1/auth/methods' });
    expect(methods.json()).toEqual({ password: true, oidc: true });
  });

  it('refuses someone the provider knows but OneGrid does not, and a forged state', async () => {
    const back = await signInAtProvider('stranger');
    const refused = await server.app.inject({ method: 'GET', url: `${back.pathname}${back.search}` });
    expect(refused.statusCode, refused.body).toBe(403);
    expect(refused.json().error.message).toContain('No active OneGrid account stranger');
    const forged = await server.app.inject({
      method: 'GET',
      url: '/api/v1/auth/oidc/callback?code=made-up&state=made-up',
    });
    expect(forged.statusCode).toBe(401);
  });
});
