import { cameraDetectionTypes } from '@onegrid/domain';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { type App, principalOf } from '../http/app.ts';
import { errors } from '../http/schemas.ts';
import type { CameraService } from './camera.service.ts';

const Camera = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    lng: Type.Number(),
    lat: Type.Number(),
    heading: Type.Union([Type.Number(), Type.Null()]),
    unitGridCode: Type.Union([Type.String(), Type.Null()]),
    areaCode: Type.String(),
    streamUrl: Type.Union([Type.String(), Type.Null()]),
    status: Type.String(),
    lastSeenAt: Type.Union([Type.String(), Type.Null()]),
    openCases: Type.Optional(Type.Integer()),
  },
  { $id: 'Camera' },
);

const CameraBody = Type.Object(
  {
    id: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' }),
    name: Type.String({ minLength: 1, maxLength: 100 }),
    location: Type.Object({
      lng: Type.Number({ minimum: -180, maximum: 180 }),
      lat: Type.Number({ minimum: -90, maximum: 90 }),
    }),
    heading: Type.Optional(
      Type.Number({ minimum: 0, exclusiveMaximum: 360, description: 'degrees from north' }),
    ),
    streamUrl: Type.Optional(
      Type.String({ pattern: '^https?://', maxLength: 500, description: 'an HLS (.m3u8) URL' }),
    ),
    status: Type.Optional(
      Type.Union([Type.Literal('online'), Type.Literal('offline'), Type.Literal('disabled')]),
    ),
  },
  { additionalProperties: false },
);

const DetectionBody = Type.Object(
  {
    ts: Type.String({ format: 'date-time' }),
    type: Type.Union(cameraDetectionTypes.map((t) => Type.Literal(t))),
    confidence: Type.Number({ minimum: 0, maximum: 1 }),
    bbox: Type.Array(Type.Number({ minimum: 0 }), {
      minItems: 4,
      maxItems: 4,
      description: '[x, y, w, h]: fractions of the snapshot (0–1) or pixels',
    }),
    snapshot: Type.Optional(
      Type.String({ maxLength: 8_000_000, description: 'JPEG or PNG, base64 (or a data: URL)' }),
    ),
    clear: Type.Optional(Type.Boolean({ description: 'the problem is no longer seen' })),
  },
  { additionalProperties: false },
);

const DetectionResult = Type.Object({
  outcome: Type.String({ description: 'open | join | reopen | clear | below-threshold | nothing-to-clear' }),
  case: Type.Union([
    Type.Object({ id: Type.Integer(), number: Type.String(), status: Type.String() }),
    Type.Null(),
  ]),
});

/** The caller's area and name, machine or person. */
function whoIs(request: FastifyRequest): { actor: string; scopeCode: string } {
  const sa = request.serviceAccount;
  if (sa) return { actor: `service:${sa.clientId}`, scopeCode: sa.scopeCode };
  const p = principalOf(request);
  return { actor: p.username, scopeCode: p.scopeCode };
}

export function cameraRoutes(app: App, cameras: CameraService) {
  app.addSchema(Camera);

  app.post(
    '/api/v1/cameras',
    {
      config: { access: { grant: 'cameras', or: 'config:write' } },
      schema: {
        tags: ['cameras'],
        summary:
          'Register or update a camera (a service account with the cameras grant, or an administrator)',
        body: CameraBody,
        response: { 200: Type.Ref('Camera'), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const who = whoIs(request);
      const c = await cameras.register(request.body, who);
      return { ...c, lastSeenAt: c.lastSeenAt ? new Date(c.lastSeenAt).toISOString() : null };
    },
  );

  app.get(
    '/api/v1/cameras',
    {
      config: { access: 'cases:read' },
      schema: {
        tags: ['cameras'],
        summary: 'Cameras in my area (the map layer), with how many open cases each has',
        response: { 200: Type.Array(Type.Ref('Camera')), ...errors(401, 403) },
      },
    },
    async (request) =>
      (await cameras.list(principalOf(request).scopeCode)).map((c) => ({
        ...c,
        lastSeenAt: c.lastSeenAt ? new Date(c.lastSeenAt).toISOString() : null,
      })),
  );

  app.post(
    '/api/v1/cameras/:id/detections',
    {
      config: { access: { grant: 'cameras' } },
      schema: {
        tags: ['cameras'],
        summary:
          'A detection from the camera: opens a case (source camera), joins the open one of the same camera and type, reopens one the system closed, or clears it',
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        body: DetectionBody,
        response: { 200: DetectionResult, ...errors(400, 401, 403, 404, 413, 415) },
      },
    },
    async (request) => {
      const who = whoIs(request);
      return cameras.detect(request.params.id, request.body, who.scopeCode);
    },
  );

  app.get(
    '/api/v1/cases/:id/detections',
    {
      config: { access: 'cases:read' },
      schema: {
        tags: ['cameras'],
        summary: "A camera case's detections, newest first, with each snapshot and its box",
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        response: {
          200: Type.Array(
            Type.Object({
              id: Type.Integer(),
              cameraId: Type.String(),
              ts: Type.String(),
              type: Type.String(),
              confidence: Type.Number(),
              bbox: Type.Union([Type.Array(Type.Number()), Type.Null()]),
              clear: Type.Boolean(),
              attachmentId: Type.Union([Type.String(), Type.Null()]),
              outcome: Type.String(),
            }),
          ),
          ...errors(401, 403, 404),
        },
      },
    },
    async (request) => {
      const p = principalOf(request);
      await cameras.caseInScope(request.params.id, p);
      return (await cameras.detectionsOfCase(request.params.id)).map((d) => ({
        ...d,
        ts: new Date(d.ts).toISOString(),
      }));
    },
  );
}
