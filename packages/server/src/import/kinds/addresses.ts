/**
 * Standard addresses (标准地址): text plus a point. District, street and unit grid come from the
 * row when it names existing ones, else from where the point lies (unit grids, then the street
 * and district polygons), so an address file needs no codes at all.
 */
import { codeText, PropertyReader, textOf } from '@onegrid/domain';
import type { Reject } from '../types.ts';
import { checkPoint } from '../validate.ts';
import { columns, type ImportKind, reject, writeWithFallback } from './kind.ts';

export interface AddressRecord {
  lng: number;
  lat: number;
  district_code: string | null;
  street_code: string | null;
  unit_grid_code: string | null;
}

const reader = new PropertyReader(['address', 'districtCode', 'streetCode', 'unitGridCode'] as const);

const digits = (v: unknown, n: number) => {
  const s = codeText(v);
  return s !== undefined && s.length === n && /^\d+$/.test(s) ? s : null;
};

/** $1.. = columns, $8 = run id. Returns the rows not written: repeated earlier in this file. */
const upsertSql = `
WITH input AS (
  SELECT * FROM unnest($1::int[], $2::text[], $3::float8[], $4::float8[], $5::text[], $6::text[], $7::text[])
    AS t(rn, k, lng, lat, district_code, street_code, unit_grid_code)
),
p AS (SELECT input.*, ST_SetSRID(ST_MakePoint(lng, lat), 4326) AS pt FROM input),
r AS (
  SELECT p.rn, p.k, p.pt, g.code AS grid,
    coalesce(sa.code, g.street_code,
      (SELECT a.code FROM areas a WHERE a.level = 'street' AND ST_Intersects(a.geom, p.pt) ORDER BY a.code LIMIT 1)
    ) AS street,
    coalesce(da.code, g.district_code) AS district
  FROM p
  LEFT JOIN areas sa ON sa.code = p.street_code AND sa.level = 'street'
  LEFT JOIN areas da ON da.code = p.district_code AND da.level = 'district'
  LEFT JOIN LATERAL (
    (SELECT u.code, u.street_code, u.district_code FROM unit_grids u WHERE u.code = p.unit_grid_code)
    UNION ALL
    (SELECT u.code, u.street_code, u.district_code FROM unit_grids u
      WHERE ST_Intersects(u.geom, p.pt) ORDER BY u.code LIMIT 1)
    LIMIT 1
  ) g ON true
),
placed AS (
  SELECT r.*, coalesce(r.district,
    (SELECT a.code FROM areas a WHERE a.code = left(r.street, 6) AND a.level = 'district'),
    (SELECT a.code FROM areas a WHERE a.level = 'district' AND ST_Intersects(a.geom, r.pt) ORDER BY a.code LIMIT 1)
  ) AS dist
  FROM r
),
ins AS (
  INSERT INTO addresses AS ad (address, district_code, street_code, unit_grid_code, geom, import_run_id)
  SELECT k, dist, street, grid, pt, $8::bigint FROM placed
  ON CONFLICT (address) DO UPDATE SET district_code = EXCLUDED.district_code, street_code = EXCLUDED.street_code,
    unit_grid_code = EXCLUDED.unit_grid_code, geom = EXCLUDED.geom, import_run_id = EXCLUDED.import_run_id
  WHERE ad.import_run_id IS DISTINCT FROM EXCLUDED.import_run_id
  RETURNING ad.address
)
SELECT rn, k FROM input WHERE NOT EXISTS (SELECT 1 FROM ins WHERE ins.address = input.k)`;

export const addresses: ImportKind<AddressRecord> = {
  name: 'addresses',
  summary: 'standard addresses (address text and a point; district/street/grid codes optional)',
  dedupe: 'database',
  changesGeo: false,

  prepare(row, crs) {
    const f = reader.read(row.properties);
    const address = textOf(f.address);
    if (!address) return { ok: false, key: null, problem: 'missing_field', reason: 'no address text' };
    if (address.length > 500) {
      return {
        ok: false,
        key: address.slice(0, 40),
        problem: 'bad_value',
        reason: 'address longer than 500 characters',
      };
    }
    const p = checkPoint(row.geometry, crs);
    if (!p.ok) return { ok: false, key: address, problem: p.problem, reason: p.reason };
    return {
      ok: true,
      key: address,
      record: {
        lng: p.value[0],
        lat: p.value[1],
        district_code: digits(f.districtCode, 6),
        street_code: digits(f.streetCode, 9),
        unit_grid_code: digits(f.unitGridCode, 15),
      },
    };
  },

  async begin(_db, ctx) {
    return {
      write: (db, items) =>
        writeWithFallback(db, items, async (tx, batch) => {
          const r = await tx.query<{ rn: number; k: string }>(upsertSql, [
            batch.map((i) => i.row),
            batch.map((i) => i.key),
            ...columns(batch, ['lng', 'lat', 'district_code', 'street_code', 'unit_grid_code']),
            ctx.runId,
          ]);
          return r.rows.map(
            (x): Reject => reject(x.rn, x.k, 'duplicate', `address "${x.k}" appears earlier in this file`),
          );
        }),
      async end() {},
    };
  },
};
