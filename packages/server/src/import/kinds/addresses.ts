/**
 * Standard addresses (标准地址): text plus a point, split into its parts by the domain's parser
 * (district, street, road, 弄, 号, 幢, 单元, 室). District, street and unit grid codes come from
 * the row when it names existing ones, else from where the point lies (unit grids, then the
 * street and district polygons), else from the district's name, so a file needs no codes at all.
 * When the run ends, the quality report (duplicates, points outside their street, conflicts)
 * goes into the import report's warnings.
 */
import {
  type AddressParts,
  addressKey,
  codeText,
  PropertyReader,
  parseAddress,
  roadPosition,
  roadStem,
  textOf,
} from '@onegrid/domain';
import { addressQuality, qualityWarnings } from '../../geo/address.quality.ts';
import type { Reject } from '../types.ts';
import { checkPoint } from '../validate.ts';
import { columns, type ImportKind, reject, writeWithFallback } from './kind.ts';

export interface AddressRecord extends Omit<AddressParts, 'city' | 'district' | 'street'> {
  lng: number;
  lat: number;
  code: string | null;
  district_code: string | null;
  street_code: string | null;
  unit_grid_code: string | null;
  district_name: string | null;
  street_name: string | null;
  road_stem: string | null;
  road_no: number | null;
  key: string;
  search: string;
  aliases: string;
  former_names: string;
}

const reader = new PropertyReader([
  'address',
  'districtCode',
  'streetCode',
  'unitGridCode',
  'districtName',
  'streetName',
  'addressCode',
  'aliases',
  'formerNames',
] as const);

const digits = (v: unknown, n: number) => {
  const s = codeText(v);
  return s !== undefined && s.length === n && /^\d+$/.test(s) ? s : null;
};

/** "甲;乙|丙、丁" → ["甲","乙","丙","丁"], as a Postgres array literal's elements joined by \u001f. */
const list = (v: unknown): string[] =>
  (textOf(v) ?? '')
    .split(/[;；|、,，]/)
    .map((s) => s.trim())
    .filter(Boolean);

const fields = [
  'lng',
  'lat',
  'district_code',
  'street_code',
  'unit_grid_code',
  'code',
  'district_name',
  'street_name',
  'road',
  'road_stem',
  'lane',
  'branch',
  'number',
  'building',
  'unit',
  'room',
  'place',
  'road_no',
  'key',
  'search',
  'aliases',
  'former_names',
] as const;

/** $1 = row numbers, $2 = texts, $3.. = `fields`, then the run id. Returns the rows not written. */
const upsertSql = `
WITH input AS (
  SELECT * FROM unnest($1::int[], $2::text[], $3::float8[], $4::float8[], $5::text[], $6::text[], $7::text[],
      $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[],
      $16::text[], $17::text[], $18::text[], $19::text[], $20::int[], $21::text[], $22::text[], $23::text[], $24::text[])
    AS t(rn, k, lng, lat, district_code, street_code, unit_grid_code, code, district_name, street_name, road,
      road_stem, lane, branch, number, building, unit, room, place, road_no, skey, search, aliases, former_names)
),
p AS (SELECT input.*, ST_SetSRID(ST_MakePoint(lng, lat), 4326) AS pt FROM input),
r AS (
  SELECT p.*, g.code AS grid,
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
    (SELECT a.code FROM areas a WHERE a.level = 'district' AND ST_Intersects(a.geom, r.pt) ORDER BY a.code LIMIT 1),
    (SELECT a.code FROM areas a WHERE a.level = 'district' AND a.name = r.district_name ORDER BY a.code LIMIT 1)
  ) AS dist
  FROM r
),
named AS (
  SELECT placed.*,
    coalesce(placed.district_name, (SELECT a.name FROM areas a WHERE a.code = placed.dist)) AS dname,
    coalesce(placed.street_name, (SELECT a.name FROM areas a WHERE a.code = placed.street)) AS sname
  FROM placed
),
ins AS (
  INSERT INTO addresses AS ad (address, district_code, street_code, unit_grid_code, geom, import_run_id, code,
      district_name, street_name, road, road_stem, lane, branch, number, building, unit, room, place, road_no,
      std_text, skey, search, aliases, former_names)
  SELECT k, dist, street, grid, pt, $25::bigint, coalesce(code, 'SA' || lpad(nextval('addresses_code_seq')::text, 10, '0')),
    dname, sname, road, road_stem, lane, branch, number, building, unit, room, place, road_no,
    coalesce(dname, '') || skey, skey, search,
    coalesce(string_to_array(nullif(aliases, ''), chr(31)), '{}'),
    coalesce(string_to_array(nullif(former_names, ''), chr(31)), '{}')
  FROM named
  ON CONFLICT ((coalesce(district_name, '')), address) DO UPDATE SET district_code = EXCLUDED.district_code,
    street_code = EXCLUDED.street_code, unit_grid_code = EXCLUDED.unit_grid_code, geom = EXCLUDED.geom,
    import_run_id = EXCLUDED.import_run_id, street_name = EXCLUDED.street_name, road = EXCLUDED.road,
    road_stem = EXCLUDED.road_stem, lane = EXCLUDED.lane, branch = EXCLUDED.branch, number = EXCLUDED.number,
    building = EXCLUDED.building, unit = EXCLUDED.unit, room = EXCLUDED.room, place = EXCLUDED.place,
    road_no = EXCLUDED.road_no, std_text = EXCLUDED.std_text, skey = EXCLUDED.skey, search = EXCLUDED.search,
    aliases = EXCLUDED.aliases, former_names = EXCLUDED.former_names
  WHERE ad.import_run_id IS DISTINCT FROM EXCLUDED.import_run_id
  RETURNING ad.address, ad.district_name
)
SELECT rn, k FROM input
WHERE NOT EXISTS (
  SELECT 1 FROM ins WHERE ins.address = input.k
    AND (input.district_name IS NULL OR ins.district_name = input.district_name)
)`;

export const addresses: ImportKind<AddressRecord> = {
  name: 'addresses',
  summary:
    'standard addresses: text and a point, split into district/street/road/弄/号/幢/单元/室; codes, aliases and former names optional',
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
    const { city: _city, district, street, ...parts } = parseAddress(address);
    const key = addressKey(parts);
    const aliases = list(f.aliases);
    const former = list(f.formerNames);
    // Aliases and former names are typed as people say them: compared in their standard form.
    const search = [key, ...[...aliases, ...former].map((a) => addressKey(parseAddress(a)))].join(' ');
    return {
      ok: true,
      key: address,
      record: {
        lng: p.value[0],
        lat: p.value[1],
        code: textOf(f.addressCode) ?? null,
        district_code: digits(f.districtCode, 6),
        street_code: digits(f.streetCode, 9),
        unit_grid_code: digits(f.unitGridCode, 15),
        district_name: textOf(f.districtName) ?? district ?? null,
        street_name: textOf(f.streetName) ?? street ?? null,
        ...parts,
        road_stem: parts.road ? roadStem(parts.road) : null,
        road_no: roadPosition(parts) ?? null,
        key,
        search,
        aliases: aliases.join('\u001f'),
        former_names: former.join('\u001f'),
      },
    };
  },

  async begin(db, ctx) {
    return {
      write: async (db, all) => {
        // A text repeated within one batch would make the upsert touch a row twice (an error that
        // sends the whole batch down the row-by-row path): those repeats are rejected here.
        const seen = new Set<string>();
        const repeated: Reject[] = [];
        const items = all.filter((i) => {
          const k = `${i.record.district_name ?? ''}\u0000${i.key}`;
          if (!seen.has(k)) return seen.add(k);
          repeated.push(reject(i.row, i.key, 'duplicate', `address "${i.key}" appears earlier in this file`));
          return false;
        });
        const rejects = await writeWithFallback(db, items, async (tx, batch) => {
          const r = await tx.query<{ rn: number; k: string }>(upsertSql, [
            batch.map((i) => i.row),
            batch.map((i) => i.key),
            ...columns(batch, fields),
            ctx.runId,
          ]);
          return r.rows.map(
            (x): Reject => reject(x.rn, x.k, 'duplicate', `address "${x.k}" appears earlier in this file`),
          );
        });
        return [...rejects, ...repeated].sort((a, b) => a.row - b.row);
      },
      async end() {
        // Fresh statistics: without them the geocoder's lateral lookups are planned as if the
        // table were empty (measured 5x slower right after a first import).
        await db.exec('ANALYZE addresses');
        for (const w of qualityWarnings(await addressQuality(db, { runId: ctx.runId }))) ctx.warn(w);
      },
    };
  },
};
