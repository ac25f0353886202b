/**
 * A fine grid of cells that each answer a point query on their own: for a cell that no polygon
 * edge comes near, every point in it has the same answer (the winding number of a ring only
 * changes across an edge), so it is worked out once, at the cell's centre, when the index is
 * built. Most random points then cost one multiply and one array read; only cells that an edge
 * crosses send the point on to the candidate lists and the point-in-polygon test.
 *
 * Conservative throughout: a cell is grown by a millionth of its size before it is tested, so
 * rounding in the cell arithmetic can never place a point outside the rectangle that was checked,
 * and a segment counts as touching the cell whenever floating point cannot rule it out.
 */

/** Needs the point-in-polygon test. */
export const UNKNOWN = -2;
/** No polygon holds any point of the cell. */
export const NOTHING = -1;

export interface PartSource {
  /** Part records as PolygonIndex stores them: box, ring count, ring lengths, coordinates. */
  parts: Float64Array;
  partOffset: Uint32Array;
  partFeature: Uint32Array;
  /** Inside or on the boundary of the part. */
  holds(part: number, x: number, y: number): boolean;
}

export class InteriorGrid {
  private constructor(
    readonly minX: number,
    readonly minY: number,
    readonly maxX: number,
    readonly maxY: number,
    readonly nx: number,
    readonly ny: number,
    readonly scaleX: number,
    readonly scaleY: number,
    /** Per cell: a feature ordinal, NOTHING or UNKNOWN. */
    readonly cells: Int32Array,
  ) {}

  /**
   * About `cellsPerPart` cells per polygon part; undefined for more than `maxWork` coordinates.
   */
  static build(src: PartSource, cellsPerPart = 64, maxWork = 1e8): InteriorGrid | undefined {
    const { parts, partOffset, partFeature } = src;
    const n = partFeature.length;
    if (n === 0) return undefined;
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (let p = 0; p < n; p++) {
      const o = partOffset[p]!;
      minX = Math.min(minX, parts[o]!);
      minY = Math.min(minY, parts[o + 1]!);
      maxX = Math.max(maxX, parts[o + 2]!);
      maxY = Math.max(maxY, parts[o + 3]!);
    }
    const w = maxX - minX;
    const h = maxY - minY;
    if (!(w > 0 && h > 0)) return undefined;
    const target = Math.min(n * cellsPerPart, 1 << 23);
    const nx = Math.max(1, Math.round(Math.sqrt((target * w) / h)));
    const ny = Math.max(1, Math.round(target / nx));
    const scaleX = nx / w;
    const scaleY = ny / h;
    const cw = w / nx;
    const ch = h / ny;
    const cx = (x: number) => Math.min(nx - 1, Math.floor((x - minX) * scaleX));
    const cy = (y: number) => Math.min(ny - 1, Math.floor((y - minY) * scaleY));

    let work = 0;
    for (let p = 0; p < n; p++) work += partOffset[p + 1]! - partOffset[p]!;
    if (work > maxWork) return undefined;

    const cells = new Int32Array(nx * ny).fill(NOTHING);
    const ex = cw * 1e-6;
    const ey = ch * 1e-6;

    // Pass 1: every cell an edge may touch needs the full test.
    for (let p = 0; p < n; p++) {
      const o = partOffset[p]!;
      const nRings = parts[o + 4]!;
      let start = o + 5 + nRings;
      for (let r = 0; r < nRings; r++) {
        const end = start + parts[o + 5 + r]!;
        for (let k = start; k + 3 < end; k += 2) {
          const ax = parts[k]!;
          const ay = parts[k + 1]!;
          const bx = parts[k + 2]!;
          const by = parts[k + 3]!;
          const j1 = cy(Math.max(ay, by) + ey);
          const i1 = cx(Math.max(ax, bx) + ex);
          for (let j = cy(Math.max(minY, Math.min(ay, by) - ey)); j <= j1; j++) {
            const y0 = minY + j * ch - ey;
            const y1 = minY + (j + 1) * ch + ey;
            for (let i = cx(Math.max(minX, Math.min(ax, bx) - ex)); i <= i1; i++) {
              const c = j * nx + i;
              if (cells[c] === UNKNOWN) continue;
              if (segmentMayTouch(ax, ay, bx, by, minX + i * cw - ex, y0, minX + (i + 1) * cw + ex, y1)) {
                cells[c] = UNKNOWN;
              }
            }
          }
        }
        start = end;
      }
    }

    // Pass 2: a run of untouched cells in a row lies wholly inside or wholly outside each part,
    // so one test at the centre of its first cell decides the run. Parts go in ordinal order:
    // the first part to hold a cell has the smallest code.
    for (let p = 0; p < n; p++) {
      const o = partOffset[p]!;
      const i0 = cx(parts[o]!);
      const i1 = cx(parts[o + 2]!);
      for (let j = cy(parts[o + 1]!); j <= cy(parts[o + 3]!); j++) {
        let inside = false;
        let inRun = false;
        for (let i = i0; i <= i1; i++) {
          const c = j * nx + i;
          if (cells[c] === UNKNOWN) {
            inRun = false;
            continue;
          }
          if (!inRun) {
            inside = src.holds(p, minX + (i + 0.5) * cw, minY + (j + 0.5) * ch);
            inRun = true;
          }
          if (inside && cells[c] === NOTHING) cells[c] = partFeature[p]!;
        }
      }
    }
    return new InteriorGrid(minX, minY, maxX, maxY, nx, ny, scaleX, scaleY, cells);
  }

  /** A feature ordinal, NOTHING, or UNKNOWN when the point must be tested. */
  lookup(x: number, y: number): number {
    if (!(x >= this.minX && x <= this.maxX && y >= this.minY && y <= this.maxY)) return NOTHING;
    const i = Math.min(this.nx - 1, Math.floor((x - this.minX) * this.scaleX));
    const j = Math.min(this.ny - 1, Math.floor((y - this.minY) * this.scaleY));
    return this.cells[j * this.nx + i]!;
  }
}

/**
 * Whether segment a–b may touch the rectangle. Separating axes: the rectangle's own (box
 * overlap) and the segment's normal (all four corners strictly on one side, by more than
 * rounding could blur).
 */
function segmentMayTouch(
  ax: number,
  ay: number,
  bx: number,
  by: number,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
): boolean {
  if ((ax < x0 && bx < x0) || (ax > x1 && bx > x1) || (ay < y0 && by < y0) || (ay > y1 && by > y1))
    return false;
  const dx = bx - ax;
  const dy = by - ay;
  const s1 = dx * (y0 - ay) - (x0 - ax) * dy;
  const s2 = dx * (y0 - ay) - (x1 - ax) * dy;
  const s3 = dx * (y1 - ay) - (x0 - ax) * dy;
  const s4 = dx * (y1 - ay) - (x1 - ax) * dy;
  const tol =
    1e-9 * (Math.abs(dx) + Math.abs(dy)) * (x1 - x0 + (y1 - y0) + Math.abs(x0 - ax) + Math.abs(y0 - ay));
  const allAbove = s1 > tol && s2 > tol && s3 > tol && s4 > tol;
  const allBelow = s1 < -tol && s2 < -tol && s3 < -tol && s4 < -tol;
  return !(allAbove || allBelow);
}
