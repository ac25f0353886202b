import { Type } from '@sinclair/typebox';
import { type App, principalOf } from '../http/app.ts';
import { errors } from '../http/schemas.ts';
import {
  DutyLogEntry,
  DutyNow,
  DutyNowQuery,
  DutyShift,
  HandoverBody,
  LogQuery,
  NewLogBody,
  NewShiftBody,
  ShiftIdParams,
  ShiftsQuery,
} from './duty.schema.ts';
import type { DutyService } from './duty.service.ts';

export function dutyRoutes(app: App, duty: DutyService) {
  app.addSchema(DutyShift);
  app.addSchema(DutyNow);
  app.addSchema(DutyLogEntry);
  const tags = ['duty'];

  app.get(
    '/api/v1/duty/now',
    {
      config: { access: 'duty:read' },
      schema: {
        tags,
        summary:
          'Who is on duty now for an area (default: your own): the nearest duty platform up the area tree (street → district → city) with someone on shift; platform null when nobody is',
        querystring: DutyNowQuery,
        response: { 200: Type.Ref('DutyNow'), ...errors(400, 401, 403) },
      },
    },
    async (request) => duty.now(principalOf(request), request.query.area),
  );

  app.get(
    '/api/v1/duty/shifts',
    {
      config: { access: 'duty:read' },
      schema: {
        tags,
        summary:
          'The roster: shifts overlapping [from, to) on platforms in an area of your scope (default: the last day and the next week)',
        querystring: ShiftsQuery,
        response: { 200: Type.Array(Type.Ref('DutyShift')), ...errors(400, 401, 403) },
      },
    },
    async (request) => duty.shifts(principalOf(request), request.query),
  );

  app.post(
    '/api/v1/duty/shifts',
    {
      config: { access: 'duty:manage' },
      schema: {
        tags,
        summary:
          'Put someone on a shift (排班) at a platform in your scope; 409 when they already have a shift then',
        body: NewShiftBody,
        response: { 201: Type.Ref('DutyShift'), ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => reply.code(201).send(await duty.addShift(principalOf(request), request.body)),
  );

  app.delete(
    '/api/v1/duty/shifts/:id',
    {
      config: { access: 'duty:manage' },
      schema: {
        tags,
        summary: 'Remove a shift that has not started (a shift worked stays on record: 409)',
        params: ShiftIdParams,
        response: { 204: Type.Null(), ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await duty.deleteShift(principalOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/v1/duty/shifts/:id/handover',
    {
      config: { access: 'duty:log' },
      schema: {
        tags,
        summary:
          '交接班: the person on the shift (or a leader) leaves the handover note, once; it goes into the duty log',
        params: ShiftIdParams,
        body: HandoverBody,
        response: { 200: Type.Ref('DutyShift'), ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => duty.handover(principalOf(request), request.params.id, request.body.note),
  );

  app.get(
    '/api/v1/duty/log',
    {
      config: { access: 'duty:read' },
      schema: {
        tags,
        summary:
          'The duty log (值班日志) of platforms in an area of your scope, newest first (default: the last week)',
        querystring: LogQuery,
        response: { 200: Type.Array(Type.Ref('DutyLogEntry')), ...errors(400, 401, 403) },
      },
    },
    async (request) => duty.log(principalOf(request), request.query),
  );

  app.post(
    '/api/v1/duty/log',
    {
      config: { access: 'duty:log' },
      schema: {
        tags,
        summary: 'Write an entry in the duty log of a platform in your scope (notes, calls, incidents)',
        body: NewLogBody,
        response: { 201: Type.Ref('DutyLogEntry'), ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => reply.code(201).send(await duty.addLog(principalOf(request), request.body)),
  );
}
