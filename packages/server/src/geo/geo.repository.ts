import {
  type AreaClass,
  type AreaInfo,
  type AreaLevel,
  type FlatMultiPolygon,
  type GeoModel,
  type Location,
  polygonsFromWkb,
} from '@onegrid/domain';
import type { Queryable } from '../db/db.ts';

export interface LoadedModel {
  /** The geo_revision the rows were read at (read first, so the rows are at least this new). */
  revision: number;
  model: GeoModel;
}

export interface GeoRepository {
  revision(): Promise<number>;
  loadModel(): Promise<LoadedModel>;
  /** `Locator.locate` answered by PostGIS: the source of truth, and the fallback while the index loads. */
  locateSql(lng: number, lat: number): Promise<Location | null>;
}

type Wkb = Uint8Array;

/**
 * One level of `locateSql`: the smallest code among the rows whose geometry intersects the point,
 * boundary included. `OFFSET 0` keeps the planner on the GiST index: without it, it may walk
 * the primary key in code order and test every row until the first hit.
 */
const firstHit = (table: string, where = 'true') => `(
  SELECT s.code FROM (
    SELECT t.code FROM ${table} t, p WHERE ${where} AND ST_Intersects(t.geom, p.g) OFFSET 0
  ) s ORDER BY s.code COLLATE "C" LIMIT 1)`;

/**
 * The same rules as the domain's `Locator`: the unit grid decides community, street and district
 * through its code's prefixes (when those areas exist); otherwise each level on its own; the
 * grid's duty grid, else the duty-grid polygons; the city is the district's parent, else the
 * city its code starts with.
 */
const locateSqlText = `
WITH p AS (SELECT ST_SetSRID(ST_MakePoint($1::float8, $2::float8), 4326) AS g),
ug AS (
  SELECT u.code, u.area_class, u.duty_grid_code FROM unit_grids u
  WHERE u.code = ${firstHit('unit_grids')}
),
lv AS (
  SELECT v.level, COALESCE(
    (SELECT a.code FROM areas a, ug WHERE a.code = left(ug.code, v.len) AND a.level = v.level),
    CASE v.level
      WHEN 'district' THEN ${firstHit('areas', "t.level = 'district'")}
      WHEN 'street' THEN ${firstHit('areas', "t.level = 'street'")}
      ELSE ${firstHit('areas', "t.level = 'community'")}
    END) AS code
  FROM (VALUES ('district', 6), ('street', 9), ('community', 12)) AS v(level, len)
),
d AS (SELECT a.code, a.name, a.parent_code FROM areas a JOIN lv ON lv.code = a.code AND lv.level = 'district'),
dg AS (
  SELECT g.code, g.name FROM duty_grids g
  WHERE g.code = COALESCE(
    (SELECT x.code FROM duty_grids x, ug WHERE x.code = ug.duty_grid_code),
    ${firstHit('duty_grids')})
)
SELECT
  d.code AS district_code, d.name AS district_name,
  COALESCE(cp.code, cx.code, left(d.code, 4)) AS city_code,
  COALESCE(cp.name, cx.name, left(d.code, 4)) AS city_name,
  s.code AS street_code, s.name AS street_name,
  c.code AS community_code, c.name AS community_name,
  (SELECT code FROM ug) AS grid_code, (SELECT area_class FROM ug) AS grid_class,
  (SELECT code FROM dg) AS duty_code, (SELECT name FROM dg) AS duty_name
FROM d
LEFT JOIN areas cp ON cp.code = d.parent_code AND cp.level = 'city'
LEFT JOIN areas cx ON cx.code = left(d.code, 4) AND cx.level = 'city'
LEFT JOIN areas s ON s.code = (SELECT code FROM lv WHERE level = 'street')
LEFT JOIN areas c ON c.code = (SELECT code FROM lv WHERE level = 'community')`;

interface LocateRow {
  district_code: string;
  district_name: string;
  city_code: string;
  city_name: string;
  street_code: string | null;
  street_name: string | null;
  community_code: string | null;
  community_name: string | null;
  grid_code: string | null;
  grid_class: AreaClass | null;
  duty_code: string | null;
  duty_name: string | null;
}

const ref = (code: string | null, name: string | null) =>
  code === null ? null : { code, name: name ?? code };

export function geoRepository(db: Queryable): GeoRepository {
  const revision = async () =>
    (await db.query<{ revision: number }>('SELECT revision::float8 AS revision FROM geo_revision')).rows[0]
      ?.revision ?? 0;

  return {
    revision,

    async loadModel() {
      const rev = await revision();
      const areas = await db.query<{
        code: string;
        name: string;
        level: AreaLevel;
        parent_code: string | null;
      }>('SELECT code, name, level, parent_code FROM areas');
      const shapes = await db.query<{ code: string; level: 'district' | 'street' | 'community'; wkb: Wkb }>(
        `SELECT code, level, ST_AsBinary(geom) AS wkb FROM areas
         WHERE level IN ('district', 'street', 'community') AND geom IS NOT NULL`,
      );
      const grids = await db.query<{
        code: string;
        area_class: AreaClass;
        duty_grid_code: string | null;
        wkb: Wkb;
      }>('SELECT code, area_class, duty_grid_code, ST_AsBinary(geom) AS wkb FROM unit_grids');
      const duty = await db.query<{ code: string; name: string; wkb: Wkb | null }>(
        'SELECT code, name, ST_AsBinary(geom) AS wkb FROM duty_grids',
      );
      const areaShapes: Record<
        'district' | 'street' | 'community',
        { code: string; geometry: FlatMultiPolygon }[]
      > = { district: [], street: [], community: [] };
      for (const s of shapes.rows)
        areaShapes[s.level].push({ code: s.code, geometry: polygonsFromWkb(s.wkb) });
      return {
        revision: rev,
        model: {
          areas: areas.rows.map(
            (a): AreaInfo => ({ code: a.code, name: a.name, level: a.level, parentCode: a.parent_code }),
          ),
          areaShapes,
          unitGrids: grids.rows.map((g) => ({
            code: g.code,
            geometry: polygonsFromWkb(g.wkb),
            data: { areaClass: g.area_class, dutyGridCode: g.duty_grid_code },
          })),
          dutyGrids: duty.rows.map((d) => ({
            code: d.code,
            name: d.name,
            geometry: d.wkb ? polygonsFromWkb(d.wkb) : null,
          })),
        },
      };
    },

    async locateSql(lng, lat) {
      const r = await db.query<LocateRow>(locateSqlText, [lng, lat]);
      const row = r.rows[0];
      if (!row) return null;
      return {
        city: { code: row.city_code, name: row.city_name },
        district: { code: row.district_code, name: row.district_name },
        street: ref(row.street_code, row.street_name),
        community: ref(row.community_code, row.community_name),
        unitGrid: row.grid_code ? { code: row.grid_code, areaClass: row.grid_class ?? 'B' } : null,
        dutyGrid: ref(row.duty_code, row.duty_name),
      };
    },
  };
}
