/**
 * Standard addresses and geocoding on small synthetic data, on both engines: the import splits
 * the text into parts; geocode finds typed variants, interpolates unknown numbers, filters by
 * area; reverse, batch, the quality report and the citizen place search; bad input → 4xx.
 */
import { fromWgs84 } from '@onegrid/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importRows } from '../src/import/import.service.ts';
import type { RawRow } from '../src/import/types.ts';
import type { Server } from '../src/server.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';
import { ensureUser, login, testServer } from './http-harness.ts';
import { seedHuangpu } from './import-fixture.ts';

const row = (n: number, properties: Record<string, unknown>, lng: number, lat: number): RawRow => ({
  row: n,
  properties,
  geometry: { type: 'Point', coordinates: [lng, lat] },
});

const hp = (address: string, lng: number, lat: number, extra: Record<string, unknown> = {}) => ({
  address,
  lng,
  lat,
  props: { district: '黄浦区', address, ...extra },
});

const rows = [
  hp('南京东路100号', 121.48, 31.235),
  hp('南京东路200号', 121.486, 31.235),
  hp('南京东路101号', 121.48, 31.2353),
  hp('南京东路201号', 121.486, 31.2353),
  hp('九江路595号', 121.478, 31.233, { code: 'SH-0001', aliases: '金融大厦', former_names: '九江路593号' }),
  // The same standard text at the same place: a duplicate.
  hp('九江路五百九十五号', 121.478, 31.233),
  // One text at two places 2 km apart: a conflict.
  hp('河南中路1号', 121.481, 31.234),
  hp('河南中路一号', 121.495, 31.215),
  // Names 南京东路街道 but lies outside its polygon.
  hp('西藏中路1号', 121.465, 31.245, { street_code: '310101002' }),
  // Says 静安区, lies in 黄浦区: a conflict.
  {
    address: '北京西路1号',
    lng: 121.468,
    lat: 31.215,
    props: { district: '静安区', address: '北京西路1号' },
  },
  {
    address: '张东路2281弄',
    lng: 121.6332,
    lat: 31.2037,
    props: { district: '浦东新区', street_name: '张江镇', address: '张东路2281弄' },
  },
  {
    address: '张东路2281弄5号',
    lng: 121.6333,
    lat: 31.2038,
    props: { district: '浦东新区', street_name: '张江镇', address: '张东路2281弄5号' },
  },
];

describe(`standard addresses and geocoding on ${testEngine}`, () => {
  let t: TestDb;
  let server: Server;
  let admin: string;
  let op: string;
  const get = (url: string, token?: string) =>
    server.app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });
  const geocode = async (q: string, extra = '') => {
    const res = await get(`/api/v1/geo/geocode?q=${encodeURIComponent(q)}${extra}`, op);
    expect(res.statusCode, res.body).toBe(200);
    return res.json().candidates as {
      text: string;
      code: string | null;
      lng: number;
      lat: number;
      score: number;
      interpolated: boolean;
      district: string | null;
      street: string | null;
    }[];
  };

  beforeAll(async () => {
    t = await openTestDb();
    await seedHuangpu(t.db);
    await ensureUser(t.db, { username: 'admin1', role: 'admin' });
    await ensureUser(t.db, { username: 'op1', role: 'operator' });
    server = await testServer(t.db);
    admin = await login(server, 'admin1');
    op = await login(server, 'op1');
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  it('answers reverse with 404 while there are no addresses', async () => {
    const res = await get('/api/v1/geo/reverse?lng=121.48&lat=31.235', op);
    expect(res.statusCode).toBe(404);
  });

  it('imports addresses split into parts, with codes, aliases and a quality report', async () => {
    const r = await importRows(
      t.db,
      'addresses',
      rows.map((x, i) => row(i + 2, x.props, x.lng, x.lat)),
    );
    expect([r.rowsRead, r.imported, r.rejected]).toEqual([12, 12, 0]);
    expect(r.warnings.join('\n')).toMatch(/1 standard texts appear more than once/);
    expect(r.warnings.join('\n')).toMatch(/1 points lie outside their street/);
    expect(r.warnings.join('\n')).toMatch(/2 conflicts/);
    const a = await t.db.query(
      `SELECT code, std_text, district_code, street_code, road, lane, number, road_no, aliases, former_names
       FROM addresses WHERE address IN ('九江路595号', '张东路2281弄5号') ORDER BY address`,
    );
    expect(a.rows).toEqual([
      {
        code: 'SH-0001',
        std_text: '黄浦区九江路595号',
        district_code: '310101',
        street_code: '310101002',
        road: '九江路',
        lane: null,
        number: '595',
        road_no: 595,
        aliases: ['金融大厦'],
        former_names: ['九江路593号'],
      },
      {
        code: expect.stringMatching(/^SA\d{10}$/),
        std_text: '浦东新区张东路2281弄5号',
        district_code: null,
        street_code: null,
        road: '张东路',
        lane: '2281',
        number: '5',
        road_no: 2281,
        aliases: [],
        former_names: [],
      },
    ]);
  });

  it('finds an address however it is typed', async () => {
    const variants = [
      '上海市黄浦区南京东路100号',
      '南京东路１００号',
      '黄浦区南京东路一百号',
      '南京东路100',
      '南京冬路100号',
      '上海市 黄浦区 南京东路 100 号',
    ];
    for (const v of variants) {
      const [top] = await geocode(v);
      expect(top?.text, v).toBe('黄浦区南京东路100号');
      expect(top?.interpolated).toBe(false);
    }
    const [exact] = await geocode('黄浦区南京东路100号');
    expect(exact).toMatchObject({ lng: 121.48, lat: 31.235, district: '黄浦区', street: '南京东路街道' });
    expect(exact!.score).toBeGreaterThan(0.9);
  });

  it('finds an address by its alias and former name, and a lane by a short district name', async () => {
    expect((await geocode('金融大厦'))[0]?.code).toBe('SH-0001');
    expect((await geocode('九江路593号'))[0]?.code).toBe('SH-0001');
    const [lane] = await geocode('浦东张东路2281弄');
    expect(lane).toMatchObject({ text: '浦东新区张东路2281弄', street: '张江镇' });
  });

  it('places an unknown number between the known ones, on its side of the road', async () => {
    const [even] = await geocode('南京东路150号');
    expect(even).toMatchObject({ text: '黄浦区南京东路150号', code: null, interpolated: true });
    expect(even!.lng).toBeCloseTo(121.483, 6);
    expect(even!.lat).toBeCloseTo(31.235, 6);
    const [odd] = await geocode('南京东路151号');
    expect(odd!.lng).toBeCloseTo(121.483, 6);
    expect(odd!.lat).toBeCloseTo(31.2353, 6);
    // Beyond the last number: the nearest known one, scored lower.
    const [beyond] = await geocode('南京东路300号');
    expect(beyond).toMatchObject({ interpolated: true, lng: 121.486, lat: 31.235 });
    expect(beyond!.score).toBeLessThan(even!.score);
  });

  it('keeps to the area asked for', async () => {
    expect((await geocode('张东路2281弄'))[0]?.text).toBe('浦东新区张东路2281弄');
    const inHuangpu = await geocode('张东路2281弄', '&area=310101');
    expect(inHuangpu.every((c) => c.district === '黄浦区' || c.district === '静安区')).toBe(true);
  });

  it('reverse: the nearest address and its distance, from WGS-84 or GCJ-02', async () => {
    const res = await get('/api/v1/geo/reverse?lng=121.4801&lat=31.2351', op);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.address.text).toBe('黄浦区南京东路100号');
    expect(body.distance).toBeGreaterThan(10);
    expect(body.distance).toBeLessThan(20);
    const g = fromWgs84(121.48, 31.235, 'gcj02');
    const viaGcj = (await get(`/api/v1/geo/reverse?lng=${g.lng}&lat=${g.lat}&crs=gcj02`, op)).json();
    expect(viaGcj.address.text).toBe('黄浦区南京东路100号');
    expect(viaGcj.distance).toBeLessThan(0.5);
    expect(viaGcj.input).toEqual({ lng: g.lng, lat: g.lat, crs: 'gcj02' });
  });

  it('batch: one result per text, in order; null where nothing matches', async () => {
    const texts = ['南京东路200号', '', '九江路595号', 'zzzz', '南京东路150号'];
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/geo/geocode/batch',
      headers: { authorization: `Bearer ${op}` },
      payload: texts,
    });
    expect(res.statusCode, res.body).toBe(200);
    const results = res.json().results as { q: string; candidate: { text: string } | null }[];
    expect(results.map((r) => r.q)).toEqual(texts);
    expect(results.map((r) => r.candidate?.text ?? null)).toEqual([
      '黄浦区南京东路200号',
      null,
      '黄浦区九江路595号',
      null,
      '黄浦区南京东路150号',
    ]);
  });

  it('refuses bad input with 4xx and answers only logged-in users', async () => {
    const batch = (payload: unknown, token = op) =>
      server.app.inject({
        method: 'POST',
        url: '/api/v1/geo/geocode/batch',
        headers: { authorization: `Bearer ${token}` },
        payload: payload as string[],
      });
    expect((await batch(Array.from({ length: 10_001 }, () => '南京东路100号'))).statusCode).toBe(400);
    expect((await batch({ q: 'x' })).statusCode).toBe(400);
    expect((await batch([{ q: 'x' }])).statusCode).toBe(400);
    expect((await get('/api/v1/geo/geocode?q=', op)).statusCode).toBe(400);
    expect((await get('/api/v1/geo/geocode?q=%20%20', op)).statusCode).toBe(400);
    expect((await get(`/api/v1/geo/geocode?q=${'路'.repeat(201)}`, op)).statusCode).toBe(400);
    expect((await get('/api/v1/geo/geocode?q=x&area=abc', op)).statusCode).toBe(400);
    expect((await get('/api/v1/geo/reverse?lng=abc&lat=31', op)).statusCode).toBe(400);
    expect((await get('/api/v1/geo/reverse?lng=121&lat=31&crs=utm', op)).statusCode).toBe(400);
    expect((await get('/api/v1/geo/geocode?q=南京东路')).statusCode).toBe(401);
    expect((await get('/api/v1/geo/reverse?lng=121.48&lat=31.23')).statusCode).toBe(401);
  });

  it('shows the quality report to administrators only', async () => {
    expect((await get('/api/v1/geo/addresses/quality', op)).statusCode).toBe(403);
    const res = await get('/api/v1/geo/addresses/quality', admin);
    expect(res.statusCode).toBe(200);
    const q = res.json();
    expect(q.total).toBe(12);
    expect(q.duplicates).toMatchObject({
      count: 1,
      examples: [{ text: '黄浦区九江路595号', codes: expect.arrayContaining(['SH-0001']), metres: 0 }],
    });
    expect(q.outsideStreet).toMatchObject({ count: 1, examples: [{ text: '黄浦区西藏中路1号' }] });
    expect(q.conflicts.count).toBe(2);
    expect(q.conflicts.examples.map((e: { reason: string }) => e.reason)).toEqual([
      expect.stringMatching(/^one text at points \d+ m apart$/),
      'the text names 静安区 but the point lies in 黄浦区',
    ]);
    const pudong = (await get('/api/v1/geo/addresses/quality?area=310115', admin)).json();
    expect(pudong.total).toBe(0);
  });

  it('lets a citizen find a place without a login, five at most, rate-limited', async () => {
    const res = await server.app.inject({
      method: 'GET',
      url: `/api/v1/public/places?q=${encodeURIComponent('南京东路100号')}`,
      remoteAddress: '10.9.0.1',
    });
    expect(res.statusCode).toBe(200);
    const places = res.json();
    expect(places.length).toBeLessThanOrEqual(5);
    expect(places[0]).toEqual({
      text: '黄浦区南京东路100号',
      lng: 121.48,
      lat: 31.235,
      district: '黄浦区',
      street: '南京东路街道',
    });
    let last = 200;
    for (let i = 0; i < 40 && last !== 429; i++) {
      last = (
        await server.app.inject({
          method: 'GET',
          url: '/api/v1/public/places?q=x',
          remoteAddress: '10.9.0.2',
        })
      ).statusCode;
    }
    expect(last).toBe(429);
  });
});
