import { visitResults } from '@onegrid/domain';
import { Type } from '@sinclair/typebox';
import { type App, principalOf } from '../http/app.ts';
import { errors } from '../http/schemas.ts';
import { serviceAccountOf } from '../service-accounts/access.ts';
import type { HotlineService } from './hotline.service.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const HotlineOrder = Type.Object(
  {
    orderNo: Type.String(),
    caseId: Type.Integer(),
    caseNumber: Type.String(),
    caseStatus: Type.String(),
    joined: Type.Boolean({ description: 'joined an open case on the same problem rather than filing one' }),
    receivedAt: Type.String(),
    dueAt: Nullable(Type.String()),
    category: Type.String(),
    areaCode: Type.String(),
    callerName: Nullable(Type.String({ description: 'masked' })),
    callerPhone: Nullable(Type.String({ description: 'masked' })),
    status: Type.String({ description: 'received | accepted | returned | extended | finished' }),
    visitResult: Nullable(Type.String()),
    visitNote: Nullable(Type.String()),
  },
  { $id: 'HotlineOrder' },
);

const OrderBody = Type.Object(
  {
    orderNo: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' }),
    receivedAt: Type.String({ format: 'date-time' }),
    content: Type.String({ minLength: 1, maxLength: 4000 }),
    address: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
    location: Type.Optional(
      Type.Object({
        lng: Type.Number({ minimum: -180, maximum: 180 }),
        lat: Type.Number({ minimum: -90, maximum: 90 }),
        crs: Type.Optional(Type.Union([Type.Literal('wgs84'), Type.Literal('gcj02'), Type.Literal('bd09')])),
      }),
    ),
    caller: Type.Optional(
      Type.Object({
        name: Type.Optional(Type.String({ maxLength: 50 })),
        phone: Type.Optional(Type.String({ maxLength: 30 })),
      }),
    ),
    category: Type.Optional(Type.String({ pattern: '^\\d{4,5}$' })),
    urgency: Type.Optional(Type.Union([Type.Literal('normal'), Type.Literal('urgent')])),
    dueAt: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);

export function hotlineRoutes(app: App, hotline: HotlineService) {
  app.addSchema(HotlineOrder);

  app.post(
    '/api/v1/hotline/orders',
    {
      config: { access: { grant: 'hotline' } },
      schema: {
        tags: ['hotline'],
        summary:
          'A 12345 work order in: opens a case (source hotline) or joins the open one on the same problem; idempotent on orderNo (201 first, 200 after)',
        body: OrderBody,
        response: {
          200: Type.Ref('HotlineOrder'),
          201: Type.Ref('HotlineOrder'),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const sa = serviceAccountOf(request);
      const r = await hotline.receive(request.body, { clientId: sa.clientId, scopeCode: sa.scopeCode });
      return reply.status(r.replayed ? 200 : 201).send(r.order);
    },
  );

  app.get(
    '/api/v1/hotline/orders/:orderNo',
    {
      config: { access: { grant: 'hotline' } },
      schema: {
        tags: ['hotline'],
        summary: 'A work order with its case, status and 回访',
        params: Type.Object({ orderNo: Type.String({ maxLength: 64 }) }),
        response: { 200: Type.Ref('HotlineOrder'), ...errors(401, 403, 404) },
      },
    },
    async (request) => hotline.get(request.params.orderNo, serviceAccountOf(request).scopeCode),
  );

  app.post(
    '/api/v1/hotline/orders/:orderNo/visit',
    {
      config: { access: { grant: 'hotline' } },
      schema: {
        tags: ['hotline'],
        summary: '回访: the caller’s verdict on the handling (counted in 满意率, shown on the case)',
        params: Type.Object({ orderNo: Type.String({ maxLength: 64 }) }),
        body: Type.Object(
          {
            result: Type.Union(visitResults.map((r) => Type.Literal(r))),
            note: Type.Optional(Type.String({ maxLength: 1000 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Ref('HotlineOrder'), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) =>
      hotline.visit(request.params.orderNo, request.body, serviceAccountOf(request).scopeCode),
  );

  app.get(
    '/api/v1/cases/:id/hotline',
    {
      config: { access: 'cases:read' },
      schema: {
        tags: ['hotline'],
        summary: 'The 12345 orders of a case, with their 回访',
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        response: { 200: Type.Array(Type.Ref('HotlineOrder')), ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      await hotline.caseInScope(request.params.id, principalOf(request));
      return hotline.ofCase(request.params.id);
    },
  );

  app.get(
    '/api/v1/hotline/satisfaction',
    {
      config: { access: 'assessment:read' },
      schema: {
        tags: ['hotline'],
        summary: '满意率 of 12345 回访 in [from, to) in my area (or a sub-area)',
        querystring: Type.Object({
          from: Type.String({ format: 'date-time' }),
          to: Type.String({ format: 'date-time' }),
          area: Type.Optional(Type.String({ pattern: '^\\d{4,15}$' })),
        }),
        response: {
          200: Type.Object({
            counts: Type.Record(Type.String(), Type.Integer()),
            visits: Type.Integer(),
            rate: Nullable(Type.Number()),
          }),
          ...errors(400, 401, 403),
        },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const area = request.query.area ?? p.scopeCode;
      const scoped = area.startsWith(p.scopeCode) ? area : p.scopeCode;
      return hotline.satisfaction({
        from: new Date(request.query.from),
        to: new Date(request.query.to),
        area: scoped,
      });
    },
  );
}
