/**
 * The quality of the standard address base: duplicates (one standard text at one place, twice),
 * points outside the street they name, and conflicts (one text at places far apart, or a text
 * naming another district than the one its point lies in). Read by the admin route and at the
 * end of every `addresses` import.
 */
import type { Queryable } from '../db/db.ts';

export interface QualityExample {
  text: string;
  codes: string[];
  /** Metres between the farthest two points of the group (duplicates, conflicts). */
  metres?: number;
  /** What is wrong, in a sentence (outside street, district conflicts). */
  reason?: string;
}

export interface QualityFinding {
  count: number;
  examples: QualityExample[];
}

export interface AddressQuality {
  total: number;
  duplicates: QualityFinding;
  outsideStreet: QualityFinding;
  conflicts: QualityFinding;
}

/** Points of one standard text further apart than this are two places, not one address twice. */
export const conflictMetres = 100;
const examplesKept = 10;

export async function addressQuality(
  db: Queryable,
  options: { area?: string; runId?: number } = {},
): Promise<AddressQuality> {
  const area = options.area ?? null;
  const scope = `($1::text IS NULL OR coalesce(a.unit_grid_code, a.street_code, a.district_code) LIKE $1 || '%')`;
  const total = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM addresses a WHERE ${scope}`, [
    area,
  ]);
  // Groups of one standard text, with the distance between their farthest points.
  const groups = await db.query<{ text: string; codes: string[]; metres: number; n: number }>(
    `WITH g AS (
       SELECT a.std_text AS text, array_agg(a.code ORDER BY a.code) AS codes, ST_Collect(a.geom) AS pts
       FROM addresses a WHERE ${scope} GROUP BY a.std_text HAVING count(*) > 1
     ), m AS (
       SELECT text, codes, ST_LongestLine(pts, pts) AS l FROM g
     )
     SELECT text, codes, round(ST_DistanceSphere(ST_StartPoint(l), ST_EndPoint(l))::numeric, 1)::float8 AS metres,
            cardinality(codes) AS n
     FROM m ORDER BY text`,
    [area],
  );
  const near = groups.rows.filter((g) => g.metres <= conflictMetres);
  const far = groups.rows.filter((g) => g.metres > conflictMetres);

  const outside = await db.query<{ text: string; code: string; street: string; n: number }>(
    `SELECT a.std_text AS text, a.code, s.name || ' ' || s.code AS street, count(*) OVER ()::int AS n
     FROM addresses a JOIN areas s ON s.code = a.street_code AND s.level = 'street' AND s.geom IS NOT NULL
     WHERE ${scope} AND NOT ST_Intersects(s.geom, a.geom)
     ORDER BY a.code LIMIT ${examplesKept}`,
    [area],
  );
  const wrongDistrict = await db.query<{
    text: string;
    code: string;
    named: string;
    actual: string;
    n: number;
  }>(
    `SELECT a.std_text AS text, a.code, a.district_name AS named, d.name AS actual, count(*) OVER ()::int AS n
     FROM addresses a JOIN areas d ON d.code = a.district_code AND d.level = 'district'
     WHERE ${scope} AND a.district_name IS NOT NULL AND d.name <> a.district_name
     ORDER BY a.code LIMIT ${examplesKept}`,
    [area],
  );
  const districtConflicts = wrongDistrict.rows[0]?.n ?? 0;
  return {
    total: total.rows[0]?.n ?? 0,
    duplicates: {
      count: near.length,
      examples: near.slice(0, examplesKept).map(({ text, codes, metres }) => ({ text, codes, metres })),
    },
    outsideStreet: {
      count: outside.rows[0]?.n ?? 0,
      examples: outside.rows.map((r) => ({
        text: r.text,
        codes: [r.code],
        reason: `the point lies outside its street ${r.street}`,
      })),
    },
    conflicts: {
      count: far.length + districtConflicts,
      examples: [
        ...far.slice(0, examplesKept).map(({ text, codes, metres }) => ({
          text,
          codes,
          metres,
          reason: `one text at points ${Math.round(metres)} m apart`,
        })),
        ...wrongDistrict.rows.map((r) => ({
          text: r.text,
          codes: [r.code],
          reason: `the text names ${r.named} but the point lies in ${r.actual}`,
        })),
      ].slice(0, examplesKept),
    },
  };
}

/** The findings as lines for an import report (nothing when all is well). */
export function qualityWarnings(q: AddressQuality): string[] {
  const out: string[] = [];
  if (q.duplicates.count > 0) {
    out.push(
      `address quality: ${q.duplicates.count} standard texts appear more than once at one place (first: ${q.duplicates.examples[0]?.text})`,
    );
  }
  if (q.outsideStreet.count > 0) {
    out.push(
      `address quality: ${q.outsideStreet.count} points lie outside their street (first: ${q.outsideStreet.examples[0]?.text})`,
    );
  }
  if (q.conflicts.count > 0) {
    out.push(
      `address quality: ${q.conflicts.count} conflicts — one text far apart, or the wrong district (first: ${q.conflicts.examples[0]?.text}: ${q.conflicts.examples[0]?.reason})`,
    );
  }
  if (out.length > 0) out.push('address quality: the full report is GET /api/v1/geo/addresses/quality');
  return out;
}
