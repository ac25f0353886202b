import { fromWgs84 } from '@onegrid/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from '../src/server.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';
import { lat, lng, writeFixtureCity } from './geo-fixture.ts';
import { ensureUser, login, testServer } from './http-harness.ts';

describe(`GET /api/v1/geo/locate on ${testEngine}`, () => {
  let t: TestDb;
  let server: Server;
  let auth: { authorization: string };
  const locate = (query: string) =>
    server.app.inject({ method: 'GET', url: `/api/v1/geo/locate?${query}`, headers: auth });

  beforeAll(async () => {
    t = await openTestDb();
    await ensureUser(t.db, { username: 'olga', role: 'operator' });
    await writeFixtureCity(t.db);
    server = await testServer(t.db);
    await server.geo.refresh();
    auth = { authorization: `Bearer ${await login(server, 'olga')}` };
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  it('needs a login', async () => {
    const res = await server.app.inject({
      method: 'GET',
      url: `/api/v1/geo/locate?lng=${lng(1)}&lat=${lat(1)}`,
    });
    expect(res.statusCode).toBe(401);
  });

  it('answers the whole chain for a point in a unit grid, from the in-memory index', async () => {
    expect(server.geo.status()).toMatchObject({ indexed: true, counts: { unitGrids: 8, districts: 2 } });
    const res = await locate(`lng=${lng(0.5)}&lat=${lat(1.5)}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      input: { lng: lng(0.5), lat: lat(1.5), crs: 'wgs84' },
      wgs84: { lng: lng(0.5), lat: lat(1.5) },
      city: { code: '3101', name: '上海市' },
      district: { code: '310101', name: '黄浦区' },
      street: { code: '310101002', name: '南京东路街道' },
      community: { code: '310101002001', name: '云南中路居委会' },
      unitGrid: { code: '310101002001001', areaClass: 'A' },
      dutyGrid: { code: 'DG-A', name: '云南中路责任网格' },
    });
  });

  it('gives a point on a shared vertex to the smallest code', async () => {
    const res = await locate(`lng=${lng(1)}&lat=${lat(1)}`);
    expect(res.json().unitGrid.code).toBe('310101002001001');
  });

  it('locates areas without grids level by level, with nulls where nothing holds the point', async () => {
    const res = await locate(`lng=${lng(2)}&lat=${lat(3)}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      district: { code: '310101' },
      street: { code: '310101013', name: '外滩街道' },
      community: { code: '310101013001' },
      unitGrid: null,
      dutyGrid: { code: 'DG-B' },
    });
  });

  it('converts GCJ-02 and BD-09 input to WGS-84 before locating', async () => {
    for (const crs of ['gcj02', 'bd09'] as const) {
      const p = fromWgs84(lng(6.5), lat(2.5), crs);
      const res = await locate(`lng=${p.lng}&lat=${p.lat}&crs=${crs}`);
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.input).toEqual({ lng: p.lng, lat: p.lat, crs });
      expect(Math.abs(body.wgs84.lng - lng(6.5))).toBeLessThan(1e-8);
      expect(Math.abs(body.wgs84.lat - lat(2.5))).toBeLessThan(1e-8);
      expect(body.unitGrid.code).toBe('310104003001002');
    }
  });

  it('answers 404 outside_city outside every district', async () => {
    const res = await locate('lng=116.39&lat=39.91');
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('outside_city');
    expect(res.json().error.message).not.toMatch(/swapped/);
  });

  it('says when the coordinates look swapped: 400 when lat is out of range, 404 when it is not', async () => {
    const outOfRange = await locate('lng=31.21&lat=121.41');
    expect(outOfRange.statusCode).toBe(400);
    expect(outOfRange.json().error.message).toMatch(/look swapped.*lng=121\.41&lat=31\.21/);
    const inRange = await locate('lng=31.2&lat=80.5');
    expect(inRange.statusCode).toBe(404);
    expect(inRange.json().error).toMatchObject({
      code: 'outside_city',
      message: expect.stringMatching(/swapped/),
    });
  });

  it('refuses what is not a coordinate with 400', async () => {
    for (const q of [
      'lng=abc&lat=31.2',
      'lng=&lat=31.2',
      'lat=31.2',
      'lng=121.4&lat=95',
      'lng=190&lat=31',
      'lng=121.4&lat=31.2&crs=epsg3857',
    ]) {
      const res = await locate(q);
      expect(res.statusCode, q).toBe(400);
      expect(res.json().error.code, q).toBe('validation_failed');
    }
  });

  it('documents the Location schema in OpenAPI', async () => {
    const doc = (await server.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/geo/locate', '/api/v1/tiles/{layer}/{z}/{x}/{y}.mvt']),
    );
    expect(doc.components.schemas.Location.properties).toHaveProperty('unitGrid');
  });
});
