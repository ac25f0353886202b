import type { Db } from '../db/db.ts';
import type { App } from '../http/app.ts';
import type { Logger } from '../logger.ts';
import { tilesRepository } from '../tiles/tiles.repository.ts';
import { tilesRoutes } from '../tiles/tiles.routes.ts';
import { type TilesService, tilesService } from '../tiles/tiles.service.ts';
import { geoRepository } from './geo.repository.ts';
import { geoRoutes } from './geo.routes.ts';
import { type GeoService, geoService } from './geo.service.ts';
import { geocodeRoutes } from './geocode.routes.ts';
import { type GeocodeService, geocodeService } from './geocode.service.ts';

export interface Geo {
  service: GeoService;
  tiles: TilesService;
  geocode: GeocodeService;
  /** Mounts locate and tiles and starts loading the locate index in the background. */
  mount(app: App): Promise<void>;
  close(): Promise<void>;
}

/** The geo capability wired up: locate (in-memory index over PostGIS) and vector tiles. */
export function createGeo({ db, log }: { db: Db; log: Logger }): Geo {
  const repo = geoRepository(db);
  const service = geoService({ repo, log: log.child({ category: 'geo' }) });
  const tiles = tilesService({ repo: tilesRepository(db), engine: db.engine, revision: repo.revision });
  const geocode = geocodeService({ db });
  return {
    service,
    tiles,
    geocode,
    async mount(app) {
      geoRoutes(app, service);
      await geocodeRoutes(app, geocode);
      tilesRoutes(app, tiles);
      service.start();
    },
    close: () => service.close(),
  };
}
