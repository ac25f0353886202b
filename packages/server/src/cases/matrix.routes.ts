import { ownsArea } from '@onegrid/domain';
import { Type } from '@sinclair/typebox';
import { audit } from '../audit/audit.ts';
import type { Db } from '../db/db.ts';
import { AppError, forbidden } from '../errors.ts';
import { type App, principalOf } from '../http/app.ts';
import { errors } from '../http/schemas.ts';
import { matrixRepository } from './matrix.repository.ts';

const Rule = Type.Object(
  {
    id: Type.Integer(),
    category: Type.String(),
    areaCode: Type.String(),
    departmentCode: Type.String(),
    departmentName: Type.String(),
    autoDispatch: Type.Boolean(),
    note: Type.Union([Type.String(), Type.Null()]),
    /** The rule belongs to a level above the caller's (a default it inherits). */
    inherited: Type.Boolean(),
    /** The caller may change or remove it (its area lies in the caller's scope). */
    editable: Type.Boolean(),
  },
  { $id: 'MatrixRule' },
);

/** The responsibility matrix (责任矩阵) and its "which department would get this?" tester. */
export function matrixRoutes(
  app: App,
  { db, locate }: { db: Db; locate: (lng: number, lat: number) => Promise<{ code: string } | null> },
) {
  app.addSchema(Rule);
  const matrix = matrixRepository(db);

  app.get(
    '/api/v1/dispatch/matrix',
    {
      config: { access: 'matrix:read' },
      schema: {
        tags: ['dispatch'],
        summary:
          "The responsibility matrix: category × area → department; the caller's subtree and the rules it inherits",
        response: { 200: Type.Array(Type.Ref('MatrixRule')), ...errors(401, 403) },
      },
    },
    async (request) => {
      const scope = principalOf(request).scopeCode;
      return (await matrix.list())
        .filter((r) => r.areaCode.startsWith(scope) || scope.startsWith(r.areaCode))
        .map((r) => ({
          ...r,
          inherited: !r.areaCode.startsWith(scope),
          editable: ownsArea(scope, r.areaCode),
        }));
    },
  );

  app.put(
    '/api/v1/dispatch/matrix',
    {
      config: { access: 'config:write' },
      schema: {
        tags: ['dispatch'],
        summary: 'Add or replace the rule for (category, area)',
        body: Type.Object(
          {
            category: Type.String({ pattern: '^(\\d{5}|\\d{2}|\\*)$' }),
            areaCode: Type.String({ pattern: '^\\d{4,15}$' }),
            departmentCode: Type.String({ minLength: 1 }),
            autoDispatch: Type.Optional(Type.Boolean()),
            note: Type.Optional(Type.String({ maxLength: 500 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ id: Type.Integer() }), ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const b = request.body;
      // Scope on the object: one's own subtree only; the city's defaults from the city's scope.
      if (!ownsArea(p.scopeCode, b.areaCode)) throw forbidden(`Area ${b.areaCode} is not yours to configure`);
      if (!(await matrix.departmentExists(b.departmentCode))) {
        throw new AppError('validation_failed', `Unknown department ${b.departmentCode}`, {
          field: 'departmentCode',
        });
      }
      const area = await db.query(
        'SELECT 1 FROM areas WHERE code = $1 UNION ALL SELECT 1 FROM unit_grids WHERE code = $1',
        [b.areaCode],
      );
      if (!area.rows.length)
        throw new AppError('validation_failed', `Unknown area ${b.areaCode}`, { field: 'areaCode' });
      const id = await db.transaction(async (tx) => {
        const m = matrixRepository(tx);
        const before = await m.find({ category: b.category, areaCode: b.areaCode });
        const id = await m.upsert({ ...b, autoDispatch: b.autoDispatch ?? false });
        await audit.record(tx, {
          action: 'config.matrix',
          object: `matrix-rule:${id}`,
          details: { before: before ?? null, after: await m.find({ id }) },
        });
        return id;
      });
      return { id };
    },
  );

  app.delete(
    '/api/v1/dispatch/matrix/:id',
    {
      config: { access: 'config:write' },
      schema: {
        tags: ['dispatch'],
        params: Type.Object({ id: Type.Integer() }),
        response: { 204: Type.Null(), ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      await db.transaction(async (tx) => {
        const m = matrixRepository(tx);
        const before = await m.find({ id: request.params.id });
        // A rule outside one's scope is answered like one that does not exist.
        if (!before?.areaCode.startsWith(p.scopeCode) || !(await m.remove(request.params.id)))
          throw new AppError('not_found', `Rule ${request.params.id} not found`);
        await audit.record(tx, {
          action: 'config.matrix',
          object: `matrix-rule:${before.id}`,
          details: { before, after: null },
        });
      });
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/dispatch/propose',
    {
      config: { access: 'catalogue:read' },
      schema: {
        tags: ['dispatch'],
        summary: 'Which department would get this category at this point (WGS-84), and by which rule',
        querystring: Type.Object({
          category: Type.String({ pattern: '^\\d{5}$' }),
          lng: Type.Number({ minimum: -180, maximum: 180 }),
          lat: Type.Number({ minimum: -90, maximum: 90 }),
        }),
        response: {
          200: Type.Object({
            areaCode: Type.String(),
            proposal: Type.Union([
              Type.Object({
                departmentCode: Type.String(),
                departmentName: Type.String(),
                autoDispatch: Type.Boolean(),
                rule: Type.Object({ id: Type.Integer(), category: Type.String(), areaCode: Type.String() }),
              }),
              Type.Null(),
            ]),
          }),
          ...errors(400, 401, 404),
        },
      },
    },
    async (request) => {
      const q = request.query;
      const where = await locate(q.lng, q.lat);
      if (!where) throw new AppError('outside_city', `The point ${q.lng}, ${q.lat} is outside the city`);
      const p = await matrix.propose(q.category, where.code);
      return {
        areaCode: where.code,
        proposal: p
          ? {
              departmentCode: p.departmentCode,
              departmentName: p.departmentName,
              autoDispatch: p.autoDispatch,
              rule: { id: p.ruleId, ...p.rule },
            }
          : null,
      };
    },
  );
}
