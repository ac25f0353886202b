import crypto from 'node:crypto';
import type { Role } from '@onegrid/domain';
import { audit } from '../audit/audit.ts';
import type { Queryable } from '../db/db.ts';
import { AppError } from '../errors.ts';
import type { AuthRepository, SessionRow, UserRow } from './auth.repository.ts';
import type { LoginThrottle } from './login-throttle.ts';
import { verifyPassword } from './password.ts';
import { newTotpSecret, totpEnrolment, totpStep } from './totp.ts';

/** What a route knows about the caller. */
export interface Principal {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  scopeCode: string;
  departmentCode: string | null;
}

/** The session a request came with (never the token itself). */
export interface SessionInfo {
  hash: string;
  /** An administrator who must enrol a second factor before doing anything else. */
  enrolmentOnly: boolean;
}

/** Account events, each an audit entry (`audit.record`). */
export interface AccountEvent {
  action:
    | 'auth.login'
    | 'auth.login-failed'
    | 'auth.logout'
    | 'auth.locked'
    | 'auth.sessions-revoked'
    | 'auth.totp-enrolled'
    | 'auth.totp-disabled';
  /** Who acted, when not the request's principal (a login names the account tried). */
  actor?: string;
  username: string;
  userId?: number;
  ip?: string | undefined;
  details?: Record<string, unknown>;
}

export interface AuthDeps {
  users: AuthRepository;
  /** Where sign-ins, failures, lockouts and sign-outs are audited. */
  db: Queryable;
  throttle: LoginThrottle;
  clock: () => Date;
  sessionHours: number;
  sessionIdleMinutes: number;
  lockoutAfter: number;
  /** Second factor required for admin, security and auditor (demo accounts exempt). */
  totpRequired: boolean;
}

/** Roles whose accounts need a second factor when `totpRequired`. */
export const secondFactorRoles: readonly Role[] = ['admin', 'security', 'auditor'];

export const hashToken = (token: string) => crypto.createHash('sha256').update(token).digest('hex');
const newToken = () => crypto.randomBytes(32).toString('base64url');
const ticketSeconds = 60;

export function toPrincipal(u: UserRow): Principal {
  return {
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    role: u.role,
    scopeCode: u.scopeCode,
    departmentCode: u.departmentCode,
  };
}

export interface LoginResult {
  token: string;
  expiresAt: Date;
  user: Principal;
  /** True when the account must enrol a TOTP factor before the session can do anything else. */
  secondFactorEnrolmentRequired: boolean;
}

export function authService(deps: AuthDeps) {
  const { users, throttle, clock } = deps;
  const ended = new Set<(sessionHashes: string[]) => void>();
  const emit = async (e: AccountEvent) => {
    await audit.record(deps.db, {
      action: e.action,
      object: `user:${e.username}`,
      ...(e.actor ? { actor: e.actor } : {}),
      ...(e.ip !== undefined ? { ip: e.ip } : {}),
      ...(e.details ? { details: e.details } : {}),
    });
  };
  const idleSince = (now: Date) => new Date(now.getTime() - deps.sessionIdleMinutes * 60_000);
  const mustEnrol = (u: UserRow) =>
    deps.totpRequired && !u.demo && !u.totpEnabled && secondFactorRoles.includes(u.role);

  async function startSession(
    user: UserRow,
    method: 'password' | 'oidc',
    ip: string | undefined,
  ): Promise<LoginResult> {
    const now = clock();
    const token = newToken();
    const expiresAt = new Date(now.getTime() + deps.sessionHours * 3600_000);
    const enrolmentOnly = mustEnrol(user);
    await users.createSession({
      tokenHash: hashToken(token),
      userId: user.id,
      expiresAt,
      now,
      enrolmentOnly,
      method,
      clientIp: ip ?? null,
    });
    await emit({
      action: 'auth.login',
      actor: user.username,
      username: user.username,
      userId: user.id,
      ip,
      details: { role: user.role, method },
    });
    return { token, expiresAt, user: toPrincipal(user), secondFactorEnrolmentRequired: enrolmentOnly };
  }

  function notifyEnded(hashes: string[]) {
    if (hashes.length) for (const l of ended) l(hashes);
  }

  async function checkCode(user: UserRow, code: string, now: Date): Promise<boolean> {
    if (!user.totpSecret) return false;
    const step = totpStep(user.totpSecret, code, now);
    return step !== undefined && (await users.useTotpStep(user.id, step));
  }

  return {
    async login(
      rawUsername: string,
      password: string,
      options: { code?: string | undefined; ip?: string | undefined } = {},
    ): Promise<LoginResult> {
      const username = rawUsername.trim().toLowerCase();
      const { ip } = options;
      const now = clock();
      await throttle.check(username, ip, now);
      const user = await users.findByUsername(username);
      // Same answer and roughly the same work for an unknown user and a wrong password.
      const ok = user
        ? await verifyPassword(password, user.passwordHash)
        : await verifyPassword(password, dummyHash);
      const fail = async (reason: string) => {
        const failures = await throttle.failed(username, ip, now);
        await emit({
          action: 'auth.login-failed',
          actor: username,
          username,
          userId: user?.id,
          ip,
          details: { reason },
        });
        if (user && failures >= deps.lockoutAfter && (await users.lock(user.id, now))) {
          await emit({
            action: 'auth.locked',
            actor: username,
            username,
            userId: user.id,
            ip,
            details: { failures },
          });
        }
      };
      if (!user || !ok || !user.active) {
        await fail(!user ? 'unknown-user' : !ok ? 'wrong-password' : 'inactive');
        throw new AppError('unauthenticated', 'Wrong username or password');
      }
      // Told only to whoever knows the password, so it does not reveal which accounts exist.
      if (user.lockedAt) {
        throw new AppError(
          'account_locked',
          'This account is locked after too many failed logins; a security administrator can unlock it',
        );
      }
      if (user.totpEnabled) {
        if (!options.code) {
          throw new AppError('second_factor_required', 'Enter the code from your authenticator app');
        }
        if (!(await checkCode(user, options.code, now))) {
          await fail('wrong-second-factor');
          throw new AppError('second_factor_required', 'That code is wrong or was already used');
        }
      }
      await throttle.succeeded(username);
      return startSession(user, 'password', ip);
    },

    /** A session for a user who signed in elsewhere (OpenID Connect). */
    async startExternalSession(userId: number, ip: string | undefined): Promise<LoginResult> {
      const user = await users.findById(userId);
      if (!user?.active) throw new AppError('unauthenticated', 'This account is not active');
      if (user.lockedAt) throw new AppError('account_locked', 'This account is locked');
      return startSession(user, 'oidc', ip);
    },

    async authenticate(token: string): Promise<{ principal: Principal; session: SessionInfo } | undefined> {
      return this.sessionByHash(hashToken(token));
    },

    async sessionByHash(hash: string): Promise<{ principal: Principal; session: SessionInfo } | undefined> {
      const now = clock();
      const row: SessionRow | undefined = await users.findSession(hash, now, idleSince(now));
      if (!row) return undefined;
      // Written at most once a minute: idle expiry needs minutes, not every request's write.
      if (now.getTime() - row.lastSeenAt.getTime() > 60_000) await users.touchSession(hash, now);
      return { principal: toPrincipal(row), session: { hash, enrolmentOnly: row.enrolmentOnly } };
    },

    async logout(session: SessionInfo, principal: Principal, ip?: string): Promise<void> {
      await users.deleteSession(session.hash);
      notifyEnded([session.hash]);
      await emit({ action: 'auth.logout', username: principal.username, userId: principal.id });
    },

    /** Ends every session of a user (password change, deactivation, revocation). */
    async endUserSessions(userId: number, exceptHash?: string): Promise<number> {
      const hashes = await users.deleteUserSessions(userId, exceptHash);
      notifyEnded(hashes);
      return hashes.length;
    },

    /** Called with the hashes of sessions that ended in this process (streams close on it). */
    onSessionsEnded(listener: (sessionHashes: string[]) => void): () => void {
      ended.add(listener);
      return () => ended.delete(listener);
    },

    async sessionAlive(hash: string): Promise<boolean> {
      const now = clock();
      return (await users.findSession(hash, now, idleSince(now))) !== undefined;
    },

    async streamTicket(session: SessionInfo): Promise<{ ticket: string; expiresAt: Date }> {
      const ticket = newToken();
      const expiresAt = new Date(clock().getTime() + ticketSeconds * 1000);
      await users.createTicket(hashToken(ticket), session.hash, expiresAt);
      return { ticket, expiresAt };
    },

    /** Redeems a stream ticket (once): the session it was issued to, while that session lives. */
    async redeemTicket(ticket: string): Promise<{ principal: Principal; session: SessionInfo } | undefined> {
      const hash = await users.takeTicket(hashToken(ticket), clock());
      return hash ? this.sessionByHash(hash) : undefined;
    },

    async beginTotp(principal: Principal) {
      const user = await users.findById(principal.id);
      if (!user) throw new AppError('unauthenticated', 'Log in first');
      if (user.totpEnabled) {
        throw new AppError('conflict', 'A second factor is already enrolled; disable it first');
      }
      const secret = newTotpSecret();
      await users.setTotp(user.id, secret, null);
      return totpEnrolment(secret, user.username);
    },

    async confirmTotp(principal: Principal, session: SessionInfo, code: string, ip?: string) {
      const user = await users.findById(principal.id);
      if (!user?.totpSecret || user.totpEnabled) {
        throw new AppError('action_not_allowed', 'Start the enrolment first');
      }
      if (!(await checkCode(user, code, clock()))) {
        throw new AppError('validation_failed', 'That code is wrong; check the clock of your phone', {
          field: 'code',
          problem: 'invalid',
        });
      }
      await users.setTotp(user.id, user.totpSecret, clock());
      await users.useTotpStep(user.id, totpStep(user.totpSecret, code, clock()) ?? 0);
      await users.endEnrolment(session.hash);
      await emit({ action: 'auth.totp-enrolled', username: user.username, userId: user.id, ip });
    },

    /** Removes a user's second factor: their own (with a current code) or, by a security user, anyone's. */
    async disableTotp(userId: number, by: Principal, code: string | undefined, ip?: string) {
      const user = await users.findById(userId);
      if (!user) throw new AppError('not_found', `User ${userId} not found`);
      if (by.id === userId && user.totpEnabled && !(code && (await checkCode(user, code, clock())))) {
        throw new AppError('validation_failed', 'Enter a current code to remove your second factor', {
          field: 'code',
          problem: 'invalid',
        });
      }
      await users.setTotp(userId, null, null);
      await emit({
        action: 'auth.totp-disabled',
        username: user.username,
        userId,
        ip,
        details: { by: by.username },
      });
    },

    /**
     * Housekeeping (the scheduler runs it hourly): ended sessions, expired stream tickets and
     * sign-in flows, and failure counts past use (see `pruneFailures`).
     */
    async cleanUp(): Promise<{ sessions: number; tickets: number; failures: number }> {
      const now = clock();
      const ago = (ms: number) => new Date(now.getTime() - ms);
      return {
        sessions: await users.deleteExpiredSessions(now, idleSince(now)),
        tickets: await users.pruneExpiredTickets(now),
        failures: await users.pruneFailures(ago(15 * 60_000), ago(86_400_000)),
      };
    },
  };
}
export type AuthService = ReturnType<typeof authService>;

const dummyHash = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
