/**
 * Departments (专业部门 / 处置单位): list, create, change, deactivate. Never deleted — cases,
 * devices and the matrix refer to them; an inactive department takes no new dispatches or users.
 * Also the area list the admin forms pick scopes and department areas from.
 */
import { checkDepartment, inScope } from '@onegrid/domain';
import { type Static, Type } from '@sinclair/typebox';
import { audit, changes } from '../audit/audit.ts';
import type { Db, Queryable } from '../db/db.ts';
import { AppError } from '../errors.ts';
import { type App, principalOf } from '../http/app.ts';
import { errors } from '../http/schemas.ts';
import {
  AdminDepartmentSchema,
  AreaOptionSchema,
  DepartmentCreateBody,
  DepartmentPatchBody,
} from './admin.schema.ts';
import { invalid } from './users.routes.ts';

type AdminDepartment = Static<typeof AdminDepartmentSchema>;

const select = `SELECT d.code, d.name, d.area_code AS "areaCode", a.name AS "areaName", d.kind,
  d.credit_code AS "creditCode", d.phone, d.active,
  (SELECT count(*)::int FROM users u WHERE u.department_code = d.code AND u.active) AS "users",
  (SELECT count(*)::int FROM responsibility_matrix m WHERE m.department_code = d.code) AS "matrixRules"
  FROM departments d LEFT JOIN areas a ON a.code = d.area_code`;

async function getDepartment(db: Queryable, code: string, scope: string): Promise<AdminDepartment> {
  const r = await db.query<AdminDepartment>(`${select} WHERE d.code = $1`, [code]);
  const d = r.rows[0];
  if (!d || !inScope(scope, d.areaCode)) throw new AppError('not_found', `Department ${code} not found`);
  return d;
}

async function checkArea(db: Queryable, scope: string, areaCode: string) {
  if (!inScope(scope, areaCode)) {
    throw invalid('areaCode', 'notInScope', `Area ${areaCode} lies outside your scope ${scope}`);
  }
  const r = await db.query('SELECT 1 FROM areas WHERE code = $1', [areaCode]);
  if (!r.rows.length) throw invalid('areaCode', 'invalid', `Unknown area ${areaCode}`);
}

function checked(body: Parameters<typeof checkDepartment>[0], creating: boolean) {
  const problems = Object.entries(checkDepartment(body, creating));
  if (problems.length) {
    const [field, problem] = problems[0]!;
    throw invalid(field, problem, `${field}: ${problem}`);
  }
}

export function departmentRoutes(app: App, { db }: { db: Db }) {
  app.addSchema(AdminDepartmentSchema);
  app.addSchema(AreaOptionSchema);

  app.get(
    '/api/v1/admin/areas',
    {
      config: { access: 'directory:read' },
      schema: {
        tags: ['admin'],
        summary: 'City, districts, streets and communities inside your scope, for pickers (administrators)',
        response: { 200: Type.Array(Type.Ref('AreaOption')), ...errors(401, 403) },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const r = await db.query<{ code: string; name: string; level: string }>(
        `SELECT code, name, level FROM areas WHERE code LIKE $1 || '%' ORDER BY length(code), code LIMIT 5000`,
        [p.scopeCode],
      );
      return r.rows;
    },
  );

  app.get(
    '/api/v1/admin/departments',
    {
      config: { access: 'directory:read' },
      schema: {
        tags: ['admin'],
        summary: 'Departments inside your scope (administrators)',
        response: { 200: Type.Array(Type.Ref('AdminDepartment')), ...errors(401, 403) },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const r = await db.query<AdminDepartment>(
        `${select} WHERE d.area_code LIKE $1 || '%' ORDER BY d.active DESC, d.area_code, d.code`,
        [p.scopeCode],
      );
      return r.rows;
    },
  );

  app.post(
    '/api/v1/admin/departments',
    {
      config: { access: 'config:write' },
      schema: {
        tags: ['admin'],
        summary: 'Create a department (administrators)',
        body: DepartmentCreateBody,
        response: { 201: Type.Ref('AdminDepartment'), ...errors(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const b = request.body;
      checked(b, true);
      await checkArea(db, p.scopeCode, b.areaCode);
      await db.transaction(async (tx) => {
        const taken = await tx.query('SELECT 1 FROM departments WHERE code = $1', [b.code]);
        if (taken.rows.length) {
          throw new AppError('conflict', `The department code ${b.code} is taken`, {
            field: 'code',
            problem: 'taken',
          });
        }
        await tx.query(
          `INSERT INTO departments (code, name, area_code, kind, credit_code, phone)
           VALUES ($1, $2, $3, $4, $5, $6)`,
          [b.code, b.name.trim(), b.areaCode, b.kind ?? 'handler', b.creditCode ?? null, b.phone ?? null],
        );
        await audit.record(tx, {
          action: 'admin.department.create',
          object: `department:${b.code}`,
          details: { after: b },
        });
      });
      return reply.status(201).send(await getDepartment(db, b.code, p.scopeCode));
    },
  );

  app.patch(
    '/api/v1/admin/departments/:code',
    {
      config: { access: 'config:write' },
      schema: {
        tags: ['admin'],
        summary: 'Change or deactivate a department (administrators)',
        params: Type.Object({ code: Type.String() }),
        body: DepartmentPatchBody,
        response: { 200: Type.Ref('AdminDepartment'), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const b = request.body;
      const current = await getDepartment(db, request.params.code, p.scopeCode);
      checked(b, false);
      if (b.areaCode !== undefined) await checkArea(db, p.scopeCode, b.areaCode);
      const sets: string[] = [];
      const values: unknown[] = [];
      const set = (column: string, value: unknown) => {
        values.push(value);
        sets.push(`${column} = $${values.length}`);
      };
      if (b.name !== undefined) set('name', b.name.trim());
      if (b.areaCode !== undefined) set('area_code', b.areaCode);
      if (b.kind !== undefined) set('kind', b.kind);
      if (b.creditCode !== undefined) set('credit_code', b.creditCode);
      if (b.phone !== undefined) set('phone', b.phone);
      if (b.active !== undefined) set('active', b.active);
      values.push(current.code);
      await db.transaction(async (tx) => {
        await tx.query(`UPDATE departments SET ${sets.join(', ')} WHERE code = $${values.length}`, values);
        await audit.record(tx, {
          action: 'admin.department.update',
          object: `department:${current.code}`,
          details: changes(current as unknown as Record<string, unknown>, { ...current, ...b }),
        });
      });
      return getDepartment(db, current.code, p.scopeCode);
    },
  );
}
