import { describe, expect, it } from 'vitest';
import { fromPolygonCoords, ringFromPositions } from './geometry.ts';
import { BOUNDARY, INSIDE, intersectsPoint, OUTSIDE, pointInPolygon, pointInRing } from './pip.ts';
import { seededRandom } from './synthetic.ts';

const ringOf = (...pts: [number, number][]) => ringFromPositions(pts);
const at = (ring: Float64Array, x: number, y: number) => pointInRing(ring, 0, ring.length, x, y);

describe('pointInRing', () => {
  const square = ringOf([0, 0], [10, 0], [10, 10], [0, 10]);
  const diamond = ringOf([5, 0], [10, 5], [5, 10], [0, 5]);

  it('tells inside, outside and boundary apart for a square, either winding', () => {
    const reversed = ringOf([0, 10], [10, 10], [10, 0], [0, 0]);
    for (const ring of [square, reversed]) {
      expect(at(ring, 5, 5)).toBe(INSIDE);
      expect(at(ring, 11, 5)).toBe(OUTSIDE);
      expect(at(ring, -1, 5)).toBe(OUTSIDE);
      expect(at(ring, 5, 10.5)).toBe(OUTSIDE);
      expect(at(ring, 0, 5)).toBe(BOUNDARY);
      expect(at(ring, 10, 5)).toBe(BOUNDARY);
      expect(at(ring, 5, 0)).toBe(BOUNDARY);
      expect(at(ring, 5, 10)).toBe(BOUNDARY);
      for (const [x, y] of [
        [0, 0],
        [10, 0],
        [10, 10],
        [0, 10],
      ] as const) {
        expect(at(ring, x, y)).toBe(BOUNDARY);
      }
    }
  });

  it('finds points on slanted edges and at vertices, and not on their extensions', () => {
    expect(at(diamond, 7.5, 2.5)).toBe(BOUNDARY);
    expect(at(diamond, 2.5, 7.5)).toBe(BOUNDARY);
    expect(at(diamond, 10, 5)).toBe(BOUNDARY);
    expect(at(diamond, 5, 5)).toBe(INSIDE);
    // On the line through an edge, beyond its end.
    expect(at(diamond, 12.5, 7.5)).toBe(OUTSIDE);
    expect(at(diamond, 1, 1)).toBe(OUTSIDE);
    // Level with a vertex: the half-open rule must not count the vertex twice.
    expect(at(diamond, 1, 5)).toBe(INSIDE);
    expect(at(diamond, -1, 5)).toBe(OUTSIDE);
    expect(at(diamond, 11, 5)).toBe(OUTSIDE);
  });

  it('ignores repeated points (zero-length edges)', () => {
    const repeated = ringOf([0, 0], [10, 0], [10, 0], [10, 10], [0, 10], [0, 10]);
    expect(at(repeated, 5, 5)).toBe(INSIDE);
    expect(at(repeated, 10, 0)).toBe(BOUNDARY);
    expect(at(repeated, 15, 5)).toBe(OUTSIDE);
  });

  it('agrees with a plain even-odd test away from the boundary of a concave ring', () => {
    // A comb: concave, with vertices level with many test rows.
    const comb = ringOf(
      [0, 0],
      [9, 0],
      [9, 9],
      [7, 9],
      [7, 3],
      [5, 3],
      [5, 9],
      [3, 9],
      [3, 3],
      [1, 3],
      [1, 9],
      [0, 9],
    );
    const evenOdd = (x: number, y: number) => {
      let inside = false;
      for (let i = 0; i + 3 < comb.length; i += 2) {
        const [x1, y1, x2, y2] = [comb[i]!, comb[i + 1]!, comb[i + 2]!, comb[i + 3]!];
        if (y1 > y !== y2 > y && x < ((x2 - x1) * (y - y1)) / (y2 - y1) + x1) inside = !inside;
      }
      return inside;
    };
    const random = seededRandom(7);
    let checked = 0;
    for (let i = 0; i < 5000; i++) {
      // Quarter steps hit vertex rows and edge columns exactly, the cases ray casting gets wrong.
      const x = Math.round(random() * 44 - 2) / 4;
      const y = Math.round(random() * 44 - 2) / 4;
      const r = at(comb, x, y);
      if (r === BOUNDARY) continue;
      expect(r === INSIDE, `(${x}, ${y})`).toBe(evenOdd(x, y));
      checked++;
    }
    expect(checked).toBeGreaterThan(3000);
  });
});

describe('pointInPolygon and intersectsPoint', () => {
  const donut = fromPolygonCoords([
    [
      [0, 0],
      [10, 0],
      [10, 10],
      [0, 10],
    ],
    [
      [3, 3],
      [7, 3],
      [7, 7],
      [3, 7],
    ],
  ])[0]!;

  it('treats a hole as outside and its edge as boundary', () => {
    expect(pointInPolygon(donut, 1, 1)).toBe(INSIDE);
    expect(pointInPolygon(donut, 5, 5)).toBe(OUTSIDE);
    expect(pointInPolygon(donut, 3, 5)).toBe(BOUNDARY);
    expect(pointInPolygon(donut, 7, 7)).toBe(BOUNDARY);
    expect(pointInPolygon(donut, 0, 10)).toBe(BOUNDARY);
  });

  it('counts a point in any part of a multipolygon, boundary included', () => {
    const islands = [
      donut,
      fromPolygonCoords([
        [
          [20, 0],
          [25, 0],
          [25, 5],
          [20, 5],
        ],
      ])[0]!,
    ];
    expect(intersectsPoint(islands, 22, 2)).toBe(true);
    expect(intersectsPoint(islands, 25, 5)).toBe(true);
    expect(intersectsPoint(islands, 5, 5)).toBe(false);
    expect(intersectsPoint(islands, 15, 2)).toBe(false);
    expect(intersectsPoint(islands, 3, 3)).toBe(true);
  });
});
