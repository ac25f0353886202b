import { describe, expect, it } from 'vitest';
import { fromMultiPolygonCoords, fromPolygonCoords, type PolygonCoords } from './geometry.ts';
import { intersectsPoint } from './pip.ts';
import { PolygonIndex } from './polygon-index.ts';
import { seededRandom, syntheticCity } from './synthetic.ts';

const rect = (x0: number, y0: number, x1: number, y1: number): PolygonCoords => [
  [
    [x0, y0],
    [x1, y0],
    [x1, y1],
    [x0, y1],
  ],
];

describe('PolygonIndex on hand-made shapes', () => {
  // Four squares around (10, 10), listed out of code order on purpose.
  const index = PolygonIndex.build([
    { code: 'd', geometry: fromPolygonCoords(rect(10, 10, 20, 20)), data: 'NE' },
    { code: 'b', geometry: fromPolygonCoords(rect(10, 0, 20, 10)), data: 'SE' },
    { code: 'c', geometry: fromPolygonCoords(rect(0, 10, 10, 20)), data: 'NW' },
    { code: 'a', geometry: fromPolygonCoords(rect(0, 0, 10, 10)), data: 'SW' },
  ]);
  const codeAt = (x: number, y: number) => index.find(x, y)?.code;

  it('finds the square holding an interior point', () => {
    expect(index.find(5, 5)).toEqual({ code: 'a', data: 'SW' });
    expect(codeAt(15, 5)).toBe('b');
    expect(codeAt(5, 15)).toBe('c');
    expect(codeAt(15, 15)).toBe('d');
  });

  it('gives a shared edge or vertex to the smallest code, and the outer boundary to its square', () => {
    expect(codeAt(10, 5)).toBe('a'); // a|b
    expect(codeAt(10, 15)).toBe('c'); // c|d
    expect(codeAt(5, 10)).toBe('a'); // a|c
    expect(codeAt(15, 10)).toBe('b'); // b|d
    expect(codeAt(10, 10)).toBe('a'); // all four
    expect(codeAt(20, 20)).toBe('d');
    expect(codeAt(20, 15)).toBe('d');
    expect(codeAt(0, 0)).toBe('a');
  });

  it('answers nothing outside every square', () => {
    expect(index.locate(-0.001, 5)).toBe(-1);
    expect(index.locate(25, 25)).toBe(-1);
    expect(index.locate(Number.NaN, 5)).toBe(-1);
  });

  it('handles islands, holes and a polygon filling a hole', () => {
    const idx = PolygonIndex.build([
      {
        code: '2-donut',
        geometry: fromMultiPolygonCoords([
          [rect(0, 0, 30, 30)[0]!, rect(10, 10, 20, 20)[0]!],
          rect(100, 100, 110, 110),
        ]),
        data: null,
      },
      { code: '1-filling', geometry: fromPolygonCoords(rect(10, 10, 20, 20)), data: null },
      { code: '3-far', geometry: fromPolygonCoords(rect(40, 0, 50, 10)), data: null },
    ]);
    const at = (x: number, y: number) => idx.find(x, y)?.code;
    expect(at(5, 5)).toBe('2-donut');
    expect(at(105, 105)).toBe('2-donut');
    expect(at(15, 15)).toBe('1-filling');
    expect(at(10, 15)).toBe('1-filling');
    expect(at(45, 5)).toBe('3-far');
    expect(at(35, 5)).toBeUndefined();
    expect(at(60, 60)).toBeUndefined();
  });

  it('gives the overlap of overlapping polygons to the smaller code, everywhere in it', () => {
    const idx = PolygonIndex.build([
      { code: 'y', geometry: fromPolygonCoords(rect(0, 0, 10, 10)), data: null },
      { code: 'x', geometry: fromPolygonCoords(rect(5, 5, 15, 15)), data: null },
    ]);
    const random = seededRandom(3);
    for (let i = 0; i < 2000; i++) {
      const px = random() * 16 - 0.5;
      const py = random() * 16 - 0.5;
      const inY = px >= 0 && px <= 10 && py >= 0 && py <= 10;
      const inX = px >= 5 && px <= 15 && py >= 5 && py <= 15;
      expect(idx.find(px, py)?.code, `(${px}, ${py})`).toBe(inX ? 'x' : inY ? 'y' : undefined);
    }
  });

  it('builds an empty index that finds nothing', () => {
    const empty = PolygonIndex.build<null>([]);
    expect(empty.size).toBe(0);
    expect(empty.locate(1, 1)).toBe(-1);
    expect(empty.locateWithTree(1, 1)).toBe(-1);
    expect(empty.locateWithBuckets(1, 1)).toBe(-1);
  });
});

describe('PolygonIndex on a synthetic city', () => {
  const city = syntheticCity({
    districts: 2,
    streetsPerDistrict: 2,
    communitiesPerStreetSide: 3,
    gridsPerCommunitySide: 4,
  });
  const index = PolygonIndex.build(
    city.unitGrids.map((g) => ({ code: g.code, geometry: g.geometry, data: g })),
  );
  const smallestHolding = (x: number, y: number) => {
    const codes = city.unitGrids.filter((g) => intersectsPoint(g.geometry, x, y)).map((g) => g.code);
    return codes.sort()[0];
  };

  it('gives every lattice vertex (shared by up to four grids) to the smallest code holding it', () => {
    for (let k = 0; k < city.vertices.length; k += 2) {
      const x = city.vertices[k]!;
      const y = city.vertices[k + 1]!;
      expect(index.find(x, y)?.code, `vertex ${x}, ${y}`).toBe(smallestHolding(x, y));
      expect(index.locateWithTree(x, y), `vertex ${x}, ${y}`).toBe(index.locate(x, y));
    }
  });

  it('agrees with the tree path, the brute-force scan and the plain definition on random points', () => {
    const random = seededRandom(42);
    const { minX, minY, maxX, maxY } = city.bbox;
    let inside = 0;
    for (let i = 0; i < 3000; i++) {
      const x = minX + random() * (maxX - minX);
      const y = minY + random() * (maxY - minY);
      const i1 = index.locate(x, y);
      expect(index.locateWithBuckets(x, y)).toBe(i1);
      expect(index.locateWithTree(x, y)).toBe(i1);
      expect(index.locateBruteForce(x, y)).toBe(i1);
      expect(i1 < 0 ? undefined : index.code(i1)).toBe(smallestHolding(x, y));
      if (i1 >= 0) inside++;
    }
    expect(inside).toBeGreaterThan(2500);
  });

  it('leaves no gap: points on the segments between edge points all fall in some grid', () => {
    const grid = city.unitGrids[7]!;
    const ring = grid.geometry[0]![0]!;
    for (let i = 0; i + 3 < ring.length; i += 2) {
      for (const t of [0, 0.25, 0.5, 0.75]) {
        const x = ring[i]! + (ring[i + 2]! - ring[i]!) * t;
        const y = ring[i + 1]! + (ring[i + 3]! - ring[i + 1]!) * t;
        expect(index.locate(x, y)).toBeGreaterThanOrEqual(0);
        expect(index.find(x, y)?.code).toBe(smallestHolding(x, y));
      }
    }
  });
});
