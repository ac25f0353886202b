/**
 * Districts, streets/towns and communities: the `areas` tree. Geometry is optional (the NBS
 * lists give codes and names only); a row without geometry keeps the geometry already stored.
 */
import {
  checkCode,
  cityNameOf,
  cityOf,
  codeText,
  communityKindOf,
  PropertyReader,
  streetKind,
  textOf,
} from '@onegrid/domain';
import type { Db } from '../../db/db.ts';
import { geometryOutcomesSql, polygonChecksSql, runPolygonUpsert } from '../polygons.ts';
import type { ImportKindName } from '../types.ts';
import { checkPolygonal } from '../validate.ts';
import { columns, type ImportKind, type Item, reject, writeWithFallback } from './kind.ts';

type Level = 'district' | 'street' | 'community';

export interface AreaRecord {
  code: string;
  level: Level;
  name: string;
  parent_code: string;
  kind: string | null;
  area_class: string | null;
  population: number | null;
  gj: string | null;
}

const reader = new PropertyReader([
  'code',
  'name',
  'parentCode',
  'districtCode',
  'streetCode',
  'kind',
  'areaClass',
  'population',
] as const);

const parentLength: Record<Level, number> = { district: 4, street: 6, community: 9 };
const parentLevel: Record<Level, string> = { district: 'city', street: 'district', community: 'street' };

const upsertSql = `
WITH input AS (
  SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                       $7::text[], $8::int[], $9::text[])
    AS t(rn, k, level, name, parent_code, kind, area_class, population, gj)
),
${polygonChecksSql('$10')},
ins AS (
  INSERT INTO areas AS a (code, level, name, parent_code, kind, area_class, population, geom, center, area_m2, updated_at)
  SELECT c.k, c.level, c.name, c.parent_code, coalesce(c.kind, old.kind), coalesce(c.area_class, old.area_class, 'B'),
         coalesce(c.population, old.population), coalesce(c.g, old.geom),
         CASE WHEN c.g IS NULL THEN old.center ELSE ST_PointOnSurface(c.g) END,
         CASE WHEN c.g IS NULL THEN old.area_m2 ELSE ST_Area(c.g::geography) END, now()
  FROM checked c LEFT JOIN areas old ON old.code = c.k
  WHERE c.bad IS NULL
  ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, parent_code = EXCLUDED.parent_code,
    kind = EXCLUDED.kind, area_class = EXCLUDED.area_class, population = EXCLUDED.population,
    geom = EXCLUDED.geom, center = EXCLUDED.center, area_m2 = EXCLUDED.area_m2, updated_at = now()
)
${geometryOutcomesSql}`;

/** The city root for districts: 31xxxx → 3101 上海市. */
async function ensureCities(db: Pick<Db, 'query'>, districtCodes: string[]) {
  const cities = [...new Set(districtCodes.map(cityOf))];
  for (const c of cities) {
    await db.query(
      `INSERT INTO areas (code, level, name) VALUES ($1, 'city', $2) ON CONFLICT (code) DO NOTHING`,
      [c, cityNameOf(c)],
    );
  }
}

function areaKind(name: ImportKindName, level: Level): ImportKind<AreaRecord> {
  return {
    name,
    summary: `${level} boundaries or lists (code, name${level === 'district' ? '' : ', parent code'}; geometry optional)`,
    dedupe: 'memory',
    changesGeo: true,
    provides: 'areas',

    prepare(row, crs) {
      const f = reader.read(row.properties);
      const c = checkCode(level, f.code);
      const rawKey = codeText(f.code) ?? null;
      if (!c.ok) return { ok: false, key: rawKey, problem: 'bad_code', reason: c.reason };
      const code = c.code;
      const areaName = textOf(f.name);
      if (!areaName) return { ok: false, key: code, problem: 'missing_field', reason: 'no name' };
      const parent = code.slice(0, parentLength[level]);
      if (level !== 'district') {
        const declared = codeText(f.parentCode ?? (level === 'street' ? f.districtCode : f.streetCode));
        if (declared !== undefined && declared !== parent) {
          return {
            ok: false,
            key: code,
            problem: 'parent_mismatch',
            reason: `code ${code} does not start with its parent's code ${declared}`,
          };
        }
      }
      let areaClass: string | null = null;
      if (f.areaClass !== undefined) {
        areaClass = String(f.areaClass).toUpperCase();
        if (!['A', 'B', 'C'].includes(areaClass)) {
          return {
            ok: false,
            key: code,
            problem: 'bad_value',
            reason: `area class "${String(f.areaClass)}" is not A, B or C`,
          };
        }
      }
      let population: number | null = null;
      if (f.population !== undefined) {
        population = Number(f.population);
        if (!Number.isInteger(population) || population < 0) {
          return {
            ok: false,
            key: code,
            problem: 'bad_value',
            reason: `population "${String(f.population)}" is not a count`,
          };
        }
      }
      let gj: string | null = null;
      if (row.geometry !== undefined && row.geometry !== null) {
        const g = checkPolygonal(row.geometry, crs);
        if (!g.ok) return { ok: false, key: code, problem: g.problem, reason: g.reason };
        gj = g.value;
      }
      const kind =
        textOf(f.kind) ??
        (level === 'street'
          ? streetKind(code)
          : level === 'community'
            ? communityKindOf(areaName)
            : undefined);
      return {
        ok: true,
        key: code,
        record: {
          code,
          level,
          name: areaName,
          parent_code: parent,
          kind: kind ?? null,
          area_class: areaClass,
          population,
          gj,
        },
      };
    },

    refs(r) {
      if (level === 'district') return [];
      return [
        {
          table: 'areas',
          code: r.parent_code,
          problem: 'unknown_parent',
          what: `parent ${parentLevel[level]}`,
        },
      ];
    },

    async begin(_db, ctx) {
      return {
        async write(db, items: Item<AreaRecord>[]) {
          if (level === 'district')
            await ensureCities(
              db,
              items.map((i) => i.key),
            );
          return writeWithFallback(db, items, async (tx, batch) => {
            const cols = columns(batch, [
              'level',
              'name',
              'parent_code',
              'kind',
              'area_class',
              'population',
              'gj',
            ]);
            const refused = await runPolygonUpsert(
              tx,
              upsertSql,
              [batch.map((i) => i.row), batch.map((i) => i.key), ...cols, ctx.repairAreaTolerance],
              ctx.warn,
            );
            return refused.map((r) => reject(r.row, r.key, 'bad_geometry', r.reason));
          });
        },
        async end() {},
      };
    },
  };
}

export const districts = areaKind('districts', 'district');
export const streets = areaKind('streets', 'street');
export const communities = areaKind('communities', 'community');
