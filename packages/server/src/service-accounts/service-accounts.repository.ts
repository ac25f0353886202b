/** Service accounts and their access tokens (SQL only; rules in service-accounts.service.ts). */
import type { Clearance } from '@onegrid/domain';
import type { Queryable } from '../db/db.ts';

export interface ServiceAccountRow {
  id: number;
  clientId: string;
  name: string;
  scopeCode: string;
  grants: string[];
  clearance: Clearance;
  createdAt: Date;
  createdBy: string;
  rotatedAt: Date | null;
  disabledAt: Date | null;
  lastTokenAt: Date | null;
}

const columns = `a.id::int AS id, a.client_id AS "clientId", a.name, a.scope_code AS "scopeCode", a.grants,
  a.clearance, a.created_at AS "createdAt", a.created_by AS "createdBy", a.rotated_at AS "rotatedAt",
  a.disabled_at AS "disabledAt", a.last_token_at AS "lastTokenAt"`;

export function serviceAccountsRepository(db: Queryable) {
  return {
    async create(a: {
      clientId: string;
      name: string;
      scopeCode: string;
      grants: readonly string[];
      clearance: Clearance;
      secretHash: string;
      createdBy: string;
      at: Date;
    }): Promise<ServiceAccountRow> {
      const r = await db.query<ServiceAccountRow>(
        `INSERT INTO service_accounts AS a (client_id, name, scope_code, grants, clearance, secret_hash,
           created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${columns}`,
        [a.clientId, a.name, a.scopeCode, a.grants, a.clearance, a.secretHash, a.createdBy, a.at],
      );
      return r.rows[0]!;
    },

    async liveNamed(name: string): Promise<boolean> {
      const r = await db.query('SELECT 1 FROM service_accounts WHERE name = $1 AND disabled_at IS NULL', [
        name,
      ]);
      return r.rows.length > 0;
    },

    async areaExists(code: string): Promise<boolean> {
      return (await db.query('SELECT 1 FROM areas WHERE code = $1', [code])).rows.length > 0;
    },

    /** Accounts whose scope lies inside `scopeCode` (the security user's), newest first. */
    async list(scopeCode: string): Promise<ServiceAccountRow[]> {
      const r = await db.query<ServiceAccountRow>(
        `SELECT ${columns} FROM service_accounts a WHERE a.scope_code LIKE $1 || '%' ORDER BY a.id DESC`,
        [scopeCode],
      );
      return r.rows;
    },

    async byId(id: number, scopeCode: string): Promise<ServiceAccountRow | undefined> {
      const r = await db.query<ServiceAccountRow>(
        `SELECT ${columns} FROM service_accounts a WHERE a.id = $1 AND a.scope_code LIKE $2 || '%'`,
        [id, scopeCode],
      );
      return r.rows[0];
    },

    /** A live account by its client id, with its secret hash (for the token endpoint only). */
    async withSecret(clientId: string): Promise<(ServiceAccountRow & { secretHash: string }) | undefined> {
      const r = await db.query<ServiceAccountRow & { secretHash: string }>(
        `SELECT ${columns}, a.secret_hash AS "secretHash" FROM service_accounts a
          WHERE a.client_id = $1`,
        [clientId],
      );
      return r.rows[0];
    },

    /** A live account by the hash of its secret (Open311's `api_key` is a client secret). */
    async bySecretHash(hash: string): Promise<ServiceAccountRow | undefined> {
      const r = await db.query<ServiceAccountRow>(
        `SELECT ${columns} FROM service_accounts a WHERE a.secret_hash = $1 AND a.disabled_at IS NULL`,
        [hash],
      );
      return r.rows[0];
    },

    async setSecret(id: number, secretHash: string, at: Date): Promise<void> {
      await db.query('UPDATE service_accounts SET secret_hash = $2, rotated_at = $3 WHERE id = $1', [
        id,
        secretHash,
        at,
      ]);
    },

    /** Disables once (the first time is kept); false when it was disabled already. */
    async disable(id: number, at: Date): Promise<boolean> {
      const r = await db.query(
        'UPDATE service_accounts SET disabled_at = $2 WHERE id = $1 AND disabled_at IS NULL',
        [id, at],
      );
      return r.rowCount > 0;
    },

    async createToken(t: {
      tokenHash: string;
      accountId: number;
      grants: readonly string[];
      at: Date;
      expiresAt: Date;
    }): Promise<void> {
      await db.query(
        `INSERT INTO service_tokens (token_hash, account_id, grants, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5)`,
        [t.tokenHash, t.accountId, t.grants, t.at, t.expiresAt],
      );
      await db.query('UPDATE service_accounts SET last_token_at = $2 WHERE id = $1', [t.accountId, t.at]);
    },

    /** The live account behind a live token, with the token's grants. */
    async byToken(tokenHash: string, now: Date): Promise<ServiceAccountRow | undefined> {
      const r = await db.query<ServiceAccountRow>(
        `SELECT ${columns.replace('a.grants', 't.grants')} FROM service_tokens t
           JOIN service_accounts a ON a.id = t.account_id
          WHERE t.token_hash = $1 AND t.expires_at > $2 AND a.disabled_at IS NULL`,
        [tokenHash, now],
      );
      return r.rows[0];
    },

    async deleteTokens(accountId: number): Promise<number> {
      return (await db.query('DELETE FROM service_tokens WHERE account_id = $1', [accountId])).rowCount;
    },

    async deleteExpiredTokens(now: Date): Promise<number> {
      return (await db.query('DELETE FROM service_tokens WHERE expires_at <= $1', [now])).rowCount;
    },
  };
}
export type ServiceAccountsRepository = ReturnType<typeof serviceAccountsRepository>;
