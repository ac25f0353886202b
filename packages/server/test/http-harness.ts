import pino from 'pino';
import { hashPassword } from '../src/auth/password.ts';
import type { Db } from '../src/db/db.ts';
import { buildServer, type Server } from '../src/server.ts';

export const silentLog = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export async function testServer(db: Db, clock?: () => Date): Promise<Server> {
  return buildServer({
    db,
    log: silentLog,
    config: { sessionHours: 12, webDir: '/nonexistent' },
    ...(clock ? { clock } : {}),
  });
}

/** Creates the city root and a user; returns the user's id. */
export async function ensureUser(
  db: Db,
  u: { username: string; role: string; scopeCode?: string; password?: string; departmentCode?: string },
): Promise<number> {
  await db.query(
    "INSERT INTO areas (code, level, name) VALUES ('3101', 'city', '上海市') ON CONFLICT (code) DO NOTHING",
  );
  const r = await db.query<{ id: number }>(
    `INSERT INTO users (username, display_name, password_hash, role, scope_code, department_code)
     VALUES ($1, $1, $2, $3, $4, $5)
     ON CONFLICT (username) DO UPDATE SET role = EXCLUDED.role RETURNING id::int AS id`,
    [
      u.username,
      await hashPassword(u.password ?? 'secret-pw'),
      u.role,
      u.scopeCode ?? '3101',
      u.departmentCode ?? null,
    ],
  );
  return r.rows[0]!.id;
}

export async function login(server: Server, username: string, password = 'secret-pw'): Promise<string> {
  const res = await server.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username, password },
  });
  if (res.statusCode !== 200) throw new Error(`login ${username} failed: ${res.body}`);
  return res.json().token;
}
