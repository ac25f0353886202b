/**
 * The components fast path in SQL. Rows arrive by COPY in a per-run staging table (text
 * columns, so COPY itself never refuses a value), then one INSERT … SELECT per batch checks the
 * category and district, resolves the unit grid (the row's own attribute when it names an
 * existing grid, else the grid containing the point: the issuing district's first, then the
 * smallest code on shared boundaries), fills street/community and upserts. The final SELECT
 * returns only the rows that were not written, with what is needed to say why.
 */

export const stageColumns = [
  'rn',
  'id',
  'legacy_id',
  'category_code',
  'name',
  'owner_dept_code',
  'owner_dept_name',
  'property_unit_code',
  'property_unit_name',
  'maintainer_code',
  'maintainer_name',
  'unit_grid_code',
  'status',
  'survey_date',
  'change_date',
  'data_source',
  'note',
  'street_code',
  'street_name',
  'community_code',
  'community_name',
  'lng',
  'lat',
] as const;

export function createStageSql(stage: string): string {
  const cols = stageColumns.map(
    (c) => `${c} ${c === 'rn' ? 'int' : c === 'lng' || c === 'lat' ? 'float8' : 'text'}`,
  );
  return `CREATE UNLOGGED TABLE IF NOT EXISTS ${stage} (${cols.join(', ')})`;
}

/**
 * $1 = run id, $2 = one row number to write alone (the fallback), or NULL for the whole batch.
 * Returns the ids written. Every join is an index lookup per row, so the cost stays linear
 * whatever the planner guesses about the (never analysed) stage: a set-based spatial join
 * planned against a one-row estimate was rescanned once per row on PGlite, 18 s per batch. The
 * point lookup runs only for rows whose own grid code names no grid ("ga.code IS NULL").
 */
export function upsertFromStageSql(stage: string): string {
  return `
INSERT INTO components AS c (id, legacy_id, category_code, name, owner_dept_code, owner_dept_name,
  property_unit_code, property_unit_name, maintainer_code, maintainer_name, unit_grid_code, status,
  survey_date, change_date, data_source, note, street_code, street_name, community_code, community_name,
  district_code, geom, updated_at, import_run_id)
SELECT s.id, s.legacy_id, s.category_code, s.name, s.owner_dept_code, s.owner_dept_name,
  s.property_unit_code, s.property_unit_name, s.maintainer_code, s.maintainer_name,
  coalesce(ga.code, gl.code), s.status, s.survey_date::date, s.change_date::date, s.data_source, s.note,
  coalesce(sa.code, ga.street_code, gl.street_code), coalesce(s.street_name, sa.name, sn.name),
  coalesce(ca.code, ga.community_code, gl.community_code), coalesce(s.community_name, ca.name, cn.name),
  left(s.id, 6), ST_Point(s.lng, s.lat, 4326), now(), $1::bigint
FROM ${stage} s
JOIN categories cat ON cat.kind = 'component' AND cat.code = s.category_code AND cat.active
JOIN areas d ON d.code = left(s.id, 6) AND d.level = 'district'
LEFT JOIN unit_grids ga ON ga.code = s.unit_grid_code
LEFT JOIN LATERAL (
  SELECT u.code, u.community_code, u.street_code FROM unit_grids u
  WHERE ga.code IS NULL AND ST_Intersects(u.geom, ST_Point(s.lng, s.lat, 4326))
  ORDER BY (u.district_code = left(s.id, 6)) DESC, u.code LIMIT 1
) gl ON true
LEFT JOIN areas sa ON sa.code = s.street_code AND sa.level = 'street'
LEFT JOIN areas ca ON ca.code = s.community_code AND ca.level = 'community'
LEFT JOIN areas sn ON sn.code = coalesce(ga.street_code, gl.street_code)
LEFT JOIN areas cn ON cn.code = coalesce(ga.community_code, gl.community_code)
WHERE (ga.code IS NOT NULL OR gl.code IS NOT NULL) AND ($2::int IS NULL OR s.rn = $2::int)
ON CONFLICT (id) DO UPDATE SET legacy_id = coalesce(EXCLUDED.legacy_id, c.legacy_id),
  category_code = EXCLUDED.category_code, name = EXCLUDED.name,
  owner_dept_code = EXCLUDED.owner_dept_code, owner_dept_name = EXCLUDED.owner_dept_name,
  property_unit_code = EXCLUDED.property_unit_code, property_unit_name = EXCLUDED.property_unit_name,
  maintainer_code = EXCLUDED.maintainer_code, maintainer_name = EXCLUDED.maintainer_name,
  unit_grid_code = EXCLUDED.unit_grid_code, status = EXCLUDED.status, survey_date = EXCLUDED.survey_date,
  change_date = EXCLUDED.change_date, data_source = EXCLUDED.data_source, note = EXCLUDED.note,
  street_code = EXCLUDED.street_code, street_name = EXCLUDED.street_name,
  community_code = EXCLUDED.community_code, community_name = EXCLUDED.community_name,
  district_code = EXCLUDED.district_code, geom = EXCLUDED.geom, updated_at = now(),
  import_run_id = EXCLUDED.import_run_id
WHERE c.import_run_id IS DISTINCT FROM EXCLUDED.import_run_id
RETURNING c.id`;
}

/** Why staged rows were not written ($1 = their row numbers); run in the same transaction. */
export function diagnoseStageSql(stage: string): string {
  return `
SELECT st.rn, st.id, st.category_code, st.unit_grid_code,
  EXISTS (SELECT 1 FROM categories cat
          WHERE cat.kind = 'component' AND cat.code = st.category_code AND cat.active) AS category_ok,
  EXISTS (SELECT 1 FROM areas d WHERE d.code = left(st.id, 6) AND d.level = 'district') AS district_ok,
  (EXISTS (SELECT 1 FROM unit_grids u WHERE u.code = st.unit_grid_code) OR
   EXISTS (SELECT 1 FROM unit_grids u
           WHERE ST_Intersects(u.geom, ST_Point(st.lng, st.lat, 4326)))) AS grid_ok
FROM ${stage} st WHERE st.rn = ANY($1::int[])`;
}

export interface StageOutcome {
  rn: number;
  id: string;
  category_code: string;
  unit_grid_code: string | null;
  category_ok: boolean;
  district_ok: boolean;
  grid_ok: boolean;
}
