/**
 * Accounts (用户/角色/范围): list, create with an initial password, change role, scope,
 * department or contact, deactivate, reset the password. Password hashes never leave the
 * server. The security administrator (安全管理员, 三员分立) manages them, only users whose scope
 * lies inside their own; the system administrator configures, and does not manage accounts.
 */
import { checkPassword, checkUser, inScope } from '@onegrid/domain';
import { type Static, Type } from '@sinclair/typebox';
import { audit, changes } from '../audit/audit.ts';
import { accountsService, passwordMessage } from '../auth/accounts.service.ts';
import type { AuthService } from '../auth/auth.service.ts';
import { hashPassword } from '../auth/password.ts';
import type { Db, Queryable } from '../db/db.ts';
import { AppError } from '../errors.ts';
import { type App, principalOf } from '../http/app.ts';
import { errors } from '../http/schemas.ts';
import {
  AdminUserSchema,
  PasswordBody,
  UserCreateBody,
  UserListQuery,
  UserPatchBody,
} from './admin.schema.ts';

type AdminUser = Static<typeof AdminUserSchema>;

const columns = `u.id::int AS "id", u.username, u.display_name AS "displayName", u.role,
  u.scope_code AS "scopeCode", a.name AS "scopeName", u.department_code AS "departmentCode",
  d.name AS "departmentName", u.phone, u.active, u.created_at AS "createdAt",
  u.locked_at IS NOT NULL AS "locked", u.totp_enabled_at IS NOT NULL AS "totpEnabled"`;
const from = `FROM users u LEFT JOIN areas a ON a.code = u.scope_code
  LEFT JOIN departments d ON d.code = u.department_code`;

const toJson = (r: AdminUser & { createdAt: unknown }): AdminUser => ({
  ...r,
  createdAt: new Date(r.createdAt as string).toISOString(),
});

export const invalid = (field: string, problem: string, message: string) =>
  new AppError('validation_failed', message, { field, problem });

export async function getUser(db: Queryable, id: number, scope: string): Promise<AdminUser> {
  const r = await db.query<AdminUser>(`SELECT ${columns} ${from} WHERE u.id = $1`, [id]);
  const u = r.rows[0];
  if (!u || !inScope(scope, u.scopeCode)) throw new AppError('not_found', `User ${id} not found`);
  return toJson(u);
}

/** The scope must be a known area inside the administrator's own scope. */
async function checkScope(db: Queryable, adminScope: string, scopeCode: string) {
  if (!inScope(adminScope, scopeCode)) {
    throw invalid('scopeCode', 'notInScope', `Scope ${scopeCode} lies outside your scope ${adminScope}`);
  }
  const r = await db.query('SELECT 1 FROM areas WHERE code = $1', [scopeCode]);
  if (!r.rows.length) throw invalid('scopeCode', 'invalid', `Unknown area ${scopeCode}`);
}

/** An active department whose area is inside the administrator's scope or contains it. */
async function checkDepartment(db: Queryable, adminScope: string, code: string) {
  const r = await db.query<{ areaCode: string; active: boolean }>(
    'SELECT area_code AS "areaCode", active FROM departments WHERE code = $1',
    [code],
  );
  const d = r.rows[0];
  if (!d?.active) throw invalid('departmentCode', 'invalid', `Unknown or inactive department ${code}`);
  if (!inScope(adminScope, d.areaCode) && !inScope(d.areaCode, adminScope)) {
    throw invalid('departmentCode', 'notInScope', `Department ${code} lies outside your scope`);
  }
}

function checked(body: Parameters<typeof checkUser>[0], creating: boolean) {
  const problems = Object.entries(checkUser(body, creating));
  if (problems.length) {
    const [field, problem] = problems[0]!;
    throw invalid(field, problem, field === 'password' ? passwordMessage(problem) : `${field}: ${problem}`);
  }
}

export function userRoutes(app: App, { db, auth }: { db: Db; auth: AuthService }) {
  app.addSchema(AdminUserSchema);

  app.get(
    '/api/v1/admin/users',
    {
      config: { access: 'users:manage' },
      schema: {
        tags: ['admin'],
        summary: 'Users inside your scope (security administrators)',
        querystring: UserListQuery,
        response: { 200: Type.Array(Type.Ref('AdminUser')), ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const q = request.query;
      const r = await db.query<AdminUser>(
        `SELECT ${columns} ${from}
          WHERE u.scope_code LIKE $1 || '%'
            AND ($2::text IS NULL OR u.username ILIKE '%' || $2 || '%' OR u.display_name ILIKE '%' || $2 || '%')
            AND ($3::text IS NULL OR u.role = $3)
            AND ($4::boolean IS NULL OR u.active = $4)
          ORDER BY u.active DESC, u.username`,
        [p.scopeCode, q.q?.trim() || null, q.role ?? null, q.active ?? null],
      );
      return r.rows.map(toJson);
    },
  );

  app.post(
    '/api/v1/admin/users',
    {
      config: { access: 'users:manage' },
      schema: {
        tags: ['admin'],
        summary: 'Create a user with an initial password (security administrators)',
        body: UserCreateBody,
        response: { 201: Type.Ref('AdminUser'), ...errors(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const b = request.body;
      checked(b, true);
      await checkScope(db, p.scopeCode, b.scopeCode);
      if (b.departmentCode) await checkDepartment(db, p.scopeCode, b.departmentCode);
      const id = await accountsService({ db }).create(b);
      const { password: _secret, ...after } = b;
      await audit.record(db, {
        action: 'admin.user.create',
        object: `user:${b.username}`,
        details: { after },
      });
      return reply.status(201).send(await getUser(db, id, p.scopeCode));
    },
  );

  app.patch(
    '/api/v1/admin/users/:id',
    {
      config: { access: 'users:manage' },
      schema: {
        tags: ['admin'],
        summary:
          'Change a user: name, role, scope, department, phone, or deactivate (security administrators)',
        params: Type.Object({ id: Type.Integer() }),
        body: UserPatchBody,
        response: { 200: Type.Ref('AdminUser'), ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const b = request.body;
      const current = await getUser(db, request.params.id, p.scopeCode);
      checked(b, false);
      if (current.id === p.id && (b.active === false || (b.role && b.role !== p.role))) {
        throw new AppError('action_not_allowed', 'You cannot deactivate yourself or change your own role');
      }
      if (b.scopeCode !== undefined) await checkScope(db, p.scopeCode, b.scopeCode);
      if (b.departmentCode) await checkDepartment(db, p.scopeCode, b.departmentCode);
      const role = b.role ?? current.role;
      const dept = b.departmentCode !== undefined ? b.departmentCode : current.departmentCode;
      if (role === 'handler' && !dept) {
        throw invalid('departmentCode', 'departmentNeeded', 'A department handler needs a department');
      }
      const sets: string[] = [];
      const values: unknown[] = [];
      const set = (column: string, value: unknown) => {
        values.push(value);
        sets.push(`${column} = $${values.length}`);
      };
      if (b.displayName !== undefined) set('display_name', b.displayName.trim());
      if (b.role !== undefined) set('role', b.role);
      if (b.scopeCode !== undefined) set('scope_code', b.scopeCode);
      if (b.departmentCode !== undefined) set('department_code', b.departmentCode);
      if (b.phone !== undefined) set('phone', b.phone);
      if (b.active !== undefined) set('active', b.active);
      await db.transaction(async (tx) => {
        values.push(current.id);
        await tx.query(`UPDATE users SET ${sets.join(', ')} WHERE id = $${values.length}`, values);
        await audit.record(tx, {
          action: 'admin.user.update',
          object: `user:${current.username}`,
          details: changes(current as unknown as Record<string, unknown>, { ...current, ...b }),
        });
      });
      // A deactivated account, or one whose powers changed, starts over with a fresh login (after
      // the commit: this also closes their event streams).
      if (b.active === false || b.role !== undefined || b.scopeCode !== undefined) {
        if (current.id !== p.id) await auth.endUserSessions(current.id);
      }
      return getUser(db, current.id, p.scopeCode);
    },
  );

  app.post(
    '/api/v1/admin/users/:id/password',
    {
      config: { access: 'users:manage' },
      schema: {
        tags: ['admin'],
        summary: "Set a new password for a user and end the user's sessions (security administrators)",
        params: Type.Object({ id: Type.Integer() }),
        body: PasswordBody,
        response: { 204: Type.Null(), ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const u = await getUser(db, request.params.id, p.scopeCode);
      const problem = checkPassword(request.body.password, u.username);
      if (problem) throw invalid('password', problem, passwordMessage(problem));
      const hash = await hashPassword(request.body.password);
      await db.transaction(async (tx) => {
        await tx.query('UPDATE users SET password_hash = $1, password_changed_at = now() WHERE id = $2', [
          hash,
          u.id,
        ]);
        await audit.record(tx, { action: 'admin.user.password', object: `user:${u.username}` });
      });
      // After the commit: ends the sessions and closes their event streams.
      await auth.endUserSessions(u.id, u.id === p.id ? request.session?.hash : undefined);
      return reply.status(204).send(null);
    },
  );
}
