/** Small generated import files and the rows the import tests start from. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Queryable } from '../src/db/db.ts';

export function tempDir(prefix = 'onegrid-import-'): { dir: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export type Position = [number, number];

/** A closed square ring, counter-clockwise, `size` degrees wide. */
export function square(lng: number, lat: number, size: number): Position[] {
  return [
    [lng, lat],
    [lng + size, lat],
    [lng + size, lat + size],
    [lng, lat + size],
    [lng, lat],
  ];
}

export function polygon(ring: Position[]) {
  return { type: 'Polygon', coordinates: [ring] };
}

export function feature(properties: Record<string, unknown>, geometry: unknown = null) {
  return { type: 'Feature', properties, geometry };
}

export function writeGeoJson(dir: string, name: string, features: unknown[]): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify({ type: 'FeatureCollection', features }));
  return file;
}

export function writeText(dir: string, name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

/** CSV from rows of values; quotes every field that needs it. */
export function writeCsv(dir: string, name: string, header: string[], rows: unknown[][]): string {
  const q = (v: unknown) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return writeText(dir, name, [header, ...rows].map((r) => r.map(q).join(',')).join('\n'));
}

/** 上海市 → 黄浦区 → 南京东路街道 → one community, with polygons around People's Square. */
export async function seedHuangpu(db: Queryable) {
  await db.exec(`
    INSERT INTO areas (code, level, name) VALUES ('3101', 'city', '上海市') ON CONFLICT DO NOTHING;
    INSERT INTO areas (code, level, name, parent_code, geom) VALUES
      ('310101', 'district', '黄浦区', '3101', ST_Multi(ST_MakeEnvelope(121.46, 31.21, 121.50, 31.25, 4326)))
      ON CONFLICT DO NOTHING;
    INSERT INTO areas (code, level, name, parent_code, geom) VALUES
      ('310101002', 'street', '南京东路街道', '310101', ST_Multi(ST_MakeEnvelope(121.47, 31.22, 121.49, 31.24, 4326)))
      ON CONFLICT DO NOTHING;
    INSERT INTO areas (code, level, name, parent_code) VALUES
      ('310101002001', 'community', '云南中路居委会', '310101002') ON CONFLICT DO NOTHING;`);
}

/** Two unit grids side by side in 310101002001, sharing the edge lng = 121.475. */
export async function seedGrids(db: Queryable) {
  await seedHuangpu(db);
  await db.exec(`
    INSERT INTO unit_grids (code, community_code, street_code, district_code, geom, area_m2) VALUES
      ('310101002001001', '310101002001', '310101002', '310101',
       ST_Multi(ST_MakeEnvelope(121.474, 31.230, 121.475, 31.231, 4326)), 10000),
      ('310101002001002', '310101002001', '310101002', '310101',
       ST_Multi(ST_MakeEnvelope(121.475, 31.230, 121.476, 31.231, 4326)), 10000)
    ON CONFLICT DO NOTHING`);
}

export async function seedCategories(db: Queryable, codes: string[]) {
  for (const code of codes) {
    await db.query(
      `INSERT INTO categories (code, kind, standard, major_code, major_name, name)
       VALUES ($1, 'component', 'GB/T 47678.5-2026', $2, '市政公用设施', $3) ON CONFLICT DO NOTHING`,
      [code, code.slice(0, 2), `部件 ${code}`],
    );
  }
}

export async function geoRevision(db: Queryable): Promise<number> {
  const r = await db.query<{ revision: number }>('SELECT revision::int AS revision FROM geo_revision');
  return r.rows[0]!.revision;
}
