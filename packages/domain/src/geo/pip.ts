import type { FlatMultiPolygon, FlatPolygon } from './geometry.ts';

/**
 * Point in polygon with the boundary as a third answer.
 *
 * PostGIS stays the source of truth, so this follows its point-in-polygon step of ST_Intersects
 * (liblwgeom `itree_point_in_ring`, and `point_in_ring` before 3.5) operation for operation:
 * Sunday's winding number, the same side determinant in the same order, exact `side === 0` plus
 * a bounding test for "on the edge", zero-length edges skipped. Same IEEE doubles, same
 * operations → the same answer for every point, including points a rounding error away from an
 * edge, which is what lets the in-memory index and SQL agree on shared edges and vertices.
 */
export const OUTSIDE = -1;
export const BOUNDARY = 0;
export const INSIDE = 1;
export type PipResult = typeof OUTSIDE | typeof BOUNDARY | typeof INSIDE;

/** Where (x, y) lies against the closed ring stored in c[start .. end) as x,y pairs. */
export function pointInRing(c: Float64Array, start: number, end: number, x: number, y: number): PipResult {
  let wn = 0;
  let x1 = c[start]!;
  let y1 = c[start + 1]!;
  for (let i = start + 2; i < end; i += 2) {
    const x2 = c[i]!;
    const y2 = c[i + 1]!;
    const below1 = y1 <= y;
    const below2 = y2 <= y;
    if (
      // Both ends above, or both strictly below: the edge neither holds the point nor crosses
      // its rightward ray.
      (below1 === below2 && (!below1 || (y1 !== y && y2 !== y))) ||
      // Wholly left of the point: not on it, and (rounding is monotonic) its side never counts.
      (x1 < x && x2 < x) ||
      (x1 === x2 && y1 === y2)
    ) {
      x1 = x2;
      y1 = y2;
      continue;
    }
    const side = (x2 - x1) * (y - y1) - (x - x1) * (y2 - y1);
    // Collinear and inside the segment's box (y and the right end are known to be): on it.
    if (side === 0 && x >= Math.min(x1, x2)) return BOUNDARY;
    if (below1 && y < y2 && side > 0) wn++;
    else if (below2 && y < y1 && side < 0) wn--;
    x1 = x2;
    y1 = y2;
  }
  return wn === 0 ? OUTSIDE : INSIDE;
}

/** Where (x, y) lies against one polygon: its shell, then its holes. */
export function pointInPolygon(polygon: FlatPolygon, x: number, y: number): PipResult {
  const shell = polygon[0];
  if (!shell || shell.length < 8) return OUTSIDE;
  const r = pointInRing(shell, 0, shell.length, x, y);
  if (r !== INSIDE) return r;
  for (let h = 1; h < polygon.length; h++) {
    const hole = polygon[h]!;
    if (hole.length < 8) continue;
    const inHole = pointInRing(hole, 0, hole.length, x, y);
    if (inHole === BOUNDARY) return BOUNDARY;
    if (inHole === INSIDE) return OUTSIDE;
  }
  return INSIDE;
}

/** ST_Intersects(multipolygon, point): inside or on the boundary of any part. */
export function intersectsPoint(geometry: FlatMultiPolygon, x: number, y: number): boolean {
  for (const polygon of geometry) {
    if (pointInPolygon(polygon, x, y) !== OUTSIDE) return true;
  }
  return false;
}
