/**
 * 联勤联动 over HTTP: the command centre adds assisting departments to a case (task, deadline),
 * each assistant reports its feedback, and the lead's 处置反馈 waits for all of them (the case
 * service asks `openAssistsOf` before `handle`). Assessment reads both roles per department.
 */
import { assistProblems, inScope, jointFigures } from '@onegrid/domain';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { audit } from '../audit/audit.ts';
import type { Principal } from '../auth/auth.service.ts';
import type { CaseService } from '../cases/case.service.ts';
import type { Db, Queryable } from '../db/db.ts';
import { AppError, badRequest, forbidden, notFound } from '../errors.ts';
import { emit } from '../events/outbox.ts';
import { type App, principalOf } from '../http/app.ts';
import { errors } from '../http/schemas.ts';

const Assist = Type.Object(
  {
    departmentCode: Type.String(),
    departmentName: Type.String(),
    task: Type.String(),
    dueAt: Type.String({ format: 'date-time' }),
    assignedAt: Type.String({ format: 'date-time' }),
    feedback: Type.Union([Type.Null(), Type.String()]),
    doneAt: Type.Union([Type.Null(), Type.String({ format: 'date-time' })]),
    doneBy: Type.Union([Type.Null(), Type.String()]),
    overdue: Type.Boolean(),
  },
  { $id: 'CaseAssist' },
);
type AssistJson = Static<typeof Assist>;
const JointFigures = Type.Object({
  departmentCode: Type.String(),
  departmentName: Type.String(),
  led: Type.Integer({ description: 'joint cases it led' }),
  ledHandled: Type.Integer({ description: 'of those, handled (after every assistant)' }),
  assisted: Type.Integer(),
  onTime: Type.Integer(),
  late: Type.Integer(),
  open: Type.Integer(),
  overdue: Type.Integer(),
});
const Params = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2 ** 53 - 1 }) });
const DeptParams = Type.Object({
  id: Type.Integer({ minimum: 1, maximum: 2 ** 53 - 1 }),
  dept: Type.String({ minLength: 1, maxLength: 64 }),
});

interface Row {
  departmentCode: string;
  departmentName: string;
  task: string;
  dueAt: Date;
  assignedAt: Date;
  feedback: string | null;
  doneAt: Date | null;
  doneBy: string | null;
}

async function assistsOf(q: Queryable, caseId: number): Promise<Row[]> {
  const r = await q.query<Row>(
    `SELECT a.department_code AS "departmentCode", d.name AS "departmentName", a.task, a.due_at AS "dueAt",
            a.assigned_at AS "assignedAt", a.feedback, a.done_at AS "doneAt", u.display_name AS "doneBy"
       FROM case_assists a JOIN departments d ON d.code = a.department_code LEFT JOIN users u ON u.id = a.done_by
      WHERE a.case_id = $1 ORDER BY a.assigned_at, a.department_code`,
    [caseId],
  );
  return r.rows;
}

/** The assisting departments that have not reported yet (the lead's handle waits for them). */
export async function openAssistsOf(q: Queryable, caseId: number): Promise<string[]> {
  const r = await q.query<{ name: string }>(
    `SELECT d.name FROM case_assists a JOIN departments d ON d.code = a.department_code
      WHERE a.case_id = $1 AND a.done_at IS NULL ORDER BY d.name`,
    [caseId],
  );
  return r.rows.map((x) => x.name);
}

const commandCentre = new Set(['operator', 'dispatcher', 'leader', 'admin']);

export function jointService({ db, clock, cases }: { db: Db; clock: () => Date; cases: CaseService }) {
  const json = (r: Row, now: Date): AssistJson => ({
    ...r,
    dueAt: new Date(r.dueAt).toISOString(),
    assignedAt: new Date(r.assignedAt).toISOString(),
    doneAt: r.doneAt ? new Date(r.doneAt).toISOString() : null,
    overdue: r.doneAt ? new Date(r.doneAt) > new Date(r.dueAt) : new Date(r.dueAt) < now,
  });
  /** The case if the caller may see it: in scope, its lead department, or an assistant of it. */
  async function visible(p: Principal, id: number) {
    const mine =
      p.role === 'handler' && p.departmentCode
        ? (await assistsOf(db, id)).some((a) => a.departmentCode === p.departmentCode)
        : false;
    if (mine) {
      const r = await db.query<{
        id: number;
        status: string;
        departmentCode: string | null;
        areaCode: string;
      }>(
        'SELECT id::int AS id, status, department_code AS "departmentCode", area_code AS "areaCode" FROM cases WHERE id = $1',
        [id],
      );
      if (r.rows[0]) return r.rows[0];
    }
    const c = await cases.get(id, p);
    return { id: c.id, status: c.status, departmentCode: c.departmentCode, areaCode: c.areaCode };
  }
  return {
    /** 404 unless the caller may see the case (checked before the body, so nothing is named). */
    async see(p: Principal, id: number): Promise<void> {
      await visible(p, id);
    },
    async list(p: Principal, id: number): Promise<AssistJson[]> {
      await visible(p, id);
      const now = clock();
      return (await assistsOf(db, id)).map((r) => json(r, now));
    },
    /** Departments that may assist: active handling departments of the case's district and the city, not the lead. */
    async candidates(p: Principal, id: number): Promise<{ code: string; name: string }[]> {
      const c = await visible(p, id);
      const r = await db.query<{ code: string; name: string }>(
        `SELECT code, name FROM departments
          WHERE active AND kind = 'handler' AND (area_code = $1 OR area_code = $2)
            AND code IS DISTINCT FROM $3
            AND code NOT IN (SELECT department_code FROM case_assists WHERE case_id = $4)
          ORDER BY length(area_code) DESC, code LIMIT 200`,
        [c.areaCode.slice(0, 6), c.areaCode.slice(0, 4), c.departmentCode, id],
      );
      return r.rows;
    },
    async add(
      p: Principal,
      id: number,
      b: { departmentCode: string; task: string; dueAt: string },
    ): Promise<AssistJson[]> {
      if (!commandCentre.has(p.role))
        throw forbidden('The command centre (operators, dispatchers, leaders) adds assisting departments');
      const now = clock();
      await db.transaction(async (tx) => {
        const c = (
          await tx.query<{ id: number; status: string; departmentCode: string | null; areaCode: string }>(
            'SELECT id::int AS id, status, department_code AS "departmentCode", area_code AS "areaCode" FROM cases WHERE id = $1 FOR UPDATE',
            [id],
          )
        ).rows[0];
        if (!c || !inScope(p, c.areaCode)) throw notFound('case', id);
        const dept = await tx.query('SELECT 1 FROM departments WHERE code = $1 AND active', [
          b.departmentCode,
        ]);
        if (!dept.rows.length) throw badRequest(`department ${b.departmentCode} does not exist`);
        const problems = assistProblems(
          { departmentCode: b.departmentCode, dueAt: new Date(b.dueAt) },
          { status: c.status, leadDepartment: c.departmentCode, assists: await assistsOf(tx, id) },
          now,
        );
        if (problems.length) throw new AppError('action_not_allowed', problems.join('; '), problems);
        await tx.query(
          `INSERT INTO case_assists (case_id, department_code, task, due_at, assigned_by, assigned_at)
           VALUES ($1, $2, $3, $4, $5, $6)`,
          [id, b.departmentCode, b.task, b.dueAt, p.id, now],
        );
        await audit.record(tx, { action: 'case.assist', object: `case:${id}`, details: { ...b } });
        await emit(tx, 'case.assist', c.areaCode, {
          id,
          departmentCode: b.departmentCode,
          at: now.toISOString(),
        });
      });
      return (await assistsOf(db, id)).map((r) => json(r, now));
    },
    async feedback(p: Principal, id: number, dept: string, feedback: string): Promise<AssistJson[]> {
      await visible(p, id);
      if (p.role !== 'handler' || p.departmentCode !== dept) {
        throw forbidden(`Only ${dept}'s own staff report its assist`);
      }
      const now = clock();
      await db.transaction(async (tx) => {
        const r = await tx.query<{ areaCode: string }>(
          `UPDATE case_assists a SET feedback = $3, done_at = $4, done_by = $5 FROM cases c
            WHERE a.case_id = $1 AND a.department_code = $2 AND a.done_at IS NULL AND c.id = a.case_id
          RETURNING c.area_code AS "areaCode"`,
          [id, dept, feedback, now, p.id],
        );
        if (!r.rows[0]) {
          const exists = (await assistsOf(tx, id)).some((a) => a.departmentCode === dept);
          if (!exists) throw notFound('assist', `${id}/${dept}`);
          throw new AppError('conflict', `${dept} has already reported on case ${id}`);
        }
        await audit.record(tx, {
          action: 'case.assist-feedback',
          object: `case:${id}`,
          details: { dept, feedback },
        });
        await emit(tx, 'case.assist-feedback', r.rows[0].areaCode, {
          id,
          departmentCode: dept,
          at: now.toISOString(),
        });
      });
      return (await assistsOf(db, id)).map((r) => json(r, now));
    },
    /** Both roles per department over joint cases reported in [from, to) in an area. */
    async figures(p: Principal, q: { area?: string; from?: string; to?: string }) {
      const area = q.area ?? p.scopeCode;
      if (!inScope(p, area)) throw forbidden(`Area ${area} is outside your scope ${p.scopeCode}`);
      const now = clock();
      const to = q.to ? new Date(q.to) : new Date(now.getTime() + 1);
      const from = q.from ? new Date(q.from) : new Date(to.getTime() - 30 * 86_400_000);
      const r = await db.query<{
        caseId: number;
        leadDepartment: string | null;
        handled: boolean;
        departmentCode: string;
        dueAt: Date;
        doneAt: Date | null;
      }>(
        `SELECT c.id::int AS "caseId", c.department_code AS "leadDepartment",
                c.status IN ('handled', 'checked', 'closed') AS handled,
                a.department_code AS "departmentCode", a.due_at AS "dueAt", a.done_at AS "doneAt"
           FROM case_assists a JOIN cases c ON c.id = a.case_id
          WHERE c.area_code LIKE $1 || '%' AND c.created_at >= $2 AND c.created_at < $3`,
        [area, from, to],
      );
      const byCase = new Map<
        number,
        {
          leadDepartment: string | null;
          handled: boolean;
          assists: { departmentCode: string; dueAt: Date; doneAt: Date | null }[];
        }
      >();
      for (const x of r.rows) {
        const c = byCase.get(x.caseId) ?? {
          leadDepartment: x.leadDepartment,
          handled: x.handled,
          assists: [],
        };
        c.assists.push({
          departmentCode: x.departmentCode,
          dueAt: new Date(x.dueAt),
          doneAt: x.doneAt ? new Date(x.doneAt) : null,
        });
        byCase.set(x.caseId, c);
      }
      const figures = jointFigures([...byCase.values()], now);
      const names = await db.query<{ code: string; name: string }>(
        'SELECT code, name FROM departments WHERE code = ANY($1::text[])',
        [figures.map((f) => f.departmentCode)],
      );
      const nameOf = new Map(names.rows.map((n) => [n.code, n.name]));
      return figures.map((f) => ({ ...f, departmentName: nameOf.get(f.departmentCode) ?? f.departmentCode }));
    },
  };
}

export function jointRoutes(app: App, joint: ReturnType<typeof jointService>) {
  app.addSchema(Assist);
  // Scope before the body: a case out of scope is 404 whatever was sent.
  const caseFirst = async (request: FastifyRequest) => {
    const id = Number((request.params as { id?: string }).id);
    if (Number.isSafeInteger(id) && id > 0) await joint.see(principalOf(request), id);
  };
  const tags = ['cases'];
  app.get(
    '/api/v1/cases/:id/assists',
    {
      config: { access: 'cases:read' },
      schema: {
        tags,
        summary: '联勤联动: the assisting departments of a case, their tasks, deadlines and feedback',
        params: Params,
        response: { 200: Type.Array(Type.Ref('CaseAssist')), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => joint.list(principalOf(request), request.params.id),
  );
  app.get(
    '/api/v1/cases/:id/assists/candidates',
    {
      config: { access: 'cases:act' },
      schema: {
        tags,
        summary:
          "Departments that may assist on a case: its district's and the city's handling departments, not the lead or those already assisting",
        params: Params,
        response: {
          200: Type.Array(Type.Object({ code: Type.String(), name: Type.String() })),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request) => joint.candidates(principalOf(request), request.params.id),
  );
  app.post(
    '/api/v1/cases/:id/assists',
    {
      config: { access: 'cases:act' },
      preValidation: caseFirst,
      schema: {
        tags,
        summary:
          'Add an assisting department (command centre) to a dispatched case: its task and deadline; the lead reports handled only after every assistant',
        params: Params,
        body: Type.Object(
          {
            departmentCode: Type.String({ minLength: 1, maxLength: 64 }),
            task: Type.String({ minLength: 1, maxLength: 2000 }),
            dueAt: Type.String({ format: 'date-time' }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(Type.Ref('CaseAssist')), ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => joint.add(principalOf(request), request.params.id, request.body),
  );
  app.post(
    '/api/v1/cases/:id/assists/:dept/feedback',
    {
      config: { access: 'cases:act' },
      preValidation: caseFirst,
      schema: {
        tags,
        summary: "An assisting department's feedback (its own staff), once",
        params: DeptParams,
        body: Type.Object(
          { feedback: Type.String({ minLength: 1, maxLength: 4000 }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(Type.Ref('CaseAssist')), ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) =>
      joint.feedback(principalOf(request), request.params.id, request.params.dept, request.body.feedback),
  );
  app.get(
    '/api/v1/assessment/joint',
    {
      config: { access: 'assessment:read' },
      schema: {
        tags: ['assessment'],
        summary:
          '联勤联动 in assessment: per department, joint cases led (and handled) and assists given (on time, late, open, overdue)',
        querystring: Type.Object({
          area: Type.Optional(Type.String({ pattern: '^\\d{4,12}$' })),
          from: Type.Optional(Type.String({ format: 'date-time' })),
          to: Type.Optional(Type.String({ format: 'date-time' })),
        }),
        response: { 200: Type.Array(JointFigures), ...errors(400, 401, 403) },
      },
    },
    async (request) => joint.figures(principalOf(request), request.query),
  );
}
