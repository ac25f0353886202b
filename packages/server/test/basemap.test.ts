/**
 * The base map (docs/basemap.md): ONEGRID_BASEMAP read and checked; a PMTiles archive served by
 * OneGrid itself (a small archive written here, read back through the `pmtiles` reader); the
 * import kinds `roads` and `water` and their vector tiles, main roads from the city view, lanes
 * from street zoom, with an ETag that moves when the base map changes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { zxyToTileId } from 'pmtiles';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basemapOrigins, parseBasemap } from '../src/basemap/basemap.config.ts';
import { loadConfig } from '../src/config.ts';
import { importRows } from '../src/import/import.service.ts';
import { traceRoad } from '../src/seed/basemap.demo.ts';
import type { Server } from '../src/server.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';
import { decodeLayer, tileOf } from './geo-tiles.ts';
import { testServer } from './http-harness.ts';

/** Writes a PMTiles v3 archive (uncompressed) holding the given tiles: the spec's layout by hand. */
function writePmtiles(
  file: string,
  tiles: { z: number; x: number; y: number; data: Buffer }[],
  tileType: number,
) {
  const varint = (n: number, out: number[]) => {
    while (n >= 0x80) {
      out.push((n & 0x7f) | 0x80);
      n = Math.floor(n / 128);
    }
    out.push(n);
  };
  const entries = tiles
    .map((t) => ({ id: zxyToTileId(t.z, t.x, t.y), data: t.data }))
    .sort((a, b) => a.id - b.id);
  const dir: number[] = [];
  varint(entries.length, dir);
  let last = 0;
  for (const e of entries) {
    varint(e.id - last, dir);
    last = e.id;
  }
  for (const _ of entries) varint(1, dir);
  for (const e of entries) varint(e.data.length, dir);
  let offset = 0;
  for (const e of entries) {
    varint(offset + 1, dir);
    offset += e.data.length;
  }
  const metadata = Buffer.from(JSON.stringify({ attribution: '测绘院 2026' }));
  const data = Buffer.concat(entries.map((e) => e.data));
  const header = Buffer.alloc(127);
  header.write('PMTiles', 0, 'ascii');
  header.writeUInt8(3, 7);
  const u64 = (pos: number, v: number) => header.writeBigUInt64LE(BigInt(v), pos);
  const root = 127;
  u64(8, root);
  u64(16, dir.length);
  u64(24, root + dir.length);
  u64(32, metadata.length);
  u64(40, 0);
  u64(48, 0);
  u64(56, root + dir.length + metadata.length);
  u64(64, data.length);
  u64(72, entries.length);
  u64(80, entries.length);
  u64(88, entries.length);
  header.writeUInt8(1, 96); // clustered
  header.writeUInt8(1, 97); // internal compression: none
  header.writeUInt8(1, 98); // tile compression: none
  header.writeUInt8(tileType, 99);
  header.writeUInt8(Math.min(...tiles.map((t) => t.z)), 100);
  header.writeUInt8(Math.max(...tiles.map((t) => t.z)), 101);
  header.writeInt32LE(120.8e7, 102);
  header.writeInt32LE(30.7e7, 106);
  header.writeInt32LE(122.2e7, 110);
  header.writeInt32LE(31.9e7, 114);
  fs.writeFileSync(file, Buffer.concat([header, Buffer.from(dir), metadata, data]));
}

describe('ONEGRID_BASEMAP', () => {
  it('reads every form and lists the origins the browser may fetch the base map from', () => {
    expect(parseBasemap(undefined)).toEqual({ ok: true, basemap: { kind: 'none' } });
    const key = '0123456789abcdef0123456789abcdef';
    expect(parseBasemap(`tianditu:${key}`)).toEqual({ ok: true, basemap: { kind: 'tianditu', key } });
    const xyz = parseBasemap('xyz:https://tiles.example.cn/{z}/{x}/{y}.png;gcj02');
    expect(xyz).toEqual({
      ok: true,
      basemap: { kind: 'xyz', url: 'https://tiles.example.cn/{z}/{x}/{y}.png', crs: 'gcj02' },
    });
    expect(parseBasemap('style:https://maps.example.cn/style.json')).toMatchObject({ ok: true });
    if (xyz.ok) expect(basemapOrigins(xyz.basemap)).toEqual(['https://tiles.example.cn']);
    for (const bad of [
      'tianditu:short',
      'xyz:https://x.cn/tiles',
      'pmtiles:/nowhere/city.pmtiles',
      'osm',
      'style:ftp://x',
    ]) {
      const r = parseBasemap(bad);
      expect(r.ok, bad).toBe(false);
      if (!r.ok) expect(r.problem).toMatch(/^ONEGRID_BASEMAP /);
    }
    // In the configuration: 天地图's hosts join the Content Security Policy's map sources.
    const config = loadConfig({ ONEGRID_BASEMAP: `tianditu:${key}` });
    expect(config.basemap).toEqual({ kind: 'tianditu', key });
    expect(config.mapSources).toContain('https://t0.tianditu.gov.cn');
    expect(() => loadConfig({ ONEGRID_BASEMAP: 'xyz:nope' })).toThrow(/ONEGRID_BASEMAP xyz/);
  });

  it('traces a demo road through its numbered address points, leaving out a slip of the geocoder', () => {
    // Numbers 1–40 along a road running east; every fifth point on the far side; one point 3 km off.
    const points = Array.from({ length: 40 }, (_, i) => ({
      n: i + 1,
      lng: 121.47 + i * 0.0003,
      lat: 31.23 + (i % 2 ? 0.0002 : -0.0002),
    }));
    points.push({ n: 41, lng: 121.5, lat: 31.26 });
    const line = traceRoad(points)!;
    expect(line.length).toBeGreaterThanOrEqual(2);
    for (const [lng, lat] of line) {
      expect(lng).toBeGreaterThanOrEqual(121.47);
      expect(lng).toBeLessThanOrEqual(121.4818);
      expect(Math.abs(lat - 31.23)).toBeLessThan(0.0003);
    }
    expect(line[0]![0]).toBeLessThan(line.at(-1)![0]);
    expect(traceRoad(points.slice(0, 3))).toBeUndefined();
  });
});

describe(`the base map served by OneGrid (${testEngine})`, () => {
  let t: TestDb;
  let plain: Server;
  let withArchive: Server;
  let dir: string;
  const png0 = Buffer.from('\x89PNG tile 0/0/0');
  const png1 = Buffer.from('\x89PNG tile 1/1/0');

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onegrid-basemap-'));
    writePmtiles(
      path.join(dir, 'city.pmtiles'),
      [
        { z: 0, x: 0, y: 0, data: png0 },
        { z: 1, x: 1, y: 0, data: png1 },
      ],
      2,
    );
    t = await openTestDb();
    plain = await testServer(t.db);
    const parsed = parseBasemap('pmtiles:city.pmtiles', dir);
    if (!parsed.ok) throw new Error(parsed.problem);
    withArchive = await testServer(t.db, undefined, { basemap: parsed.basemap });
  }, 120_000);
  afterAll(async () => {
    await withArchive?.close();
    await plain?.close();
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('tells anyone which base map to draw: our own layers by default', async () => {
    const res = await plain.app.inject({ method: 'GET', url: '/api/v1/public/basemap' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ kind: 'none', crs: 'wgs84' });
    const tile = await plain.app.inject({ method: 'GET', url: '/api/v1/basemap/tiles/0/0/0' });
    expect(tile.statusCode).toBe(404);
    expect(tile.json().error.code).toBe('not_found');
  });

  it('serves the tiles of a PMTiles archive itself, without a login', async () => {
    const view = await withArchive.app.inject({ method: 'GET', url: '/api/v1/public/basemap' });
    expect(view.json()).toEqual({
      kind: 'raster',
      crs: 'wgs84',
      tiles: ['/api/v1/basemap/tiles/{z}/{x}/{y}'],
      minzoom: 0,
      maxzoom: 1,
      attribution: '测绘院 2026',
    });
    const get = (p: string) => withArchive.app.inject({ method: 'GET', url: `/api/v1/basemap/tiles/${p}` });
    const a = await get('0/0/0');
    expect(a.statusCode).toBe(200);
    expect(a.headers['content-type']).toBe('image/png');
    expect(Buffer.from(a.rawPayload).equals(png0)).toBe(true);
    expect(Buffer.from((await get('1/1/0')).rawPayload).equals(png1)).toBe(true);
    expect((await get('1/0/1')).statusCode).toBe(204);
    expect((await get('5/3/3')).statusCode).toBe(204);
    const bad = await get('1/2/0');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('validation_failed');
  });

  it('imports roads and water and draws main roads from the city view, lanes from street zoom', async () => {
    // An OpenStreetMap extract as it comes: highway, name:zh, a trunk link; a lane; a bad row.
    const roads = await importRows(t.db, 'roads', [
      {
        row: 1,
        properties: { osm_id: 'w100', highway: 'primary', 'name:zh': '南京东路', name: 'Nanjing Road' },
        geometry: {
          type: 'LineString',
          coordinates: [
            [121.475, 31.236],
            [121.49, 31.239],
          ],
        },
      },
      {
        row: 2,
        properties: { 道路名称: '云南中路', 道路等级: '支路' },
        geometry: {
          type: 'LineString',
          coordinates: [
            [121.481, 31.232],
            [121.481, 31.24],
          ],
        },
      },
      { row: 3, properties: { name: '点' }, geometry: { type: 'Point', coordinates: [121.48, 31.23] } },
    ]);
    expect(roads).toMatchObject({ imported: 2, rejected: 1 });
    expect(roads.rejects[0]).toMatchObject({ row: 3, problem: 'bad_geometry' });
    const water = await importRows(t.db, 'water', [
      {
        row: 1,
        properties: { name: '黄浦江', waterway: 'river', width: 400 },
        geometry: {
          type: 'LineString',
          coordinates: [
            [121.49, 31.23],
            [121.495, 31.25],
          ],
        },
      },
      {
        row: 2,
        properties: { name: '人民公园湖', natural: 'water' },
        geometry: {
          type: 'Polygon',
          coordinates: [
            [
              [121.472, 31.232],
              [121.474, 31.232],
              [121.474, 31.234],
              [121.472, 31.234],
              [121.472, 31.232],
            ],
          ],
        },
      },
    ]);
    expect(water).toMatchObject({ imported: 2, rejected: 0 });
    const rows = await t.db.query<{ code: string; class: string; km2: number }>(
      `SELECT code, class, ST_Area(geom::geography) / 1e6 AS km2 FROM water ORDER BY code`,
    );
    // The river's centre line became a 400 m wide polygon: 2.3 km long, about 0.9 km².
    expect(rows.rows.map((r) => [r.code, r.class])).toEqual([
      ['water-1', 'river'],
      ['water-2', 'water'],
    ]);
    expect(rows.rows[0]!.km2).toBeGreaterThan(0.8);
    expect(rows.rows[0]!.km2).toBeLessThan(1.1);

    const tile = async (layer: string, z: number, etag?: string) => {
      const { x, y } = tileOf(121.481, 31.236, z);
      return plain.app.inject({
        method: 'GET',
        url: `/api/v1/tiles/${layer}/${z}/${x}/${y}.mvt`,
        headers: etag ? { 'if-none-match': etag } : {},
      });
    };
    const z11 = await tile('roads', 11);
    expect(z11.statusCode, z11.body).toBe(200);
    expect(decodeLayer(z11.rawPayload, 'roads').features.map((f) => [f.type, f.properties])).toEqual([
      [2, { code: 'w100', name: '南京东路', class: 'primary' }],
    ]);
    const z15 = await tile('roads', 15);
    expect(
      decodeLayer(z15.rawPayload, 'roads')
        .features.map((f) => f.properties.name)
        .sort(),
    ).toEqual(['云南中路', '南京东路']);
    const w = await tile('water', 12);
    expect(decodeLayer(w.rawPayload, 'water').features.map((f) => [f.type, f.properties.name])).toEqual([
      [3, '黄浦江'],
      [3, '人民公园湖'],
    ]);
    // The ETag follows the base map's revision: the same until roads or water change.
    const etag = String(z15.headers.etag);
    expect((await tile('roads', 15, etag)).statusCode).toBe(304);
    await importRows(t.db, 'roads', [
      {
        row: 1,
        properties: { code: 'w101', highway: 'secondary', name: '九江路' },
        geometry: {
          type: 'LineString',
          coordinates: [
            [121.475, 31.235],
            [121.49, 31.237],
          ],
        },
      },
    ]);
    const after = await tile('roads', 15, etag);
    expect(after.statusCode).toBe(200);
    expect(after.headers.etag).not.toBe(etag);
  });
});
