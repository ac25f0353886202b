/**
 * A small city for browser tests: 上海市 3101 with 黄浦区 around People's Square (人民广场),
 * a neighbouring 静安区, two streets, one community split into four unit grids, a duty grid and
 * three components. Boxes, not real boundaries: enough to see every map layer and to locate a click.
 */
import type { Db } from '../packages/server/src/db/db.ts';

/** People's Square, WGS-84: inside 黄浦区 › 南京东路街道 › 云南中路居委会 › unit grid …002. */
export const peoplesSquare = { lng: 121.4737, lat: 31.2317 };

type Box = [west: number, south: number, east: number, north: number];

function wkt([w, s, e, n]: Box): string {
  return `MULTIPOLYGON(((${w} ${s},${e} ${s},${e} ${n},${w} ${n},${w} ${s})))`;
}

const areas: { code: string; level: string; name: string; parent: string; kind?: string; box: Box }[] = [
  {
    code: '310101',
    level: 'district',
    name: '黄浦区',
    parent: '3101',
    box: [121.455, 31.215, 121.505, 31.245],
  },
  { code: '310106', level: 'district', name: '静安区', parent: '3101', box: [121.43, 31.245, 121.48, 31.28] },
  {
    code: '310101002',
    level: 'street',
    name: '南京东路街道',
    parent: '310101',
    kind: '街道',
    box: [121.455, 31.225, 121.48, 31.245],
  },
  {
    code: '310101013',
    level: 'street',
    name: '外滩街道',
    parent: '310101',
    kind: '街道',
    box: [121.48, 31.225, 121.505, 31.245],
  },
  {
    code: '310101002001',
    level: 'community',
    name: '云南中路居委会',
    parent: '310101002',
    kind: '居委会',
    box: [121.465, 31.228, 121.48, 31.238],
  },
];

const dutyGrid = { code: 'ZR310101002-01', name: '南京东路第一责任网格' };

/** Four unit grids, numbered west to east, south to north. */
const unitGrids: { code: string; areaClass: 'A' | 'B' | 'C'; box: Box }[] = [
  { code: '310101002001001', areaClass: 'A', box: [121.465, 31.228, 121.4725, 31.233] },
  { code: '310101002001002', areaClass: 'A', box: [121.4725, 31.228, 121.48, 31.233] },
  { code: '310101002001003', areaClass: 'B', box: [121.465, 31.233, 121.4725, 31.238] },
  { code: '310101002001004', areaClass: 'C', box: [121.4725, 31.233, 121.48, 31.238] },
];

const components: { id: string; name: string; status: string; lng: number; lat: number }[] = [
  { id: '31010101010000001', name: '上水井盖', status: 'intact', lng: 121.4745, lat: 31.2305 },
  { id: '31010101010000002', name: '上水井盖', status: 'damaged', lng: 121.4765, lat: 31.2315 },
  { id: '31010104010000003', name: '路灯', status: 'missing', lng: 121.4775, lat: 31.2295 },
];

export async function insertCityFixture(db: Db): Promise<void> {
  await db.query(
    "INSERT INTO areas (code, level, name) VALUES ('3101', 'city', '上海市') ON CONFLICT (code) DO NOTHING",
  );
  for (const a of areas) {
    await db.query(
      `INSERT INTO areas (code, level, name, parent_code, kind, geom, center, area_m2)
       SELECT $1, $2, $3, $4, $5, g, ST_PointOnSurface(g), ST_Area(g::geography)
       FROM (SELECT ST_GeomFromText($6, 4326) AS g) s`,
      [a.code, a.level, a.name, a.parent, a.kind ?? null, wkt(a.box)],
    );
  }
  await db.query(
    `INSERT INTO duty_grids (code, name, street_code, district_code, geom)
     SELECT $1, $2, '310101002', '310101', geom FROM areas WHERE code = '310101002001'`,
    [dutyGrid.code, dutyGrid.name],
  );
  for (const g of unitGrids) {
    await db.query(
      `INSERT INTO unit_grids (code, community_code, street_code, district_code, duty_grid_code, area_class, geom, area_m2)
       SELECT $1, '310101002001', '310101002', '310101', $2, $3, g, ST_Area(g::geography)
       FROM (SELECT ST_GeomFromText($4, 4326) AS g) s`,
      [g.code, dutyGrid.code, g.areaClass, wkt(g.box)],
    );
  }
  for (const c of components) {
    await db.query(
      `INSERT INTO components (id, category_code, name, owner_dept_code, owner_dept_name, unit_grid_code, status,
         survey_date, district_code, street_code, community_code, geom)
       VALUES ($1, $2, $3, 'HP-SW', '黄浦区水务局', '310101002001002', $4, '2026-01-15', '310101', '310101002',
         '310101002001', ST_SetSRID(ST_MakePoint($5, $6), 4326))`,
      [c.id, c.id.slice(6, 10), c.name, c.status, c.lng, c.lat],
    );
  }
  await db.query('UPDATE geo_revision SET revision = revision + 1');
}
