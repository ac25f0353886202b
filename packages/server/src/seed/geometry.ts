/**
 * Geometry building blocks of the demo city, all in PostGIS so that PGlite and PostgreSQL cut
 * the same shapes with the same GEOS. Geometry travels between statements as hex EWKB, which
 * round-trips exactly (GeoJSON text would round coordinates and open hairline gaps).
 */
import type { Rng } from '@onegrid/domain';
import type { Queryable } from '../db/db.ts';

/**
 * Grid size (degrees, ≈ 0.1 mm) of every overlay: a fixed-precision overlay nodes shared edges
 * identically in neighbouring pieces, so they tile without hairline overlaps, and it does not
 * throw on the near-coincident edges real boundary data is full of.
 */
export const overlayPrecision = 1e-9;

/** Metres per degree of latitude near Shanghai, and of longitude at latitude `lat`. */
export const metresPerDegreeLat = 110_900;
export const metresPerDegreeLng = (lat: number) => 111_320 * Math.cos((lat * Math.PI) / 180);

export async function geometryOf(db: Queryable, areaCode: string): Promise<string> {
  const r = await db.query<{ wkb: string | null }>(
    'SELECT ST_AsHEXEWKB(geom) AS wkb FROM areas WHERE code = $1',
    [areaCode],
  );
  const wkb = r.rows[0]?.wkb;
  if (!wkb) throw new Error(`area ${areaCode} has no geometry`);
  return wkb;
}

export interface Cell {
  /** Index of the generating point: cells come back in the order of the caller's list. */
  ord: number;
  /** MultiPolygon, hex EWKB, SRID 4326. */
  wkb: string;
}

/**
 * Cuts `parent` into `n` cells without gaps or overlaps: the Voronoi diagram of `n` seeded random
 * points, clipped to the parent, relaxed `relax` times (Lloyd) so the cells come out of similar
 * size, as real communities and police grids are.
 */
export async function voronoiSplit(
  db: Queryable,
  parentWkb: string,
  n: number,
  rng: Rng,
  relax = 2,
): Promise<Cell[]> {
  if (n < 1) throw new Error('voronoiSplit needs at least one cell');
  if (n === 1) {
    const r = await db.query<{ wkb: string }>(
      'SELECT ST_AsHEXEWKB(ST_Multi(ST_CollectionExtract(ST_MakeValid($1::geometry), 3))) AS wkb',
      [parentWkb],
    );
    return [{ ord: 0, wkb: r.rows[0]!.wkb }];
  }
  for (let attempt = 0; attempt < 4; attempt++) {
    let points = (await randomPoints(db, parentWkb, n, rng)).map((p, ord) => ({ ord, ...p }));
    let cells: Array<Cell & { x: number; y: number }> = [];
    for (let round = 0; round <= relax; round++) {
      cells = await clippedVoronoi(db, parentWkb, points, round === relax);
      if (cells.length !== n) break;
      points = cells.map((c) => ({ ord: c.ord, x: c.x, y: c.y }));
    }
    if (cells.length === n) return cells.map(({ ord, wkb }) => ({ ord, wkb }));
  }
  throw new Error(`could not cut a polygon into ${n} cells`);
}

/**
 * Exactly `n` seeded random points in a polygon. ST_GeneratePoints shares the count out among
 * the parts of a MultiPolygon with rounding, so it can give one more or fewer than asked.
 */
async function randomPoints(
  db: Queryable,
  parentWkb: string,
  n: number,
  rng: Rng,
): Promise<Array<{ x: number; y: number }>> {
  const points: Array<{ x: number; y: number }> = [];
  for (let round = 0; points.length < n && round < 10; round++) {
    const r = await db.query<{ x: number; y: number }>(
      `SELECT ST_X(d.geom) AS x, ST_Y(d.geom) AS y
         FROM ST_Dump(ST_GeneratePoints($1::geometry, $2, $3)) AS d ORDER BY d.path[1]`,
      [parentWkb, n - points.length, rng.seed()],
    );
    points.push(...r.rows);
  }
  return points.slice(0, n);
}

async function clippedVoronoi(
  db: Queryable,
  parentWkb: string,
  points: Array<{ ord: number; x: number; y: number }>,
  withGeometry: boolean,
): Promise<Array<Cell & { x: number; y: number }>> {
  const r = await db.query<{ ord: number; wkb: string | null; x: number; y: number }>(
    `WITH parent AS (SELECT ST_MakeValid($1::geometry) AS g),
     pts AS (
       SELECT t.ord, ST_SetSRID(ST_MakePoint(t.x, t.y), 4326) AS p
         FROM jsonb_to_recordset($2::jsonb) AS t(ord int, x float8, y float8)
     ),
     cells AS (
       SELECT (ST_Dump(ST_VoronoiPolygons(ST_Collect(p), 0, (SELECT g FROM parent)))).geom AS c FROM pts
     ),
     clipped AS (
       SELECT pts.ord, ST_CollectionExtract(ST_Intersection(cells.c, parent.g, $3), 3) AS g
         FROM pts JOIN cells ON ST_Contains(cells.c, pts.p) CROSS JOIN parent
     )
     SELECT ord, CASE WHEN $4 THEN ST_AsHEXEWKB(ST_Multi(g)) END AS wkb, ST_X(c) AS x, ST_Y(c) AS y
       FROM clipped,
       LATERAL (SELECT CASE WHEN ST_Intersects(ST_Centroid(g), g) THEN ST_Centroid(g)
                            ELSE ST_PointOnSurface(g) END AS c) AS centre
      WHERE NOT ST_IsEmpty(g)
      ORDER BY ord`,
    [parentWkb, JSON.stringify(points), overlayPrecision, withGeometry],
  );
  return r.rows.map((row) => ({ ord: row.ord, wkb: row.wkb ?? '', x: row.x, y: row.y }));
}
