/**
 * Geocoding for every role doing case work (`catalogue:read`, as locate), the quality report
 * for administrators (`config:write`), and a narrow place search for the citizen page:
 * anonymous, rate-limited per client address, five places at most, text and point only.
 */
import rateLimit from '@fastify/rate-limit';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AppError } from '../errors.ts';
import { type App, principalOf } from '../http/app.ts';
import { errors } from '../http/schemas.ts';
import {
  AddressQualitySchema,
  batchMax,
  CandidateSchema,
  GeocodeAnswer,
  GeocodeBatchAnswer,
  GeocodeBatchBody,
  GeocodeQuery,
  PublicPlace,
  ReverseAnswer,
  ReverseQuery,
} from './geocode.schema.ts';
import type { GeocodeService } from './geocode.service.ts';

/** A 10,000-address batch is a spreadsheet column: well over the default 1 MiB body. */
const batchBodyLimit = 8 * 1024 * 1024;

export interface PlaceSearchLimits {
  /** Place searches one client address may make per minute on the citizen page. */
  perMinute: number;
}

export async function geocodeRoutes(
  app: App,
  geocode: GeocodeService,
  limits: PlaceSearchLimits = { perMinute: 30 },
): Promise<void> {
  app.addSchema(CandidateSchema);
  app.addSchema(GeocodeAnswer);
  app.addSchema(GeocodeBatchAnswer);
  app.addSchema(ReverseAnswer);
  app.addSchema(AddressQualitySchema);
  app.addSchema(PublicPlace);

  app.get(
    '/api/v1/geo/geocode',
    {
      config: { access: 'catalogue:read' },
      schema: {
        tags: ['geo'],
        summary: 'Free Chinese address text → standard addresses, best first (every role doing case work)',
        querystring: GeocodeQuery,
        response: { 200: Type.Ref('GeocodeAnswer'), ...errors(400, 401) },
      },
    },
    async (request) => {
      const { q, area, limit } = request.query;
      if (q.trim() === '') throw new AppError('validation_failed', 'q must name an address', []);
      return { candidates: await geocode.geocode(q, { ...(area ? { area } : {}), limit: limit ?? 5 }) };
    },
  );

  app.post(
    '/api/v1/geo/geocode/batch',
    {
      config: { access: 'catalogue:read' },
      bodyLimit: batchBodyLimit,
      schema: {
        tags: ['geo'],
        summary: `Geocode up to ${batchMax} texts at once: one result per text, in order (every role doing case work)`,
        body: GeocodeBatchBody,
        response: { 200: Type.Ref('GeocodeBatchAnswer'), ...errors(400, 401, 413) },
      },
    },
    async (request) => {
      const texts = request.body;
      const best = await geocode.batch(texts);
      return { results: texts.map((q, i) => ({ q, candidate: best[i] ?? null })) };
    },
  );

  app.get(
    '/api/v1/geo/reverse',
    {
      config: { access: 'catalogue:read' },
      schema: {
        tags: ['geo'],
        summary:
          'A point → the nearest standard address and its distance in metres (every role doing case work)',
        querystring: ReverseQuery,
        response: { 200: Type.Ref('ReverseAnswer'), ...errors(400, 401, 404) },
      },
    },
    async (request) => geocode.reverse(request.query),
  );

  app.get(
    '/api/v1/geo/addresses/quality',
    {
      config: { access: 'config:write' },
      schema: {
        tags: ['geo'],
        summary:
          'Quality of the standard addresses: duplicates, points outside their street, conflicts (admin)',
        querystring: Type.Object({ area: Type.Optional(Type.String({ pattern: '^[0-9]{6,15}$' })) }),
        response: { 200: Type.Ref('AddressQuality'), ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      principalOf(request);
      return geocode.quality(request.query.area);
    },
  );

  await app.register(async (plain) => {
    const scope = plain.withTypeProvider<TypeBoxTypeProvider>();
    await scope.register(rateLimit, {
      timeWindow: 60_000,
      max: limits.perMinute,
      errorResponseBuilder: (_request, context) =>
        new AppError('rate_limited', `Too many requests; try again in ${Math.ceil(context.ttl / 1000)} s`, {
          retryAfterSeconds: Math.ceil(context.ttl / 1000),
        }),
    });
    scope.get(
      '/api/v1/public/places',
      {
        config: { access: 'public' },
        schema: {
          tags: ['public'],
          summary: 'Find a place by its address for a citizen report (no login; rate-limited; five at most)',
          security: [],
          querystring: Type.Object({ q: Type.String({ minLength: 1, maxLength: 100 }) }),
          response: { 200: Type.Array(Type.Ref('PublicPlace')), ...errors(400, 429) },
        },
      },
      async (request) => {
        if (request.query.q.trim() === '')
          throw new AppError('validation_failed', 'q must name an address', []);
        const found = await geocode.geocode(request.query.q, { limit: 5 });
        return found.map(({ text, lng, lat, district, street }) => ({ text, lng, lat, district, street }));
      },
    );
  });
}
