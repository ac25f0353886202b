import Point from '@mapbox/point-geometry';
import { fromVectorTileJs, type VectorTileFeatureLike } from '@maplibre/vt-pbf';

export const TILE_EXTENT = 4096;

export type TileProperties = Record<string, string | number | boolean>;

/** A feature already in tile pixel space (0 … 4096, y down), as PostGIS clipped and snapped it. */
export interface TileFeature {
  properties: TileProperties;
  geometry: TileGeometry;
}

/** The GeoJSON geometries PostGIS hands back for a tile: polygons, lines and points. */
export type TileGeometry =
  | { type: 'Point'; coordinates: number[] }
  | { type: 'MultiPoint'; coordinates: number[][] }
  | { type: 'LineString'; coordinates: number[][] }
  | { type: 'MultiLineString'; coordinates: number[][][] }
  | { type: 'Polygon'; coordinates: number[][][] }
  | { type: 'MultiPolygon'; coordinates: number[][][][] };

/** Twice the signed area of a closed ring by the surveyor's formula, in tile coordinates. */
function area2(ring: Point[]): number {
  let sum = 0;
  for (let i = 0; i + 1 < ring.length; i++) sum += ring[i]!.x * ring[i + 1]!.y - ring[i + 1]!.x * ring[i]!.y;
  return sum;
}

/**
 * Rings in the order and winding the MVT spec wants: each exterior ring with a positive area in
 * tile coordinates (clockwise on screen, y down), followed by its holes with a negative area.
 * Rings that snapping collapsed are dropped, and a polygon whose shell collapsed goes with it.
 */
function polygonRings(polygons: number[][][][]): Point[][] {
  const out: Point[][] = [];
  for (const polygon of polygons) {
    for (let r = 0; r < polygon.length; r++) {
      const ring = polygon[r]!.map(([x, y]) => new Point(Math.round(x!), Math.round(y!)));
      const a = area2(ring);
      if (ring.length < 4 || a === 0) {
        if (r === 0) break;
        continue;
      }
      if ((r === 0) !== a > 0) ring.reverse();
      out.push(ring);
    }
  }
  return out;
}

/** A line's positions on the integer grid, without repeats that snapping made. */
function line(coordinates: number[][]): Point[] {
  const out: Point[] = [];
  for (const [x, y] of coordinates) {
    const p = new Point(Math.round(x!), Math.round(y!));
    const last = out[out.length - 1];
    if (!last || last.x !== p.x || last.y !== p.y) out.push(p);
  }
  return out;
}

function toFeature(f: TileFeature): VectorTileFeatureLike | undefined {
  const g = f.geometry;
  let type: 1 | 2 | 3;
  let rings: Point[][];
  switch (g.type) {
    case 'Point':
      type = 1;
      rings = [[new Point(Math.round(g.coordinates[0]!), Math.round(g.coordinates[1]!))]];
      break;
    case 'MultiPoint':
      type = 1;
      rings = [g.coordinates.map(([x, y]) => new Point(Math.round(x!), Math.round(y!)))];
      break;
    case 'LineString':
      type = 2;
      rings = [line(g.coordinates)].filter((l) => l.length >= 2);
      break;
    case 'MultiLineString':
      type = 2;
      rings = g.coordinates.map(line).filter((l) => l.length >= 2);
      break;
    case 'Polygon':
      type = 3;
      rings = polygonRings([g.coordinates]);
      break;
    case 'MultiPolygon':
      type = 3;
      rings = polygonRings(g.coordinates);
      break;
  }
  if (rings.length === 0 || rings[0]!.length === 0) return undefined;
  return { type, properties: f.properties, id: undefined, extent: TILE_EXTENT, loadGeometry: () => rings };
}

/**
 * Encodes one layer as a Mapbox Vector Tile (spec 2.1) with @maplibre/vt-pbf: the path for
 * engines without ST_AsMVT (PGlite's PostGIS is built without protobuf-c). Empty when no feature
 * survives.
 */
export function encodeLayer(name: string, features: TileFeature[]): Uint8Array {
  const encoded = features.map(toFeature).filter((f): f is VectorTileFeatureLike => f !== undefined);
  if (encoded.length === 0) return new Uint8Array(0);
  return fromVectorTileJs({
    layers: {
      [name]: {
        version: 2,
        name,
        extent: TILE_EXTENT,
        length: encoded.length,
        feature: (i: number) => encoded[i]!,
      },
    },
  });
}
