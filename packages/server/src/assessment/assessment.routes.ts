import type { AssessmentLevel } from '@onegrid/domain';
import { Type } from '@sinclair/typebox';
import { audit } from '../audit/audit.ts';
import type { Principal } from '../auth/auth.service.ts';
import type { Db } from '../db/db.ts';
import { AppError } from '../errors.ts';
import { type App, principalOf } from '../http/app.ts';
import { errors } from '../http/schemas.ts';
import { toCsv, toXlsx } from './assessment.export.ts';
import {
  AspectsSchema,
  AssessmentQuery,
  AssessmentReportSchema,
  CaseRefSchema,
  DrawBody,
  DrillQuery,
  ResultBody,
  SpotCheckSchema,
} from './assessment.schema.ts';
import { type AssessmentService, assessmentService } from './assessment.service.ts';
import { spotCheckService } from './spot-check.service.ts';

/** A date alone is midnight in Shanghai (UTC+8), the day the centre works by. */
export function parseInstant(s: string, field: string): Date {
  const d = /^\d{4}-\d{2}-\d{2}$/.test(s) ? new Date(`${s}T00:00:00+08:00`) : new Date(s);
  if (Number.isNaN(d.getTime())) throw new AppError('validation_failed', `${field} is not a date`, { field });
  return d;
}

/** The caller's scope, narrowed to `area` when given (which must lie inside it). */
function scopeOf(p: Principal, area: string | undefined): string {
  if (!area) return p.scopeCode;
  if (!area.startsWith(p.scopeCode)) throw new AppError('forbidden', `Area ${area} is outside your scope`);
  return area;
}

async function report(service: AssessmentService, p: Principal, q: AssessmentQuery) {
  const r = await service.assess({
    level: q.level as AssessmentLevel,
    period: { from: parseInstant(q.from, 'from'), to: parseInstant(q.to, 'to') },
    scope: scopeOf(p, q.area),
    ...(q.compare ? { compare: q.compare } : {}),
  });
  return { ...r, gradeColours: { ...service.config.gradeColours } };
}

export function assessmentRoutes(app: App, { db, clock }: { db: Db; clock: () => Date }) {
  const service = assessmentService({ db, clock });
  const spot = spotCheckService({ db, clock });
  app.addSchema(AspectsSchema);
  app.addSchema(AssessmentReportSchema);
  app.addSchema(SpotCheckSchema);

  app.get(
    '/api/v1/assessment',
    {
      config: { access: 'assessment:read' },
      schema: {
        tags: ['assessment'],
        summary: 'Indicators, scores, grades and ranks of one level over [from, to), in your area',
        querystring: AssessmentQuery,
        response: { 200: Type.Ref('AssessmentReport'), ...errors(400, 401, 403) },
      },
    },
    async (request) => report(service, principalOf(request), request.query),
  );

  app.get(
    '/api/v1/assessment/cases',
    {
      config: { access: 'assessment:read' },
      schema: {
        tags: ['assessment'],
        summary: 'The cases behind one figure (drill-down)',
        querystring: DrillQuery,
        response: { 200: Type.Object({ items: Type.Array(CaseRefSchema) }), ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const q = request.query;
      const items = await service.casesBehind({
        level: q.level as AssessmentLevel,
        period: { from: parseInstant(q.from, 'from'), to: parseInstant(q.to, 'to') },
        scope: scopeOf(p, q.area),
        subject: q.subject,
        indicator: q.indicator,
      });
      return { items };
    },
  );

  for (const format of ['csv', 'xlsx'] as const) {
    app.get(
      `/api/v1/assessment/export.${format}`,
      {
        config: { access: 'assessment:read' },
        schema: {
          tags: ['assessment'],
          summary: `The same report as ${format === 'csv' ? 'CSV (UTF-8, BOM)' : 'an Excel workbook'}, Chinese headers`,
          querystring: AssessmentQuery,
          response: { ...errors(400, 401, 403) },
        },
      },
      async (request, reply) => {
        const r = await report(service, principalOf(request), request.query);
        await audit.record(db, {
          action: 'export.assessment',
          object: `assessment:${r.level}`,
          details: { format, query: { ...request.query } },
        });
        const name = `assessment-${r.level}-${r.from.slice(0, 10)}.${format}`;
        reply.header('content-disposition', `attachment; filename="${name}"`);
        if (format === 'csv') return reply.type('text/csv; charset=utf-8').send(toCsv(r));
        return reply
          .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
          .send(await toXlsx(r));
      },
    );
  }

  app.post(
    '/api/v1/assessment/spot-checks',
    {
      config: { access: 'spot-checks:draw' },
      schema: {
        tags: ['assessment'],
        summary: 'Draw empty-grid spot checks (空网格抽查): seeded, weighted by area class',
        body: DrawBody,
        response: {
          201: Type.Object({ emptyGrids: Type.Integer(), checks: Type.Array(Type.Ref('SpotCheck')) }),
          ...errors(400, 401, 403),
        },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const b = request.body;
      const out = await spot.draw({
        period: { from: parseInstant(b.from, 'from'), to: parseInstant(b.to, 'to') },
        scope: scopeOf(p, b.area),
        sampleSize: b.sampleSize,
        seed: b.seed,
        by: p.id,
      });
      return reply.code(201).send(out);
    },
  );

  app.get(
    '/api/v1/assessment/spot-checks',
    {
      config: { access: 'spot-checks:read' },
      schema: {
        tags: ['assessment'],
        summary: 'Spot checks in your area (an inspector sees their own)',
        querystring: Type.Object({
          status: Type.Optional(
            Type.Union([Type.Literal('open'), Type.Literal('found'), Type.Literal('clean')]),
          ),
        }),
        response: { 200: Type.Object({ items: Type.Array(Type.Ref('SpotCheck')) }), ...errors(401, 403) },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const items = await spot.list({
        scope: p.scopeCode,
        ...(p.role === 'inspector' ? { inspectorId: p.id } : {}),
        ...(request.query.status ? { status: request.query.status } : {}),
      });
      return { items };
    },
  );

  app.post(
    '/api/v1/assessment/spot-checks/:id/result',
    {
      config: { access: 'spot-checks:record' },
      schema: {
        tags: ['assessment'],
        summary: 'Record what the inspector found; a find counts as a missed report',
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        body: ResultBody,
        response: { 200: Type.Ref('SpotCheck'), ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const p = principalOf(request);
      return spot.record({
        id: request.params.id,
        found: request.body.found,
        ...(request.body.caseId !== undefined ? { caseId: request.body.caseId } : {}),
        by: p,
      });
    },
  );
}
