/**
 * Components (部件) with all 18 attributes of GB/T 47678.5 table 2, generated set-based in SQL:
 * seeded random points in every unit grid, a category drawn from the demo mix, ids numbered per
 * district and category. One statement per street, so the city-scale run streams street by street.
 */
import {
  baseCellAreaM2,
  componentDensityPerKm2,
  componentMix,
  componentStatusMix,
  cumulativeRanges,
  type OwnerKind,
} from '@onegrid/domain';
import type { Queryable } from '../db/db.ts';

/** Which department owns each kind of component, by department slug (see org.factory.ts). */
export const ownerSlug: Record<OwnerKind, string> = {
  water: 'sw',
  power: 'gd',
  gas: 'rq',
  telecom: 'tx',
  roads: 'szdl',
  traffic: 'jj',
  greening: 'lhsr',
  sanitation: 'hw',
  enforcement: 'cgzf',
  housing: 'fg',
};

const componentSql = `
WITH mix AS (
  SELECT m.ord, m.code, m.slug, cat.name AS category_name
    FROM jsonb_to_recordset($2::jsonb) AS m(ord int, code text, slug text)
    JOIN categories cat ON cat.kind = 'component' AND cat.code = m.code
),
density AS (SELECT * FROM jsonb_to_recordset($4::jsonb) AS d(cls text, per_km2 float8, base_m2 float8)),
-- Communities cut into larger-than-usual cells are large and empty (farmland, shoals, water):
-- thin their components by the square of how much the cells grew, or one estuary town of
-- 崇明区 would hold a million. Ordinary communities (mean cell ≤ 1.5 × standard) are untouched.
sparse AS (
  SELECT g.community_code, least(1.0, power(1.5 * d.base_m2 / avg(g.area_m2), 2)) AS factor
    FROM unit_grids g JOIN density d ON d.cls = g.area_class
   WHERE g.street_code = $1 GROUP BY g.community_code, d.base_m2
),
grids AS (
  SELECT g.code, g.geom, g.community_code, c.name AS community_name, s.code AS street_code,
         s.name AS street_name, g.district_code, g.area_m2, d.per_km2 * sparse.factor AS per_km2,
         ('x' || substr(md5($6 || g.code), 1, 7))::bit(28)::int AS h
    FROM unit_grids g
    JOIN density d ON d.cls = g.area_class
    JOIN sparse ON sparse.community_code = g.community_code
    JOIN areas c ON c.code = g.community_code
    JOIN areas s ON s.code = c.parent_code
   WHERE g.street_code = $1
),
pts AS (
  SELECT g.code AS grid, g.community_code, g.community_name, g.street_code, g.street_name, g.district_code,
         p.path[1] AS idx, p.geom
    FROM grids g
    CROSS JOIN LATERAL ST_Dump(ST_GeneratePoints(
      g.geom,
      greatest(1, round(g.area_m2 / 1e6 * g.per_km2 * (0.7 + 0.6 * (g.h % 1000) / 1000.0)))::int,
      1 + g.h)) AS p
),
drawn AS (
  SELECT pts.*, md5($6 || pts.grid || ':' || pts.idx) AS m FROM pts
),
-- Materialized so the planner cannot push the category join below ST_GeneratePoints and
-- generate every grid's points once per category.
r AS MATERIALIZED (
  SELECT drawn.*,
         ($3::int[])[1 + ('x' || substr(m, 1, 7))::bit(28)::int % 10000] AS mix_ord,
         ($7::text[])[($8::int[])[1 + ('x' || substr(m, 8, 7))::bit(28)::int % 10000]] AS status,
         ('x' || substr(m, 15, 7))::bit(28)::int AS r_date,
         ('x' || substr(m, 22, 7))::bit(28)::int % 100 AS r_source
    FROM drawn
),
picked AS (
  SELECT r.*, mix.code AS category_code, mix.category_name, mix.slug,
         coalesce(($5::jsonb ->> mix.code)::int, 0)
           + row_number() OVER (PARTITION BY mix.code ORDER BY r.grid, r.idx) AS seq
    FROM r JOIN mix ON mix.ord = r.mix_ord
),
ins AS (
  INSERT INTO components (id, category_code, name, owner_dept_code, owner_dept_name, property_unit_code,
    property_unit_name, maintainer_code, maintainer_name, unit_grid_code, status, survey_date, change_date,
    data_source, note, street_code, street_name, community_code, community_name, district_code, geom)
  SELECT p.district_code || p.category_code || lpad(p.seq::text, 6, '0'),
         p.category_code, p.category_name,
         owner.credit_code, owner.name, owner.credit_code, owner.name,
         coalesce(maint.credit_code, owner.credit_code), coalesce(maint.name, owner.name),
         p.grid, p.status,
         date '2019-01-01' + (p.r_date % 2370),
         CASE WHEN p.status <> 'intact' THEN date '2019-01-01' + (p.r_date % 2370) + 30 + (p.r_date % 500) END,
         CASE WHEN p.r_source < 85 THEN 'surveyed' WHEN p.r_source < 95 THEN 'map' ELSE 'other' END,
         CASE p.status WHEN 'damaged' THEN '巡查发现破损，待修复' WHEN 'missing' THEN '巡查发现缺失'
                       WHEN 'abandoned' THEN '已停用' WHEN 'removed' THEN '已拆除' END,
         p.street_code, p.street_name, p.community_code, p.community_name, p.district_code, p.geom
    FROM picked p
    JOIN departments owner ON owner.code = p.district_code || '-' || p.slug
    LEFT JOIN departments maint ON maint.code = p.district_code || '-' || p.slug || 'yh'
   -- The id has 6 digits of sequence per district and category; past that, the category is full.
   WHERE p.seq <= 999999
  RETURNING category_code
)
SELECT category_code AS code, count(*)::int AS n FROM ins GROUP BY category_code`;

/**
 * Lookup tables of 10,000 entries holding the 1-based position of an entry: a uniform draw in
 * [0, 10000) indexes straight into them. Integer arrays index in constant time in PostgreSQL
 * (text arrays are walked element by element), and both beat a range join per point.
 */
function buckets(entries: readonly { weight: number }[]): number[] {
  const out: number[] = [];
  for (const [i, e] of cumulativeRanges(entries).entries()) for (let k = e.lo; k < e.hi; k++) out.push(i + 1);
  return out;
}
const categoryBuckets = buckets(componentMix);
const statusBuckets = buckets(componentStatusMix);
const statuses = componentStatusMix.map((s) => s.status);

export interface ComponentOptions {
  /** Multiplies the per-class densities (tests use small fractions). */
  densityFactor?: number;
  /** Last sequence used per category in this district; updated in place. */
  sequences?: Map<string, number>;
  /** Varies the draw; the same salt gives the same components. */
  salt?: string;
}

/**
 * Components for every unit grid of a street. Needs the category catalogue and the district's
 * departments (`makeDepartments`). Returns how many were made.
 */
export async function makeComponents(
  db: Queryable,
  streetCode: string,
  options: ComponentOptions = {},
): Promise<number> {
  const factor = options.densityFactor ?? 1;
  const sequences = options.sequences ?? (await componentSequences(db, streetCode.slice(0, 6)));
  const mix = componentMix.map((m, i) => ({ ord: i + 1, code: m.code, slug: ownerSlug[m.owner] }));
  const density = Object.entries(componentDensityPerKm2).map(([cls, perKm2]) => ({
    cls,
    per_km2: perKm2 * factor,
    base_m2: baseCellAreaM2[cls as keyof typeof baseCellAreaM2],
  }));
  const r = await db.query<{ code: string; n: number }>(componentSql, [
    streetCode,
    JSON.stringify(mix),
    categoryBuckets,
    JSON.stringify(density),
    JSON.stringify(Object.fromEntries(sequences)),
    options.salt ?? '',
    statuses,
    statusBuckets,
  ]);
  let total = 0;
  for (const row of r.rows) {
    sequences.set(row.code, (sequences.get(row.code) ?? 0) + row.n);
    total += row.n;
  }
  return total;
}

/** The last sequence number in use per category in a district, so later batches continue it. */
export async function componentSequences(db: Queryable, districtCode: string): Promise<Map<string, number>> {
  const r = await db.query<{ code: string; seq: number }>(
    `SELECT category_code AS code, max(right(id, 6)::int) AS seq FROM components
      WHERE district_code = $1 GROUP BY category_code`,
    [districtCode],
  );
  return new Map(r.rows.map((x) => [x.code, x.seq]));
}
