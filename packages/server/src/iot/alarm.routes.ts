import { Type } from '@sinclair/typebox';
import { type App, principalOf } from '../http/app.ts';
import { errors } from '../http/schemas.ts';
import { type AlarmService, scopeOf } from './alarm.service.ts';
import { Paging, Severity } from './iot.schema.ts';

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

/** Alarms in the caller's area (by the unit grid of the device), newest first. */
export function alarmRoutes(app: App, alarms: AlarmService) {
  app.get(
    '/api/v1/alarms',
    {
      config: { access: 'iot:read' },
      schema: {
        tags: ['iot'],
        summary: 'Alarms: active (not cleared) or history, by severity, device, rule',
        querystring: Type.Object({
          active: Type.Optional(Type.Boolean()),
          acknowledged: Type.Optional(Type.Boolean()),
          severity: Type.Optional(Severity),
          device: Type.Optional(Type.String()),
          rule: Type.Optional(Type.Integer()),
          ...Paging,
        }),
        response: {
          200: Type.Object({ items: Type.Array(Type.Ref('Alarm')), total: Type.Integer() }),
          ...errors(400, 401),
        },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const q = request.query;
      const scope = scopeOf(p);
      return alarms.list({
        ...(scope !== undefined ? { scope } : {}),
        ...(q.active !== undefined ? { active: q.active } : {}),
        ...(q.acknowledged !== undefined ? { acknowledged: q.acknowledged } : {}),
        ...(q.severity !== undefined ? { severity: q.severity } : {}),
        ...(q.device !== undefined ? { deviceId: q.device } : {}),
        ...(q.rule !== undefined ? { ruleId: q.rule } : {}),
        limit: q.limit ?? 100,
        offset: q.offset ?? 0,
      });
    },
  );

  app.get(
    '/api/v1/alarms/:id',
    {
      config: { access: 'iot:read' },
      schema: {
        tags: ['iot'],
        summary: 'An alarm with its history (raised, updated, acknowledged, cleared)',
        params: IdParams,
        response: {
          200: Type.Ref('AlarmDetail'),
          ...errors(401, 404),
        },
      },
    },
    async (request) => alarms.get(request.params.id, scopeOf(principalOf(request))),
  );

  app.post(
    '/api/v1/alarms/:id/ack',
    {
      config: { access: 'alarms:ack' },
      schema: {
        tags: ['iot'],
        summary: 'Acknowledge an alarm (it stays active until its rule clears it)',
        params: IdParams,
        response: { 200: Type.Ref('Alarm'), ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const p = principalOf(request);
      return alarms.acknowledge(request.params.id, p);
    },
  );
}
