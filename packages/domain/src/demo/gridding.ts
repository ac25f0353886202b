/**
 * The pure rules of the demo grid: codes, area classes, cell sizes and the grouping of unit grids
 * into responsibility grids. The SQL that cuts geometry lives in the server; the decisions here.
 */

type AreaClass = 'A' | 'B' | 'C';

/** GB/T 30428.1 unit grid code: community 12 + sequence 3 (001–999). */
export function unitGridCode(communityCode: string, seq: number): string {
  if (!/^\d{12}$/.test(communityCode)) throw new Error(`not a community code: ${communityCode}`);
  if (!Number.isInteger(seq) || seq < 1 || seq > 999) throw new RangeError(`grid sequence ${seq}`);
  return communityCode + String(seq).padStart(3, '0');
}

/**
 * Responsibility grid code: street 9 + 'D' + sequence 3, e.g. 310101002D001. The letter keeps
 * these apart from 12-digit community codes, which a numeric street+3 scheme would collide with.
 */
export function dutyGridCode(streetCode: string, seq: number): string {
  if (!/^\d{9}$/.test(streetCode)) throw new Error(`not a street code: ${streetCode}`);
  if (!Number.isInteger(seq) || seq < 1 || seq > 999) throw new RangeError(`duty grid sequence ${seq}`);
  return `${streetCode}D${String(seq).padStart(3, '0')}`;
}

export const dutyGridCodePattern = /^\d{9}D\d{3}$/;

/** GB/T 47678.5 component id: district 6 + category 5 (major 2 + minor 3) + sequence 6. */
export function componentId(districtCode: string, categoryCode: string, seq: number): string {
  if (!/^\d{6}$/.test(districtCode) || !/^\d{5}$/.test(categoryCode)) {
    throw new Error(`bad component id parts ${districtCode} ${categoryCode}`);
  }
  if (!Number.isInteger(seq) || seq < 1 || seq > 999_999) throw new RangeError(`component sequence ${seq}`);
  return districtCode + categoryCode + String(seq).padStart(6, '0');
}

/**
 * Area class (A core / B / C general) that deadlines depend on: 街道 of the central districts are
 * A; other 街道 and urban communities of towns are B; village communities are C.
 * `urbanRuralType` is the NBS 城乡分类代码 (111 主城区 … 220 村庄) when known.
 */
export function areaClassFor(opts: {
  centralDistrict: boolean;
  streetKind: string;
  urbanRuralType?: string | null;
}): AreaClass {
  if (opts.streetKind === '街道') return opts.centralDistrict ? 'A' : 'B';
  if (opts.urbanRuralType) return /^(111|112|121)$/.test(opts.urbanRuralType) ? 'B' : 'C';
  return 'C';
}

/** ~10,000 m² cells where people live and work; villages get coarser cells, as real grids do. */
export const baseCellAreaM2: Record<AreaClass, number> = { A: 10_000, B: 10_000, C: 40_000 };

/** Most cells a community may be cut into before boundary pieces; keeps sequences ≤ 999. */
export const maxCellsPerCommunity = 600;

/** Cell area for a community: the class default, grown for large communities. */
export function cellAreaFor(areaClass: AreaClass, communityAreaM2: number, growth = 1): number {
  return Math.max(baseCellAreaM2[areaClass], communityAreaM2 / maxCellsPerCommunity) * growth;
}

/** Pieces smaller than this are merged into a neighbour in the same community. */
export const sliverAreaM2 = 2_000;

/**
 * Position of (x, y) on a Hilbert curve over a 2^order square. Sorting points by it keeps
 * neighbours together, so cutting the sorted list into runs gives compact groups.
 */
export function hilbertIndex(x: number, y: number, order = 16): number {
  const n = 2 ** order;
  let rx: number;
  let ry: number;
  let d = 0;
  let px = Math.min(n - 1, Math.max(0, Math.floor(x)));
  let py = Math.min(n - 1, Math.max(0, Math.floor(y)));
  for (let s = n / 2; s >= 1; s /= 2) {
    rx = (px & s) > 0 ? 1 : 0;
    ry = (py & s) > 0 ? 1 : 0;
    d += s * s * ((3 * rx) ^ ry);
    if (ry === 0) {
      if (rx === 1) {
        px = s - 1 - px;
        py = s - 1 - py;
      }
      [px, py] = [py, px];
    }
  }
  return d;
}

/**
 * Groups items with positions into runs of about `size` neighbours (Hilbert order), sizes as
 * even as possible. Used for responsibility grids (≈ 20 unit grids each; Shanghai averages 22).
 */
export function groupByProximity<T>(
  items: readonly T[],
  position: (item: T) => { x: number; y: number },
  size = 20,
): T[][] {
  if (items.length === 0) return [];
  const pts = items.map((item) => ({ item, ...position(item) }));
  const minX = Math.min(...pts.map((p) => p.x));
  const minY = Math.min(...pts.map((p) => p.y));
  const span = Math.max(...pts.map((p) => p.x - minX), ...pts.map((p) => p.y - minY)) || 1;
  const scale = (2 ** 16 - 1) / span;
  const sorted = pts
    .map((p) => ({ ...p, h: hilbertIndex((p.x - minX) * scale, (p.y - minY) * scale) }))
    .sort((a, b) => a.h - b.h);
  const groups = Math.max(1, Math.round(items.length / size));
  const out: T[][] = [];
  for (let g = 0; g < groups; g++) {
    const from = Math.round((g * sorted.length) / groups);
    const to = Math.round(((g + 1) * sorted.length) / groups);
    out.push(sorted.slice(from, to).map((p) => p.item));
  }
  return out;
}
