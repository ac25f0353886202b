import { Type } from '@sinclair/typebox';
import { AppError } from '../errors.ts';
import type { App } from '../http/app.ts';
import { errors } from '../http/schemas.ts';
import { LocateQuery, LocationSchema } from './geo.schema.ts';
import { type GeoService, swappedHint } from './geo.service.ts';

const numeric = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;

export function geoRoutes(app: App, geo: GeoService) {
  app.addSchema(LocationSchema);

  app.get(
    '/api/v1/geo/locate',
    {
      config: { access: 'catalogue:read' },
      schema: {
        tags: ['geo'],
        summary: 'The district, street, community, unit grid and duty grid holding a point',
        querystring: LocateQuery,
        response: { 200: Type.Ref('Location'), ...errors(400, 401, 404) },
      },
      // Before schema validation: the validator would turn an empty `lng=` into 0, and answer a
      // swapped pair with a bare "must be <= 90".
      preValidation: async (request) => {
        const q = request.query as Record<string, unknown>;
        for (const key of ['lng', 'lat']) {
          const v = q[key];
          if (typeof v === 'string' && !numeric.test(v)) {
            throw new AppError('validation_failed', `${key} must be a number, got "${v}"`, [
              { instancePath: `/${key}`, message: 'must be number' },
            ]);
          }
        }
        const lng = Number(q.lng);
        const lat = Number(q.lat);
        const hint = swappedHint(lng, lat);
        if (hint && (lat > 90 || lat < -90)) {
          throw new AppError('validation_failed', `lat must be between -90 and 90, got ${lat}.${hint}`, [
            { instancePath: '/lat', message: 'must be <= 90' },
          ]);
        }
      },
    },
    async (request) => geo.locate(request.query),
  );
}
