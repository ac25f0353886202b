/**
 * Service accounts: machines (other platforms, the 12345 system, cameras, data consumers) that
 * authenticate with OAuth 2 client credentials (RFC 6749 §4.4) instead of logging in as a person.
 * A `security` user issues one with an area scope, grants and a clearance; the secret is shown
 * once and kept hashed; access tokens are short-lived, kept hashed, and never logged. Every issue,
 * rotation, disabling and token (granted or refused) is audited.
 */
import crypto from 'node:crypto';
import { type Clearance, type Grant, hasGrant, inScope, isClearance, isGrant } from '@onegrid/domain';
import { audit } from '../audit/audit.ts';
import type { Principal } from '../auth/auth.service.ts';
import type { Db } from '../db/db.ts';
import { AppError } from '../errors.ts';
import {
  type ServiceAccountRow,
  type ServiceAccountsRepository,
  serviceAccountsRepository,
} from './service-accounts.repository.ts';

/** A service account as the access gate and routes see it (never its secret). */
export interface ServicePrincipal {
  id: number;
  clientId: string;
  name: string;
  /** The area it sees: objects outside are not found to it. */
  scopeCode: string;
  /** What this request's token carries (the account's grants, or the subset asked for). */
  grants: readonly string[];
  clearance: Clearance;
}

/** RFC 6749 §5.2 error: `{ error, error_description }` with 400, or 401 for a bad client. */
export class OAuthError extends Error {
  constructor(
    readonly error:
      | 'invalid_request'
      | 'invalid_client'
      | 'unsupported_grant_type'
      | 'invalid_scope'
      | 'unauthorized_client',
    readonly description: string,
  ) {
    super(description);
  }
  get status(): number {
    return this.error === 'invalid_client' ? 401 : 400;
  }
}

export const defaultTokenSeconds = 900;
const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');
/** Prefixes make a leaked value recognisable (secret scanners) and keep the two kinds apart. */
export const secretPrefix = 'ogs_';
export const tokenPrefix = 'ogt_';
const newSecret = () => `${secretPrefix}${crypto.randomBytes(32).toString('base64url')}`;
const newToken = () => `${tokenPrefix}${crypto.randomBytes(32).toString('base64url')}`;
const newClientId = () => `og_${crypto.randomBytes(12).toString('hex')}`;
const sameHash = (a: string, b: string) =>
  a.length === b.length && crypto.timingSafeEqual(Buffer.from(a), Buffer.from(b));

export const toServicePrincipal = (a: ServiceAccountRow): ServicePrincipal => ({
  id: a.id,
  clientId: a.clientId,
  name: a.name,
  scopeCode: a.scopeCode,
  grants: a.grants,
  clearance: a.clearance,
});

export interface IssueInput {
  name: string;
  scope: string;
  grants: readonly string[];
  clearance: string;
}

const invalid = (field: string, message: string, problem = 'invalid') =>
  new AppError('validation_failed', message, { field, problem });

export function serviceAccountsService({
  db,
  clock = () => new Date(),
  tokenSeconds = defaultTokenSeconds,
}: {
  db: Db;
  clock?: () => Date;
  tokenSeconds?: number;
}) {
  const repo: ServiceAccountsRepository = serviceAccountsRepository(db);

  async function check(input: IssueInput, by: Principal, r: ServiceAccountsRepository) {
    const name = input.name.trim();
    if (!name || name.length > 100) throw invalid('name', 'Give the account a name (1–100 characters)');
    const grants = [...new Set(input.grants)];
    if (grants.length === 0) throw invalid('grants', 'Grant the account at least one channel or dataset');
    const unknown = grants.filter((g) => !isGrant(g));
    if (unknown.length) throw invalid('grants', `Unknown grant ${unknown.join(', ')}`);
    if (!isClearance(input.clearance))
      throw invalid('clearance', 'Clearance is public, internal or sensitive');
    if (!(await r.areaExists(input.scope))) throw invalid('scope', `No area has the code ${input.scope}`);
    if (!inScope(by, input.scope)) {
      throw invalid(
        'scope',
        `The scope ${input.scope} lies outside yours (${by.scopeCode})`,
        'outside_scope',
      );
    }
    if (await r.liveNamed(name)) throw new AppError('conflict', `A live service account is named ${name}`);
    return { name, grants: grants as Grant[], clearance: input.clearance, scopeCode: input.scope };
  }

  async function found(id: number, by: Principal): Promise<ServiceAccountRow> {
    const a = await repo.byId(id, by.scopeCode);
    if (!a) throw new AppError('not_found', `Service account ${id} not found`);
    return a;
  }

  return {
    /** A new account; `clientSecret` is returned this once and kept only as a hash. */
    async issue(
      input: IssueInput,
      by: Principal,
    ): Promise<{ account: ServiceAccountRow; clientSecret: string }> {
      const clientSecret = newSecret();
      try {
        return await db.transaction(async (tx) => {
          const r = serviceAccountsRepository(tx);
          const ok = await check(input, by, r);
          const account = await r.create({
            ...ok,
            clientId: newClientId(),
            secretHash: sha256(clientSecret),
            createdBy: by.username,
            at: clock(),
          });
          await audit.record(tx, {
            action: 'service.account.create',
            object: `service-account:${account.clientId}`,
            details: { name: ok.name, scope: ok.scopeCode, grants: ok.grants, clearance: ok.clearance },
          });
          return { account, clientSecret };
        });
      } catch (e) {
        if ((e as { code?: string }).code === '23505') {
          throw new AppError('conflict', `A live service account is named ${input.name.trim()}`);
        }
        throw e;
      }
    },

    list: (by: Principal) => repo.list(by.scopeCode),
    get: found,

    /** A new secret; the old one and every token issued with it stop working at once. */
    async rotate(id: number, by: Principal): Promise<{ account: ServiceAccountRow; clientSecret: string }> {
      const a = await found(id, by);
      if (a.disabledAt) throw new AppError('action_not_allowed', 'This service account is disabled');
      const clientSecret = newSecret();
      await db.transaction(async (tx) => {
        const r = serviceAccountsRepository(tx);
        await r.setSecret(a.id, sha256(clientSecret), clock());
        const tokens = await r.deleteTokens(a.id);
        await audit.record(tx, {
          action: 'service.account.rotate',
          object: `service-account:${a.clientId}`,
          details: { name: a.name, tokensRevoked: tokens },
        });
      });
      return { account: await found(id, by), clientSecret };
    },

    /** Disabled for good: its secret and tokens stop working; the row stays for the audit trail. */
    async disable(id: number, by: Principal): Promise<ServiceAccountRow> {
      const a = await found(id, by);
      await db.transaction(async (tx) => {
        const r = serviceAccountsRepository(tx);
        if (!(await r.disable(a.id, clock()))) return;
        const tokens = await r.deleteTokens(a.id);
        await audit.record(tx, {
          action: 'service.account.disable',
          object: `service-account:${a.clientId}`,
          details: { name: a.name, tokensRevoked: tokens },
        });
      });
      return found(id, by);
    },

    /**
     * The client credentials grant. `scope` (space-separated grants) narrows the token to a subset
     * of the account's grants; without it the token carries them all.
     */
    async token(
      input: { clientId: string; clientSecret: string; scope?: string | undefined },
      ip?: string,
    ): Promise<{ accessToken: string; expiresIn: number; scope: string }> {
      const now = clock();
      const a = input.clientId.length <= 100 ? await repo.withSecret(input.clientId) : undefined;
      const refuse = async (reason: string, error: OAuthError) => {
        await audit.record(db, {
          action: 'service.token-failed',
          actor: `service:${input.clientId.slice(0, 100)}`,
          object: a ? `service-account:${a.clientId}` : null,
          ...(ip !== undefined ? { ip } : {}),
          details: { reason },
        });
        return error;
      };
      // The same answer for an unknown client, a wrong secret and a disabled account.
      const ok = a ? sameHash(sha256(input.clientSecret), a.secretHash) : sameHash('0', '1');
      if (!a || !ok || a.disabledAt) {
        throw await refuse(
          !a ? 'unknown-client' : !ok ? 'wrong-secret' : 'disabled',
          new OAuthError('invalid_client', 'Client authentication failed'),
        );
      }
      let grants = a.grants;
      if (input.scope?.trim()) {
        const asked = [...new Set(input.scope.trim().split(/\s+/))];
        const beyond = asked.filter((g) => !a.grants.includes(g));
        if (beyond.length) {
          throw await refuse(
            'invalid-scope',
            new OAuthError('invalid_scope', `Not granted to this client: ${beyond.join(' ')}`),
          );
        }
        grants = asked;
      }
      const accessToken = newToken();
      await db.transaction(async (tx) => {
        await serviceAccountsRepository(tx).createToken({
          tokenHash: sha256(accessToken),
          accountId: a.id,
          grants,
          at: now,
          expiresAt: new Date(now.getTime() + tokenSeconds * 1000),
        });
        await audit.record(tx, {
          action: 'service.token',
          actor: `service:${a.clientId}`,
          object: `service-account:${a.clientId}`,
          ...(ip !== undefined ? { ip } : {}),
          details: { name: a.name, grants, expiresIn: tokenSeconds },
        });
      });
      return { accessToken, expiresIn: tokenSeconds, scope: grants.join(' ') };
    },

    /** The account behind a bearer access token, while both live. */
    async authenticate(token: string): Promise<ServicePrincipal | undefined> {
      if (!token.startsWith(tokenPrefix) || token.length > 200) return undefined;
      const a = await repo.byToken(sha256(token), clock());
      return a ? toServicePrincipal(a) : undefined;
    },

    /**
     * The live account whose secret this is, if it holds `grant`: for protocols that carry one
     * key in the request (Open311's `api_key`).
     */
    async byKey(secret: string, grant: Grant): Promise<ServicePrincipal | undefined> {
      if (!secret.startsWith(secretPrefix) || secret.length > 200) return undefined;
      const a = await repo.bySecretHash(sha256(secret));
      return a && hasGrant(a.grants, grant) ? toServicePrincipal(a) : undefined;
    },

    cleanUp: () => repo.deleteExpiredTokens(clock()),
  };
}
export type ServiceAccounts = ReturnType<typeof serviceAccountsService>;
