import { Type } from '@sinclair/typebox';
import { AppError, notFound } from '../errors.ts';
import { type App, principalOf } from '../http/app.ts';
import { errors } from '../http/schemas.ts';
import type { IndicatorsService } from './indicators.service.ts';
import type { VitalsRepository } from './vitals.repository.ts';
import {
  CreateIndicatorBody,
  HistoryQuery,
  PatchIndicatorBody,
  VitalHistorySchema,
  VitalIndicatorSchema,
  VitalsQuery,
  VitalsSchema,
} from './vitals.schema.ts';
import type { VitalsEngine } from './vitals.service.ts';
import { resolveArea, vitalsView } from './vitals.view.ts';

const IdParam = Type.Object({ id: Type.String({ pattern: '^[a-z][a-z0-9_]{1,39}$' }) });

function instant(s: string | undefined, fallback: Date, field: string): Date {
  if (s === undefined) return fallback;
  const d = new Date(s);
  if (Number.isNaN(d.getTime()))
    throw new AppError('validation_failed', `${field} is not a date-time`, { field });
  return d;
}

export function vitalsRoutes(
  app: App,
  {
    engine,
    indicators,
    repo,
    clock,
  }: { engine: VitalsEngine; indicators: IndicatorsService; repo: VitalsRepository; clock: () => Date },
) {
  app.addSchema(VitalsSchema);
  app.addSchema(VitalHistorySchema);
  app.addSchema(VitalIndicatorSchema);

  app.get(
    '/api/v1/vitals',
    {
      config: { access: 'vitals:read' },
      schema: {
        tags: ['vitals'],
        summary: 'City vital signs (城市生命体征) of an area and its next level down, live',
        querystring: VitalsQuery,
        response: { 200: Type.Ref('Vitals'), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const s = await engine.current();
      return vitalsView(s, resolveArea(s, p, request.query.area));
    },
  );

  app.get(
    '/api/v1/vitals/history',
    {
      config: { access: 'vitals:read' },
      schema: {
        tags: ['vitals'],
        summary: 'One indicator of one area over time (written every few minutes)',
        querystring: HistoryQuery,
        response: { 200: Type.Ref('VitalHistory'), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const q = request.query;
      const s = await engine.current();
      const area = resolveArea(s, p, q.area);
      const known = (await indicators.list()).some((d) => d.id === q.indicator);
      if (!known) throw notFound('Indicator', q.indicator);
      const to = instant(q.to, clock(), 'to');
      const from = instant(q.from, new Date(to.getTime() - 86_400_000), 'from');
      if (from > to) throw new AppError('validation_failed', 'from must not be after to', { field: 'from' });
      return { points: await repo.history(q.indicator, area, from, to) };
    },
  );

  app.post(
    '/api/v1/vitals/refresh',
    {
      config: { access: 'config:write' },
      schema: {
        tags: ['vitals'],
        summary: 'Recompute every indicator now and write a history point for every area (admin)',
        response: {
          200: Type.Object({ computedAt: Type.String(), tookMs: Type.Number(), historyRows: Type.Integer() }),
          ...errors(401, 403),
        },
      },
    },
    async (request) => {
      principalOf(request);
      const s = await engine.refresh();
      const historyRows = await engine.writeHistory(true);
      return { computedAt: s.computedAt.toISOString(), tookMs: Math.round(s.tookMs * 10) / 10, historyRows };
    },
  );

  app.get(
    '/api/v1/vitals/indicators',
    {
      config: { access: 'vitals:read' },
      schema: {
        tags: ['vitals'],
        summary: 'Indicator definitions (disabled ones too)',
        response: { 200: Type.Object({ items: Type.Array(Type.Ref('VitalIndicator')) }), ...errors(401) },
      },
    },
    async (request) => {
      principalOf(request);
      return { items: await indicators.list() };
    },
  );

  app.post(
    '/api/v1/vitals/indicators',
    {
      config: { access: 'config:write' },
      schema: {
        tags: ['vitals'],
        summary: 'Add an indicator (admin); computed from the next compute on, which runs at once',
        body: CreateIndicatorBody,
        response: { 201: Type.Ref('VitalIndicator'), ...errors(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      principalOf(request);
      return reply.code(201).send(await indicators.create(request.body));
    },
  );

  app.patch(
    '/api/v1/vitals/indicators/:id',
    {
      config: { access: 'config:write' },
      schema: {
        tags: ['vitals'],
        summary: 'Change an indicator (admin): thresholds, window, enabled … with the version you read',
        params: IdParam,
        body: PatchIndicatorBody,
        response: { 200: Type.Ref('VitalIndicator'), ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      principalOf(request);
      return indicators.update(request.params.id, request.body);
    },
  );

  app.delete(
    '/api/v1/vitals/indicators/:id',
    {
      config: { access: 'config:write' },
      schema: {
        tags: ['vitals'],
        summary: 'Remove an indicator (admin); a removed default is not seeded again',
        params: IdParam,
        querystring: Type.Object({ version: Type.Optional(Type.Integer({ minimum: 1 })) }),
        response: { 204: Type.Null(), ...errors(401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      principalOf(request);
      await indicators.remove(request.params.id, request.query.version);
      return reply.code(204).send(null);
    },
  );
}
