import type { Role } from '@onegrid/domain';
import type { Queryable } from '../db/db.ts';

export interface UserRow {
  id: number;
  username: string;
  displayName: string;
  passwordHash: string;
  role: Role;
  scopeCode: string;
  departmentCode: string | null;
  active: boolean;
}

const userColumns = `u.id::int AS "id", u.username, u.display_name AS "displayName", u.password_hash AS "passwordHash",
  u.role, u.scope_code AS "scopeCode", u.department_code AS "departmentCode", u.active`;

export function authRepository(db: Queryable) {
  return {
    async findByUsername(username: string): Promise<UserRow | undefined> {
      const r = await db.query<UserRow>(`SELECT ${userColumns} FROM users u WHERE u.username = $1`, [
        username,
      ]);
      return r.rows[0];
    },
    async createSession(tokenHash: string, userId: number, expiresAt: Date): Promise<void> {
      await db.query('INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ($1, $2, $3)', [
        tokenHash,
        userId,
        expiresAt,
      ]);
    },
    async findSessionUser(tokenHash: string, now: Date): Promise<UserRow | undefined> {
      const r = await db.query<UserRow>(
        `SELECT ${userColumns} FROM sessions s JOIN users u ON u.id = s.user_id
          WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active`,
        [tokenHash, now],
      );
      return r.rows[0];
    },
    async deleteSession(tokenHash: string): Promise<void> {
      await db.query('DELETE FROM sessions WHERE token_hash = $1', [tokenHash]);
    },
  };
}
export type AuthRepository = ReturnType<typeof authRepository>;
