import type { FlatMultiPolygon, SyntheticCity } from '@onegrid/domain';
import { copyLine, type Db } from '../db/db.ts';

/**
 * EWKT with every coordinate written in full (`String(n)` is the shortest text that reads back
 * as the same double), so PostGIS stores exactly the vertices the in-memory index holds.
 */
export function multiPolygonEwkt(geometry: FlatMultiPolygon): string {
  const polygons = geometry.map((polygon) => {
    const rings = polygon.map((ring) => {
      const pts: string[] = [];
      for (let i = 0; i < ring.length; i += 2) pts.push(`${ring[i]} ${ring[i + 1]}`);
      return `(${pts.join(',')})`;
    });
    return `(${rings.join(',')})`;
  });
  return `SRID=4326;MULTIPOLYGON(${polygons.join(',')})`;
}

/**
 * Writes a synthetic city (areas, duty grids, unit grids) with COPY: for the locate benchmark
 * and for tests that need thousands of grids. The city row is added when missing.
 */
export async function writeSyntheticCity(db: Db, city: SyntheticCity): Promise<void> {
  await db.query(
    "INSERT INTO areas (code, level, name) VALUES ($1, 'city', $2) ON CONFLICT (code) DO NOTHING",
    [city.city.code, city.city.name],
  );
  await db.copyFrom(
    'areas',
    ['code', 'level', 'name', 'parent_code', 'geom'],
    city.areas.map((a) => copyLine([a.code, a.level, a.name, a.parentCode, multiPolygonEwkt(a.geometry)])),
  );
  await db.copyFrom(
    'duty_grids',
    ['code', 'name', 'street_code', 'district_code', 'geom'],
    city.dutyGrids.map((d) =>
      copyLine([d.code, d.name, d.streetCode, d.districtCode, multiPolygonEwkt(d.geometry)]),
    ),
  );
  await db.copyFrom(
    'unit_grids',
    [
      'code',
      'community_code',
      'street_code',
      'district_code',
      'duty_grid_code',
      'area_class',
      'geom',
      'area_m2',
    ],
    city.unitGrids.map((g) =>
      copyLine([
        g.code,
        g.communityCode,
        g.streetCode,
        g.districtCode,
        g.dutyGridCode,
        g.areaClass,
        multiPolygonEwkt(g.geometry),
        g.areaM2,
      ]),
    ),
  );
}
