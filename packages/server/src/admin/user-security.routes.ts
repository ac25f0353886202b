/**
 * The security administrator's levers on an account beyond its fields: unlock after a lockout,
 * end every session (and the streams they hold), remove a lost second factor so the user enrols
 * again at the next login.
 */
import { Type } from '@sinclair/typebox';
import { audit } from '../audit/audit.ts';
import type { AuthService } from '../auth/auth.service.ts';
import type { Db } from '../db/db.ts';
import { type App, principalOf } from '../http/app.ts';
import { errors } from '../http/schemas.ts';
import { getUser } from './users.routes.ts';

const Params = Type.Object({ id: Type.Integer({ minimum: 1 }) });

export function userSecurityRoutes(app: App, { db, auth }: { db: Db; auth: AuthService }) {
  app.post(
    '/api/v1/admin/users/:id/unlock',
    {
      config: { access: 'users:manage' },
      schema: {
        tags: ['admin'],
        summary: 'Unlock an account locked after failed logins (security administrators)',
        params: Params,
        response: { 200: Type.Ref('AdminUser'), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const u = await getUser(db, request.params.id, p.scopeCode);
      await db.transaction(async (tx) => {
        await tx.query('UPDATE users SET locked_at = NULL WHERE id = $1', [u.id]);
        await tx.query('DELETE FROM login_failures WHERE key = $1', [`u:${u.username}`]);
        await audit.record(tx, { action: 'admin.user.unlock', object: `user:${u.username}` });
      });
      return getUser(db, u.id, p.scopeCode);
    },
  );

  app.post(
    '/api/v1/admin/users/:id/revoke-sessions',
    {
      config: { access: 'users:manage' },
      schema: {
        tags: ['admin'],
        summary: 'End every session of a user and close their event streams (security administrators)',
        params: Params,
        response: { 200: Type.Object({ ended: Type.Integer() }), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const u = await getUser(db, request.params.id, p.scopeCode);
      // Revoking one's own sessions keeps the one doing it.
      const ended = await auth.endUserSessions(u.id, u.id === p.id ? request.session?.hash : undefined);
      await audit.record(db, {
        action: 'admin.user.sessions-revoke',
        object: `user:${u.username}`,
        details: { ended },
      });
      return { ended };
    },
  );

  app.delete(
    '/api/v1/admin/users/:id/totp',
    {
      config: { access: 'users:manage' },
      schema: {
        tags: ['admin'],
        summary: "Remove a user's second factor (lost phone); they enrol again (security administrators)",
        params: Params,
        response: { 204: Type.Null(), ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const u = await getUser(db, request.params.id, p.scopeCode);
      await auth.disableTotp(u.id, p, undefined, request.ip);
      await auth.endUserSessions(u.id, u.id === p.id ? request.session?.hash : undefined);
      return reply.status(204).send(null);
    },
  );
}
