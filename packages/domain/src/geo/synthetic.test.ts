import { describe, expect, it } from 'vitest';
import { ringArea2 } from './geometry.ts';
import { syntheticCity } from './synthetic.ts';

describe('syntheticCity', () => {
  it("defaults to Shanghai's 40,625 unit grids over about 1,433 km², with well-formed codes", () => {
    const city = syntheticCity();
    expect(city.unitGrids).toHaveLength(40_625);
    const km2 = city.unitGrids.reduce((s, g) => s + g.areaM2, 0) / 1e6;
    expect(km2).toBeGreaterThan(1433 * 0.97);
    expect(km2).toBeLessThan(1433 * 1.03);
    const codes = new Set(city.unitGrids.map((g) => g.code));
    expect(codes.size).toBe(40_625);
    for (const g of city.unitGrids.slice(0, 500)) {
      expect(g.code).toMatch(/^\d{15}$/);
      expect(g.code.slice(0, 12)).toBe(g.communityCode);
      expect(g.code.slice(0, 9)).toBe(g.streetCode);
      expect(g.code.slice(0, 6)).toBe(g.districtCode);
    }
  });

  it('builds areas whose outlines cover exactly their grids', () => {
    const city = syntheticCity({
      districts: 2,
      streetsPerDistrict: 2,
      communitiesPerStreetSide: 2,
      gridsPerCommunitySide: 3,
    });
    const area = (rings: Float64Array[]) => Math.abs(ringArea2(rings[0]!)) / 2;
    for (const a of city.areas) {
      const inside = city.unitGrids.filter((g) => g.code.startsWith(a.code));
      const sum = inside.reduce((s, g) => s + area(g.geometry[0]!), 0);
      expect(inside.length).toBeGreaterThan(0);
      expect(Math.abs(sum - area(a.geometry[0]!)) / sum).toBeLessThan(1e-9);
    }
    expect(city.areas.filter((a) => a.level === 'district').map((a) => a.code)).toEqual(['310101', '310102']);
    expect(city.dutyGrids).toHaveLength(2 * 2 * 4);
  });

  it('is the same city for the same seed, and another for another', () => {
    const a = syntheticCity({ districts: 1, streetsPerDistrict: 1, seed: 1 });
    const b = syntheticCity({ districts: 1, streetsPerDistrict: 1, seed: 1 });
    const c = syntheticCity({ districts: 1, streetsPerDistrict: 1, seed: 2 });
    expect([...a.unitGrids[3]!.geometry[0]![0]!]).toEqual([...b.unitGrids[3]!.geometry[0]![0]!]);
    expect([...a.unitGrids[3]!.geometry[0]![0]!]).not.toEqual([...c.unitGrids[3]!.geometry[0]![0]!]);
  });
});
