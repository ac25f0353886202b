import { Type } from '@sinclair/typebox';
import { AppError } from '../errors.ts';
import { type App, principalOf, requireRole } from '../http/app.ts';
import { errors } from '../http/schemas.ts';
import { OverloadedError } from './batcher.ts';
import type { DeviceDirectory } from './device.directory.ts';
import type { DeviceService } from './device.service.ts';
import type { IngestStats } from './ingest.stats.ts';
import { TelemetryBody, TelemetryResult } from './iot.schema.ts';
import type { ReadingsRepository } from './readings.repository.ts';
import type { ReadingSink } from './readings.sink.ts';
import type { IngestResult, TelemetryService } from './telemetry.service.ts';

export interface TelemetryRouteDeps {
  telemetry: TelemetryService;
  directory: DeviceDirectory;
  devices: DeviceService;
  readings: ReadingsRepository;
  stats: IngestStats;
  sink: ReadingSink;
  engineStats: () => Record<string, number>;
  brokerStats: () => Record<string, unknown>;
}

const DAY = 86_400_000;
/** Largest HTTP telemetry body (a batch); larger is 413 before it is read. */
export const telemetryBodyLimit = 1_048_576;

const DeadLetter = Type.Object({
  deviceId: Type.String({ description: "the device, or '(unknown)' for every id that is not one" }),
  code: Type.String(),
  count: Type.Integer(),
  firstAt: Type.String({ format: 'date-time' }),
  lastAt: Type.String({ format: 'date-time' }),
  lastDetail: Type.Union([Type.String(), Type.Null()]),
  source: Type.Union([Type.String(), Type.Null()], { description: 'mqtt, http or broker' }),
  lastPayload: Type.Union([Type.String(), Type.Null()], {
    description: 'the first 512 characters of the last rejected message',
  }),
});

export function telemetryRoutes(app: App, d: TelemetryRouteDeps) {
  app.post(
    '/api/v1/telemetry',
    {
      // Devices have no user session: they send `X-Device-Token` instead (admins a bearer token).
      config: { access: 'public' },
      bodyLimit: telemetryBodyLimit,
      schema: {
        tags: ['iot'],
        summary: 'A batch of readings over HTTP, with the result of each one',
        description:
          'Authenticate as the device with `X-Device-Token` and `deviceId` in the body, or as an administrator ' +
          'with a bearer token and a `deviceId` on each reading. Readings are stored before the answer is sent. ' +
          'A batch of which nothing could be stored is 400 with the per-reading results in `error.details`; ' +
          'a device over its rate is 429 with Retry-After (nothing stored); bodies over 1 MiB are 413.',
        security: [{ bearer: [] }, {}],
        headers: Type.Object({ 'x-device-token': Type.Optional(Type.String()) }),
        body: TelemetryBody,
        response: { 200: TelemetryResult, ...errors(400, 401, 403, 413, 429, 503) },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const token = request.headers['x-device-token'];
      let onlyDevice: string | undefined;
      if (request.principal) {
        requireRole(request, 'admin');
      } else if (typeof token === 'string' && body.deviceId) {
        const device = await d.directory.lookup(body.deviceId);
        if (!device || !d.directory.verifyToken(device, token)) {
          d.stats.reject(
            body.deviceId,
            { code: device ? 'wrong_token' : 'unknown_device', message: 'HTTP telemetry refused' },
            Date.now(),
          );
          throw new AppError('unauthenticated', 'Unknown device or wrong device token');
        }
        onlyDevice = device.id;
        // The rate is taken before anything is stored: over it, the device is told when to retry.
        const admitted = d.telemetry.admit(device.id, Date.now(), 0);
        if (!admitted.ok) {
          const seconds = Math.max(1, Math.ceil(admitted.waitMs / 1000));
          void reply.header('retry-after', String(seconds));
          throw new AppError('rate_limited', `Device ${device.id} sends too often; retry in ${seconds} s`, {
            retryAfterSeconds: seconds,
          });
        }
      } else {
        throw new AppError(
          'unauthenticated',
          'Send X-Device-Token with deviceId in the body, or log in as an administrator',
        );
      }
      const settled = await Promise.allSettled(
        body.readings.map((r): Promise<IngestResult> => {
          const deviceId = r.deviceId ?? body.deviceId;
          if (!deviceId) {
            return Promise.resolve({
              accepted: 0,
              issues: [{ code: 'bad_shape', message: 'deviceId is missing' }],
            });
          }
          if (onlyDevice !== undefined && deviceId !== onlyDevice) {
            return Promise.resolve({
              accepted: 0,
              issues: [
                { code: 'unknown_device', message: `this token may only send readings of ${onlyDevice}` },
              ],
            });
          }
          const message = r.ts === undefined ? { values: r.values } : { ts: r.ts, values: r.values };
          return d.telemetry.ingestMessage(deviceId, message, undefined, { admitted: true, source: 'http' });
        }),
      );
      const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
      if (failed) {
        request.log.warn({ err: failed.reason }, 'telemetry batch not fully stored');
        throw new AppError(
          'unavailable',
          failed.reason instanceof OverloadedError
            ? 'Ingestion is overloaded; send the batch again later'
            : 'Readings could not be stored; send the batch again (duplicates are ignored)',
        );
      }
      const results = settled.map((s, index) => {
        const r = (s as PromiseFulfilledResult<IngestResult>).value;
        return {
          index,
          deviceId: body.readings[index]?.deviceId ?? body.deviceId ?? '',
          accepted: r.accepted,
          errors: r.issues.map((i) => ({
            code: i.code,
            message: i.message,
            ...(i.metric ? { metric: i.metric } : {}),
          })),
        };
      });
      const result = {
        accepted: results.reduce((n, r) => n + r.accepted, 0),
        rejected: results.reduce((n, r) => n + r.errors.length, 0),
        results,
      };
      if (result.accepted === 0) {
        const first = results.find((r) => r.errors.length > 0)?.errors[0];
        throw new AppError(
          'validation_failed',
          `No reading of the batch could be stored${first ? `: ${first.code} (${first.message})` : ''}`,
          result,
        );
      }
      return result;
    },
  );

  app.get(
    '/api/v1/iot/dead-letters',
    {
      // Read by whoever fixes devices: the administrator.
      config: { access: 'config:write' },
      schema: {
        tags: ['iot'],
        summary:
          'Dead letters: rejected telemetry by device and kind, with the last payload (administrators)',
        description:
          'One row per device and rejection code: how many, first and last time, where the last came from ' +
          "and the start of its payload. Ids that are not devices share the row of '(unknown)'. Newest first.",
        querystring: Type.Object({
          deviceId: Type.Optional(Type.String({ maxLength: 64 })),
          code: Type.Optional(Type.String({ maxLength: 40 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
        }),
        response: { 200: Type.Object({ items: Type.Array(DeadLetter) }), ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      principalOf(request);
      const q = request.query;
      const items = await d.stats.deadLetters({
        ...(q.deviceId ? { deviceId: q.deviceId } : {}),
        ...(q.code ? { code: q.code } : {}),
        limit: q.limit ?? 100,
      });
      return { items };
    },
  );

  app.get(
    '/api/v1/devices/:id/readings',
    {
      config: { access: 'iot:read' },
      schema: {
        tags: ['iot'],
        summary: 'Readings of one metric: raw, or 1-minute / 1-hour min, max, average and count',
        params: Type.Object({ id: Type.String() }),
        querystring: Type.Object({
          metric: Type.String({ minLength: 1 }),
          from: Type.Optional(Type.String({ format: 'date-time' })),
          to: Type.Optional(Type.String({ format: 'date-time' })),
          bucket: Type.Optional(Type.Union([Type.Literal('raw'), Type.Literal('1m'), Type.Literal('1h')])),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 1000 })),
        }),
        response: {
          200: Type.Object({
            deviceId: Type.String(),
            metric: Type.String(),
            bucket: Type.String(),
            points: Type.Array(
              Type.Object({
                ts: Type.String(),
                value: Type.Optional(Type.Union([Type.Number(), Type.Boolean(), Type.String(), Type.Null()])),
                min: Type.Optional(Type.Number()),
                max: Type.Optional(Type.Number()),
                avg: Type.Optional(Type.Number()),
                count: Type.Optional(Type.Integer()),
              }),
            ),
          }),
          ...errors(400, 401, 404),
        },
      },
    },
    async (request) => {
      const device = await d.devices.getVisible(principalOf(request), request.params.id);
      const q = request.query;
      const to = q.to ? new Date(q.to) : new Date();
      const from = q.from ? new Date(q.from) : new Date(to.getTime() - DAY);
      if (!(from < to)) throw new AppError('validation_failed', 'from must be before to');
      const bucket = q.bucket ?? 'raw';
      const limit = q.limit ?? 1000;
      if (bucket === 'raw') {
        const isBool = d.directory.type(device.typeId)?.metrics.get(q.metric)?.type === 'boolean';
        const rows = await d.readings.raw(device.id, q.metric, from, to, limit);
        const points = rows.map((r) => ({
          ts: r.ts,
          value: r.txt ?? (isBool && r.num !== null ? r.num === 1 : r.num),
        }));
        return { deviceId: device.id, metric: q.metric, bucket, points };
      }
      const points = await d.readings.rollup(device.id, q.metric, bucket, from, to, limit);
      return { deviceId: device.id, metric: q.metric, bucket, points };
    },
  );

  app.get(
    '/api/v1/ingest/stats',
    {
      config: { access: 'ingest:read' },
      schema: {
        tags: ['iot'],
        summary: 'Ingestion counters: accepted and rejected readings by kind, queue, rules, broker',
        response: { 200: Type.Object({}, { additionalProperties: true }), ...errors(401, 403) },
      },
    },
    async (request) => {
      principalOf(request);
      return { ...d.stats.totals(), sink: d.sink.stats(), rules: d.engineStats(), broker: d.brokerStats() };
    },
  );
}
