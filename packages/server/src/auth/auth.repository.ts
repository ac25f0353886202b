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
  demo: boolean;
  lockedAt: Date | null;
  totpSecret: string | null;
  totpEnabled: boolean;
  totpLastStep: number | null;
}

export interface SessionRow extends UserRow {
  sessionHash: string;
  enrolmentOnly: boolean;
  lastSeenAt: Date;
}

const userColumns = `u.id::int AS "id", u.username, u.display_name AS "displayName", u.password_hash AS "passwordHash",
  u.role, u.scope_code AS "scopeCode", u.department_code AS "departmentCode", u.active, u.demo,
  u.locked_at AS "lockedAt", u.totp_secret AS "totpSecret", u.totp_enabled_at IS NOT NULL AS "totpEnabled",
  u.totp_last_step::float8 AS "totpLastStep"`;

const date = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));

export interface NewSession {
  tokenHash: string;
  userId: number;
  expiresAt: Date;
  now: Date;
  enrolmentOnly: boolean;
  method: 'password' | 'oidc';
  clientIp: string | null;
}

export function authRepository(db: Queryable) {
  return {
    async findByUsername(username: string): Promise<UserRow | undefined> {
      const r = await db.query<UserRow>(`SELECT ${userColumns} FROM users u WHERE u.username = $1`, [
        username,
      ]);
      return r.rows[0];
    },
    async findById(id: number): Promise<UserRow | undefined> {
      const r = await db.query<UserRow>(`SELECT ${userColumns} FROM users u WHERE u.id = $1`, [id]);
      return r.rows[0];
    },
    async createSession(s: NewSession): Promise<void> {
      await db.query(
        `INSERT INTO sessions (token_hash, user_id, expires_at, created_at, last_seen_at, enrolment_only, method, client_ip)
         VALUES ($1, $2, $3, $4, $4, $5, $6, $7)`,
        [s.tokenHash, s.userId, s.expiresAt, s.now, s.enrolmentOnly, s.method, s.clientIp],
      );
    },
    /** The session's user while the session is within both limits and the account usable. */
    async findSession(tokenHash: string, now: Date, idleSince: Date): Promise<SessionRow | undefined> {
      const r = await db.query<SessionRow>(
        `SELECT ${userColumns}, s.token_hash AS "sessionHash", s.enrolment_only AS "enrolmentOnly",
                s.last_seen_at AS "lastSeenAt"
           FROM sessions s JOIN users u ON u.id = s.user_id
          WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3
            AND u.active AND u.locked_at IS NULL`,
        [tokenHash, now, idleSince],
      );
      const row = r.rows[0];
      return row ? { ...row, lastSeenAt: date(row.lastSeenAt) } : undefined;
    },
    async touchSession(tokenHash: string, now: Date): Promise<void> {
      await db.query('UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1', [tokenHash, now]);
    },
    async deleteSession(tokenHash: string): Promise<void> {
      await db.query('DELETE FROM sessions WHERE token_hash = $1', [tokenHash]);
    },
    /** Ends every session of a user; returns the ended sessions' hashes (to close their streams). */
    async deleteUserSessions(userId: number, exceptHash?: string): Promise<string[]> {
      const r = await db.query<{ h: string }>(
        'DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2 RETURNING token_hash AS h',
        [userId, exceptHash ?? ''],
      );
      return r.rows.map((x) => x.h);
    },
    async deleteExpiredSessions(now: Date, idleSince: Date): Promise<number> {
      const r = await db.query('DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2', [
        now,
        idleSince,
      ]);
      return r.rowCount;
    },
    /**
     * Forgets failure counts nobody reads any more: an address's after its quiet window, and an
     * account name's that belongs to no user (names tried by guessing) after a day. A real
     * account's count stays until it logs in, as lockout needs.
     */
    async pruneFailures(addressBefore: Date, unknownBefore: Date): Promise<number> {
      const r = await db.query(
        `DELETE FROM login_failures f
          WHERE (f.key LIKE 'a:%' AND f.last_at < $1)
             OR (f.key LIKE 'u:%' AND f.last_at < $2
                 AND NOT EXISTS (SELECT 1 FROM users u WHERE 'u:' || u.username = f.key))`,
        [addressBefore, unknownBefore],
      );
      return r.rowCount;
    },
    /** Removes stream tickets and OIDC sign-in flows past their expiry. */
    async pruneExpiredTickets(now: Date): Promise<number> {
      const a = await db.query('DELETE FROM stream_tickets WHERE expires_at <= $1', [now]);
      const b = await db.query('DELETE FROM oidc_flows WHERE expires_at <= $1', [now]);
      return a.rowCount + b.rowCount;
    },
    /** Failed logins under `key` counted afresh when the last one is older than `since`. */
    async recordFailure(key: string, now: Date, since: Date): Promise<number> {
      const r = await db.query<{ failures: number }>(
        `INSERT INTO login_failures (key, failures, last_at) VALUES ($1, 1, $2)
         ON CONFLICT (key) DO UPDATE SET
           failures = CASE WHEN login_failures.last_at < $3 THEN 1 ELSE login_failures.failures + 1 END,
           last_at = EXCLUDED.last_at
         RETURNING failures`,
        [key, now, since],
      );
      return r.rows[0]!.failures;
    },
    async failures(keys: string[], since: Date): Promise<{ key: string; failures: number; lastAt: Date }[]> {
      const r = await db.query<{ key: string; failures: number; lastAt: Date }>(
        `SELECT key, failures, last_at AS "lastAt" FROM login_failures WHERE key = ANY($1::text[]) AND last_at >= $2`,
        [keys, since],
      );
      return r.rows.map((x) => ({ ...x, lastAt: date(x.lastAt) }));
    },
    async clearFailures(key: string): Promise<void> {
      await db.query('DELETE FROM login_failures WHERE key = $1', [key]);
    },
    async lock(userId: number, now: Date): Promise<boolean> {
      const r = await db.query('UPDATE users SET locked_at = $2 WHERE id = $1 AND locked_at IS NULL', [
        userId,
        now,
      ]);
      return r.rowCount > 0;
    },
    async setTotp(userId: number, secret: string | null, enabledAt: Date | null): Promise<void> {
      await db.query(
        'UPDATE users SET totp_secret = $2, totp_enabled_at = $3, totp_last_step = NULL WHERE id = $1',
        [userId, secret, enabledAt],
      );
    },
    /** Records the accepted TOTP step; false when that step (or a later one) was already used. */
    async useTotpStep(userId: number, step: number): Promise<boolean> {
      const r = await db.query(
        `UPDATE users SET totp_last_step = $2
          WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)`,
        [userId, step],
      );
      return r.rowCount > 0;
    },
    async endEnrolment(tokenHash: string): Promise<void> {
      await db.query('UPDATE sessions SET enrolment_only = false WHERE token_hash = $1', [tokenHash]);
    },
    async createTicket(ticketHash: string, sessionHash: string, expiresAt: Date): Promise<void> {
      await db.query(
        'INSERT INTO stream_tickets (ticket_hash, session_hash, expires_at) VALUES ($1, $2, $3)',
        [ticketHash, sessionHash, expiresAt],
      );
    },
    /** Takes a ticket (single use): its session hash when it is unexpired. */
    async takeTicket(ticketHash: string, now: Date): Promise<string | undefined> {
      const r = await db.query<{ sessionHash: string; expiresAt: Date }>(
        'DELETE FROM stream_tickets WHERE ticket_hash = $1 RETURNING session_hash AS "sessionHash", expires_at AS "expiresAt"',
        [ticketHash],
      );
      const t = r.rows[0];
      if (!t || date(t.expiresAt) <= now) return undefined;
      await db.query('DELETE FROM stream_tickets WHERE expires_at <= $1', [now]);
      return t.sessionHash;
    },
    async sessionExists(tokenHash: string): Promise<boolean> {
      const r = await db.query('SELECT 1 FROM sessions WHERE token_hash = $1', [tokenHash]);
      return r.rows.length > 0;
    },
  };
}
export type AuthRepository = ReturnType<typeof authRepository>;
