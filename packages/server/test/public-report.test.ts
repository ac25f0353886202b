/**
 * Citizen reporting without an account: report (with photos), follow by number, never a contact
 * in any answer, idempotent retries, a per-address rate limit — on both engines.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { trackingKeys } from '../src/privacy/tracking.ts';
import type { Server } from '../src/server.ts';
import { makeLoopCity, square } from './case-fixture.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';
import { login, testServer } from './http-harness.ts';

type Obj = Record<string, unknown>;

const jpeg = Buffer.concat([
  Buffer.from([
    0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00,
    0x01, 0x00, 0x00,
  ]),
  Buffer.alloc(800, 3),
  Buffer.from([0xff, 0xd9]),
]);

describe(`citizen reporting on ${testEngine}`, () => {
  let t: TestDb;
  let server: Server;
  let users: Awaited<ReturnType<typeof makeLoopCity>>;
  const tokens: Record<string, string> = {};
  let ipCounter = 0;
  /** Each test reports from an address of its own, so that only the rate-limit test meets the limit. */
  let ip = '';
  const now = new Date('2026-11-23T02:00:00Z');

  const report = (body: object, from = ip) =>
    server.app.inject({ method: 'POST', url: '/api/v1/public/reports', payload: body, remoteAddress: from });
  /** Follows a report with its receipt's key (the server's own derivation), or with `key` given. */
  const track = async (number: string, from = ip, key?: string) =>
    server.app.inject({
      method: 'GET',
      url: `/api/v1/public/reports/${number}?key=${key ?? (await trackingKeys(t.db).keyFor(number))}`,
      remoteAddress: from,
    });
  const upload = (bytes: Buffer, from = ip) => {
    const boundary = 'public-boundary';
    return server.app.inject({
      method: 'POST',
      url: '/api/v1/public/attachments',
      remoteAddress: from,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: Buffer.concat([
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="p.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`,
        ),
        bytes,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]),
    });
  };
  const api = async (user: string, method: 'GET' | 'POST', url: string, payload?: object) => {
    const res = await server.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${tokens[user]}` },
      ...(payload ? { payload } : {}),
    });
    return { status: res.statusCode, body: res.json() };
  };
  const staffView = async (number: string) => {
    const r = await api('op', 'GET', `/api/v1/cases?q=${number}`);
    const item = (r.body.items as { id: number }[])[0]!;
    return (await api('op', 'GET', `/api/v1/cases/${item.id}`)).body;
  };
  const litter = (extra: Obj = {}) => ({
    category: '06010',
    description: '小区门口暴露垃圾，联系我 13900001111',
    location: { lng: square.lng + 0.0002, lat: square.lat + 0.0002 },
    ...extra,
  });
  const secretsAbsent = (res: LightMyRequestResponse) => {
    for (const secret of ['13812345678', '5678', '王小明', '13900001111', '联系我']) {
      expect(res.body).not.toContain(secret);
    }
  };

  beforeAll(async () => {
    t = await openTestDb();
    users = await makeLoopCity(t.db);
    server = await testServer(t.db, () => now);
    await server.geo.refresh({ force: true });
    for (const u of ['op', 'insp']) tokens[u] = await login(server, u);
  });
  beforeEach(() => {
    ipCounter += 1;
    ip = `10.0.0.${ipCounter}`;
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  it('takes a report with a photo and contact, without a login, and gives a number to follow', async () => {
    const photo = await upload(jpeg);
    expect(photo.statusCode).toBe(201);
    expect(photo.json()).toEqual({ id: expect.any(String), mime: 'image/jpeg', size: jpeg.length });
    const res = await report(
      litter({
        photos: [photo.json().id],
        contact: { name: '王小明', phone: '138 1234 5678' },
        address: '人民大道',
      }),
    );
    expect(res.statusCode).toBe(201);
    const receipt = res.json();
    expect(receipt).toEqual({
      number: expect.stringMatching(/^E0601020261123\d{6}$/),
      status: 'reported',
      statusName: '待受理',
      statusNameEn: 'Reported',
      trackingKey: expect.stringMatching(/^[0-9A-HJKMNP-TV-Z]{8}$/),
      trackingUrl: `/track/${receipt.number}?key=${receipt.trackingKey}`,
    });
    secretsAbsent(res);

    // The number alone, or a wrong key, finds nothing (the same answer as an unknown number).
    const noKey = await server.app.inject({
      method: 'GET',
      url: `/api/v1/public/reports/${receipt.number}`,
      remoteAddress: ip,
    });
    expect(noKey.statusCode).toBe(400);
    const wrong = await track(
      receipt.number,
      ip,
      receipt.trackingKey === 'AAAAAAAA' ? 'BBBBBBBB' : 'AAAAAAAA',
    );
    expect(wrong.statusCode).toBe(404);
    expect(wrong.json().error.message).toBe(`No report numbered ${receipt.number} with that key`);
    expect((await track(receipt.number, ip, receipt.trackingKey.toLowerCase())).statusCode).toBe(200);

    // The operators get it in their queue: source public, photo attached, name and contact masked.
    const c = await staffView(receipt.number);
    expect(c).toMatchObject({
      source: 'public',
      status: 'reported',
      reporterName: '王**',
      reporterContact: '138****5678',
      districtCode: '310101',
    });
    expect(c.timeline[0]).toMatchObject({ action: 'report', actorName: 'public', photos: [photo.json().id] });
    // Show in full: for those who call back, and each reading leaves an audit entry.
    const full = await api('op', 'GET', `/api/v1/cases/${c.id}/contact`);
    expect(full).toEqual({ status: 200, body: { reporterName: '王小明', reporterContact: '13812345678' } });
    const revealed = await t.db.query<{ actor: string }>(
      `SELECT actor FROM audit_log WHERE action = 'pii.reveal' AND object = $1`,
      [`case:${c.id}`],
    );
    expect(revealed.rows).toEqual([{ actor: 'op' }]);

    const view = await track(receipt.number);
    expect(view.statusCode).toBe(200);
    expect(view.json()).toEqual({
      number: receipt.number,
      status: 'reported',
      statusName: '待受理',
      statusNameEn: 'Reported',
      trackingKey: receipt.trackingKey,
      trackingUrl: receipt.trackingUrl,
      open: true,
      result: null,
      category: { code: '06010', name: '暴露垃圾' },
      district: { code: '310101', name: '黄浦区' },
      street: { code: '310101002', name: '南京东路街道' },
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      timeline: [
        { at: now.toISOString(), status: 'reported', statusName: '待受理', statusNameEn: 'Reported' },
      ],
      mergedInto: null,
    });
    secretsAbsent(view);

    // Progress shows up, staff names do not.
    const sent = await api('op', 'POST', `/api/v1/cases/${c.id}/verify-report`, {
      version: c.version,
      inspectorId: users.inspector,
      note: '请王监督员核实',
    });
    expect(sent.status).toBe(200);
    const later = await track(receipt.number);
    expect(later.json().timeline.map((e: Obj) => e.status)).toEqual(['reported', 'verifying']);
    expect(later.json()).toMatchObject({ status: 'verifying', statusName: '核实中' });
    expect(later.body).not.toContain('insp');
    expect(later.body).not.toContain('请王监督员核实');
  });

  it('refuses what is not a photo, photos not uploaded here, and places outside the city', async () => {
    const pdf = await upload(Buffer.from('%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n'));
    expect(pdf.statusCode).toBe(415);
    expect(pdf.json().error.code).toBe('unsupported_media_type');
    const unknown = await report(litter({ photos: ['00000000-0000-0000-0000-000000000000'] }));
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error).toMatchObject({ code: 'validation_failed', details: { field: 'photos' } });
    const outside = await report(litter({ location: { lng: 116.4074, lat: 39.9042 } }));
    expect(outside.statusCode).toBe(400);
    expect(outside.json().error.message).toMatch(/outside the city/);
    const noPlace = await report(litter({ location: undefined }));
    expect(noPlace.statusCode).toBe(400);
    expect(noPlace.json().error.details).toMatchObject({ field: 'location' });
    const badPhone = await report(litter({ contact: { phone: 'call me' } }));
    expect(badPhone.statusCode).toBe(400);
    expect(badPhone.json().error.code).toBe('validation_failed');
    expect((await track('E0000000000000000000')).statusCode).toBe(404);
    // Staff routes still need a login.
    expect((await server.app.inject({ method: 'GET', url: '/api/v1/cases' })).statusCode).toBe(401);
  });

  it('lists the matters a citizen can pick, with the hints that tell confusable ones apart', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/api/v1/public/categories' });
    expect(res.statusCode).toBe(200);
    const list = res.json() as { kind: string; code: string; name: string; confusableWith: string[] }[];
    expect(list.length).toBeGreaterThan(100);
    expect(list.every((c) => c.kind === 'component' || c.kind === 'event')).toBe(true);
    expect(list.find((c) => c.code === '06010')).toMatchObject({ kind: 'event', name: '暴露垃圾' });
    expect(list.some((c) => c.confusableWith.length > 0)).toBe(true);
  });

  it('files once per idempotency key, photos included', async () => {
    const photo = (await upload(jpeg)).json().id as string;
    const body = litter({
      description: '重复提交测试',
      photos: [photo],
      idempotencyKey: 'b3d1c0de-0000-4000-8000-000000000001',
    });
    const first = await report(body);
    const retry = await report(body);
    expect(first.statusCode).toBe(201);
    expect(retry.statusCode).toBe(200);
    expect(retry.json().number).toBe(first.json().number);
    const listed = await api(
      'op',
      'GET',
      '/api/v1/cases?source=public&q=%E9%87%8D%E5%A4%8D%E6%8F%90%E4%BA%A4',
    );
    expect(listed.body.items).toHaveLength(1);
  });

  it('shows the surviving case of a merged report', async () => {
    const place = { location: { lng: square.lng - 0.0003, lat: square.lat - 0.0003 } };
    const first = (await report(litter({ ...place, description: '桥下垃圾' }))).json();
    const second = (await report(litter({ ...place, description: '桥下还是那堆垃圾' }))).json();
    const dup = await staffView(second.number);
    const target = await staffView(first.number);
    const merged = await api('op', 'POST', `/api/v1/cases/${dup.id}/merge`, {
      version: dup.version,
      targetCaseId: target.id,
    });
    expect(merged.status).toBe(200);
    const view = (await track(second.number)).json();
    expect(view).toMatchObject({
      status: 'merged',
      open: false,
      mergedInto: { number: first.number, status: 'reported', statusName: '待受理' },
    });
    expect(view.timeline.map((e: Obj) => e.status)).toEqual(['reported', 'merged']);
    // The survivor's own timeline does not pretend it was merged.
    const survivor = (await track(first.number)).json();
    expect(survivor).toMatchObject({ status: 'reported', mergedInto: null });
    expect(survivor.timeline.map((e: Obj) => e.status)).toEqual(['reported']);
  });

  it('limits reports per address with 429, leaving other addresses alone', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await report({ category: 'nope' })).statusCode);
    expect(statuses).toEqual(Array(10).fill(400));
    const refused = await report({ category: 'nope' });
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error).toMatchObject({ code: 'rate_limited' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect((await report({ category: 'nope' }, '10.9.9.9')).statusCode).toBe(400);
    // Following a report is counted apart from reporting.
    expect((await track('E0000000000000000000')).statusCode).toBe(404);
  });
});
