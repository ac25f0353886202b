/**
 * Unit grids (单元网格, GB/T 30428.1): 15-digit codes that carry their community, street and
 * district; CJ/T 213's 14-digit codes are accepted and mapped (the original kept in legacy_code).
 */
import { checkCode, codeText, PropertyReader } from '@onegrid/domain';
import { geometryOutcomesSql, polygonChecksSql, runPolygonUpsert } from '../polygons.ts';
import { checkPolygonal } from '../validate.ts';
import { columns, type ImportKind, type Ref, reject, writeWithFallback } from './kind.ts';

export interface UnitGridRecord {
  legacy_code: string | null;
  community_code: string;
  duty_grid_code: string | null;
  area_class: string | null;
  gj: string;
}

const reader = new PropertyReader([
  'code',
  'parentCode',
  'communityCode',
  'dutyGridCode',
  'areaClass',
] as const);

const upsertSql = `
WITH input AS (
  SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
    AS t(rn, k, legacy_code, duty_grid_code, area_class, gj)
),
${polygonChecksSql('$7')},
ins AS (
  INSERT INTO unit_grids AS u (code, legacy_code, community_code, street_code, district_code, duty_grid_code,
                               area_class, geom, area_m2, updated_at)
  SELECT c.k, coalesce(c.legacy_code, old.legacy_code), left(c.k, 12), left(c.k, 9), left(c.k, 6),
         coalesce(c.duty_grid_code, old.duty_grid_code), coalesce(c.area_class, old.area_class, 'B'),
         c.g, ST_Area(c.g::geography), now()
  FROM checked c LEFT JOIN unit_grids old ON old.code = c.k
  WHERE c.bad IS NULL
  ON CONFLICT (code) DO UPDATE SET legacy_code = EXCLUDED.legacy_code, duty_grid_code = EXCLUDED.duty_grid_code,
    area_class = EXCLUDED.area_class, geom = EXCLUDED.geom, area_m2 = EXCLUDED.area_m2, updated_at = now()
)
${geometryOutcomesSql}`;

export const unitGrids: ImportKind<UnitGridRecord> = {
  name: 'unit-grids',
  summary: 'unit grids (15-digit code or legacy 14-digit, polygon; duty grid and area class optional)',
  dedupe: 'memory',
  changesGeo: true,

  prepare(row, crs) {
    const f = reader.read(row.properties);
    const c = checkCode('unitGrid', f.code);
    if (!c.ok) return { ok: false, key: codeText(f.code) ?? null, problem: 'bad_code', reason: c.reason };
    const code = c.code;
    const community = code.slice(0, 12);
    const declared = codeText(f.parentCode ?? f.communityCode);
    if (declared !== undefined && declared !== community) {
      return {
        ok: false,
        key: code,
        problem: 'parent_mismatch',
        reason: `code ${code} does not start with its parent's code ${declared}`,
      };
    }
    const areaClass = f.areaClass === undefined ? null : String(f.areaClass).toUpperCase();
    if (areaClass !== null && !['A', 'B', 'C'].includes(areaClass)) {
      return {
        ok: false,
        key: code,
        problem: 'bad_value',
        reason: `area class "${areaClass}" is not A, B or C`,
      };
    }
    const g = checkPolygonal(row.geometry, crs);
    if (!g.ok) return { ok: false, key: code, problem: g.problem, reason: g.reason };
    return {
      ok: true,
      key: code,
      record: {
        legacy_code: c.legacyCode ?? null,
        community_code: community,
        duty_grid_code: codeText(f.dutyGridCode) ?? null,
        area_class: areaClass,
        gj: g.value,
      },
    };
  },

  refs(r) {
    const refs: Ref[] = [
      { table: 'areas', code: r.community_code, problem: 'unknown_parent', what: 'parent community' },
    ];
    if (r.duty_grid_code) {
      refs.push({
        table: 'duty_grids',
        code: r.duty_grid_code,
        problem: 'unknown_reference',
        what: 'duty grid',
      });
    }
    return refs;
  },

  async begin(_db, ctx) {
    return {
      write: (db, items) =>
        writeWithFallback(db, items, async (tx, batch) => {
          const refused = await runPolygonUpsert(
            tx,
            upsertSql,
            [
              batch.map((i) => i.row),
              batch.map((i) => i.key),
              ...columns(batch, ['legacy_code', 'duty_grid_code', 'area_class', 'gj']),
              ctx.repairAreaTolerance,
            ],
            ctx.warn,
          );
          return refused.map((r) => reject(r.row, r.key, 'bad_geometry', r.reason));
        }),
      async end() {},
    };
  },
};
