import pino from 'pino';
import type { Db } from '../src/db/db.ts';
import { buildServer, type Server } from '../src/server.ts';

export const silentLog = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/**
 * A server on `db`. Login is not rate-limited here (suites log in dozens of users) and the second
 * factor is not required; pass `config.rateLimits` or `config.totpRequired` to test them.
 */
export async function testServer(
  db: Db,
  clock?: () => Date,
  config: Partial<Parameters<typeof buildServer>[0]['config']> = {},
): Promise<Server> {
  return buildServer({
    db,
    log: silentLog,
    config: {
      sessionHours: 12,
      webDir: '/nonexistent',
      totpRequired: false,
      rateLimits: { loginPerMinute: 0 },
      ...config,
    },
    ...(clock ? { clock } : {}),
  });
}

export { ensureUser } from '../src/seed/loop-city.factory.ts';

export async function login(server: Server, username: string, password = 'secret-pw'): Promise<string> {
  const res = await server.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username, password },
  });
  if (res.statusCode !== 200) throw new Error(`login ${username} failed: ${res.body}`);
  return res.json().token;
}

/** `/api/v1/stream?ticket=…` (plus `query`) for a session: tokens never go in URLs. */
export async function streamPath(server: Server, token: string, query = ''): Promise<string> {
  const res = await server.app.inject({
    method: 'POST',
    url: '/api/v1/stream/ticket',
    headers: { authorization: `Bearer ${token}` },
  });
  if (res.statusCode !== 200) throw new Error(`stream ticket failed: ${res.body}`);
  return `/api/v1/stream?ticket=${encodeURIComponent(res.json().ticket)}${query ? `&${query}` : ''}`;
}
