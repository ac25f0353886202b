import type { Basemap } from '../basemap/basemap.config.ts';
import { basemapRoutes } from '../basemap/basemap.routes.ts';
import { basemapService } from '../basemap/basemap.service.ts';
import type { Db } from '../db/db.ts';
import type { Logger } from '../logger.ts';
import type { Module } from '../roles/roles.ts';
import { tilesRepository } from '../tiles/tiles.repository.ts';
import { tilesRoutes } from '../tiles/tiles.routes.ts';
import { type TilesService, tilesService } from '../tiles/tiles.service.ts';
import { geoRepository } from './geo.repository.ts';
import { geoRoutes } from './geo.routes.ts';
import { type GeoService, geoService } from './geo.service.ts';
import { geocodeRoutes } from './geocode.routes.ts';
import { type GeocodeService, geocodeService } from './geocode.service.ts';

export interface Geo extends Module {
  service: GeoService;
  tiles: TilesService;
  geocode: GeocodeService;
}

/** The geo capability wired up: locate (in-memory index over PostGIS) and vector tiles. */
export function createGeo({ db, log, basemap }: { db: Db; log: Logger; basemap?: Basemap }): Geo {
  const repo = geoRepository(db);
  const service = geoService({ repo, log: log.child({ category: 'geo' }) });
  const tiles = tilesService({
    repo: tilesRepository(db),
    engine: db.engine,
    revision: repo.revision,
    basemapRevision: async () =>
      Number(
        (await db.query<{ r: number }>('SELECT revision::float8 AS r FROM basemap_revision')).rows[0]?.r ?? 0,
      ),
  });
  const base = basemapService(basemap ?? { kind: 'none' });
  const geocode = geocodeService({ db });
  return {
    name: 'geo',
    service,
    tiles,
    geocode,
    async routes(app) {
      geoRoutes(app, service);
      await geocodeRoutes(app, geocode);
      tilesRoutes(app, tiles);
      basemapRoutes(app, base);
    },
    jobs: [
      {
        // Locate answers from PostGIS until the index is loaded; load it at start where cases are filed.
        name: 'geo.index',
        roles: ['api', 'ingest', 'scheduler'],
        start: () => service.start(),
        close: async () => {},
      },
    ],
    close: async () => {
      await service.close();
      await base.close();
    },
  };
}
