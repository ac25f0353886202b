/**
 * Factories for the administrative tree: city → district → street → community. Demo data and
 * tests both build cities through these.
 */
import {
  areaClassFor,
  districtFact,
  type Rng,
  type StreetFact,
  shanghaiCityCode,
  shanghaiCityName,
  shanghaiDistricts,
  syntheticCommunityName,
} from '@onegrid/domain';
import type { Queryable } from '../db/db.ts';
import { geometryOf, overlayPrecision, voronoiSplit } from './geometry.ts';
import type { SharedCommunity, SharedPolygon } from './shared-data.ts';

export interface AreaInput {
  code: string;
  level: 'city' | 'district' | 'street' | 'community';
  name: string;
  parentCode: string | null;
  kind?: string | null;
  areaClass?: 'A' | 'B' | 'C';
  /** Hex EWKB (from the seed's own geometry) or null. */
  wkb?: string | null;
  /** GeoJSON geometry text from outside data; made valid on the way in. */
  geojson?: string | null;
}

/** Inserts or replaces areas, deriving centre and area (m², on the spheroid) from the geometry. */
export async function insertAreas(db: Queryable, rows: readonly AreaInput[]): Promise<void> {
  if (rows.length === 0) return;
  const payload = rows.map((r) => ({
    code: r.code,
    level: r.level,
    name: r.name,
    parent: r.parentCode,
    kind: r.kind ?? null,
    class: r.areaClass ?? 'B',
    wkb: r.wkb ?? null,
    geojson: r.geojson ?? null,
  }));
  await db.query(
    `INSERT INTO areas (code, level, name, parent_code, kind, area_class, geom, center, area_m2)
     SELECT x.code, x.level, x.name, x.parent, x.kind, x.class, g.geom,
            ST_PointOnSurface(g.geom), ST_Area(g.geom::geography)
       FROM jsonb_to_recordset($1::jsonb) AS x(code text, level text, name text, parent text, kind text,
                                              class text, wkb text, geojson text)
       CROSS JOIN LATERAL (
         SELECT CASE
           WHEN x.wkb IS NOT NULL THEN ST_Multi(x.wkb::geometry)
           WHEN x.geojson IS NOT NULL THEN ST_Multi(ST_CollectionExtract(ST_MakeValid(
             ST_SetSRID(ST_GeomFromGeoJSON(x.geojson), 4326)), 3))
         END AS geom
       ) AS g
     ON CONFLICT (code) DO UPDATE SET level = EXCLUDED.level, name = EXCLUDED.name,
       parent_code = EXCLUDED.parent_code, kind = EXCLUDED.kind, area_class = EXCLUDED.area_class,
       geom = EXCLUDED.geom, center = EXCLUDED.center, area_m2 = EXCLUDED.area_m2, updated_at = now()`,
    [JSON.stringify(payload)],
  );
}

export interface MakeCityOptions {
  /** Real district boundaries by code (the public data folder); generated when absent. */
  districtBoundaries?: Map<string, SharedPolygon> | undefined;
  /** Which districts to create; all 16 by default. */
  districts?: readonly string[];
}

/**
 * The city root and its districts, with real boundaries when given, else the Voronoi cells of
 * each district's anchor points, clipped to their buffered hull.
 */
export async function makeCity(db: Queryable, options: MakeCityOptions = {}): Promise<string[]> {
  const wanted = shanghaiDistricts.filter((d) => !options.districts || options.districts.includes(d.code));
  await insertAreas(db, [
    { code: shanghaiCityCode, level: 'city', name: shanghaiCityName, parentCode: null },
  ]);
  const synthetic = options.districtBoundaries ? new Map<string, string>() : await syntheticDistricts(db);
  await insertAreas(
    db,
    wanted.map((d) => ({
      code: d.code,
      level: 'district' as const,
      name: d.name,
      parentCode: shanghaiCityCode,
      kind: '区',
      areaClass: d.central ? ('A' as const) : ('B' as const),
      wkb: synthetic.get(d.code) ?? null,
      geojson: options.districtBoundaries?.get(d.code)?.geometry ?? null,
    })),
  );
  return wanted.map((d) => d.code);
}

async function syntheticDistricts(db: Queryable): Promise<Map<string, string>> {
  const anchors = shanghaiDistricts.flatMap((d) => d.anchors.map(([x, y]) => ({ code: d.code, x, y })));
  const r = await db.query<{ code: string; wkb: string }>(
    `WITH pts AS (
       SELECT t.code, ST_SetSRID(ST_MakePoint(t.x, t.y), 4326) AS p
         FROM jsonb_to_recordset($1::jsonb) AS t(code text, x float8, y float8)
     ),
     hull AS (SELECT ST_Buffer(ST_ConvexHull(ST_Collect(p))::geography, 6000)::geometry AS g FROM pts),
     cells AS (SELECT (ST_Dump(ST_VoronoiPolygons(ST_Collect(p), 0, (SELECT g FROM hull)))).geom AS c FROM pts)
     SELECT pts.code, ST_AsHEXEWKB(ST_Multi(ST_Union(ST_Intersection(cells.c, hull.g, $2), $2::float8))) AS wkb
       FROM pts JOIN cells ON ST_Contains(cells.c, pts.p) CROSS JOIN hull
      GROUP BY pts.code`,
    [JSON.stringify(anchors), overlayPrecision],
  );
  return new Map(r.rows.map((row) => [row.code, row.wkb]));
}

/**
 * Fits street polygons from outside data into their district without gaps or overlaps: each is
 * clipped to the district, larger polygons keep contested overlaps, and land no named polygon
 * covers (border slivers, unnamed polygons) goes to the neighbouring street that shares most of
 * its border — the territorial authority (属地兜底).
 */
export async function partitionStreets(
  db: Queryable,
  districtCode: string,
  polygons: readonly SharedPolygon[],
  knownCodes: ReadonlySet<string>,
): Promise<Map<string, string>> {
  const named = [...polygons]
    .filter((p) => p.code && knownCodes.has(p.code))
    .sort((a, b) => b.areaKm2 - a.areaKm2)
    .map((p, ord) => ({ code: p.code, ord, geometry: p.geometry }));
  if (named.length === 0) return new Map();
  const r = await db.query<{ code: string; wkb: string }>(
    `WITH d AS (SELECT geom AS g FROM areas WHERE code = $1),
     raw AS (
       SELECT x.code, x.ord,
              ST_CollectionExtract(ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON(x.geometry), 4326)), 3) AS g
         FROM jsonb_to_recordset($2::jsonb) AS x(code text, ord int, geometry text)
     ),
     clipped AS (
       SELECT raw.code, raw.ord, ST_CollectionExtract(ST_Intersection(raw.g, d.g, $3), 3) AS g
         FROM raw CROSS JOIN d WHERE raw.g && d.g
     ),
     exclusive AS (
       SELECT c.code, c.ord,
              CASE WHEN o.u IS NULL THEN c.g ELSE ST_CollectionExtract(ST_Difference(c.g, o.u, $3), 3) END AS g
         FROM clipped c
         LEFT JOIN LATERAL (
           SELECT ST_Union(e.g, $3::float8) AS u FROM clipped e WHERE e.ord < c.ord AND e.g && c.g
         ) AS o ON true
     ),
     leftover AS (
       SELECT row_number() OVER () AS id, part.geom AS g
         FROM d, LATERAL ST_Dump(ST_CollectionExtract(
                ST_Difference(d.g, (SELECT ST_Union(g, $3::float8) FROM exclusive), $3), 3)) AS part
     ),
     adopted AS (
       SELECT DISTINCT ON (l.id) l.id, e.code, l.g
         FROM leftover l CROSS JOIN exclusive e
        ORDER BY l.id,
                 CASE WHEN e.g && l.g AND ST_Intersects(e.g, l.g)
                      THEN ST_Length(ST_CollectionExtract(ST_Intersection(e.g, l.g, $3), 2)) ELSE 0 END DESC,
                 ST_Distance(e.g, l.g), e.ord
     ),
     pieces AS (SELECT code, g FROM exclusive UNION ALL SELECT code, g FROM adopted)
     SELECT code, ST_AsHEXEWKB(ST_Multi(ST_CollectionExtract(ST_Union(g, $3::float8), 3))) AS wkb
       FROM pieces WHERE NOT ST_IsEmpty(g) GROUP BY code`,
    [districtCode, JSON.stringify(named), overlayPrecision],
  );
  return new Map(r.rows.map((row) => [row.code, row.wkb]));
}

/** Street area rows for the given facts; geometry by code when known, null otherwise. */
export async function makeStreets(
  db: Queryable,
  streets: readonly StreetFact[],
  geometry: Map<string, string>,
): Promise<void> {
  await insertAreas(
    db,
    streets.map((s) => ({
      code: s.code,
      level: 'street' as const,
      name: s.name,
      parentCode: s.districtCode,
      kind: s.kind,
      areaClass: areaClassFor({
        centralDistrict: districtFact(s.districtCode)?.central ?? false,
        streetKind: s.kind,
        urbanRuralType: s.kind === '街道' ? null : '121',
      }),
      wkb: geometry.get(s.code) ?? null,
    })),
  );
}

/** Generated street geometry: the district cut into one cell per street. */
export async function syntheticStreetGeometry(
  db: Queryable,
  districtCode: string,
  streets: readonly StreetFact[],
  rng: Rng,
): Promise<Map<string, string>> {
  const cells = await voronoiSplit(db, await geometryOf(db, districtCode), streets.length, rng);
  return new Map(cells.map((c) => [streets[c.ord]!.code, c.wkb]));
}

export interface CommunitySpec {
  code: string;
  name: string;
  kind: string;
  areaClass: 'A' | 'B' | 'C';
}

/**
 * The communities of a street: the real list (codes, names, urban–rural type) when given,
 * else `street.communities` generated ones numbered street + 001….
 */
export function communitySpecs(street: StreetFact, real?: readonly SharedCommunity[]): CommunitySpec[] {
  const centralDistrict = districtFact(street.districtCode)?.central ?? false;
  if (real && real.length > 0) {
    return real.map((c) => ({
      code: c.code,
      name: c.name,
      kind: /村委会$/.test(c.name) ? '村委会' : /居委会$/.test(c.name) ? '居委会' : '社区',
      areaClass: areaClassFor({ centralDistrict, streetKind: street.kind, urbanRuralType: c.urbanRuralType }),
    }));
  }
  const n = Math.max(1, street.communities);
  return Array.from({ length: n }, (_, i) => {
    const { name, kind } = syntheticCommunityName(street.name, street.kind, i + 1, n);
    return {
      code: `${street.code}${String(i + 1).padStart(3, '0')}`,
      name,
      kind,
      areaClass: areaClassFor({
        centralDistrict,
        streetKind: street.kind,
        urbanRuralType: kind === '村委会' ? '220' : '111',
      }),
    };
  });
}

/**
 * Cuts a street into its communities (relaxed Voronoi cells, so they tile the street) and
 * inserts them. Communities of a street without geometry are listed without geometry.
 */
export async function makeCommunities(
  db: Queryable,
  streetCode: string,
  specs: readonly CommunitySpec[],
  rng: Rng,
): Promise<number> {
  const hasGeom = await db.query<{ ok: boolean }>(
    'SELECT geom IS NOT NULL AS ok FROM areas WHERE code = $1',
    [streetCode],
  );
  const cells =
    hasGeom.rows[0]?.ok && specs.length > 0
      ? await voronoiSplit(db, await geometryOf(db, streetCode), specs.length, rng)
      : [];
  const wkb = new Map(cells.map((c) => [c.ord, c.wkb]));
  await insertAreas(
    db,
    specs.map((s, i) => ({
      code: s.code,
      level: 'community' as const,
      name: s.name,
      parentCode: streetCode,
      kind: s.kind,
      areaClass: s.areaClass,
      wkb: wkb.get(i) ?? null,
    })),
  );
  return specs.length;
}
