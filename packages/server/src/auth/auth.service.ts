import crypto from 'node:crypto';
import type { Role } from '@onegrid/domain';
import { audit } from '../audit/audit.ts';
import type { Queryable } from '../db/db.ts';
import { AppError } from '../errors.ts';
import type { AuthRepository, UserRow } from './auth.repository.ts';
import { verifyPassword } from './password.ts';

/** What a route knows about the caller. */
export interface Principal {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  scopeCode: string;
  departmentCode: string | null;
}

export interface AuthDeps {
  users: AuthRepository;
  /** Where sign-ins, failures and sign-outs are audited. */
  db: Queryable;
  clock: () => Date;
  sessionHours: number;
}

const hashToken = (token: string) => crypto.createHash('sha256').update(token).digest('hex');

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

export function authService({ users, db, clock, sessionHours }: AuthDeps) {
  return {
    async login(
      username: string,
      password: string,
    ): Promise<{ token: string; expiresAt: Date; user: Principal }> {
      const user = await users.findByUsername(username.trim().toLowerCase());
      // Same answer and roughly the same work for an unknown user and a wrong password.
      const ok = user
        ? await verifyPassword(password, user.passwordHash)
        : await verifyPassword(password, dummyHash);
      if (!user || !ok || !user.active) {
        await audit.record(db, {
          action: 'auth.login-failed',
          actor: username.trim().toLowerCase(),
          object: user ? `user:${user.username}` : null,
          details: { reason: !user ? 'unknown-user' : !ok ? 'wrong-password' : 'inactive' },
        });
        throw new AppError('unauthenticated', 'Wrong username or password');
      }
      const token = crypto.randomBytes(32).toString('base64url');
      const expiresAt = new Date(clock().getTime() + sessionHours * 3600_000);
      await users.createSession(hashToken(token), user.id, expiresAt);
      await audit.record(db, {
        action: 'auth.login',
        actor: user.username,
        object: `user:${user.username}`,
        details: { role: user.role, method: 'password' },
      });
      return { token, expiresAt, user: toPrincipal(user) };
    },
    async authenticate(token: string): Promise<Principal | undefined> {
      const user = await users.findSessionUser(hashToken(token), clock());
      return user ? toPrincipal(user) : undefined;
    },
    async logout(token: string): Promise<void> {
      await users.deleteSession(hashToken(token));
      await audit.record(db, { action: 'auth.logout' });
    },
  };
}
export type AuthService = ReturnType<typeof authService>;

const dummyHash = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
