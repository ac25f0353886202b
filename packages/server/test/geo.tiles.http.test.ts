import { syntheticCity } from '@onegrid/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSyntheticCity } from '../src/geo/synthetic.loader.ts';
import type { Server } from '../src/server.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';
import { lat, lng, writeFixtureCity } from './geo-fixture.ts';
import { decodeLayer, pixelOf, tileOf } from './geo-tiles.ts';
import { ensureUser, login, testServer } from './http-harness.ts';

describe(`GET /api/v1/tiles/{layer}/{z}/{x}/{y}.mvt on ${testEngine}`, () => {
  let t: TestDb;
  let server: Server;
  let auth: { authorization: string };
  const z10 = tileOf(lng(4), lat(2), 10);
  const get = (path: string, headers: Record<string, string> = {}) =>
    server.app.inject({ method: 'GET', url: `/api/v1/tiles/${path}`, headers: { ...auth, ...headers } });
  const layerAt = async (layer: string, z: number, x: number, y: number) => {
    const res = await get(`${layer}/${z}/${x}/${y}.mvt`);
    expect(res.statusCode, res.body).toBe(200);
    return decodeLayer(res.rawPayload, layer).features;
  };

  beforeAll(async () => {
    t = await openTestDb();
    await ensureUser(t.db, { username: 'mia', role: 'operator' });
    await writeFixtureCity(t.db);
    // Two components in grid 310104003001001, one of them damaged.
    for (const [id, x, status] of [
      ['31010401001000001', 4.5, 'intact'],
      ['31010401001000002', 5.5, 'damaged'],
    ] as const) {
      await t.db.query(
        `INSERT INTO components (id, category_code, name, owner_dept_code, owner_dept_name, unit_grid_code, status,
           survey_date, district_code, geom)
         VALUES ($1, '01001', '上水井盖', 'D1', '水务局', '310104003001001', $2, '2026-01-01', '310104',
           ST_SetSRID(ST_MakePoint($3, $4), 4326))`,
        [id, status, lng(x), lat(1)],
      );
    }
    server = await testServer(t.db);
    auth = { authorization: `Bearer ${await login(server, 'mia')}` };
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  it('shows boundaries to anyone (the citizen page) and keeps components and duty grids behind the login', async () => {
    const anonymous = (layer: string) =>
      server.app.inject({ method: 'GET', url: `/api/v1/tiles/${layer}/10/${z10.x}/${z10.y}.mvt` });
    expect((await anonymous('districts')).statusCode).toBe(200);
    for (const layer of ['components', 'duty-grids']) {
      const res = await anonymous(layer);
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('unauthenticated');
    }
  });

  it('serves districts as an MVT layer named after the layer, placed where they are', async () => {
    const res = await get(`districts/10/${z10.x}/${z10.y}.mvt`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.mapbox-vector-tile');
    const { extent, features } = decodeLayer(res.rawPayload, 'districts');
    expect(extent).toBe(4096);
    expect(features.map((f) => f.properties)).toEqual([
      { code: '310101', name: '黄浦区', level: 'district' },
      { code: '310104', name: '徐汇区', level: 'district' },
    ]);
    expect(features.every((f) => f.type === 3 && f.rings === 1)).toBe(true);
    const [x0, y1] = pixelOf(lng(0), lat(0), 10, z10.x, z10.y);
    const [x1, y0] = pixelOf(lng(4), lat(4), 10, z10.x, z10.y);
    const b = features[0]!.bbox;
    for (const [got, want] of [
      [b[0], x0],
      [b[1], y0],
      [b[2], x1],
      [b[3], y1],
    ] as const) {
      expect(Math.abs(got - want)).toBeLessThanOrEqual(1.5);
    }
  });

  it('serves the other polygon layers with their properties', async () => {
    const { x, y } = z10;
    const streets = await layerAt('streets', 10, x, y);
    expect(streets.map((f) => f.properties.code)).toEqual(['310101002', '310101013', '310104003']);
    const communities = await layerAt('communities', 10, x, y);
    expect(communities.map((f) => f.properties.level)).toEqual(Array(4).fill('community'));
    const grids = await layerAt('unit-grids', 10, x, y);
    expect(grids).toHaveLength(8);
    expect(grids[4]!.properties).toEqual({
      code: '310101002002001',
      name: '310101002002001',
      level: 'unit-grid',
      area_class: 'C',
    });
    const duty = await layerAt('duty-grids', 10, x, y);
    expect(duty.map((f) => f.properties)).toEqual([
      { code: 'DG-A', name: '云南中路责任网格', level: 'duty-grid' },
      { code: 'DG-B', name: '东片责任网格', level: 'duty-grid' },
    ]);
  });

  it('serves components as counted clusters from zoom 13 and as points from zoom 17', async () => {
    const low = tileOf(lng(5), lat(1), 12);
    expect((await get(`components/12/${low.x}/${low.y}.mvt`)).statusCode).toBe(204);
    // Below zoom 17 a tile holds one point per 64-pixel cell with the number of components in it.
    const z13 = tileOf(lng(5), lat(1), 13);
    const clusters = await layerAt('components', 13, z13.x, z13.y);
    const in13 = [4.5, 5.5].filter((x) => tileOf(lng(x), lat(1), 13).x === z13.x).length;
    expect(clusters.length).toBeGreaterThan(0);
    expect(clusters.every((f) => f.type === 1 && f.properties.level === 'cluster')).toBe(true);
    expect(clusters.reduce((n, f) => n + Number(f.properties.count), 0)).toBe(in13);
    const tile = tileOf(lng(4.5), lat(1), 17);
    const res = await get(`components/17/${tile.x}/${tile.y}.mvt`);
    expect(res.statusCode).toBe(200);
    const features = decodeLayer(res.rawPayload, 'components').features;
    const inTile = [4.5, 5.5].filter((x) => tileOf(lng(x), lat(1), 17).x === tile.x);
    expect(features).toHaveLength(inTile.length);
    expect(features[0]!.type).toBe(1);
    expect(features[0]!.properties).toMatchObject({
      level: 'component',
      category_code: '01001',
      name: '上水井盖',
    });
    expect(['intact', 'damaged']).toContain(features[0]!.properties.status);
    expect(res.headers.etag).toBeUndefined();
  });

  it('answers 204 for an empty tile', async () => {
    const far = tileOf(2.35, 48.85, 10);
    const res = await get(`districts/10/${far.x}/${far.y}.mvt`);
    expect(res.statusCode).toBe(204);
    expect(res.rawPayload.byteLength).toBe(0);
  });

  it('refuses unknown layers and tiles that do not exist with 400', async () => {
    for (const path of [
      'rivers/10/1/1.mvt',
      'districts/10/1024/1.mvt',
      'districts/3/1/8.mvt',
      'districts/25/1/1.mvt',
      'districts/a/1/1.mvt',
      'districts/10/1.5/1.mvt',
    ]) {
      const res = await get(path);
      expect(res.statusCode, path).toBe(400);
      expect(res.json().error.code, path).toBe('validation_failed');
    }
  });

  it('sends an ETag by geo revision: 304 while nothing changed, a new tile after a write', async () => {
    const path = `streets/10/${z10.x}/${z10.y}.mvt`;
    const first = await get(path);
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^W\/"g\d+-f\d+"$/);
    expect(first.headers['cache-control']).toMatch(/^private, max-age=\d+$/);
    const again = await get(path, { 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
    expect(again.rawPayload.byteLength).toBe(0);
    await t.db.query("UPDATE areas SET name = '南京东路' WHERE code = '310101002'");
    const changed = await get(path, { 'if-none-match': etag });
    expect(changed.statusCode).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
    expect(decodeLayer(changed.rawPayload, 'streets').features[0]!.properties.name).toBe('南京东路');
  });

  it('keeps a z8 tile of a whole city small: grids below a pixel are left out, outlines simplified', async () => {
    const city = syntheticCity({
      districts: 2,
      streetsPerDistrict: 2,
      communitiesPerStreetSide: 3,
      gridsPerCommunitySide: 4,
      firstDistrict: 51,
      origin: { lng: 121.1, lat: 31.3 },
    });
    await writeSyntheticCity(t.db, city);
    const tile = tileOf(lng(4), lat(2), 8);
    expect(tileOf(121.1, 31.3, 8)).toEqual(tile);
    const grids = await layerAt('unit-grids', 8, tile.x, tile.y);
    // The 576 synthetic grids (≈ 190 m) are smaller than a pixel at z8; the fixture's 1 km grids are not.
    expect(grids.map((f) => f.properties.code)).toEqual([
      '310101002001001',
      '310101002001002',
      '310101002001003',
      '310101002001004',
      '310101002002001',
      '310101002002002',
      '310104003001001',
      '310104003001002',
    ]);
    const districts = await get(`districts/8/${tile.x}/${tile.y}.mvt`);
    expect(decodeLayer(districts.rawPayload, 'districts').features.map((f) => f.properties.code)).toEqual([
      '310101',
      '310104',
      '310151',
      '310152',
    ]);
    expect(districts.rawPayload.byteLength).toBeLessThan(4096);
    // Close up, the synthetic grids are all there.
    const near = tileOf(
      city.unitGrids[0]!.geometry[0]![0]![0]! + 0.001,
      city.unitGrids[0]!.geometry[0]![0]![1]! + 0.001,
      15,
    );
    const close = await layerAt('unit-grids', 15, near.x, near.y);
    expect(close.length).toBeGreaterThan(3);
    expect(close.every((f) => String(f.properties.code).startsWith('3101'))).toBe(true);
  });
});
