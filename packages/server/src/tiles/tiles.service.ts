import type { Engine } from '../db/db.ts';
import { AppError } from '../errors.ts';
import type { TileLayer, TileMode, TilesRepository } from './tiles.repository.ts';

export interface TilesDeps {
  repo: TilesRepository;
  engine: Engine;
  /** The current geo_revision: polygon tiles change only when it moves. */
  revision: () => Promise<number>;
  /** The base map's revision (roads, water): their tiles change only when it moves. */
  basemapRevision?: () => Promise<number>;
  /** Overrides the choice by engine (tests compare both ways on PostgreSQL). */
  mode?: TileMode;
}

export interface TileAnswer {
  /** Empty when nothing is in the tile. */
  body: Uint8Array;
  /** Absent for components, which change without touching geo_revision. */
  etag: string | undefined;
  /** Seconds a client may reuse the tile without asking. */
  maxAge: number;
  notModified: boolean;
}

/** Bump when the tile format or simplification changes, so clients do not keep old tiles. */
const FORMAT = 1;

const basemapLayers: ReadonlySet<TileLayer> = new Set(['roads', 'water']);

export function tilesService({ repo, engine, revision, basemapRevision, mode }: TilesDeps) {
  // PGlite's PostGIS has no protobuf-c, so ST_AsMVT fails there ("Compiled without protobuf-c support").
  const tileMode: TileMode = mode ?? (engine === 'postgres' ? 'native' : 'portable');
  return {
    mode: tileMode,
    async tile(layer: TileLayer, z: number, x: number, y: number, ifNoneMatch?: string): Promise<TileAnswer> {
      const n = 2 ** z;
      if (x >= n || y >= n) {
        throw new AppError(
          'validation_failed',
          `Tile ${z}/${x}/${y} does not exist: x and y must be below ${n} at zoom ${z}`,
        );
      }
      const etag =
        layer === 'components'
          ? undefined
          : basemapLayers.has(layer)
            ? `W/"b${basemapRevision ? await basemapRevision() : 0}-f${FORMAT}"`
            : `W/"g${await revision()}-f${FORMAT}"`;
      const maxAge = layer === 'components' ? 10 : 60;
      if (etag && ifNoneMatch?.split(/\s*,\s*/).includes(etag)) {
        return { body: new Uint8Array(0), etag, maxAge, notModified: true };
      }
      const body = await repo.tile(layer, z, x, y, tileMode);
      return { body, etag, maxAge, notModified: false };
    },
  };
}

export type TilesService = ReturnType<typeof tilesService>;
