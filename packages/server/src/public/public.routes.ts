/**
 * Citizen reporting, open without a login: report, upload a photo, follow a report by number.
 * Each route is rate-limited per client address, in a scope of its own so that no other route
 * is counted; a refusal is OneGrid's 429 `rate_limited` with a Retry-After header.
 */
import rateLimit from '@fastify/rate-limit';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AppError } from '../errors.ts';
import type { App } from '../http/app.ts';
import { errors } from '../http/schemas.ts';
import { uploadedBytes } from '../http/upload.ts';
import {
  PublicCategory,
  PublicPhoto,
  PublicReportBody,
  PublicReportReceipt,
  PublicReportView,
} from './public.schema.ts';
import type { PublicService } from './public.service.ts';

export interface PublicLimits {
  /** Reports one address may send per minute. */
  reportsPerMinute: number;
  uploadsPerMinute: number;
  /** Look-ups by number per minute (numbers are sequential: this slows down walking them). */
  lookupsPerMinute: number;
}

export const defaultPublicLimits: PublicLimits = {
  reportsPerMinute: 10,
  uploadsPerMinute: 30,
  lookupsPerMinute: 60,
};

export async function publicRoutes(
  app: App,
  service: PublicService,
  limits: PublicLimits = defaultPublicLimits,
): Promise<void> {
  app.addSchema(PublicReportReceipt);
  app.addSchema(PublicReportView);
  app.addSchema(PublicPhoto);
  app.addSchema(PublicCategory);

  await app.register(async (plain) => {
    const scope = plain.withTypeProvider<TypeBoxTypeProvider>();
    await scope.register(rateLimit, {
      timeWindow: 60_000,
      max: limits.lookupsPerMinute,
      errorResponseBuilder: (_request, context) =>
        new AppError('rate_limited', `Too many requests; try again in ${Math.ceil(context.ttl / 1000)} s`, {
          retryAfterSeconds: Math.ceil(context.ttl / 1000),
        }),
    });

    scope.post(
      '/api/v1/public/reports',
      {
        // 0 (ONEGRID_RATE_LIMIT_PUBLIC_REPORTS=0) lifts the limit for load tests.
        config: {
          access: 'public',
          rateLimit: { max: limits.reportsPerMinute || Number.MAX_SAFE_INTEGER, timeWindow: 60_000 },
        },
        schema: {
          tags: ['public'],
          summary:
            'Report a problem without an account (公众举报). With an idempotencyKey a retry returns the first report (200).',
          security: [],
          body: PublicReportBody,
          response: {
            200: Type.Ref('PublicReportReceipt'),
            201: Type.Ref('PublicReportReceipt'),
            ...errors(400, 429),
          },
        },
      },
      async (request, reply) => {
        const r = await service.report(request.body);
        return reply.status(r.replayed ? 200 : 201).send(r.receipt);
      },
    );

    scope.get(
      '/api/v1/public/reports/:number',
      {
        config: { access: 'public', rateLimit: { max: limits.lookupsPerMinute, timeWindow: 60_000 } },
        schema: {
          tags: ['public'],
          summary:
            'Follow a report by its number and the key its receipt gave (查询码): status and its changes, nothing personal',
          security: [],
          params: Type.Object({ number: Type.String({ pattern: '^[A-Za-z0-9-]{1,40}$' }) }),
          querystring: Type.Object({
            key: Type.String({
              minLength: 4,
              maxLength: 20,
              pattern: '^[A-Za-z0-9 -]+$',
              description: "the receipt's trackingKey",
            }),
          }),
          response: { 200: Type.Ref('PublicReport'), ...errors(400, 404, 429) },
        },
      },
      async (request, reply) => {
        reply.header('cache-control', 'no-store');
        return service.track(request.params.number, request.query.key);
      },
    );

    scope.get(
      '/api/v1/public/reports/:number/photos/:photoId',
      {
        config: { access: 'public', rateLimit: { max: limits.lookupsPerMinute, timeWindow: 60_000 } },
        schema: {
          tags: ['public'],
          summary: 'An after-photo of a closed report (处置后照片), for whoever holds its number and key',
          security: [],
          params: Type.Object({
            number: Type.String({ pattern: '^[A-Za-z0-9-]{1,40}$' }),
            photoId: Type.String({ pattern: '^[A-Za-z0-9_-]{1,80}$' }),
          }),
          querystring: Type.Object({
            key: Type.String({ minLength: 4, maxLength: 20, pattern: '^[A-Za-z0-9 -]+$' }),
          }),
        },
      },
      async (request, reply) => {
        const p = await service.resultPhoto(request.params.number, request.query.key, request.params.photoId);
        return reply
          .header('content-type', p.mime)
          .header('cache-control', 'private, no-store')
          .header('x-content-type-options', 'nosniff')
          .send(p.bytes);
      },
    );

    scope.get(
      '/api/v1/public/categories',
      {
        config: { access: 'public' },
        schema: {
          tags: ['public'],
          summary: 'The matters a citizen can report (current standard, active), with confusable-pair hints',
          security: [],
          response: { 200: Type.Array(Type.Ref('PublicCategory')), ...errors(429) },
        },
      },
      async (_request, reply) => {
        // The catalogue changes rarely; a minute of caching spares the rate limit on a busy page.
        reply.header('cache-control', 'public, max-age=60');
        return service.categories();
      },
    );

    scope.post(
      '/api/v1/public/attachments',
      {
        config: { access: 'public', rateLimit: { max: limits.uploadsPerMinute, timeWindow: 60_000 } },
        schema: {
          tags: ['public'],
          summary: 'Upload one photo for a report (multipart field "file"; JPEG, PNG, WebP or HEIC)',
          security: [],
          consumes: ['multipart/form-data'],
          response: { 201: Type.Ref('PublicPhoto'), ...errors(400, 413, 415, 429) },
        },
      },
      async (request, reply) => {
        const bytes = await uploadedBytes(request, service.maxUploadBytes);
        return reply.status(201).send(await service.uploadPhoto(bytes));
      },
    );
  });
}
