import { Type } from '@sinclair/typebox';
import { type App, principalOf } from '../http/app.ts';
import { errors } from '../http/schemas.ts';
import type { DeviceService } from './device.service.ts';
import { DeviceCreateBody, DeviceIdParams, DevicePatchBody, Paging } from './iot.schema.ts';

/** Device registry: administrators write, anyone logged in reads within their area. */
export function deviceRoutes(app: App, devices: DeviceService) {
  app.get(
    '/api/v1/device-types',
    {
      config: { access: 'catalogue:read' },
      schema: {
        tags: ['iot'],
        summary: 'Device types: metrics, units, expected reporting interval',
        response: { 200: Type.Array(Type.Ref('DeviceType')), ...errors(401) },
      },
    },
    async (request) => {
      principalOf(request);
      return devices.listTypes();
    },
  );

  app.get(
    '/api/v1/devices',
    {
      config: { access: 'iot:read' },
      schema: {
        tags: ['iot'],
        summary: 'Devices in your area',
        querystring: Type.Object({
          type: Type.Optional(Type.String()),
          status: Type.Optional(
            Type.Union([Type.Literal('online'), Type.Literal('offline'), Type.Literal('disabled')]),
          ),
          area: Type.Optional(
            Type.String({ pattern: '^\\d{4,15}$', description: 'area or unit grid code prefix' }),
          ),
          q: Type.Optional(Type.String({ maxLength: 100 })),
          ...Paging,
        }),
        response: {
          200: Type.Object({ items: Type.Array(Type.Ref('Device')), total: Type.Integer() }),
          ...errors(400, 401),
        },
      },
    },
    async (request) => {
      const q = request.query;
      return devices.list(principalOf(request), {
        ...(q.type !== undefined ? { typeId: q.type } : {}),
        ...(q.status !== undefined ? { status: q.status } : {}),
        ...(q.area !== undefined ? { area: q.area } : {}),
        ...(q.q !== undefined ? { q: q.q } : {}),
        limit: q.limit ?? 100,
        offset: q.offset ?? 0,
      });
    },
  );

  app.post(
    '/api/v1/devices',
    {
      config: { access: 'config:write' },
      schema: {
        tags: ['iot'],
        summary: 'Register a device; the answer carries its token, shown this once',
        body: DeviceCreateBody,
        response: {
          201: Type.Object({ device: Type.Ref('Device'), token: Type.String() }),
          ...errors(400, 401, 403, 409),
        },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const r = await devices.create(p, request.body);
      return reply.status(201).send(r);
    },
  );

  app.get(
    '/api/v1/devices/:id',
    {
      config: { access: 'iot:read' },
      schema: {
        tags: ['iot'],
        summary: 'A device with its latest values and ingest error counts',
        params: DeviceIdParams,
        response: { 200: Type.Ref('DeviceDetail'), ...errors(401, 404) },
      },
    },
    async (request) => devices.get(principalOf(request), request.params.id),
  );

  app.patch(
    '/api/v1/devices/:id',
    {
      config: { access: 'config:write' },
      schema: {
        tags: ['iot'],
        summary:
          'Change a device; `disabled: true` refuses its connections, `rotateToken` issues a new token',
        params: DeviceIdParams,
        body: DevicePatchBody,
        response: {
          200: Type.Object({ device: Type.Ref('Device'), token: Type.Optional(Type.String()) }),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request) => devices.update(principalOf(request), request.params.id, request.body),
  );

  app.delete(
    '/api/v1/devices/:id',
    {
      config: { access: 'config:write' },
      schema: {
        tags: ['iot'],
        summary: 'Remove a device with its alarms',
        params: DeviceIdParams,
        response: { 204: Type.Null(), ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      await devices.remove(principalOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
}
