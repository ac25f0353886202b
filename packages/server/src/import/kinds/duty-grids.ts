/**
 * Responsibility grids (责任网格): no national code shape, so a duty grid's code is its street's
 * 9-digit code followed by a local part (310101002-07, 310101002R07 …); geometry is optional.
 */
import { codeText, PropertyReader, textOf } from '@onegrid/domain';
import { geometryOutcomesSql, polygonChecksSql, runPolygonUpsert } from '../polygons.ts';
import { checkPolygonal } from '../validate.ts';
import { columns, type ImportKind, reject, writeWithFallback } from './kind.ts';

export interface DutyGridRecord {
  name: string;
  street_code: string;
  gj: string | null;
}

const reader = new PropertyReader(['code', 'name', 'parentCode', 'streetCode'] as const);

const upsertSql = `
WITH input AS (
  SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[])
    AS t(rn, k, name, street_code, gj)
),
${polygonChecksSql('$6')},
ins AS (
  INSERT INTO duty_grids AS d (code, name, street_code, district_code, geom, updated_at)
  SELECT c.k, c.name, c.street_code, left(c.street_code, 6), coalesce(c.g, old.geom), now()
  FROM checked c LEFT JOIN duty_grids old ON old.code = c.k
  WHERE c.bad IS NULL
  ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, street_code = EXCLUDED.street_code,
    district_code = EXCLUDED.district_code, geom = EXCLUDED.geom, updated_at = now()
)
${geometryOutcomesSql}`;

export const dutyGrids: ImportKind<DutyGridRecord> = {
  name: 'duty-grids',
  summary: 'responsibility grids (code = street code + local part, name; polygon optional)',
  dedupe: 'memory',
  changesGeo: true,
  provides: 'duty_grids',

  prepare(row, crs) {
    const f = reader.read(row.properties);
    const code = codeText(f.code);
    if (code === undefined) return { ok: false, key: null, problem: 'bad_code', reason: 'no duty grid code' };
    if (!/^[0-9A-Za-z_-]{1,40}$/.test(code)) {
      return {
        ok: false,
        key: code,
        problem: 'bad_code',
        reason: `duty grid code "${code}" may hold only letters, digits, '-' and '_' (40 at most)`,
      };
    }
    const declared = codeText(f.parentCode ?? f.streetCode);
    const street = declared ?? (/^\d{9}/.test(code) ? code.slice(0, 9) : undefined);
    if (street === undefined || !/^\d{9}$/.test(street)) {
      return {
        ok: false,
        key: code,
        problem: street === undefined ? 'missing_field' : 'bad_code',
        reason:
          street === undefined
            ? 'no street code (give street_code, or start the code with the 9-digit street code)'
            : `street code "${street}" must have 9 digits`,
      };
    }
    if (!code.startsWith(street) || code.length === street.length) {
      return {
        ok: false,
        key: code,
        problem: 'parent_mismatch',
        reason: `code ${code} must be its street's code ${street} followed by a local part`,
      };
    }
    const name = textOf(f.name);
    if (!name) return { ok: false, key: code, problem: 'missing_field', reason: 'no name' };
    let gj: string | null = null;
    if (row.geometry !== undefined && row.geometry !== null) {
      const g = checkPolygonal(row.geometry, crs);
      if (!g.ok) return { ok: false, key: code, problem: g.problem, reason: g.reason };
      gj = g.value;
    }
    return { ok: true, key: code, record: { name, street_code: street, gj } };
  },

  refs(r) {
    return [{ table: 'areas', code: r.street_code, problem: 'unknown_parent', what: 'parent street' }];
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
              ...columns(batch, ['name', 'street_code', 'gj']),
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
