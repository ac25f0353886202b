import type { Queryable } from '../db/db.ts';
import { encodeLayer, TILE_EXTENT, type TileFeature, type TileGeometry, type TileProperties } from './mvt.ts';

export const tileLayers = [
  'districts',
  'streets',
  'communities',
  'unit-grids',
  'duty-grids',
  'components',
  'roads',
  'water',
] as const;
export type TileLayer = (typeof tileLayers)[number];

/** How a tile is made: ST_AsMVT in PostGIS, or clipped in PostGIS and encoded in Node. */
export type TileMode = 'native' | 'portable';

interface LayerSource {
  kind: 'polygon' | 'point' | 'line';
  /** Below this zoom the layer is an empty tile. */
  minZoom: number;
  /** Table with alias `t` and its filter. */
  from: string;
  /** The MVT properties: output name → SQL expression over `t`. */
  properties: Record<string, string>;
}

const area = (level: string): LayerSource => ({
  kind: 'polygon',
  minZoom: 0,
  from: `areas t WHERE t.level = '${level}'`,
  properties: { code: 't.code', name: 't.name', level: `'${level}'::text` },
});

const sources: Record<TileLayer, LayerSource> = {
  districts: area('district'),
  streets: area('street'),
  communities: area('community'),
  'unit-grids': {
    kind: 'polygon',
    minZoom: 0,
    from: 'unit_grids t WHERE true',
    properties: { code: 't.code', name: 't.code', level: `'unit-grid'::text`, area_class: 't.area_class' },
  },
  'duty-grids': {
    kind: 'polygon',
    minZoom: 0,
    from: 'duty_grids t WHERE true',
    properties: { code: 't.code', name: 't.name', level: `'duty-grid'::text` },
  },
  components: {
    kind: 'point',
    minZoom: 13,
    from: 'components t WHERE true',
    properties: {
      code: 't.id',
      name: 't.name',
      level: `'component'::text`,
      category_code: 't.category_code',
      status: 't.status',
    },
  },
  // The base map in our own style: main roads from zoom 8, small ones from 14 (roads.min_zoom).
  roads: {
    kind: 'line',
    minZoom: 8,
    from: 'roads t WHERE t.min_zoom <= $1',
    properties: { code: 't.code', name: "coalesce(t.name, '')", class: 't.class' },
  },
  water: {
    kind: 'polygon',
    minZoom: 0,
    from: 'water t WHERE true',
    properties: { code: 't.code', name: "coalesce(t.name, '')", class: 't.class' },
  },
};

/**
 * Below this zoom a components tile holds clusters (one point per 64-pixel cell with its count)
 * instead of every manhole cover: street zoom shows where components are without a carpet of
 * dots over the case pins.
 */
export const componentsClusterBelow = 17;
/** Cells per tile side when clustering (64 screen pixels at 256-pixel tiles). */
const CLUSTER_CELLS = 4;

export function layerMinZoom(layer: TileLayer): number {
  return sources[layer].minZoom;
}

/** Half the width of the Web Mercator world in metres (EPSG:3857), as ST_TileEnvelope has it. */
const WORLD = 20037508.342789244;
/** Metres per degree of longitude in EPSG:3857. */
const DEG_M = (WORLD * 2) / 360;
/** The latitude of the northern edge of tile row y at zoom z. */
const tileLat = (y: number, z: number) =>
  (Math.atan(Math.sinh(Math.PI * (1 - (2 * y) / 2 ** z))) * 180) / Math.PI;
/** Geometry reaching this far outside the tile (in tile units) is kept, so strokes join across tiles. */
const BUFFER = 64;

/**
 * The features of the tile, simplified for its zoom: vertices closer than one tile unit
 * (1/16 of a screen pixel) are dropped, and polygons smaller than one screen pixel are left out,
 * so the z8 tile of a whole city's unit grids is small. Same selection on both engines; only
 * the last step (encoding) differs.
 */
function selection(source: LayerSource): string {
  const props = Object.entries(source.properties)
    .map(([name, expr]) => `${expr} AS ${name}`)
    .join(', ');
  const filter = `t.geom && ST_Transform(ST_TileEnvelope($1, $2, $3, margin => ${BUFFER / TILE_EXTENT}), 4326)`;
  if (source.kind === 'line') {
    return `SELECT * FROM (
        SELECT ${props}, ST_Simplify(ST_Transform(t.geom, 3857), $4::float8) AS g
        FROM ${source.from} AND ${filter}
      ) s WHERE NOT ST_IsEmpty(s.g) ORDER BY s.code COLLATE "C"`;
  }
  if (source.kind === 'point') {
    return `SELECT * FROM (
        SELECT ${props}, ST_Transform(t.geom, 3857) AS g FROM ${source.from} AND ${filter}
      ) s ORDER BY s.code COLLATE "C"`;
  }
  return `SELECT * FROM (
      SELECT ${props}, ST_Simplify(ST_Transform(t.geom, 3857), $4::float8, true) AS g
      FROM ${source.from} AND ${filter} AND ST_Area(t.geom) >= $6::float8
    ) s WHERE ST_Area(s.g) >= $5::float8 ORDER BY s.code COLLATE "C"`;
}

/**
 * Components counted per cell of the tile, a point at their centroid. The cells are aligned on
 * tile edges (the grid's origin is the Mercator origin, and the tile size is a whole number of
 * cells), and only points inside the tile itself are counted, so no cluster is drawn twice.
 */
const clusterSelection = `SELECT 'k' || (row_number() OVER (ORDER BY ST_X(s.g), ST_Y(s.g)))::text AS code,
    s.n AS count, 'cluster'::text AS level, s.g
  FROM (
    SELECT count(*)::int AS n, ST_Centroid(ST_Collect(p.g)) AS g
    FROM (SELECT ST_Transform(t.geom, 3857) AS g FROM components t
          WHERE t.geom && ST_Transform(ST_TileEnvelope($1, $2, $3), 4326)) p
    WHERE ST_Intersects(p.g, ST_TileEnvelope($1, $2, $3))
    GROUP BY ST_SnapToGrid(p.g, $4::float8)
  ) s`;

export interface TilesRepository {
  tile(layer: TileLayer, z: number, x: number, y: number, mode: TileMode): Promise<Uint8Array>;
}

export function tilesRepository(db: Queryable): TilesRepository {
  return {
    async tile(layer, z, x, y, mode) {
      const source = sources[layer];
      if (z < source.minZoom) return new Uint8Array(0);
      const size = (2 * WORLD) / 2 ** z;
      const unit = size / TILE_EXTENT;
      // $4 simplification tolerance and $5 smallest area kept (1 screen pixel = 16 × 16 units), in m².
      // $6 is $5 in square degrees, over-estimating how much Mercator enlarges a polygon at this
      // tile's latitude: a cheap planar test that spares a transform of every grid at low zoom.
      const params: unknown[] = [z, x, y];
      if (source.kind === 'polygon') {
        const minArea = 256 * unit * unit;
        const poleward = Math.min(89, Math.max(Math.abs(tileLat(y, z)), Math.abs(tileLat(y + 1, z))) + 1);
        const m2PerDeg2 = (DEG_M / Math.cos((poleward * Math.PI) / 180)) ** 2;
        params.push(unit, minArea, minArea / m2PerDeg2);
      }
      if (source.kind === 'line') params.push(unit);
      const cluster = layer === 'components' && z < componentsClusterBelow;
      if (cluster) params.push(size / CLUSTER_CELLS);
      const names = cluster ? ['code', 'count', 'level'] : Object.keys(source.properties);
      const selected = cluster ? clusterSelection : selection(source);

      if (mode === 'native') {
        const r = await db.query<{ tile: Uint8Array | null }>(
          `WITH f AS (${selected})
           SELECT ST_AsMVT(m.*, '${layer}', ${TILE_EXTENT}, 'geom') AS tile FROM (
             SELECT ${names.join(', ')},
               ST_AsMVTGeom(f.g, ST_TileEnvelope($1, $2, $3), ${TILE_EXTENT}, ${BUFFER}, true) AS geom
             FROM f
           ) m WHERE m.geom IS NOT NULL`,
          params,
        );
        return r.rows[0]?.tile ?? new Uint8Array(0);
      }

      // Tile pixel space: x right from the tile's west edge, y down from its north edge.
      const xmin = -WORLD + x * size;
      const ymax = WORLD - y * size;
      const scale = TILE_EXTENT / size;
      // Into pixels and onto the integer grid first, then clipped to the buffered tile and snapped
      // again: the order ST_AsMVTGeom follows, so both paths cut edges at the same points.
      const pixels = `ST_SnapToGrid(ST_Affine(f.g, ${scale}, 0, 0, ${-scale}, ${-xmin * scale}, ${ymax * scale}), 1)`;
      const box = `ST_MakeEnvelope(${-BUFFER}, ${-BUFFER}, ${TILE_EXTENT + BUFFER}, ${TILE_EXTENT + BUFFER})`;
      const clipped =
        source.kind === 'polygon' && !cluster
          ? `ST_CollectionExtract(ST_SnapToGrid(ST_ClipByBox2D(${pixels}, ${box}), 1), 3)`
          : source.kind === 'line'
            ? `ST_CollectionExtract(ST_SnapToGrid(ST_ClipByBox2D(${pixels}, ${box}), 1), 2)`
            : pixels;
      const r = await db.query<Record<string, unknown>>(
        `WITH f AS (${selected})
         SELECT ${names.join(', ')}, ST_AsGeoJSON(c.px) AS gj
         FROM (SELECT ${names.join(', ')}, ${clipped} AS px FROM f) c
         WHERE NOT ST_IsEmpty(c.px)`,
        params,
      );
      const features: TileFeature[] = [];
      for (const row of r.rows) {
        const properties: TileProperties = {};
        for (const n of names) {
          const v = row[n];
          if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') properties[n] = v;
        }
        features.push({ properties, geometry: JSON.parse(String(row.gj)) as TileGeometry });
      }
      return encodeLayer(layer, features);
    },
  };
}
