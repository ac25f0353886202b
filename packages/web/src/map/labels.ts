/**
 * Label points for areas, made from the tiles the map already has.
 *
 * Labelling polygons straight from vector tiles repeats a name in every tile a district crosses.
 * Instead, for each area code we keep the largest polygon piece seen in any loaded tile (a piece
 * grows as tiles cover more of it) and place one label inside it.
 */
import type { Feature, FeatureCollection, Point, Position } from 'geojson';

type Ring = Position[];
type PolygonCoords = Ring[];

interface Candidate {
  name: string;
  level: string;
  size: number;
  point: Position;
}

function ringArea(ring: Ring): number {
  let a = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const p = ring[i]!;
    const q = ring[j]!;
    a += (q[0]! - p[0]!) * (q[1]! + p[1]!);
  }
  return Math.abs(a / 2);
}

function ringCentroid(ring: Ring): Position {
  let x = 0;
  let y = 0;
  let a = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const p = ring[i]!;
    const q = ring[j]!;
    const f = q[0]! * p[1]! - p[0]! * q[1]!;
    x += (q[0]! + p[0]!) * f;
    y += (q[1]! + p[1]!) * f;
    a += f * 3;
  }
  if (a === 0) return ring[0] ?? [0, 0];
  return [x / a, y / a];
}

/**
 * A point inside the polygon: on the horizontal line through its centroid, the middle of the
 * widest stretch that lies inside (a centroid alone can fall outside a concave district).
 */
export function interiorPoint(polygon: PolygonCoords): Position {
  const outer = polygon[0];
  if (!outer || outer.length < 3) return [0, 0];
  const c = ringCentroid(outer);
  const y = c[1]!;
  const xs: number[] = [];
  for (const ring of polygon) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const p = ring[i]!;
      const q = ring[j]!;
      if (p[1]! > y !== q[1]! > y) xs.push(p[0]! + ((y - p[1]!) * (q[0]! - p[0]!)) / (q[1]! - p[1]!));
    }
  }
  xs.sort((a, b) => a - b);
  let best: Position = c;
  let width = -1;
  for (let i = 0; i + 1 < xs.length; i += 2) {
    const w = xs[i + 1]! - xs[i]!;
    if (w > width) {
      width = w;
      best = [(xs[i]! + xs[i + 1]!) / 2, y];
    }
  }
  return best;
}

export interface AreaFeature {
  properties: Record<string, unknown> | null;
  geometry: { type: string; coordinates?: unknown };
}

export class LabelIndex {
  private readonly best = new Map<string, Candidate>();

  /** Takes in features of one area level; true when a label was added or moved. */
  add(features: readonly AreaFeature[], level: string): boolean {
    let changed = false;
    for (const f of features) {
      const code = f.properties?.code;
      const name = f.properties?.name;
      if (typeof code !== 'string' && typeof code !== 'number') continue;
      if (typeof name !== 'string') continue;
      const polygons: PolygonCoords[] =
        f.geometry.type === 'Polygon'
          ? [f.geometry.coordinates as PolygonCoords]
          : f.geometry.type === 'MultiPolygon'
            ? (f.geometry.coordinates as PolygonCoords[])
            : [];
      for (const polygon of polygons) {
        const outer = polygon[0];
        if (!outer) continue;
        const size = ringArea(outer);
        const key = `${level}:${code}`;
        const current = this.best.get(key);
        // A few percent of slack keeps labels from hopping between near-equal pieces.
        if (current && size <= current.size * 1.02) continue;
        this.best.set(key, { name, level, size, point: interiorPoint(polygon) });
        changed = true;
      }
    }
    return changed;
  }

  toGeoJSON(): FeatureCollection<Point> {
    const features: Feature<Point>[] = [];
    for (const [key, c] of this.best) {
      features.push({
        type: 'Feature',
        id: key,
        properties: { name: c.name, level: c.level },
        geometry: { type: 'Point', coordinates: c.point },
      });
    }
    return { type: 'FeatureCollection', features };
  }
}
