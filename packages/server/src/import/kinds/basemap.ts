/**
 * The base map's own data (docs/basemap.md): `roads` (lines, with a name and a class) and `water`
 * (rivers, lakes: polygons, or centre lines with a width). OpenStreetMap extracts read as they are
 * (`highway`, `waterway`, `natural`, `name:zh`); so do Chinese surveying tables (道路名称, 道路等级).
 * Rows without a code are keyed by their row number, so re-importing the same file updates them.
 */
import { codeText, PropertyReader, textOf } from '@onegrid/domain';
import { geometryOutcomesSql, polygonChecksSql, runPolygonUpsert } from '../polygons.ts';
import { checkLinear, checkPolygonal } from '../validate.ts';
import { columns, type ImportKind, reject, writeWithFallback } from './kind.ts';

/** Road classes, main first, and the zoom from which each is drawn. */
export const roadClasses = {
  motorway: 8,
  trunk: 9,
  primary: 10,
  secondary: 12,
  tertiary: 13,
  residential: 14,
  service: 15,
  path: 16,
} as const;
export type RoadClass = keyof typeof roadClasses;

/** OSM `highway` values and Chinese road grades onto our classes. */
export function roadClassOf(raw: unknown): RoadClass {
  const v = String(raw ?? '')
    .trim()
    .toLowerCase()
    .replace(/_link$/, '');
  if (v in roadClasses) return v as RoadClass;
  if (/高速|快速|expressway|freeway/.test(v)) return 'motorway';
  if (/主干/.test(v)) return 'primary';
  if (/次干/.test(v)) return 'secondary';
  if (/支路|unclassified|living_street|road|street/.test(v)) return 'residential';
  if (/footway|cycleway|pedestrian|steps|track|步行|人行/.test(v)) return 'path';
  if (/service|巷|弄/.test(v)) return 'service';
  return 'residential';
}

export const waterClasses = ['river', 'canal', 'stream', 'lake', 'reservoir', 'sea', 'water'] as const;
export function waterClassOf(raw: unknown): (typeof waterClasses)[number] {
  const v = String(raw ?? '')
    .trim()
    .toLowerCase();
  if ((waterClasses as readonly string[]).includes(v)) return v as (typeof waterClasses)[number];
  if (/江|河|river|riverbank/.test(v)) return 'river';
  if (/渠|浦|港|canal|ditch|drain/.test(v)) return 'canal';
  if (/湖|塘|lake|pond/.test(v)) return 'lake';
  if (/海|sea|bay|coastline/.test(v)) return 'sea';
  return 'water';
}

const reader = new PropertyReader([
  'featureCode',
  'featureName',
  'roadClass',
  'waterClass',
  'width',
] as const);

const keyOf = (code: unknown, row: number, prefix: string) => codeText(code) ?? `${prefix}-${row}`;
const badKey = (key: string) => !/^[\p{L}\p{N}_:/@.#-]{1,80}$/u.test(key);

export interface RoadRecord {
  name: string | null;
  class: RoadClass;
  min_zoom: number;
  gj: string;
}

const roadsSql = `
INSERT INTO roads AS r (code, name, class, min_zoom, geom, updated_at)
SELECT t.k, t.name, t.class, t.min_zoom, ST_SetSRID(ST_GeomFromGeoJSON(t.gj), 4326), now()
FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[]) AS t(k, name, class, min_zoom, gj)
ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, class = EXCLUDED.class,
  min_zoom = EXCLUDED.min_zoom, geom = EXCLUDED.geom, updated_at = now()`;

export const roads: ImportKind<RoadRecord> = {
  name: 'roads',
  summary: 'roads for the base map (LineString; name, class = OSM highway or 主干路/次干路/支路)',
  dedupe: 'memory',
  changesGeo: false,

  prepare(row, crs) {
    const f = reader.read(row.properties);
    const key = keyOf(f.featureCode, row.row, 'road');
    if (badKey(key))
      return { ok: false, key, problem: 'bad_code', reason: `road code "${key}" is not usable` };
    const g = checkLinear(row.geometry, crs);
    if (!g.ok) return { ok: false, key, problem: g.problem, reason: g.reason };
    const cls = roadClassOf(f.roadClass);
    return {
      ok: true,
      key,
      record: { name: textOf(f.featureName) ?? null, class: cls, min_zoom: roadClasses[cls], gj: g.value },
    };
  },

  async begin() {
    return {
      write: (db, items) =>
        writeWithFallback(db, items, async (tx, batch) => {
          await tx.query(roadsSql, [
            batch.map((i) => i.key),
            ...columns(batch, ['name', 'class', 'min_zoom', 'gj']),
          ]);
          return [];
        }),
      async end() {},
    };
  },
};

export interface WaterRecord {
  name: string | null;
  class: string;
  gj: string;
  /** Half the width, in metres, when the row is a centre line; null for polygons. */
  buffer_m: number | null;
}

const waterSql = `
WITH raw AS (
  SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::float8[])
    AS t(rn, k, name, class, gj0, buffer_m)
),
input AS (
  SELECT rn, k, name, class,
    CASE WHEN buffer_m IS NULL THEN gj0 ELSE ST_AsGeoJSON(ST_Buffer(
      ST_SetSRID(ST_GeomFromGeoJSON(gj0), 4326)::geography, buffer_m)::geometry) END AS gj
  FROM raw
),
${polygonChecksSql('$7')},
ins AS (
  INSERT INTO water AS w (code, name, class, geom, updated_at)
  SELECT c.k, c.name, c.class, c.g, now() FROM checked c WHERE c.bad IS NULL AND c.g IS NOT NULL
  ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, class = EXCLUDED.class, geom = EXCLUDED.geom,
    updated_at = now()
)
${geometryOutcomesSql}`;

export const water: ImportKind<WaterRecord> = {
  name: 'water',
  summary: 'rivers and lakes for the base map (Polygon, or LineString with width in metres; name, class)',
  dedupe: 'memory',
  changesGeo: false,

  prepare(row, crs) {
    const f = reader.read(row.properties);
    const key = keyOf(f.featureCode, row.row, 'water');
    if (badKey(key))
      return { ok: false, key, problem: 'bad_code', reason: `water code "${key}" is not usable` };
    const type = (row.geometry as { type?: unknown } | null | undefined)?.type;
    const name = textOf(f.featureName) ?? null;
    const cls = waterClassOf(f.waterClass ?? name);
    if (type === 'LineString' || type === 'MultiLineString') {
      const g = checkLinear(row.geometry, crs);
      if (!g.ok) return { ok: false, key, problem: g.problem, reason: g.reason };
      const width = f.width === undefined ? (cls === 'river' ? 60 : 10) : Number(f.width);
      if (!Number.isFinite(width) || width <= 0 || width > 5000) {
        return {
          ok: false,
          key,
          problem: 'bad_value',
          reason: `width ${String(f.width)} must be 0–5,000 metres`,
        };
      }
      return { ok: true, key, record: { name, class: cls, gj: g.value, buffer_m: width / 2 } };
    }
    const g = checkPolygonal(row.geometry, crs);
    if (!g.ok) return { ok: false, key, problem: g.problem, reason: g.reason };
    return { ok: true, key, record: { name, class: cls, gj: g.value, buffer_m: null } };
  },

  async begin(_db, ctx) {
    return {
      write: (db, items) =>
        writeWithFallback(db, items, async (tx, batch) => {
          const refused = await runPolygonUpsert(
            tx,
            waterSql,
            [
              batch.map((i) => i.row),
              batch.map((i) => i.key),
              ...columns(batch, ['name', 'class', 'gj', 'buffer_m']),
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
