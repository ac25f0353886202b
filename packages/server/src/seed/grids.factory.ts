/**
 * Unit grids (单元网格) and responsibility grids (责任网格) for streets whose communities exist.
 */
import {
  cellAreaFor,
  dutyGridCode,
  groupByProximity,
  personName,
  type Rng,
  sliverAreaM2,
  streetStem,
} from '@onegrid/domain';
import type { Queryable } from '../db/db.ts';
import { metresPerDegreeLat, metresPerDegreeLng, overlayPrecision } from './geometry.ts';

/**
 * Cuts each community into ~10,000 m² cells on a lattice aligned across the district (squares on
 * the ground: the longitude step is corrected for latitude), keeps only what lies inside the
 * community, merges pieces under 2,000 m² into the neighbour sharing most border, and numbers the
 * results 001… row by row from the north-west. Communities whose cells would overflow 999 are
 * skipped by the statement and retried with larger cells.
 */
const unitGridSql = `
INSERT INTO unit_grids (code, community_code, street_code, district_code, area_class, geom, area_m2)
WITH c AS (
  SELECT a.code, a.parent_code AS street_code, left(a.code, 6) AS district_code, a.area_class, a.geom,
         sqrt(x.cell) / $3::float8 AS dx, sqrt(x.cell) / $4::float8 AS dy
    FROM jsonb_to_recordset($1::jsonb) AS x(code text, cell float8)
    JOIN areas a ON a.code = x.code
),
cells AS (
  SELECT c.code, i, j, ST_MakeEnvelope(i * c.dx, j * c.dy, (i + 1) * c.dx, (j + 1) * c.dy, 4326) AS cell
    FROM c,
         generate_series(floor(ST_XMin(c.geom) / c.dx)::int, floor(ST_XMax(c.geom) / c.dx)::int) AS i,
         generate_series(floor(ST_YMin(c.geom) / c.dy)::int, floor(ST_YMax(c.geom) / c.dy)::int) AS j
),
cut AS (
  SELECT cells.code, cells.i, cells.j, part.path, part.geom
    FROM cells JOIN c ON c.code = cells.code
    CROSS JOIN LATERAL ST_Dump(ST_CollectionExtract(ST_Intersection(cells.cell, c.geom, $2), 3)) AS part
   WHERE cells.cell && c.geom AND ST_Intersects(cells.cell, c.geom)
),
pieces AS (
  SELECT row_number() OVER (ORDER BY code, j DESC, i, path) AS id, code, geom,
         ST_Area(geom::geography) AS area
    FROM cut WHERE NOT ST_IsEmpty(geom)
),
small AS (SELECT * FROM pieces WHERE area < $5),
big AS (SELECT * FROM pieces WHERE area >= $5),
touching AS (
  SELECT DISTINCT ON (s.id) s.id, b.id AS target
    FROM small s JOIN big b ON b.code = s.code AND b.geom && s.geom AND ST_Intersects(b.geom, s.geom)
   ORDER BY s.id, ST_Length(ST_CollectionExtract(ST_Intersection(b.geom, s.geom, $2), 2)) DESC, b.id
),
nearest AS (
  SELECT DISTINCT ON (s.id) s.id, b.id AS target
    FROM small s JOIN big b ON b.code = s.code
   WHERE NOT EXISTS (SELECT 1 FROM touching t WHERE t.id = s.id)
   ORDER BY s.id, ST_Distance(b.geom, s.geom), b.id
),
lone AS (
  SELECT s.id, first_value(s.id) OVER (PARTITION BY s.code ORDER BY s.area DESC, s.id) AS target
    FROM small s WHERE NOT EXISTS (SELECT 1 FROM big b WHERE b.code = s.code)
),
assigned AS (
  SELECT id, id AS target FROM big
  UNION ALL SELECT id, target FROM touching
  UNION ALL SELECT id, target FROM nearest
  UNION ALL SELECT id, target FROM lone
),
merged AS (
  SELECT a.target, ST_Multi(ST_Union(p.geom, $2::float8)) AS geom
    FROM assigned a JOIN pieces p ON p.id = a.id
   GROUP BY a.target
),
numbered AS (
  SELECT t.code, m.geom, row_number() OVER (PARTITION BY t.code ORDER BY t.id) AS seq
    FROM merged m JOIN pieces t ON t.id = m.target
),
fits AS (SELECT code FROM numbered GROUP BY code HAVING max(seq) <= 999)
SELECT n.code || lpad(n.seq::text, 3, '0'), n.code, c.street_code, c.district_code, c.area_class,
       n.geom, ST_Area(n.geom::geography)
  FROM numbered n JOIN c ON c.code = n.code
 WHERE n.code IN (SELECT code FROM fits)`;

export interface UnitGridOptions {
  /** Grow every cell by this factor (tests use it for fewer, larger grids). */
  growth?: number;
}

/**
 * Unit grids for every community of `streetCode` that has geometry and no grids yet.
 * Returns how many grids were made.
 */
export async function makeUnitGrids(
  db: Queryable,
  streetCode: string,
  options: UnitGridOptions = {},
): Promise<number> {
  const communities = await db.query<{ code: string; area: number; cls: 'A' | 'B' | 'C'; lat: number }>(
    `SELECT a.code, a.area_m2 AS area, a.area_class AS cls, ST_Y(ST_Centroid(d.geom)) AS lat
       FROM areas a JOIN areas d ON d.code = left(a.code, 6)
      WHERE a.parent_code = $1 AND a.level = 'community' AND a.geom IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM unit_grids g WHERE g.community_code = a.code)`,
    [streetCode],
  );
  if (communities.rows.length === 0) return 0;
  // One latitude per district keeps the lattice shared by all its communities.
  const lat = communities.rows[0]!.lat;
  let made = 0;
  let pending = communities.rows;
  for (let attempt = 0, growth = options.growth ?? 1; pending.length > 0; attempt++, growth *= 1.5) {
    if (attempt === 6) {
      throw new Error(`could not cut unit grids for ${pending.map((c) => c.code).join(', ')}`);
    }
    const cells = pending.map((c) => ({ code: c.code, cell: cellAreaFor(c.cls, c.area, growth) }));
    const r = await db.query(unitGridSql, [
      JSON.stringify(cells),
      overlayPrecision,
      metresPerDegreeLng(lat),
      metresPerDegreeLat,
      sliverAreaM2,
    ]);
    made += r.rowCount;
    const left = await db.query<{ code: string }>(
      `SELECT x.code FROM jsonb_array_elements_text($1::jsonb) AS x(code)
        WHERE NOT EXISTS (SELECT 1 FROM unit_grids g WHERE g.community_code = x.code)`,
      [JSON.stringify(pending.map((c) => c.code))],
    );
    const missing = new Set(left.rows.map((x) => x.code));
    pending = pending.filter((c) => missing.has(c.code));
  }
  return made;
}

export interface DutyGridResult {
  code: string;
  name: string;
  unitGrids: number;
}

/**
 * Groups a street's unit grids into responsibility grids of about `size` neighbours (Hilbert
 * order over their positions) coded street + 'D' + 3 digits, and records each one's outline.
 */
export async function makeDutyGrids(
  db: Queryable,
  streetCode: string,
  options: { size?: number } = {},
): Promise<DutyGridResult[]> {
  const grids = await db.query<{ code: string; x: number; y: number }>(
    `SELECT g.code, ST_X(p) AS x, ST_Y(p) AS y
       FROM unit_grids g, LATERAL ST_PointOnSurface(g.geom) AS p
      WHERE g.street_code = $1 ORDER BY g.code`,
    [streetCode],
  );
  if (grids.rows.length === 0) return [];
  const street = await db.query<{ name: string }>('SELECT name FROM areas WHERE code = $1', [streetCode]);
  const stem = streetStem(street.rows[0]?.name ?? streetCode);
  const lat = grids.rows[0]!.y;
  const kx = Math.cos((lat * Math.PI) / 180);
  // Codes have three digits: a street of more than 19,980 unit grids (the rural towns at city
  // scale) gets larger responsibility grids rather than a 1000th code.
  const size = Math.max(options.size ?? 20, grids.rows.length / 999);
  const groups = groupByProximity(grids.rows, (g) => ({ x: g.x * kx, y: g.y }), size);
  const duty = groups.map((members, i) => ({
    code: dutyGridCode(streetCode, i + 1),
    name: `${stem}第${i + 1}责任网格`,
    members: members.map((m) => m.code),
  }));
  await db.query(
    `INSERT INTO duty_grids (code, name, street_code, district_code)
     SELECT x.code, x.name, $2, left($2, 6) FROM jsonb_to_recordset($1::jsonb) AS x(code text, name text)
     ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, updated_at = now()`,
    [JSON.stringify(duty.map(({ code, name }) => ({ code, name }))), streetCode],
  );
  await db.query(
    `UPDATE unit_grids g SET duty_grid_code = x.duty, updated_at = now()
       FROM jsonb_to_recordset($1::jsonb) AS x(code text, duty text) WHERE g.code = x.code`,
    [JSON.stringify(duty.flatMap((d) => d.members.map((code) => ({ code, duty: d.code }))))],
  );
  await db.query(
    `UPDATE duty_grids d SET geom = u.geom
       FROM (SELECT duty_grid_code, ST_Multi(ST_CollectionExtract(ST_Union(geom, $2::float8), 3)) AS geom
               FROM unit_grids WHERE street_code = $1 GROUP BY duty_grid_code) AS u
      WHERE d.code = u.duty_grid_code`,
    [streetCode, overlayPrecision],
  );
  return duty.map((d) => ({ code: d.code, name: d.name, unitGrids: d.members.length }));
}

/** One generated inspector per responsibility grid, so every grid has a named patroller. */
export function inspectorsFor(duty: readonly DutyGridResult[], rng: Rng) {
  return duty.map((d) => ({
    username: `i${d.code.toLowerCase()}`,
    displayName: personName(rng),
    dutyGridCode: d.code,
    scopeCode: d.code.slice(0, 9),
  }));
}
