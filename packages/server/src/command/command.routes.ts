/**
 * The command screen's API (综合指挥屏 · 一屏观天下): what the video wall draws. Leaders,
 * administrators and dispatchers, each within their scope; a leader scoped to a district sees that
 * district as "the city".
 */
import { Type } from '@sinclair/typebox';
import { parseInstant } from '../assessment/assessment.routes.ts';
import type { Principal } from '../auth/auth.service.ts';
import type { Db } from '../db/db.ts';
import { AppError } from '../errors.ts';
import { type App, principalOf } from '../http/app.ts';
import { errors } from '../http/schemas.ts';
import { AreaQuery, commandSchemas, FocusQuery, ReplayQuery, ReplaySchema } from './command.schema.ts';
import { commandService } from './command.service.ts';

/** The caller's scope, narrowed to `area` when given (which must lie inside it). */
function areaOf(p: Principal, area: string | undefined): string {
  if (!area) return p.scopeCode;
  if (!area.startsWith(p.scopeCode)) throw new AppError('forbidden', `Area ${area} is outside your scope`);
  return area;
}

export function commandRoutes(app: App, { db, clock }: { db: Db; clock: () => Date }) {
  const service = commandService({ db, clock });
  for (const s of commandSchemas) app.addSchema(s);
  const tags = ['command'];

  app.get(
    '/api/v1/command/cases',
    {
      config: { access: 'command:view' },
      schema: {
        tags,
        summary: 'Open cases for the map, columnar (id, position, main class, urgency, status, overdue)',
        querystring: AreaQuery,
        response: { 200: Type.Ref('CommandCases'), ...errors(400, 401, 403) },
      },
    },
    async (request) => service.openCases(areaOf(principalOf(request), request.query.area)),
  );

  app.get(
    '/api/v1/command/cases/summary',
    {
      config: { access: 'command:view' },
      schema: {
        tags,
        summary:
          'Open cases counted by street (by unit grid below a district) at their mean position: the first view while the full set loads',
        querystring: AreaQuery,
        response: { 200: Type.Ref('CommandCaseSummary'), ...errors(400, 401, 403) },
      },
    },
    async (request) => service.caseSummary(areaOf(principalOf(request), request.query.area)),
  );

  app.get(
    '/api/v1/command/inspectors',
    {
      config: { access: 'command:view' },
      schema: {
        tags,
        summary: 'Inspectors with a GPS point in the last 2 h: latest position and recent track',
        querystring: AreaQuery,
        response: {
          200: Type.Object({ items: Type.Array(Type.Ref('InspectorPosition')) }),
          ...errors(400, 401, 403),
        },
      },
    },
    async (request) => ({
      items: await service.inspectors(areaOf(principalOf(request), request.query.area)),
    }),
  );

  app.get(
    '/api/v1/command/replay',
    {
      config: { access: 'command:view' },
      schema: {
        tags,
        summary:
          'What was open at `from`, then case steps and alarm raises/clears in [from, to) with positions, by time (at most 7 days)',
        querystring: ReplayQuery,
        response: { 200: ReplaySchema, ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const q = request.query;
      return service.replay(areaOf(p, q.area), parseInstant(q.from, 'from'), parseInstant(q.to, 'to'));
    },
  );

  app.get(
    '/api/v1/command/focus',
    {
      config: { access: 'command:view' },
      schema: {
        tags,
        summary: 'One incident (a case or an alarm): details, nearest inspectors, department, timeline',
        querystring: FocusQuery,
        response: { 200: Type.Ref('CommandFocus'), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const q = request.query;
      if ((q.case === undefined) === (q.alarm === undefined)) {
        throw new AppError('validation_failed', 'Give exactly one of `case` or `alarm`');
      }
      return service.focus(p.scopeCode, q.case !== undefined ? { case: q.case } : { alarm: q.alarm! });
    },
  );

  app.get(
    '/api/v1/command/area',
    {
      config: { access: 'command:view' },
      schema: {
        tags,
        summary: 'Drill-down: an area’s figures and those of the level below (district → street → unit grid)',
        querystring: AreaQuery,
        response: { 200: Type.Ref('AreaFigures'), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const p = principalOf(request);
      return service.area(p.scopeCode, areaOf(p, request.query.area));
    },
  );
}
