import Flatbush from 'flatbush';
import { BucketGrid } from './bucket-grid.ts';
import { bboxOf, type FlatMultiPolygon, type FlatPolygon } from './geometry.ts';
import { InteriorGrid, UNKNOWN } from './interior-grid.ts';
import { BOUNDARY, INSIDE, pointInRing } from './pip.ts';

export interface IndexedFeature<T> {
  code: string;
  geometry: FlatMultiPolygon;
  data: T;
}

/** The smaller code first, by UTF-16 code unit: the order of SQL's `ORDER BY code COLLATE "C"` for ASCII codes. */
export function compareCodes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * An in-memory spatial index of one layer of polygons (districts, unit grids …) answering
 * "which polygon holds this point" the way `ST_Intersects … ORDER BY code LIMIT 1` does:
 * boundary inclusive, and on a shared edge or vertex the smallest code wins, so every point
 * belongs to exactly one polygon.
 *
 * Features are kept in code order, so "smallest code" is "smallest ordinal", and all coordinates
 * sit in one Float64Array so the hot loop touches no objects. Each polygon part has its own box
 * (islands of one district do not share a huge box) in a Flatbush tree. A point query first
 * asks a fine grid of cells that no edge crosses (InteriorGrid: one array read answers most
 * points), then the candidate lists of a bucket grid built from the part boxes (BucketGrid), and
 * falls back to the tree where the layout defeats both. Every path gives the same answer;
 * `locateWithBuckets` and `locateWithTree` keep the slower ones testable and measurable.
 */
export class PolygonIndex<T> {
  readonly size: number;
  private readonly codes: string[];
  private readonly payload: T[];
  /**
   * One record per polygon part, back to back, so a candidate costs one or two cache lines:
   * minX, minY, maxX, maxY, ring count, each ring's length (in numbers), then the rings' x,y.
   */
  private readonly parts: Float64Array;
  /** Where part p's record starts in `parts`. */
  private readonly partOffset: Uint32Array;
  private readonly partFeature: Uint32Array;
  private readonly tree: Flatbush | undefined;
  private readonly grid: BucketGrid | undefined;
  private readonly interior: InteriorGrid | undefined;
  /** Traversal stack for the tree path, reused: a point query allocates nothing. */
  private readonly stack: Int32Array;

  private constructor(features: IndexedFeature<T>[]) {
    const sorted = [...features].sort((a, b) => compareCodes(a.code, b.code));
    this.size = sorted.length;
    this.codes = sorted.map((f) => f.code);
    this.payload = sorted.map((f) => f.data);

    // A ring of fewer than 4 points encloses nothing; PostGIS skips such rings too.
    const usable = (polygon: FlatPolygon) => polygon.filter((ring) => ring.length >= 8);
    let size = 0;
    let nParts = 0;
    for (const f of sorted) {
      for (const polygon of f.geometry) {
        if (!polygon[0] || polygon[0].length < 8) continue;
        const rings = usable(polygon);
        nParts++;
        size += 5 + rings.length + rings.reduce((n, ring) => n + ring.length, 0);
      }
    }
    this.parts = new Float64Array(size);
    this.partOffset = new Uint32Array(nParts + 1);
    this.partFeature = new Uint32Array(nParts);
    const boxes = new Float64Array(nParts * 4);

    let o = 0;
    let p = 0;
    sorted.forEach((f, fi) => {
      for (const polygon of f.geometry) {
        const shell = polygon[0];
        if (!shell || shell.length < 8) continue;
        const rings = usable(polygon);
        const box = bboxOf([shell]);
        boxes.set([box.minX, box.minY, box.maxX, box.maxY], p * 4);
        this.partOffset[p] = o;
        this.partFeature[p] = fi;
        this.parts.set([box.minX, box.minY, box.maxX, box.maxY, rings.length], o);
        o += 5;
        for (const ring of rings) this.parts[o++] = ring.length;
        for (const ring of rings) {
          this.parts.set(ring, o);
          o += ring.length;
        }
        p++;
      }
    });
    this.partOffset[p] = o;

    if (nParts > 0) {
      const tree = new Flatbush(nParts);
      for (let i = 0; i < nParts; i++) {
        tree.add(boxes[i * 4]!, boxes[i * 4 + 1]!, boxes[i * 4 + 2]!, boxes[i * 4 + 3]!);
      }
      tree.finish();
      this.tree = tree;
    }
    this.grid = BucketGrid.build(boxes, nParts);
    this.interior = InteriorGrid.build({
      parts: this.parts,
      partOffset: this.partOffset,
      partFeature: this.partFeature,
      holds: (part, x, y) => this.partHolds(part, x, y),
    });
    this.stack = new Int32Array(((this.tree?._levelBounds.length ?? 0) + 1) * (this.tree?.nodeSize ?? 0) * 2);
  }

  static build<T>(features: Iterable<IndexedFeature<T>>): PolygonIndex<T> {
    return new PolygonIndex([...features]);
  }

  code(ordinal: number): string {
    return this.codes[ordinal]!;
  }

  data(ordinal: number): T {
    return this.payload[ordinal]!;
  }

  /** The feature holding (x, y), or undefined. */
  find(x: number, y: number): { code: string; data: T } | undefined {
    const i = this.locate(x, y);
    return i < 0 ? undefined : { code: this.codes[i]!, data: this.payload[i]! };
  }

  /** The ordinal of the feature holding (x, y), the smallest code on shared boundaries; -1 for none. */
  locate(x: number, y: number): number {
    if (this.interior) {
      const answer = this.interior.lookup(x, y);
      if (answer !== UNKNOWN) return answer;
    }
    return this.locateWithBuckets(x, y);
  }

  /** `locate` without the interior cells: candidates from the bucket grid, each tested. */
  locateWithBuckets(x: number, y: number): number {
    const grid = this.grid;
    if (!grid) return this.locateWithTree(x, y);
    const cell = grid.cell(x, y);
    if (cell < 0) return -1;
    const items = grid.items;
    const end = grid.start[cell + 1]!;
    // Parts are listed in code order: the first one holding the point has the smallest code.
    for (let k = grid.start[cell]!; k < end; k++) {
      const part = items[k]!;
      if (this.partHolds(part, x, y)) return this.partFeature[part]!;
    }
    return -1;
  }

  /** `locate` down the Flatbush tree, without the bucket grid. */
  locateWithTree(x: number, y: number): number {
    const tree = this.tree;
    if (!tree) return -1;
    // Walks Flatbush's packed arrays directly: `search` allocates a queue and a result array
    // per call, which costs more than the point-in-polygon tests themselves.
    const boxes = tree._boxes;
    const indices = tree._indices;
    const levelBounds = tree._levelBounds;
    const nodeSize4 = tree.nodeSize * 4;
    const numItems4 = tree.numItems * 4;
    const stack = this.stack;
    const partFeature = this.partFeature;
    let sp = 0;
    let best = -1;
    let nodeIndex = boxes.length - 4;
    let level = levelBounds.length - 1;
    for (;;) {
      const end = Math.min(nodeIndex + nodeSize4, levelBounds[level]!);
      const leaves = nodeIndex < numItems4;
      for (let pos = nodeIndex; pos < end; pos += 4) {
        if (x < boxes[pos]! || y < boxes[pos + 1]! || x > boxes[pos + 2]! || y > boxes[pos + 3]!) continue;
        if (leaves) {
          const part = indices[pos >> 2]!;
          const f = partFeature[part]!;
          if ((best < 0 || f < best) && this.partHolds(part, x, y)) best = f;
        } else {
          stack[sp++] = indices[pos >> 2]!;
          stack[sp++] = level - 1;
        }
      }
      if (sp === 0) return best;
      level = stack[--sp]!;
      nodeIndex = stack[--sp]!;
    }
  }

  /** The same answer by testing every polygon in turn: the baseline the index is measured against. */
  locateBruteForce(x: number, y: number): number {
    const n = this.partFeature.length;
    for (let p = 0; p < n; p++) {
      if (this.partHolds(p, x, y)) return this.partFeature[p]!;
    }
    return -1;
  }

  /** Inside or on the boundary of part `part`: its box, its shell, then its holes. */
  private partHolds(part: number, x: number, y: number): boolean {
    const d = this.parts;
    const o = this.partOffset[part]!;
    if (x < d[o]! || y < d[o + 1]! || x > d[o + 2]! || y > d[o + 3]!) return false;
    const nRings = d[o + 4]!;
    let start = o + 5 + nRings;
    let end = start + d[o + 5]!;
    const shell = pointInRing(d, start, end, x, y);
    if (shell !== INSIDE) return shell === BOUNDARY;
    for (let r = 1; r < nRings; r++) {
      start = end;
      end = start + d[o + 5 + r]!;
      const hole = pointInRing(d, start, end, x, y);
      if (hole === BOUNDARY) return true;
      if (hole === INSIDE) return false;
    }
    return true;
  }
}
