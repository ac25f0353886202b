/**
 * A uniform grid of buckets over a set of boxes: each cell lists, in ascending order, the boxes
 * that touch it. For a point query over a dense tiling (40,625 unit grids) one multiply and one
 * array read replace a tree descent, about twice as fast as walking the Flatbush tree.
 *
 * A point and a box are placed with the same monotonic function (`(v - min) * scale`, floored),
 * so a point inside a box (edges included) always lands in a cell that lists the box, whatever
 * the rounding.
 */
export class BucketGrid {
  private constructor(
    readonly minX: number,
    readonly minY: number,
    readonly maxX: number,
    readonly maxY: number,
    readonly nx: number,
    readonly ny: number,
    readonly scaleX: number,
    readonly scaleY: number,
    /** Items of cell c are items[start[c] .. start[c + 1]). */
    readonly start: Uint32Array,
    readonly items: Uint32Array,
  ) {}

  /**
   * Builds a grid for `n` boxes stored as minX,minY,maxX,maxY in `boxes`, about `cellsPerItem`
   * cells per box. Undefined when boxes overlap so much (a few huge, many tiny) that the lists
   * would exceed `maxEntriesPerItem` per box: the caller then searches its tree instead.
   */
  static build(
    boxes: Float64Array,
    n: number,
    cellsPerItem = 2,
    maxEntriesPerItem = 16,
  ): BucketGrid | undefined {
    if (n === 0) return undefined;
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (let i = 0; i < n; i++) {
      minX = Math.min(minX, boxes[i * 4]!);
      minY = Math.min(minY, boxes[i * 4 + 1]!);
      maxX = Math.max(maxX, boxes[i * 4 + 2]!);
      maxY = Math.max(maxY, boxes[i * 4 + 3]!);
    }
    const w = maxX - minX;
    const h = maxY - minY;
    if (!(w > 0 && h > 0)) return undefined;
    const cells = Math.max(1, Math.min(n * cellsPerItem, 1 << 24));
    const nx = Math.max(1, Math.round(Math.sqrt((cells * w) / h)));
    const ny = Math.max(1, Math.round(cells / nx));
    const scaleX = nx / w;
    const scaleY = ny / h;
    const cx = (x: number) => Math.min(nx - 1, Math.floor((x - minX) * scaleX));
    const cy = (y: number) => Math.min(ny - 1, Math.floor((y - minY) * scaleY));

    const start = new Uint32Array(nx * ny + 1);
    let entries = 0;
    for (let i = 0; i < n; i++) {
      const x0 = cx(boxes[i * 4]!);
      const x1 = cx(boxes[i * 4 + 2]!);
      const y0 = cy(boxes[i * 4 + 1]!);
      const y1 = cy(boxes[i * 4 + 3]!);
      entries += (x1 - x0 + 1) * (y1 - y0 + 1);
      if (entries > n * maxEntriesPerItem + 1024) return undefined;
      for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) start[y * nx + x + 1]!++;
    }
    for (let c = 1; c < start.length; c++) start[c]! += start[c - 1]!;
    const fill = start.slice(0, nx * ny);
    const items = new Uint32Array(entries);
    // Boxes go in ascending order, so every cell's list comes out sorted.
    for (let i = 0; i < n; i++) {
      const x0 = cx(boxes[i * 4]!);
      const x1 = cx(boxes[i * 4 + 2]!);
      const y0 = cy(boxes[i * 4 + 1]!);
      const y1 = cy(boxes[i * 4 + 3]!);
      for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) items[fill[y * nx + x]!++] = i;
    }
    return new BucketGrid(minX, minY, maxX, maxY, nx, ny, scaleX, scaleY, start, items);
  }

  /** The cell holding (x, y), or -1 outside the grid. */
  cell(x: number, y: number): number {
    if (!(x >= this.minX && x <= this.maxX && y >= this.minY && y <= this.maxY)) return -1;
    const cx = Math.min(this.nx - 1, Math.floor((x - this.minX) * this.scaleX));
    const cy = Math.min(this.ny - 1, Math.floor((y - this.minY) * this.scaleY));
    return cy * this.nx + cx;
  }
}
