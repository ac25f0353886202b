/** Webhooks for administrators: subscribe, list, delete, and the delivery log with replay. */
import { Type } from '@sinclair/typebox';
import { type App, principalOf } from '../http/app.ts';
import { errors } from '../http/schemas.ts';
import type { DeliveryRow } from './deliveries.repository.ts';
import type { WebhookRow, Webhooks } from './webhooks.service.ts';

const date = Type.String({ format: 'date-time' });
const nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const State = Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('dead')]);

const WebhookSchema = Type.Object(
  {
    id: Type.Integer(),
    url: Type.String(),
    events: Type.Array(Type.String()),
    scope: Type.String(),
    createdBy: Type.String(),
    createdAt: date,
    deliveries: Type.Optional(
      Type.Object({ pending: Type.Integer(), delivered: Type.Integer(), dead: Type.Integer() }),
    ),
  },
  { $id: 'Webhook' },
);

const DeliverySchema = Type.Object(
  {
    id: Type.String({ description: 'X-OneGrid-Delivery' }),
    seq: Type.Integer(),
    event: Type.String(),
    orderingKey: Type.String(),
    state: State,
    attempts: Type.Integer(),
    nextAt: date,
    lastStatus: Type.Union([Type.Integer(), Type.Null()]),
    lastError: nullable(Type.String()),
    lastAt: nullable(date),
    deliveredAt: nullable(date),
    createdAt: date,
  },
  { $id: 'Delivery' },
);

const DeliveryDetail = Type.Intersect([
  Type.Ref('Delivery'),
  Type.Object({
    body: Type.String({ description: 'the JSON body as sent (and signed)' }),
    log: Type.Array(
      Type.Object({
        attempt: Type.Integer(),
        at: date,
        status: Type.Union([Type.Integer(), Type.Null()]),
        error: nullable(Type.String()),
        ms: Type.Integer(),
      }),
    ),
  }),
]);

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
const hookJson = (h: WebhookRow & { deliveries?: { pending: number; delivered: number; dead: number } }) => ({
  id: h.id,
  url: h.url,
  events: h.events,
  scope: h.scopeCode,
  createdBy: h.createdBy,
  createdAt: new Date(h.createdAt).toISOString(),
  ...(h.deliveries ? { deliveries: h.deliveries } : {}),
});
const deliveryJson = (d: DeliveryRow) => ({
  id: d.id,
  seq: d.seq,
  event: d.event,
  orderingKey: d.orderingKey,
  state: d.state,
  attempts: d.attempts,
  nextAt: new Date(d.nextAt).toISOString(),
  lastStatus: d.lastStatus,
  lastError: d.lastError,
  lastAt: iso(d.lastAt),
  deliveredAt: iso(d.deliveredAt),
  createdAt: new Date(d.createdAt).toISOString(),
});

const HookParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const DeliveryParams = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  deliveryId: Type.String({ format: 'uuid' }),
});

export function webhookRoutes(app: App, hooks: Webhooks) {
  app.addSchema(WebhookSchema);
  app.addSchema(DeliverySchema);
  const access = 'config:write' as const;

  app.post(
    '/api/v1/webhooks',
    {
      config: { access },
      schema: {
        tags: ['webhooks'],
        summary:
          'Subscribe a URL to events (administrators): signed JSON POSTs, retried with backoff until 2xx (docs/sharing.md)',
        body: Type.Object(
          {
            url: Type.String({ minLength: 8, maxLength: 2000 }),
            events: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
              minItems: 1,
              maxItems: 50,
              description: 'event names or patterns: case.report, case.*, alarm.raised, vitals, *',
            }),
            secret: Type.String({
              minLength: 16,
              maxLength: 200,
              description:
                'signs each delivery: X-OneGrid-Signature: sha256=<hex HMAC-SHA256 of the raw body>',
            }),
            scope: Type.Optional(
              Type.String({ pattern: '^\\d{4,12}$', description: 'area code; default yours' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Ref('Webhook'), ...errors(400, 401, 403) },
      },
    },
    async (request, reply) =>
      reply.status(201).send(hookJson(await hooks.create(request.body, principalOf(request)))),
  );

  app.get(
    '/api/v1/webhooks',
    {
      config: { access },
      schema: {
        tags: ['webhooks'],
        summary: 'Webhooks in your scope with their delivery counts (administrators)',
        response: { 200: Type.Array(Type.Ref('Webhook')), ...errors(401, 403) },
      },
    },
    async (request) => (await hooks.list(principalOf(request))).map(hookJson),
  );

  app.delete(
    '/api/v1/webhooks/:id',
    {
      config: { access },
      schema: {
        tags: ['webhooks'],
        summary: 'Delete a webhook; its pending deliveries go to the dead letters',
        params: HookParams,
        response: { 204: Type.Null(), ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      await hooks.remove(request.params.id, principalOf(request));
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/webhooks/:id/deliveries',
    {
      config: { access },
      schema: {
        tags: ['webhooks'],
        summary: "A webhook's delivery log, newest first (state=dead for the dead letters)",
        params: HookParams,
        querystring: Type.Object({
          state: Type.Optional(State),
          before: Type.Optional(Type.Integer({ minimum: 1, description: 'seq: older than this' })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
        }),
        response: { 200: Type.Array(Type.Ref('Delivery')), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const q = request.query;
      const rows = await hooks.deliveriesOf(request.params.id, principalOf(request), {
        state: q.state,
        before: q.before,
        limit: q.limit ?? 100,
      });
      return rows.map(deliveryJson);
    },
  );

  app.get(
    '/api/v1/webhooks/:id/deliveries/:deliveryId',
    {
      config: { access },
      schema: {
        tags: ['webhooks'],
        summary: 'One delivery: its body and every try with the answer',
        params: DeliveryParams,
        response: { 200: DeliveryDetail, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const d = await hooks.delivery(request.params.id, request.params.deliveryId, principalOf(request));
      return {
        ...deliveryJson(d),
        body: d.body,
        log: d.log.map((a) => ({ ...a, at: new Date(a.at).toISOString() })),
      };
    },
  );

  app.post(
    '/api/v1/webhooks/:id/deliveries/:deliveryId/replay',
    {
      config: { access },
      schema: {
        tags: ['webhooks'],
        summary: 'Send a delivery again (a dead letter, or one delivered), with the same delivery id',
        params: DeliveryParams,
        response: { 200: DeliveryDetail, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const d = await hooks.replay(request.params.id, request.params.deliveryId, principalOf(request));
      return {
        ...deliveryJson(d),
        body: d.body,
        log: d.log.map((a) => ({ ...a, at: new Date(a.at).toISOString() })),
      };
    },
  );
}
