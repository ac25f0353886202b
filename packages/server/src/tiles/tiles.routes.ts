import { Type } from '@sinclair/typebox';
import { AppError } from '../errors.ts';
import type { App } from '../http/app.ts';
import { errors } from '../http/schemas.ts';
import { tileLayers } from './tiles.repository.ts';
import type { TilesService } from './tiles.service.ts';

const TileParams = Type.Object({
  layer: Type.Union(
    tileLayers.map((l) => Type.Literal(l)),
    { description: 'The map layer' },
  ),
  z: Type.Integer({ minimum: 0, maximum: 24 }),
  x: Type.Integer({ minimum: 0 }),
  y: Type.Integer({ minimum: 0 }),
});

/**
 * Boundaries anyone may see (the citizen page puts its pin on them); duty grids and components
 * (where every manhole and camera is) stay behind the login.
 */
export const publicTileLayers: ReadonlySet<string> = new Set([
  'districts',
  'streets',
  'communities',
  'unit-grids',
  'roads',
  'water',
]);

export function tilesRoutes(app: App, tiles: TilesService) {
  app.get(
    '/api/v1/tiles/:layer/:z/:x/:y.mvt',
    {
      config: { access: 'public' },
      schema: {
        tags: ['geo'],
        summary: 'A Mapbox Vector Tile of one map layer',
        description:
          'Layers districts, streets, communities, unit-grids, duty-grids, water (polygons), roads (lines, main ' +
          'roads from zoom 8) and components (points: below zoom 17 one point per 64-pixel cell with its count, ' +
          'level cluster; from 17 each component). The MVT layer is named after the layer; features carry code, ' +
          'name and level, unit grids area_class, roads and water class, components category_code and status. ' +
          '204 when the tile is empty.',
        params: TileParams,
        response: {
          200: Type.Unsafe<Uint8Array>({
            description: 'application/vnd.mapbox-vector-tile',
            type: 'string',
            format: 'binary',
          }),
          204: Type.Null({ description: 'Nothing in this tile' }),
          304: Type.Null({ description: 'Not modified since the ETag sent' }),
          ...errors(400, 401),
        },
      },
    },
    async (request, reply) => {
      const { layer, z, x, y } = request.params;
      if (!request.principal && !publicTileLayers.has(layer)) {
        throw new AppError('unauthenticated', `Log in to see the ${layer} layer`);
      }
      const t = await tiles.tile(layer, z, x, y, request.headers['if-none-match']);
      // Only the browser may cache tiles: the layers behind the login must not sit in shared caches.
      reply.header('cache-control', `private, max-age=${t.maxAge}`);
      if (t.etag) reply.header('etag', t.etag);
      if (t.notModified) return reply.status(304).send(null);
      if (t.body.byteLength === 0) return reply.status(204).send(null);
      return reply
        .header('content-type', 'application/vnd.mapbox-vector-tile')
        .send(Buffer.from(t.body.buffer, t.body.byteOffset, t.body.byteLength));
    },
  );
}
