import { type BBox, bboxOf, type FlatMultiPolygon, type FlatRing, ringArea2 } from './geometry.ts';
import type { AreaClass } from './locator.ts';

/**
 * A synthetic city of irregular unit grids for benchmarks and tests: a jittered lattice whose
 * cells (each with a kinked point on every edge) tile the city without gaps or overlaps, grouped
 * into communities, streets and districts whose outlines follow the very same vertices, as real
 * grids tile their community. The defaults give Shanghai's count and size: 40,625 unit grids
 * over 1,433 km² in 13 districts. Deterministic for a given seed.
 */
export interface SyntheticCityOptions {
  districts?: number;
  /** Each district is a column of this many streets. */
  streetsPerDistrict?: number;
  /** A street is side × side communities. */
  communitiesPerStreetSide?: number;
  /** A community is side × side unit grids. */
  gridsPerCommunitySide?: number;
  areaKm2?: number;
  /** The number of the first district: codes run 3101<nn> from here (default 1). */
  firstDistrict?: number;
  /** The north-west corner. */
  origin?: { lng: number; lat: number };
  seed?: number;
}

export interface SyntheticArea {
  code: string;
  name: string;
  level: 'district' | 'street' | 'community';
  parentCode: string;
  geometry: FlatMultiPolygon;
}

export interface SyntheticGrid {
  code: string;
  communityCode: string;
  streetCode: string;
  districtCode: string;
  dutyGridCode: string;
  areaClass: AreaClass;
  geometry: FlatMultiPolygon;
  areaM2: number;
}

export interface SyntheticDutyGrid {
  code: string;
  name: string;
  streetCode: string;
  districtCode: string;
  geometry: FlatMultiPolygon;
}

export interface SyntheticCity {
  city: { code: string; name: string };
  areas: SyntheticArea[];
  unitGrids: SyntheticGrid[];
  dutyGrids: SyntheticDutyGrid[];
  bbox: BBox;
  /** Every lattice vertex: points shared by up to four unit grids, the hardest case for locate. */
  vertices: Float64Array;
}

/** A small, fast, seedable PRNG (mulberry32): the same city on every machine. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

export function syntheticCity(options: SyntheticCityOptions = {}): SyntheticCity {
  const nDistricts = options.districts ?? 13;
  const streetsPerDistrict = options.streetsPerDistrict ?? 5;
  const cps = options.communitiesPerStreetSide ?? 5;
  const gps = options.gridsPerCommunitySide ?? 5;
  const origin = options.origin ?? { lng: 121.15, lat: 31.35 };
  const random = seededRandom(options.seed ?? 20_260_101);

  const cols = nDistricts * cps * gps;
  const rows = streetsPerDistrict * cps * gps;
  const areaKm2 = options.areaKm2 ?? 1433 * ((cols * rows) / 40_625);
  const cellM = Math.sqrt((areaKm2 * 1e6) / (cols * rows));
  const mPerLng = 111_320 * Math.cos((origin.lat * Math.PI) / 180);
  const mPerLat = 110_574;
  const dx = cellM / mPerLng;
  const dy = cellM / mPerLat;

  // Lattice vertices, jittered by up to a fifth of a cell; row 0 is the northern edge.
  const vertices = new Float64Array((cols + 1) * (rows + 1) * 2);
  for (let j = 0; j <= rows; j++) {
    for (let i = 0; i <= cols; i++) {
      const k = (j * (cols + 1) + i) * 2;
      vertices[k] = origin.lng + (i + (random() - 0.5) * 0.4) * dx;
      vertices[k + 1] = origin.lat - (j + (random() - 0.5) * 0.4) * dy;
    }
  }
  const vx = (i: number, j: number) => vertices[(j * (cols + 1) + i) * 2]!;
  const vy = (i: number, j: number) => vertices[(j * (cols + 1) + i) * 2 + 1]!;
  // A kink on every edge, shared by the cells on both sides.
  const kink = (n: number) => {
    const out = new Float64Array(n * 2);
    for (let k = 0; k < out.length; k += 2) {
      out[k] = (random() - 0.5) * 0.2 * dx;
      out[k + 1] = (random() - 0.5) * 0.2 * dy;
    }
    return out;
  };
  const hKink = kink(cols * (rows + 1));
  const vKink = kink((cols + 1) * rows);
  const hMid = (i: number, j: number, out: number[]) => {
    const k = (j * cols + i) * 2;
    out.push((vx(i, j) + vx(i + 1, j)) / 2 + hKink[k]!, (vy(i, j) + vy(i + 1, j)) / 2 + hKink[k + 1]!);
  };
  const vMid = (i: number, j: number, out: number[]) => {
    const k = (j * (cols + 1) + i) * 2;
    out.push((vx(i, j) + vx(i, j + 1)) / 2 + vKink[k]!, (vy(i, j) + vy(i, j + 1)) / 2 + vKink[k + 1]!);
  };
  const v = (i: number, j: number, out: number[]) => out.push(vx(i, j), vy(i, j));

  /** The counter-clockwise outline of the block of cells [i0, i1) × [j0, j1). */
  const block = (i0: number, j0: number, i1: number, j1: number): FlatMultiPolygon => {
    const out: number[] = [];
    for (let i = i0; i < i1; i++) {
      v(i, j1, out);
      hMid(i, j1, out);
    }
    for (let j = j1 - 1; j >= j0; j--) {
      v(i1, j + 1, out);
      vMid(i1, j, out);
    }
    for (let i = i1 - 1; i >= i0; i--) {
      v(i + 1, j0, out);
      hMid(i, j0, out);
    }
    for (let j = j0; j < j1; j++) {
      v(i0, j, out);
      vMid(i0, j, out);
    }
    v(i0, j1, out);
    return [[Float64Array.from(out)]];
  };
  const areaM2 = (ring: FlatRing) => (Math.abs(ringArea2(ring)) / 2) * mPerLng * mPerLat;

  const city = { code: '3101', name: '示范市' };
  const areas: SyntheticArea[] = [];
  const unitGrids: SyntheticGrid[] = [];
  const dutyGrids: SyntheticDutyGrid[] = [];
  const streetCells = cps * gps;
  for (let d = 0; d < nDistricts; d++) {
    const districtCode = `${city.code}${pad(d + (options.firstDistrict ?? 1), 2)}`;
    const di = d * streetCells;
    areas.push({
      code: districtCode,
      name: `示范${d + 1}区`,
      level: 'district',
      parentCode: city.code,
      geometry: block(di, 0, di + streetCells, rows),
    });
    for (let s = 0; s < streetsPerDistrict; s++) {
      const streetCode = `${districtCode}${pad(s + 1, 3)}`;
      const sj = s * streetCells;
      areas.push({
        code: streetCode,
        name: `示范${d + 1}区第${s + 1}街道`,
        level: 'street',
        parentCode: districtCode,
        geometry: block(di, sj, di + streetCells, sj + streetCells),
      });
      for (let c = 0; c < cps * cps; c++) {
        const communityCode = `${streetCode}${pad(c + 1, 3)}`;
        const ci = di + (c % cps) * gps;
        const cj = sj + Math.floor(c / cps) * gps;
        const outline = block(ci, cj, ci + gps, cj + gps);
        areas.push({
          code: communityCode,
          name: `第${c + 1}居委会`,
          level: 'community',
          parentCode: streetCode,
          geometry: outline,
        });
        const dutyGridCode = `DG${communityCode}`;
        dutyGrids.push({
          code: dutyGridCode,
          name: `责任网格${communityCode}`,
          streetCode,
          districtCode,
          geometry: outline,
        });
        // Sequence numbers run west to east, then north to south, as GB/T 30428.1 has them.
        for (let g = 0; g < gps * gps; g++) {
          const gi = ci + (g % gps);
          const gj = cj + Math.floor(g / gps);
          const geometry = block(gi, gj, gi + 1, gj + 1);
          const r = random();
          unitGrids.push({
            code: `${communityCode}${pad(g + 1, 3)}`,
            communityCode,
            streetCode,
            districtCode,
            dutyGridCode,
            areaClass: r < 0.3 ? 'A' : r < 0.8 ? 'B' : 'C',
            geometry,
            areaM2: areaM2(geometry[0]![0]!),
          });
        }
      }
    }
  }
  // Districts cover the city; their outlines include the edge kinks that stick out of the lattice.
  const bbox = bboxOf(areas.filter((a) => a.level === 'district').flatMap((a) => a.geometry[0]!));
  return { city, areas, unitGrids, dutyGrids, bbox, vertices };
}
