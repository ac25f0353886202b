/**
 * The SQL side of polygon checks, shared by areas, unit grids and duty grids. Input is a CTE
 * named `input` with columns `rn` (row number), `k` (the row's key) and `gj` (GeoJSON text in WGS-84, or NULL for "no geometry"); the
 * CTE `checked` adds:
 *   g      the geometry to store (a valid MultiPolygon), NULL when there is none or it is refused
 *   bad    the reason a geometry was refused, NULL otherwise
 *   fixed  true when ST_MakeValid repaired it (reported as a warning)
 * A repair is accepted only when its result is still polygonal and its area is within the
 * tolerance of the original's: a dropped spike or a doubled vertex, not a bowtie, whose two
 * lobes cancel out in the original's area.
 */
import type { Queryable } from '../db/db.ts';

export function polygonChecksSql(toleranceParam: string): string {
  return `
geo AS (
  SELECT input.*, s.g0, ST_IsValid(s.g0) AS valid
  FROM input LEFT JOIN LATERAL (SELECT ST_SetSRID(ST_GeomFromGeoJSON(input.gj), 4326) AS g0) s ON true
),
repair AS (
  SELECT geo.*,
    CASE WHEN NOT valid THEN ST_Multi(ST_CollectionExtract(ST_MakeValid(g0), 3)) END AS r,
    CASE WHEN NOT valid THEN ST_IsValidReason(g0) END AS why,
    CASE WHEN NOT valid THEN abs(ST_Area(g0::geography)) END AS a0
  FROM geo
),
measured AS (
  SELECT repair.*, CASE WHEN NOT valid THEN ST_Area(r::geography) END AS a1 FROM repair
),
checked AS (
  SELECT measured.*,
    CASE
      WHEN g0 IS NULL THEN NULL
      WHEN valid THEN ST_Multi(g0)
      WHEN NOT ST_IsEmpty(r) AND abs(a1 - a0) <= ${toleranceParam}::float8 * greatest(a0, a1) THEN r
    END AS g,
    CASE
      WHEN g0 IS NULL OR valid THEN NULL
      WHEN ST_IsEmpty(r) THEN format('invalid polygon (%s) and ST_MakeValid leaves no area', why)
      WHEN abs(a1 - a0) > ${toleranceParam}::float8 * greatest(a0, a1) THEN format(
        'invalid polygon (%s); ST_MakeValid would change its area from %s to %s m², so it is not repaired: fix the ring order',
        why, round(a0::numeric), round(a1::numeric))
    END AS bad,
    (g0 IS NOT NULL AND NOT valid) AS fixed
  FROM measured
)`;
}

export interface GeometryOutcome {
  rn: number;
  k: string;
  bad: string | null;
  fixed: boolean;
  why: string | null;
  a0: number | null;
  a1: number | null;
}

/** The final SELECT of a polygon upsert: the rows whose geometry was refused or repaired. */
export const geometryOutcomesSql = `
SELECT rn, k, bad, fixed, why, a0, a1 FROM checked WHERE bad IS NOT NULL OR fixed`;

/** Splits outcomes into rejects and repair warnings. */
export function geometryOutcomes(
  rows: GeometryOutcome[],
  warn: (m: string) => void,
): { row: number; key: string; reason: string }[] {
  const refused: { row: number; key: string; reason: string }[] = [];
  for (const r of rows) {
    if (r.bad) refused.push({ row: r.rn, key: r.k, reason: r.bad });
    else if (r.fixed) {
      warn(
        `row ${r.rn} (${r.k}): invalid polygon (${r.why}) repaired with ST_MakeValid, ` +
          `area ${Math.round(r.a0 ?? 0)} → ${Math.round(r.a1 ?? 0)} m²`,
      );
    }
  }
  return refused;
}

/** Runs a polygon upsert statement and turns its outcomes into rejects and warnings. */
export async function runPolygonUpsert(
  tx: Queryable,
  sql: string,
  params: unknown[],
  warn: (m: string) => void,
) {
  const r = await tx.query<GeometryOutcome>(sql, params);
  return geometryOutcomes(r.rows, warn);
}
