import { describe, expect, it } from 'vitest';
import { fromPolygonCoords, type PolygonCoords } from './geometry.ts';
import { type AreaInfo, type GeoModel, Locator } from './locator.ts';

const rect = (x0: number, y0: number, x1: number, y1: number): PolygonCoords => [
  [
    [x0, y0],
    [x1, y0],
    [x1, y1],
    [x0, y1],
  ],
];
const shape = (code: string, r: PolygonCoords) => ({ code, geometry: fromPolygonCoords(r) });
const area = (code: string, level: AreaInfo['level'], parentCode: string | null, name = code): AreaInfo => ({
  code,
  name,
  level,
  parentCode,
});

/**
 * Two districts side by side (x 0–10 and 10–20). District 310101 has one street and one
 * community with two unit grids; district 310102 has areas but no grids at all.
 */
function model(overrides: Partial<GeoModel> = {}): GeoModel {
  return {
    areas: [
      area('3101', 'city', null, '上海市'),
      area('310101', 'district', '3101', '黄浦区'),
      area('310101002', 'street', '310101', '南京东路街道'),
      area('310101002001', 'community', '310101002', '云南中路居委会'),
      area('310102', 'district', '3101', '卢湾区'),
      area('310102001', 'street', '310102'),
      area('310102001001', 'community', '310102001'),
    ],
    areaShapes: {
      district: [shape('310101', rect(0, 0, 10, 10)), shape('310102', rect(10, 0, 20, 10))],
      street: [shape('310101002', rect(0, 0, 10, 10)), shape('310102001', rect(10, 0, 20, 10))],
      community: [shape('310101002001', rect(0, 0, 10, 10)), shape('310102001001', rect(10, 0, 20, 10))],
    },
    unitGrids: [
      {
        code: '310101002001001',
        geometry: fromPolygonCoords(rect(0, 0, 5, 10)),
        data: { areaClass: 'A', dutyGridCode: 'D1' },
      },
      {
        code: '310101002001002',
        geometry: fromPolygonCoords(rect(5, 0, 10, 10)),
        data: { areaClass: 'C', dutyGridCode: null },
      },
    ],
    dutyGrids: [
      { code: 'D1', name: '第一责任网格', geometry: null },
      { code: 'D2', name: '第二责任网格', geometry: fromPolygonCoords(rect(5, 0, 20, 10)) },
    ],
    ...overrides,
  };
}

describe('Locator', () => {
  const locator = new Locator(model());

  it('resolves a point in a unit grid to the whole chain, names included', () => {
    expect(locator.locate(2, 2)).toEqual({
      city: { code: '3101', name: '上海市' },
      district: { code: '310101', name: '黄浦区' },
      street: { code: '310101002', name: '南京东路街道' },
      community: { code: '310101002001', name: '云南中路居委会' },
      unitGrid: { code: '310101002001001', areaClass: 'A' },
      dutyGrid: { code: 'D1', name: '第一责任网格' },
    });
  });

  it('uses the duty-grid polygons where the grid names none', () => {
    expect(locator.locate(7, 2)?.dutyGrid).toEqual({ code: 'D2', name: '第二责任网格' });
    expect(locator.locate(7, 2)?.unitGrid).toEqual({ code: '310101002001002', areaClass: 'C' });
  });

  it('lets the unit grid decide on the district border: the grid code beats the district polygons', () => {
    // x = 10 lies on the shared edge of both districts and on grid 002's east edge.
    const onBorder = locator.locate(10, 5);
    expect(onBorder?.unitGrid?.code).toBe('310101002001002');
    expect(onBorder?.district?.code).toBe('310101');
    expect(onBorder?.community?.code).toBe('310101002001');
  });

  it('locates each level on its own where no grid covers the point', () => {
    expect(locator.locate(15, 5)).toEqual({
      city: { code: '3101', name: '上海市' },
      district: { code: '310102', name: '卢湾区' },
      street: { code: '310102001', name: '310102001' },
      community: { code: '310102001001', name: '310102001001' },
      unitGrid: null,
      dutyGrid: { code: 'D2', name: '第二责任网格' },
    });
  });

  it('gives a grid-less shared edge to the smallest district code', () => {
    const noGrids = new Locator(model({ unitGrids: [] }));
    expect(noGrids.locate(10, 5)?.district?.code).toBe('310101');
    expect(noGrids.locate(10, 10)?.street?.code).toBe('310101002');
  });

  it('answers null outside every district', () => {
    expect(locator.locate(25, 5)).toBeNull();
    expect(locator.locate(5, -0.5)).toBeNull();
  });

  it('falls back to the code prefix for the city, then to the bare code', () => {
    const orphan = new Locator(
      model({ areas: [area('310101', 'district', '3101', '黄浦区'), area('310102', 'district', '3101')] }),
    );
    expect(orphan.locate(2, 2)?.city).toEqual({ code: '3101', name: '3101' });
    // The grid's community is not in `areas`: that level is located on its own instead.
    expect(orphan.locate(2, 2)?.community).toEqual({ code: '310101002001', name: '310101002001' });
  });

  it('counts what it indexed', () => {
    expect(locator.stats()).toEqual({ districts: 2, streets: 2, communities: 2, unitGrids: 2, dutyGrids: 1 });
  });
});
