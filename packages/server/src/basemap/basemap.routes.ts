/**
 * The base map: what the browser draws under our layers (anyone: the citizen page has a map),
 * and the tiles of a PMTiles archive OneGrid serves itself. docs/basemap.md.
 */
import { Type } from '@sinclair/typebox';
import { AppError } from '../errors.ts';
import type { App } from '../http/app.ts';
import { errors } from '../http/schemas.ts';
import type { BasemapService } from './basemap.service.ts';

const BasemapViewSchema = Type.Object(
  {
    kind: Type.Union([
      Type.Literal('none'),
      Type.Literal('raster'),
      Type.Literal('vector'),
      Type.Literal('style'),
    ]),
    crs: Type.Union([Type.Literal('wgs84'), Type.Literal('gcj02')]),
    tiles: Type.Optional(Type.Array(Type.String())),
    labels: Type.Optional(Type.Array(Type.String())),
    style: Type.Optional(Type.String()),
    minzoom: Type.Optional(Type.Integer()),
    maxzoom: Type.Optional(Type.Integer()),
    attribution: Type.Optional(Type.String()),
    vectorLayers: Type.Optional(
      Type.Array(Type.Object({ id: Type.String(), geometry: Type.Optional(Type.String()) })),
    ),
  },
  { $id: 'BasemapView' },
);

const TileParams = Type.Object({
  z: Type.Integer({ minimum: 0, maximum: 24 }),
  x: Type.Integer({ minimum: 0 }),
  y: Type.Integer({ minimum: 0 }),
});

export function basemapRoutes(app: App, basemap: BasemapService) {
  app.addSchema(BasemapViewSchema);
  app.get(
    '/api/v1/public/basemap',
    {
      config: { access: 'public' },
      schema: {
        tags: ['geo'],
        summary: 'The base map drawn under OneGrid’s layers (ONEGRID_BASEMAP)',
        description:
          'kind none: OneGrid’s own roads and water layers; raster or vector: tile URLs (relative ones are ' +
          'OneGrid’s own PMTiles), with the CRS they are drawn in (gcj02 tiles are shifted by the web app); ' +
          'style: a MapLibre style document drawn under OneGrid’s layers.',
        response: { 200: Type.Ref(BasemapViewSchema) },
      },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return basemap.view();
    },
  );

  app.get(
    '/api/v1/basemap/tiles/:z/:x/:y',
    {
      config: { access: 'public' },
      schema: {
        tags: ['geo'],
        summary: 'A tile of the PMTiles archive set in ONEGRID_BASEMAP',
        description: '204 when the archive has no tile there, 404 when no archive is configured.',
        params: TileParams,
        response: {
          200: Type.Unsafe<Uint8Array>({ description: 'the tile', type: 'string', format: 'binary' }),
          204: Type.Null({ description: 'No tile there' }),
          ...errors(400, 404),
        },
      },
    },
    async (request, reply) => {
      const { z, x, y } = request.params;
      if (basemap.basemap.kind !== 'pmtiles') {
        throw new AppError('not_found', 'No PMTiles base map is configured (ONEGRID_BASEMAP=pmtiles:<file>)');
      }
      if (x >= 2 ** z || y >= 2 ** z) {
        throw new AppError('validation_failed', `Tile ${z}/${x}/${y} does not exist at zoom ${z}`);
      }
      const tile = await basemap.tile(z, x, y);
      // Public map data: shared caches may keep it.
      reply.header('cache-control', 'public, max-age=86400');
      if (!tile) return reply.status(204).send(null);
      return reply.header('content-type', tile.contentType).send(tile.body);
    },
  );
}
