import { Type } from '@sinclair/typebox';
import { type App, principalOf } from '../http/app.ts';
import { errors } from '../http/schemas.ts';
import { RuleCreateBody, RulePatchBody } from './iot.schema.ts';
import type { RulesService } from './rules.service.ts';

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

/** Alarm rules: administrators edit them, changes apply without a restart. */
export function rulesRoutes(app: App, rules: RulesService) {
  app.get(
    '/api/v1/rules',
    {
      config: { access: 'iot:read' },
      schema: {
        tags: ['iot'],
        summary: 'Alarm rules',
        querystring: Type.Object({
          deviceType: Type.Optional(Type.String()),
          device: Type.Optional(Type.String()),
          enabled: Type.Optional(Type.Boolean()),
        }),
        response: { 200: Type.Array(Type.Ref('Rule')), ...errors(401) },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const q = request.query;
      return rules.list(
        {
          ...(q.deviceType !== undefined ? { deviceTypeId: q.deviceType } : {}),
          ...(q.device !== undefined ? { deviceId: q.device } : {}),
          ...(q.enabled !== undefined ? { enabled: q.enabled } : {}),
        },
        p,
      );
    },
  );

  app.get(
    '/api/v1/rules/:id',
    {
      config: { access: 'iot:read' },
      schema: {
        tags: ['iot'],
        summary: 'One rule',
        params: IdParams,
        response: { 200: Type.Ref('Rule'), ...errors(401, 404) },
      },
    },
    async (request) => {
      return rules.get(request.params.id, principalOf(request));
    },
  );

  app.post(
    '/api/v1/rules',
    {
      config: { access: 'config:write' },
      schema: {
        tags: ['iot'],
        summary: 'Create a rule for a device type or one device',
        body: RuleCreateBody,
        response: { 201: Type.Ref('Rule'), ...errors(400, 401, 403) },
      },
    },
    async (request, reply) => {
      principalOf(request);
      return reply.status(201).send(await rules.create(request.body));
    },
  );

  app.patch(
    '/api/v1/rules/:id',
    {
      config: { access: 'config:write' },
      schema: {
        tags: ['iot'],
        summary: 'Change a rule; a new condition starts its evaluation afresh',
        params: IdParams,
        body: RulePatchBody,
        response: { 200: Type.Ref('Rule'), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      principalOf(request);
      return rules.update(request.params.id, request.body);
    },
  );

  app.delete(
    '/api/v1/rules/:id',
    {
      config: { access: 'config:write' },
      schema: {
        tags: ['iot'],
        summary: 'Delete a rule that never raised an alarm (otherwise disable it)',
        params: IdParams,
        response: { 204: Type.Null(), ...errors(401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      principalOf(request);
      await rules.remove(request.params.id);
      return reply.status(204).send(null);
    },
  );
}
