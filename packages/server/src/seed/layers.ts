/**
 * Other grid layers (police grid, social-governance grid …) and their reconciliation onto unit
 * grids (多格合一): for each unit grid, which layer grids cover it and what share of its area.
 */
import { districtFact, type Rng } from '@onegrid/domain';
import type { Queryable } from '../db/db.ts';
import { geometryOf, overlayPrecision, voronoiSplit } from './geometry.ts';

export async function makeGridLayer(
  db: Queryable,
  layer: { id: string; name: string; description?: string },
): Promise<void> {
  await db.query(
    `INSERT INTO grid_layers (id, name, description) VALUES ($1, $2, $3)
     ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, description = EXCLUDED.description`,
    [layer.id, layer.name, layer.description ?? null],
  );
}

export const policeLayer = {
  id: 'police',
  name: '警务网格',
  description: '公安警务网格（演示）：按派出所警务区划分，与单元网格边界不一致，经多格合一对齐',
};

/**
 * A district's police grids: coarse cells that follow neither streets nor communities, as real
 * police grids do not. Codes are district + 'J' + 3 digits.
 */
export async function makePoliceGrids(
  db: Queryable,
  districtCode: string,
  rng: Rng,
  options: { cellKm2?: number } = {},
): Promise<number> {
  await makeGridLayer(db, policeLayer);
  const district = await db.query<{ name: string; km2: number }>(
    'SELECT name, area_m2 / 1e6 AS km2 FROM areas WHERE code = $1',
    [districtCode],
  );
  const d = district.rows[0];
  if (!d) throw new Error(`district ${districtCode} not found`);
  // Police grids are denser where people are: ~1.5 km² in the central districts, ~5 km² outside.
  const cellKm2 = options.cellKm2 ?? (districtFact(districtCode)?.central === false ? 5 : 1.5);
  const n = Math.max(1, Math.min(999, Math.round(d.km2 / cellKm2)));
  const cells = await voronoiSplit(db, await geometryOf(db, districtCode), n, rng);
  const stem = d.name.replace(/(新区|区)$/, '');
  await db.query(
    `INSERT INTO layer_grids (layer_id, code, name, geom)
     SELECT $2, x.code, x.name, ST_Multi(x.wkb::geometry)
       FROM jsonb_to_recordset($1::jsonb) AS x(code text, name text, wkb text)
     ON CONFLICT (layer_id, code) DO UPDATE SET name = EXCLUDED.name, geom = EXCLUDED.geom`,
    [
      JSON.stringify(
        cells.map((c, i) => ({
          code: `${districtCode}J${String(i + 1).padStart(3, '0')}`,
          name: `${stem}第${i + 1}警务网格`,
          wkb: c.wkb,
        })),
      ),
      policeLayer.id,
    ],
  );
  return cells.length;
}

/**
 * Recomputes which unit grids make up each grid of `layerId` and the share of each unit grid's
 * area inside it, for all unit grids or those under `scope` (an area code prefix). Run it after
 * either layer changes.
 */
export async function reconcileLayer(
  db: Queryable,
  layerId: string,
  scope?: string,
): Promise<{ links: number }> {
  const prefix = scope ? `${scope}%` : '%';
  await db.query('DELETE FROM layer_grid_units WHERE layer_id = $1 AND unit_grid_code LIKE $2', [
    layerId,
    prefix,
  ]);
  const r = await db.query(
    `INSERT INTO layer_grid_units (layer_id, layer_code, unit_grid_code, share)
     SELECT layer_id, code, unit_grid_code, least(share, 1) FROM (
       SELECT lg.layer_id, lg.code, ug.code AS unit_grid_code,
              CASE WHEN ST_CoveredBy(ug.geom, lg.geom) THEN 1.0
                   ELSE ST_Area(ST_Intersection(ug.geom, lg.geom, $3)) / nullif(ST_Area(ug.geom), 0) END AS share
         FROM unit_grids ug
         JOIN layer_grids lg ON lg.layer_id = $1 AND lg.geom && ug.geom AND ST_Intersects(lg.geom, ug.geom)
        WHERE ug.code LIKE $2
     ) AS s
     WHERE share > 1e-6`,
    [layerId, prefix, overlayPrecision],
  );
  return { links: r.rowCount };
}
