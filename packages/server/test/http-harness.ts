import pino from 'pino';
import type { Db } from '../src/db/db.ts';
import type { RateLimits } from '../src/http/security.ts';
import { buildServer, type Server } from '../src/server.ts';

export const silentLog = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** Login is not rate-limited here (suites log in dozens of users); pass `rateLimits` to test it. */
export async function testServer(
  db: Db,
  clock?: () => Date,
  rateLimits: Partial<RateLimits> = { loginPerMinute: 0 },
): Promise<Server> {
  return buildServer({
    db,
    log: silentLog,
    config: { sessionHours: 12, webDir: '/nonexistent', rateLimits },
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
