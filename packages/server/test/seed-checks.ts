/**
 * Geometric and coding checks of a seeded city, shared by the generated-geometry and the
 * real-data seed tests. Each returns facts for the test to assert on.
 */
import type { Queryable } from '../src/db/db.ts';

export interface TilingFacts {
  communities: number;
  /** Largest |union of grids − community| / community over all communities. */
  worstAreaError: number;
  /** Pairs of unit grids of one community whose interiors overlap. */
  overlaps: number;
  /**
   * Area (m²) where grids of neighbouring communities overlap: each community is cut on its own,
   * so shared borders may differ by rounding (hairlines well under a square metre in all).
   */
  crossOverlapM2: number;
  /** Largest area (m²) of a unit grid outside its community: rounding only. */
  worstOutsideM2: number;
  /** Unit grids whose interior point is not in their community. */
  misplaced: number;
}

export async function tilingFacts(db: Queryable, streets: readonly string[]): Promise<TilingFacts> {
  const r = await db.query<TilingFacts>(
    `WITH u AS (
       SELECT c.code, c.area_m2, ST_Area(ST_Union(g.geom, 1e-9::float8)::geography) AS grids_m2
         FROM areas c JOIN unit_grids g ON g.community_code = c.code
        WHERE c.parent_code = ANY($1::text[]) GROUP BY c.code, c.area_m2
     )
     SELECT (SELECT count(*)::int FROM u) AS communities,
            (SELECT max(abs(grids_m2 - area_m2) / area_m2) FROM u) AS "worstAreaError",
            (SELECT count(*)::int FROM unit_grids a JOIN unit_grids b
                ON a.community_code = b.community_code AND a.code < b.code AND a.geom && b.geom
               AND ST_Overlaps(a.geom, b.geom)
              WHERE a.street_code = ANY($1::text[])) AS overlaps,
            (SELECT coalesce(sum(ST_Area(ST_Intersection(a.geom, b.geom, 1e-9)::geography)), 0)
               FROM unit_grids a JOIN unit_grids b
                 ON a.street_code = b.street_code AND a.community_code <> b.community_code AND a.code < b.code
                AND a.geom && b.geom AND ST_Overlaps(a.geom, b.geom)
              WHERE a.street_code = ANY($1::text[])) AS "crossOverlapM2",
            (SELECT coalesce(max(ST_Area(ST_Difference(g.geom, c.geom, 1e-9)::geography)), 0)
               FROM unit_grids g JOIN areas c ON c.code = g.community_code
              WHERE g.street_code = ANY($1::text[])) AS "worstOutsideM2",
            (SELECT count(*)::int FROM unit_grids g JOIN areas c ON c.code = g.community_code
              WHERE g.street_code = ANY($1::text[])
                AND NOT ST_Intersects(ST_PointOnSurface(g.geom), c.geom)) AS misplaced`,
    [streets],
  );
  return r.rows[0]!;
}

export interface CodingFacts {
  grids: number;
  badCodes: number;
  /** Communities whose sequences are not exactly 001…n. */
  gappySequences: number;
  /** Consecutive grids (by sequence) where the next one is neither east nor south of the last. */
  outOfOrder: number;
  /** Communities whose 001 grid does not touch the community's northernmost row of grids. */
  firstNotNorth: number;
  /** Grids under 2,000 m² that are not their whole community. */
  slivers: number;
  maxPerCommunity: number;
  meanAreaM2: number;
}

export async function codingFacts(db: Queryable, streets: readonly string[]): Promise<CodingFacts> {
  const r = await db.query<CodingFacts>(
    `WITH g AS (
       SELECT code, community_code, area_m2, geom, right(code, 3)::int AS seq,
              ST_X(ST_Centroid(geom)) AS x, ST_Y(ST_Centroid(geom)) AS y
         FROM unit_grids WHERE street_code = ANY($1::text[])
     ),
     steps AS (
       SELECT x, y, lag(x) OVER w AS px, lag(y) OVER w AS py FROM g
       WINDOW w AS (PARTITION BY community_code ORDER BY code)
     ),
     per AS (SELECT community_code, count(*) AS n, max(seq) AS top, max(ST_YMax(geom)) AS north FROM g GROUP BY 1)
     SELECT (SELECT count(*)::int FROM g) AS grids,
            (SELECT count(*)::int FROM g WHERE code !~ '^\\d{15}$' OR left(code, 12) <> community_code) AS "badCodes",
            (SELECT count(*)::int FROM per WHERE n <> top) AS "gappySequences",
            (SELECT count(*)::int FROM steps WHERE px IS NOT NULL AND NOT (x > px OR y < py)) AS "outOfOrder",
            (SELECT count(*)::int FROM g JOIN per USING (community_code)
              WHERE g.seq = 1 AND ST_YMax(g.geom) < per.north - 0.0011) AS "firstNotNorth",
            (SELECT count(*)::int FROM g JOIN areas c ON c.code = g.community_code
              WHERE g.area_m2 < 2000 AND abs(g.area_m2 - c.area_m2) > 1) AS slivers,
            (SELECT max(n)::int FROM per) AS "maxPerCommunity",
            (SELECT avg(area_m2) FROM g) AS "meanAreaM2"`,
    [streets],
  );
  return r.rows[0]!;
}

export interface DutyFacts {
  dutyGrids: number;
  unassigned: number;
  /** Duty grids holding a unit grid of another street. */
  crossStreet: number;
  minSize: number;
  maxSize: number;
  meanSize: number;
  withoutInspector: number;
}

export async function dutyFacts(db: Queryable, streets: readonly string[]): Promise<DutyFacts> {
  const r = await db.query<DutyFacts>(
    `WITH sizes AS (
       SELECT d.code, count(g.code) AS n FROM duty_grids d LEFT JOIN unit_grids g ON g.duty_grid_code = d.code
        WHERE d.street_code = ANY($1::text[]) GROUP BY d.code
     )
     SELECT (SELECT count(*)::int FROM sizes) AS "dutyGrids",
            (SELECT count(*)::int FROM unit_grids WHERE street_code = ANY($1::text[]) AND duty_grid_code IS NULL)
              AS unassigned,
            (SELECT count(*)::int FROM unit_grids g JOIN duty_grids d ON d.code = g.duty_grid_code
              WHERE d.street_code = ANY($1::text[]) AND (g.street_code <> d.street_code
                 OR left(d.code, 9) <> d.street_code OR d.code !~ '^\\d{9}D\\d{3}$')) AS "crossStreet",
            (SELECT min(n)::int FROM sizes) AS "minSize",
            (SELECT max(n)::int FROM sizes) AS "maxSize",
            (SELECT avg(n)::float8 FROM sizes) AS "meanSize",
            (SELECT count(*)::int FROM duty_grids d WHERE d.street_code = ANY($1::text[])
                AND NOT EXISTS (SELECT 1 FROM duty_grid_inspectors i WHERE i.duty_grid_code = d.code))
              AS "withoutInspector"`,
    [streets],
  );
  return r.rows[0]!;
}

/** Per unit grid, the sum of its shares in the police layer. */
export async function reconciliationFacts(db: Queryable) {
  const r = await db.query<{
    grids: number;
    linked: number;
    minSum: number;
    maxSum: number;
    fractional: number;
  }>(
    `WITH s AS (
       SELECT unit_grid_code, sum(share) AS total, count(*) AS parts
         FROM layer_grid_units WHERE layer_id = 'police' GROUP BY unit_grid_code
     )
     SELECT (SELECT count(*)::int FROM unit_grids) AS grids,
            (SELECT count(*)::int FROM s) AS linked,
            (SELECT min(total)::float8 FROM s) AS "minSum",
            (SELECT max(total)::float8 FROM s) AS "maxSum",
            (SELECT count(*)::int FROM s WHERE parts > 1) AS fractional`,
  );
  return r.rows[0]!;
}

export async function componentFacts(db: Queryable) {
  const r = await db.query<{
    total: number;
    badIds: number;
    unknownCategory: number;
    missingMandatory: number;
    outsideGrid: number;
    intactShare: number;
    categories: number;
  }>(
    `SELECT count(*)::int AS total,
            count(*) FILTER (WHERE id !~ '^\\d{17}$' OR left(id, 6) <> district_code
                             OR substr(id, 7, 5) <> category_code)::int AS "badIds",
            count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM categories k
                             WHERE k.kind = 'component' AND k.code = c.category_code))::int AS "unknownCategory",
            count(*) FILTER (WHERE name IS NULL OR owner_dept_code IS NULL OR owner_dept_name IS NULL
                             OR survey_date IS NULL OR status IS NULL OR unit_grid_code IS NULL
                             OR maintainer_name IS NULL OR street_name IS NULL OR community_name IS NULL
                             OR data_source IS NULL OR length(owner_dept_code) <> 18)::int AS "missingMandatory",
            count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM unit_grids g
                             WHERE g.code = c.unit_grid_code AND ST_Intersects(g.geom, c.geom)))::int AS "outsideGrid",
            (count(*) FILTER (WHERE status = 'intact'))::float8 / greatest(count(*), 1) AS "intactShare",
            count(DISTINCT category_code)::int AS categories
       FROM components c`,
  );
  return r.rows[0]!;
}
