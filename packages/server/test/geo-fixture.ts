/**
 * A small hand-made city for the geo tests, near People's Square. In units of 0.01° from
 * (121.40, 31.20):
 *
 *   y 4 ┌──────────────── 310101013001 ─┬─ 310104003001 ──────────┐
 *       │ (no unit grids)               │  grid 001  │  grid 002  │
 *   y 2 ├─ 310101002001 ┬ 310101002002 ─┤  x 4–6     │  x 6–8     │
 *       │ 001 │ 002     │ 001 ╱         │            │            │
 *   y 1 ├─────┼─────    │   ╱  002      │            │            │
 *       │ 003 │ 004     │ ╱             │            │            │
 *   y 0 └─────┴─────────┴───────────────┴────────────┴────────────┘
 *       x 0   1         2               4            6            8
 *
 * Districts 310101 (x 0–4) and 310104 (x 4–8) share the edge x = 4; grids 310101002002001 and
 * …002 share the slanted edge from (4, 0) to (2, 2). Duty grid DG-A is assigned to the four grids
 * of 310101002001; DG-B is a polygon over x 2–8 that no grid names.
 */
import type { Db } from '../src/db/db.ts';

export const X0 = 121.4;
export const Y0 = 31.2;
export const lng = (x: number) => X0 + x / 100;
export const lat = (y: number) => Y0 + y / 100;

const poly = (...pts: [number, number][]) =>
  `SRID=4326;MULTIPOLYGON(((${[...pts, pts[0]!].map(([x, y]) => `${lng(x)} ${lat(y)}`).join(',')})))`;
const rect = (x0: number, y0: number, x1: number, y1: number) => poly([x0, y0], [x1, y0], [x1, y1], [x0, y1]);

export const fixtureAreas = [
  { code: '310101', level: 'district', name: '黄浦区', parent: '3101', geom: rect(0, 0, 4, 4) },
  { code: '310104', level: 'district', name: '徐汇区', parent: '3101', geom: rect(4, 0, 8, 4) },
  { code: '310101002', level: 'street', name: '南京东路街道', parent: '310101', geom: rect(0, 0, 4, 2) },
  { code: '310101013', level: 'street', name: '外滩街道', parent: '310101', geom: rect(0, 2, 4, 4) },
  { code: '310104003', level: 'street', name: '天平路街道', parent: '310104', geom: rect(4, 0, 8, 4) },
  {
    code: '310101002001',
    level: 'community',
    name: '云南中路居委会',
    parent: '310101002',
    geom: rect(0, 0, 2, 2),
  },
  {
    code: '310101002002',
    level: 'community',
    name: '贵州路居委会',
    parent: '310101002',
    geom: rect(2, 0, 4, 2),
  },
  {
    code: '310101013001',
    level: 'community',
    name: '中山东一路居委会',
    parent: '310101013',
    geom: rect(0, 2, 4, 4),
  },
  {
    code: '310104003001',
    level: 'community',
    name: '天平居委会',
    parent: '310104003',
    geom: rect(4, 0, 8, 4),
  },
] as const;

export const fixtureGrids = [
  { code: '310101002001001', cls: 'A', duty: 'DG-A', geom: rect(0, 1, 1, 2) },
  { code: '310101002001002', cls: 'A', duty: 'DG-A', geom: rect(1, 1, 2, 2) },
  { code: '310101002001003', cls: 'B', duty: 'DG-A', geom: rect(0, 0, 1, 1) },
  { code: '310101002001004', cls: 'B', duty: 'DG-A', geom: rect(1, 0, 2, 1) },
  { code: '310101002002001', cls: 'C', duty: null, geom: poly([2, 0], [4, 0], [2, 2]) },
  { code: '310101002002002', cls: 'C', duty: null, geom: poly([4, 0], [4, 2], [2, 2]) },
  { code: '310104003001001', cls: 'B', duty: null, geom: rect(4, 0, 6, 4) },
  { code: '310104003001002', cls: 'B', duty: null, geom: rect(6, 0, 8, 4) },
] as const;

export async function writeFixtureCity(db: Db): Promise<void> {
  await db.query(
    "INSERT INTO areas (code, level, name) VALUES ('3101', 'city', '上海市') ON CONFLICT (code) DO NOTHING",
  );
  for (const a of fixtureAreas) {
    await db.query(
      'INSERT INTO areas (code, level, name, parent_code, geom) VALUES ($1, $2, $3, $4, ST_GeomFromEWKT($5))',
      [a.code, a.level, a.name, a.parent, a.geom],
    );
  }
  await db.query(
    `INSERT INTO duty_grids (code, name, street_code, district_code, geom) VALUES
       ('DG-A', '云南中路责任网格', '310101002', '310101', ST_GeomFromEWKT($1)),
       ('DG-B', '东片责任网格', '310101002', '310101', ST_GeomFromEWKT($2))`,
    [rect(0, 0, 2, 2), rect(2, 0, 8, 4)],
  );
  for (const g of fixtureGrids) {
    await db.query(
      `INSERT INTO unit_grids (code, community_code, street_code, district_code, duty_grid_code, area_class, geom, area_m2)
       VALUES ($1, left($1, 12), left($1, 9), left($1, 6), $2, $3, ST_GeomFromEWKT($4), ST_Area(ST_GeomFromEWKT($4)::geography))`,
      [g.code, g.duty, g.cls, g.geom],
    );
  }
}

/** Every vertex, edge midpoint and a few interior points of the fixture, in fixture units. */
export function fixtureProbePoints(): [number, number][] {
  const pts: [number, number][] = [];
  for (let x = 0; x <= 8; x += 0.5) for (let y = 0; y <= 4; y += 0.5) pts.push([x, y]);
  // Along the slanted edge and just off it on both sides.
  for (const t of [0.1, 0.25, 0.5, 0.75, 0.9]) {
    pts.push([4 - 2 * t, 2 * t], [4 - 2 * t + 1e-9, 2 * t], [4 - 2 * t - 1e-9, 2 * t]);
  }
  // Outside the city, and just outside its edges.
  pts.push([-1, 1], [9, 2], [4, 4.0000001], [-0.0000001, 0], [8.5, -0.5]);
  return pts;
}
