/**
 * Accounts (用户/角色/范围): list, create with an initial password, change role, scope,
 * department or contact, deactivate, reset the password. Password hashes never leave the
 * server. An administrator manages only users whose scope lies inside their own.
 */
import { checkUser, inScope } from '@onegrid/domain';
import { type Static, Type } from '@sinclair/typebox';
import { audit, changes } from '../audit/audit.ts';
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
  d.name AS "departmentName", u.phone, u.active, u.created_at AS "createdAt"`;
const from = `FROM users u LEFT JOIN areas a ON a.code = u.scope_code
  LEFT JOIN departments d ON d.code = u.department_code`;

const toJson = (r: AdminUser & { createdAt: unknown }): AdminUser => ({
  ...r,
  createdAt: new Date(r.createdAt as string).toISOString(),
});

export const invalid = (field: string, problem: string, message: string) =>
  new AppError('validation_failed', message, { field, problem });

async function getUser(db: Queryable, id: number, scope: string): Promise<AdminUser> {
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
    throw invalid(field, problem, `${field}: ${problem}`);
  }
}

export function userRoutes(app: App, { db }: { db: Db }) {
  app.addSchema(AdminUserSchema);

  app.get(
    '/api/v1/admin/users',
    {
      config: { access: 'users:manage' },
      schema: {
        tags: ['admin'],
        summary: 'Users inside your scope (administrators)',
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
        summary: 'Create a user with an initial password (administrators)',
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
      const hash = await hashPassword(b.password);
      const id = await db.transaction(async (tx) => {
        const taken = await tx.query('SELECT 1 FROM users WHERE username = $1', [b.username]);
        if (taken.rows.length) {
          throw new AppError('conflict', `The username ${b.username} is taken`, {
            field: 'username',
            problem: 'taken',
          });
        }
        const r = await tx.query<{ id: number }>(
          `INSERT INTO users (username, display_name, password_hash, role, scope_code, department_code, phone)
           VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id::int AS id`,
          [
            b.username,
            b.displayName.trim(),
            hash,
            b.role,
            b.scopeCode,
            b.departmentCode ?? null,
            b.phone ?? null,
          ],
        );
        const id = r.rows[0]!.id;
        const { password: _secret, ...after } = b;
        await audit.record(tx, {
          action: 'admin.user.create',
          object: `user:${b.username}`,
          details: { after },
        });
        return id;
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
        summary: 'Change a user: name, role, scope, department, phone, or deactivate (administrators)',
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
      if (current.id === p.id && (b.active === false || (b.role && b.role !== 'admin'))) {
        throw new AppError(
          'action_not_allowed',
          'You cannot deactivate yourself or give up your own admin role',
        );
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
        // A deactivated account, or one whose powers changed, starts over with a fresh login.
        if (b.active === false || b.role !== undefined || b.scopeCode !== undefined) {
          if (current.id !== p.id) await tx.query('DELETE FROM sessions WHERE user_id = $1', [current.id]);
        }
        await audit.record(tx, {
          action: 'admin.user.update',
          object: `user:${current.username}`,
          details: changes(current as unknown as Record<string, unknown>, { ...current, ...b }),
        });
      });
      return getUser(db, current.id, p.scopeCode);
    },
  );

  app.post(
    '/api/v1/admin/users/:id/password',
    {
      config: { access: 'users:manage' },
      schema: {
        tags: ['admin'],
        summary: "Set a new password for a user and end the user's sessions (administrators)",
        params: Type.Object({ id: Type.Integer() }),
        body: PasswordBody,
        response: { 204: Type.Null(), ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const u = await getUser(db, request.params.id, p.scopeCode);
      const hash = await hashPassword(request.body.password);
      await db.transaction(async (tx) => {
        await tx.query('UPDATE users SET password_hash = $1 WHERE id = $2', [hash, u.id]);
        if (u.id !== p.id) await tx.query('DELETE FROM sessions WHERE user_id = $1', [u.id]);
        await audit.record(tx, { action: 'admin.user.password', object: `user:${u.username}` });
      });
      return reply.status(204).send(null);
    },
  );
}
