/**
 * Polygon geometry as the geo index keeps it: each ring a closed run of interleaved x,y
 * coordinates (first point repeated last, as in WKB and GeoJSON), ring 0 the shell, the rest
 * holes. Flat typed arrays because the locate hot path reads millions of coordinates a second.
 */
export type FlatRing = Float64Array;
export type FlatPolygon = FlatRing[];
export type FlatMultiPolygon = FlatPolygon[];

/** GeoJSON-style nested coordinates, as importers and tests write them. */
export type Position = readonly number[];
export type PolygonCoords = readonly (readonly Position[])[];
export type MultiPolygonCoords = readonly PolygonCoords[];

export function ringFromPositions(ring: readonly Position[]): FlatRing {
  const needsClosing = ring.length > 0 && !samePosition(ring[0]!, ring[ring.length - 1]!);
  const out = new Float64Array((ring.length + (needsClosing ? 1 : 0)) * 2);
  ring.forEach((p, i) => {
    out[i * 2] = p[0]!;
    out[i * 2 + 1] = p[1]!;
  });
  if (needsClosing) {
    out[ring.length * 2] = ring[0]![0]!;
    out[ring.length * 2 + 1] = ring[0]![1]!;
  }
  return out;
}

function samePosition(a: Position, b: Position): boolean {
  return a[0] === b[0] && a[1] === b[1];
}

export function fromPolygonCoords(polygon: PolygonCoords): FlatMultiPolygon {
  return [polygon.map(ringFromPositions)];
}

export function fromMultiPolygonCoords(multi: MultiPolygonCoords): FlatMultiPolygon {
  return multi.map((polygon) => polygon.map(ringFromPositions));
}

export function toMultiPolygonCoords(geometry: FlatMultiPolygon): number[][][][] {
  return geometry.map((polygon) =>
    polygon.map((ring) => {
      const out: number[][] = [];
      for (let i = 0; i < ring.length; i += 2) out.push([ring[i]!, ring[i + 1]!]);
      return out;
    }),
  );
}

export interface BBox {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

/** The bounding box of a ring list (a polygon's shell is enough, holes lie inside it). */
export function bboxOf(rings: readonly FlatRing[]): BBox {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const ring of rings) {
    for (let i = 0; i < ring.length; i += 2) {
      const x = ring[i]!;
      const y = ring[i + 1]!;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
  }
  return { minX, minY, maxX, maxY };
}

/** Twice the signed area (shoelace): positive for a counter-clockwise ring in x-right, y-up axes. */
export function ringArea2(ring: FlatRing): number {
  let sum = 0;
  for (let i = 0; i + 3 < ring.length; i += 2) {
    sum += ring[i]! * ring[i + 3]! - ring[i + 2]! * ring[i + 1]!;
  }
  return sum;
}
