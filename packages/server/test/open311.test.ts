/**
 * Our Open311 GeoReport v2 conformance suite: every endpoint in JSON and XML, field names, status
 * values, W3C dates with offset and the specification's error lists, on both engines.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importRows } from '../src/import/import.service.ts';
import type { Server } from '../src/server.ts';
import { makeLoopCity, square } from './case-fixture.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';
import { login, testServer } from './http-harness.ts';

type Fmt = 'json' | 'xml';
type Obj = Record<string, unknown>;

const base = '/open311/v2';
/** W3C datetime with the offset written out, as the specification's examples. */
const w3c = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/;
const parser = new XMLParser({
  parseTagValue: false,
  isArray: (name) =>
    ['service', 'request', 'error', 'endpoint', 'format', 'attribute', 'value'].includes(name),
});

/** The XML answer as a plain object, after checking it is well-formed. */
function xml(res: LightMyRequestResponse): Obj {
  expect(res.headers['content-type']).toMatch(/^text\/xml/);
  expect(res.body.startsWith('<?xml version="1.0" encoding="utf-8"?>')).toBe(true);
  expect(XMLValidator.validate(res.body)).toBe(true);
  return parser.parse(res.body) as Obj;
}

const jpeg = Buffer.concat([
  Buffer.from([
    0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00,
    0x01, 0x00, 0x00,
  ]),
  Buffer.alloc(500, 7),
  Buffer.from([0xff, 0xd9]),
]);

describe(`Open311 GeoReport v2 on ${testEngine}`, () => {
  let t: TestDb;
  let server: Server;
  let users: Awaited<ReturnType<typeof makeLoopCity>>;
  let apiKey: string;
  const tokens: Record<string, string> = {};
  let now = new Date('2026-11-23T02:00:00Z'); // Monday 10:00 in Shanghai

  /** Reading requests and tokens needs an app's api_key (docs/open311.md); the rest is open. */
  const get = (path: string, key: string | null = apiKey) => {
    const needsKey = key !== null && /^(requests|tokens)[/.]/.test(path);
    const url = `${base}/${path}${needsKey ? `${path.includes('?') ? '&' : '?'}api_key=${encodeURIComponent(key)}` : ''}`;
    return server.app.inject({ method: 'GET', url });
  };
  const post = (fmt: Fmt, fields: Record<string, string>, query = '') =>
    server.app.inject({
      method: 'POST',
      url: `${base}/requests.${fmt}${query}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(fields).toString(),
    });
  const api = async (user: string, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) => {
    const res = await server.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${tokens[user]}` },
      ...(payload ? { payload } : {}),
    });
    return { status: res.statusCode, body: res.body ? res.json() : undefined };
  };
  const act = async (user: string, id: number, action: string, body: Obj) => {
    const r = await api(user, 'POST', `/api/v1/cases/${id}/${action}`, body);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body as { version: number; status: string };
  };
  const caseByNumber = async (number: string) => {
    const r = await api('op', 'GET', `/api/v1/cases?q=${number}`);
    return (r.body.items as { id: number; number: string; version: number }[])[0]!;
  };
  const garbage = (extra: Record<string, string> = {}) => ({
    api_key: apiKey,
    service_code: '06010',
    lat: String(square.lat + 0.0003),
    long: String(square.lng + 0.0003),
    description: '人民广场东侧暴露垃圾',
    ...extra,
  });
  /** Expects the specification's error list in JSON and in XML for the same request. */
  async function expectSpecError(
    send: (fmt: Fmt) => Promise<LightMyRequestResponse>,
    status: number,
    description: RegExp,
  ) {
    const j = await send('json');
    expect(j.statusCode).toBe(status);
    expect(j.headers['content-type']).toMatch(/^application\/json/);
    const list = j.json() as { code: number; description: string }[];
    expect(list).toHaveLength(1);
    expect(list[0]).toEqual({ code: status, description: expect.stringMatching(description) });
    const x = await send('xml');
    expect(x.statusCode).toBe(status);
    const doc = xml(x) as { errors: { error: { code: string; description: string }[] } };
    expect(doc.errors.error).toHaveLength(1);
    expect(doc.errors.error[0]!.code).toBe(String(status));
    expect(doc.errors.error[0]!.description).toMatch(description);
  }

  beforeAll(async () => {
    t = await openTestDb();
    users = await makeLoopCity(t.db);
    server = await testServer(t.db, () => now);
    await server.geo.refresh({ force: true });
    for (const u of ['root', 'op', 'disp', 'lhsr', 'insp']) tokens[u] = await login(server, u);
    const issued = await api('root', 'POST', '/api/v1/open311/clients', { name: 'civic-app' });
    expect(issued.status).toBe(201);
    apiKey = issued.body.apiKey;
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  it('serves the discovery document in both formats', async () => {
    const j = await get('discovery.json');
    expect(j.statusCode).toBe(200);
    const d = j.json();
    expect(d).toMatchObject({ contact: expect.any(String), key_service: expect.any(String) });
    expect(d.changeset).toMatch(w3c);
    expect(d.endpoints).toEqual([
      {
        specification: 'http://wiki.open311.org/GeoReport_v2',
        url: expect.stringMatching(/\/open311\/v2$/),
        changeset: expect.stringMatching(w3c),
        type: 'production',
        formats: ['text/xml', 'application/json'],
      },
    ]);
    const x = xml(await get('discovery.xml')) as { discovery: Obj & { endpoints: { endpoint: Obj[] } } };
    expect(x.discovery.key_service).toBe(d.key_service);
    expect(x.discovery.endpoints.endpoint[0]).toMatchObject({
      specification: 'http://wiki.open311.org/GeoReport_v2',
      type: 'production',
      formats: { format: ['text/xml', 'application/json'] },
    });
  });

  it('lists the active event and component categories as services', async () => {
    const j = await get('services.json');
    expect(j.statusCode).toBe(200);
    const services = j.json() as Obj[];
    const active = await t.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM categories WHERE kind IN ('event', 'component') AND active",
    );
    expect(services).toHaveLength(active.rows[0]!.n);
    const garbageService = services.find((s) => s.service_code === '06010');
    expect(garbageService).toEqual({
      service_code: '06010',
      service_name: '暴露垃圾',
      description: expect.any(String),
      metadata: true,
      type: 'realtime',
      keywords: expect.stringContaining('暴露垃圾'),
      group: '市容环境类',
    });
    expect(Object.keys(garbageService!)).toEqual([
      'service_code',
      'service_name',
      'description',
      'metadata',
      'type',
      'keywords',
      'group',
    ]);
    expect(services.some((s) => s.service_code === '01001')).toBe(true); // a component (供水井盖)

    await t.db.query("UPDATE categories SET active = false WHERE code = '06012'");
    const x = xml(await get('services.xml')) as { services: { service: Obj[] } };
    expect(x.services.service).toHaveLength(services.length - 1);
    expect(x.services.service.find((s) => s.service_code === '06010')).toMatchObject({
      service_name: '暴露垃圾',
      metadata: 'true',
      type: 'realtime',
      group: '市容环境类',
    });
    await t.db.query("UPDATE categories SET active = true WHERE code = '06012'");
  });

  it('defines each service with its attributes, and 404s an unknown service', async () => {
    const j = await get('services/06010.json');
    expect(j.statusCode).toBe(200);
    expect(j.json()).toEqual({
      service_code: '06010',
      attributes: [
        {
          variable: true,
          code: 'urgency',
          datatype: 'singlevaluelist',
          required: false,
          datatype_description: expect.any(String),
          order: 1,
          description: expect.any(String),
          values: [
            { key: 'urgent', name: expect.stringContaining('紧急') },
            { key: 'normal', name: expect.stringContaining('一般') },
          ],
        },
      ],
    });
    const x = xml(await get('services/06010.xml')) as {
      service_definition: { service_code: string; attributes: { attribute: Obj[] } };
    };
    expect(x.service_definition.service_code).toBe('06010');
    expect(x.service_definition.attributes.attribute[0]).toMatchObject({
      variable: 'true',
      code: 'urgency',
      datatype: 'singlevaluelist',
      required: 'false',
      order: '1',
      values: { value: [{ key: 'urgent' }, { key: 'normal' }] },
    });
    await expectSpecError((f) => get(`services/99999.${f}`), 404, /service_code 99999/);
  });

  it('reads requests only with an api_key, and masks phone and ID numbers typed into a description', async () => {
    const posted = await post(
      'json',
      garbage({ description: '垃圾堆在门口，联系13912345678，身份证31010119900307123X' }),
    );
    expect(posted.statusCode).toBe(200);
    const id = (posted.json() as { service_request_id: string }[])[0]!.service_request_id;
    await expectSpecError((f) => get(`requests/${id}.${f}`, null), 403, /api_key/);
    await expectSpecError((f) => get(`requests.${f}`, null), 403, /api_key/);
    await expectSpecError((f) => get(`tokens/${id}.${f}`, null), 403, /api_key/);
    await expectSpecError((f) => get(`requests/${id}.${f}`, 'o311_wrong'), 403, /api_key/);
    const [one] = (await get(`requests/${id}.json`)).json() as Obj[];
    expect(one!.description).toBe('垃圾堆在门口，联系139****5678，身份证310***********123X');
    const listed = (await get('requests.json')).body;
    expect(listed).not.toContain('13912345678');
    expect(listed).not.toContain('31010119900307123X');
  });

  it('refuses a POST without, with a wrong and with a revoked api_key (403)', async () => {
    const { api_key: _, ...noKey } = garbage();
    await expectSpecError((f) => post(f, noKey), 403, /api_key/);
    await expectSpecError((f) => post(f, garbage({ api_key: 'o311_not-a-key' })), 403, /api_key/);

    const second = await api('root', 'POST', '/api/v1/open311/clients', { name: 'old-app' });
    expect(second.status).toBe(201);
    expect(
      (await post('json', garbage({ api_key: second.body.apiKey, description: '旧应用' }))).statusCode,
    ).toBe(200);
    expect((await api('root', 'DELETE', `/api/v1/open311/clients/${second.body.id}`)).status).toBe(204);
    await expectSpecError((f) => post(f, garbage({ api_key: second.body.apiKey })), 403, /api_key/);

    const list = await api('root', 'GET', '/api/v1/open311/clients');
    expect(list.body).toEqual([
      expect.objectContaining({ name: 'civic-app', revokedAt: null }),
      expect.objectContaining({ name: 'old-app', revokedAt: expect.any(String) }),
    ]);
    expect(JSON.stringify(list.body)).not.toContain(second.body.apiKey);
    // Only administrators handle keys; a name has one live key at a time.
    expect((await api('op', 'GET', '/api/v1/open311/clients')).status).toBe(403);
    expect((await api('root', 'POST', '/api/v1/open311/clients', { name: 'civic-app' })).status).toBe(409);
    expect((await api('root', 'DELETE', '/api/v1/open311/clients/9999')).status).toBe(404);
  });

  it('files a form-encoded POST as an open311 case that operators see, contact kept but never shown', async () => {
    const res = await post(
      'json',
      garbage({
        description: '垃圾桶旁堆满纸箱',
        email: 'li.ming@example.com',
        first_name: '明',
        last_name: '李',
        phone: '13812345678',
        account_id: 'acct-77',
        device_id: 'phone-abc',
        media_url: 'https://photos.example.com/1.jpg',
        'attribute[urgency]': 'urgent',
      }),
    );
    expect(res.statusCode).toBe(200);
    const [created] = res.json() as Obj[];
    expect(Object.keys(created!)).toEqual(['service_request_id', 'service_notice', 'account_id']);
    expect(created).toMatchObject({ account_id: 'acct-77', service_notice: expect.any(String) });
    const id = created!.service_request_id as string;
    expect(id).toMatch(/^E0601020261123\d{6}$/);

    const listed = await api('op', 'GET', '/api/v1/cases?source=open311');
    const c = (listed.body.items as Obj[]).find((x) => x.number === id);
    expect(c).toMatchObject({
      source: 'open311',
      status: 'reported',
      category: '06010',
      urgency: 'urgent',
      description: '垃圾桶旁堆满纸箱',
      reporterName: '李*',
      reporterContact: '138****5678',
      streetCode: '310101002',
      externalIds: {
        'open311:client': 'civic-app',
        'open311:account_id': 'acct-77',
        'open311:device_id': 'phone-abc',
        'open311:media_url': 'https://photos.example.com/1.jpg',
      },
    });
    const detail = await api('op', 'GET', `/api/v1/cases/${c!.id}`);
    expect(detail.body.timeline[0]).toMatchObject({ action: 'report', actorName: 'open311:civic-app' });

    // What Open311 shows of it: no name, phone or email anywhere.
    for (const fmt of ['json', 'xml'] as const) {
      const one = await get(`requests/${id}.${fmt}`);
      expect(one.statusCode).toBe(200);
      for (const secret of ['13812345678', '5678', 'li.ming', '李明', 'acct-77', 'phone-abc']) {
        expect(one.body).not.toContain(secret);
      }
    }

    // The same POST answered in XML.
    const x = xml(await post('xml', garbage({ description: 'XML 上报', 'attribute[urgency]': 'normal' })));
    const req = (x as { service_requests: { request: Obj[] } }).service_requests.request;
    expect(req).toHaveLength(1);
    expect(req[0]!.service_request_id).toMatch(/^E06010/);
    expect(req[0]).toHaveProperty('service_notice');
    expect(req[0]!.account_id).toBe('');
  });

  it('answers a request by id in both formats with every field of the specification', async () => {
    const id = (
      (
        await post('json', garbage({ description: '字段检查', address_string: '人民大道200号' }))
      ).json() as Obj[]
    )[0]!.service_request_id as string;
    const fields = [
      'service_request_id',
      'status',
      'status_notes',
      'service_name',
      'service_code',
      'description',
      'agency_responsible',
      'service_notice',
      'requested_datetime',
      'updated_datetime',
      'expected_datetime',
      'address',
      'address_id',
      'zipcode',
      'lat',
      'long',
      'media_url',
    ];
    const j = await get(`requests/${id}.json`);
    expect(j.statusCode).toBe(200);
    const [r] = j.json() as Obj[];
    expect(Object.keys(r!)).toEqual(fields);
    expect(r).toMatchObject({
      service_request_id: id,
      status: 'open',
      service_name: '暴露垃圾',
      service_code: '06010',
      description: '字段检查',
      address: '人民大道200号',
      requested_datetime: '2026-11-23T10:00:00+08:00',
      updated_datetime: '2026-11-23T10:00:00+08:00',
      lat: square.lat + 0.0003,
      long: square.lng + 0.0003,
    });
    expect(r!.expected_datetime).toMatch(w3c);

    const x = xml(await get(`requests/${id}.xml`)) as { service_requests: { request: Obj[] } };
    const xr = x.service_requests.request[0]!;
    expect(Object.keys(xr)).toEqual(fields);
    expect(xr).toMatchObject({
      service_request_id: id,
      status: 'open',
      service_code: '06010',
      description: '字段检查',
      requested_datetime: '2026-11-23T10:00:00+08:00',
      expected_datetime: r!.expected_datetime,
      lat: String(square.lat + 0.0003),
      long: String(square.lng + 0.0003),
      zipcode: '',
    });
    await expectSpecError(
      (f) => get(`requests/E0000000000000000.${f}`),
      404,
      /E0000000000000000 was not found/,
    );

    // A token is the id itself: OneGrid answers every POST at once.
    expect((await get(`tokens/${id}.json`)).json()).toEqual([{ service_request_id: id, token: id }]);
    const tx = xml(await get(`tokens/${id}.xml`)) as { service_requests: { request: Obj[] } };
    expect(tx.service_requests.request).toEqual([{ service_request_id: id, token: id }]);
    await expectSpecError((f) => get(`tokens/nope.${f}`), 404, /token nope/);
  });

  it('filters GET requests by id list, service, dates and status, in both formats', async () => {
    const made = async (extra: Record<string, string>) =>
      ((await post('json', garbage(extra))).json() as Obj[])[0]!.service_request_id as string;
    const a = await made({ description: '筛选 A' });
    const b = await made({ service_code: '06012', description: '筛选 B 道路不洁' });
    const old = now;
    now = new Date('2026-08-01T02:00:00Z'); // 114 days before
    const ancient = await made({ description: '很久以前' });
    now = old;
    const ids = (res: LightMyRequestResponse) => (res.json() as Obj[]).map((r) => r.service_request_id);

    // The id list overrides every other parameter, even the 90-day default window.
    const byId = await get(`requests.json?service_request_id=${a},${ancient}&service_code=06012`);
    expect(ids(byId).sort()).toEqual([a, ancient].sort());
    const byIdXml = xml(await get(`requests.xml?service_request_id=${b}`)) as {
      service_requests: { request: Obj[] };
    };
    expect(byIdXml.service_requests.request.map((r) => r.service_request_id)).toEqual([b]);

    // Default: the last 90 days, newest first.
    const all = ids(await get('requests.json'));
    expect(all).toContain(a);
    expect(all).toContain(b);
    expect(all).not.toContain(ancient);

    const service = ids(await get('requests.json?service_code=06012'));
    expect(service).toContain(b);
    expect(service).not.toContain(a);
    const both = ids(await get('requests.json?service_code=06010,06012'));
    expect(both).toEqual(expect.arrayContaining([a, b]));

    const window = ids(
      await get(
        `requests.json?start_date=${encodeURIComponent('2026-07-31T00:00:00+08:00')}&end_date=${encodeURIComponent('2026-08-02T00:00:00+08:00')}`,
      ),
    );
    expect(window).toEqual([ancient]);
    // A + the query string turned into a space still reads as the offset.
    const spaced = ids(await get('requests.json?start_date=2026-11-23T09:00:00+08:00'));
    expect(spaced).toContain(a);
    expect(spaced).not.toContain(ancient);
    expect(ids(await get('requests.json?end_date=2026-08-01T12:00:00Z'))).toEqual([ancient]);
    const xmlWindow = xml(await get('requests.xml?start_date=2026-11-23&service_code=06012')) as {
      service_requests: { request: Obj[] };
    };
    expect(xmlWindow.service_requests.request.map((r) => r.service_request_id)).toEqual([b]);

    expect(ids(await get('requests.json?status=open'))).toEqual(expect.arrayContaining([a, b]));
    expect(ids(await get('requests.json?status=closed'))).not.toContain(a);
    expect(ids(await get('requests.json?status=open,closed'))).toEqual(expect.arrayContaining([a, b]));

    await expectSpecError((f) => get(`requests.${f}?status=pending`), 400, /status must be open or closed/);
    await expectSpecError((f) => get(`requests.${f}?start_date=yesterday`), 400, /start_date must be a W3C/);
    await expectSpecError(
      (f) => get(`requests.${f}?start_date=2026-01-01T00:00:00Z&end_date=2026-11-01T00:00:00Z`),
      400,
      /90 days/,
    );
  });

  it('turns a request closed when the case is closed, and names the survivor of a merge', async () => {
    const place = { lat: String(square.lat - 0.0004), long: String(square.lng - 0.0004) };
    const id = ((await post('json', garbage({ ...place, description: '要闭环的案件' }))).json() as Obj[])[0]!
      .service_request_id as string;
    const dupId = ((await post('json', garbage({ ...place, description: '同一堆垃圾' }))).json() as Obj[])[0]!
      .service_request_id as string;
    const c = await caseByNumber(id);
    const dup = await caseByNumber(dupId);

    await act('op', dup.id, 'merge', { version: dup.version, targetCaseId: c.id });
    const [merged] = (await get(`requests/${dupId}.json`)).json() as Obj[];
    expect(merged).toMatchObject({ status: 'closed', expected_datetime: null });
    expect(merged!.status_notes).toContain(id);

    let s = await act('op', c.id, 'verify-report', { version: c.version, inspectorId: users.inspector });
    s = await act('insp', c.id, 'confirm-report', { version: s.version, confirmed: true });
    s = await act('op', c.id, 'accept', { version: s.version });
    s = await act('disp', c.id, 'dispatch', { version: s.version });
    const [midway] = (await get(`requests/${id}.json`)).json() as Obj[];
    expect(midway).toMatchObject({ status: 'open', agency_responsible: '黄浦区绿化市容局' });
    s = await act('lhsr', c.id, 'accept-task', { version: s.version });
    const boundary = 'o311-boundary';
    const upload = await server.app.inject({
      method: 'POST',
      url: '/api/v1/attachments',
      headers: {
        authorization: `Bearer ${tokens.lhsr}`,
        'content-type': `multipart/form-data; boundary=${boundary}`,
      },
      payload: Buffer.concat([
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`,
        ),
        jpeg,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]),
    });
    expect(upload.statusCode).toBe(201);
    now = new Date('2026-11-23T06:30:00Z');
    // Hours later: the sessions opened at the start have gone idle (30 minutes), so sign in again.
    for (const u of ['op', 'lhsr', 'insp']) tokens[u] = await login(server, u);
    s = await act('lhsr', c.id, 'handle', { version: s.version, note: '已清运', photos: [upload.json().id] });
    s = await act('insp', c.id, 'verify', { version: s.version, passed: true });
    s = await act('op', c.id, 'close', { version: s.version });
    expect(s.status).toBe('closed');

    const [closed] = (await get(`requests/${id}.json`)).json() as Obj[];
    expect(closed).toMatchObject({
      status: 'closed',
      status_notes: '已结案 / Closed',
      expected_datetime: null,
      agency_responsible: '黄浦区绿化市容局',
      requested_datetime: '2026-11-23T10:00:00+08:00',
      updated_datetime: '2026-11-23T14:30:00+08:00',
    });
    const xr = (xml(await get(`requests/${id}.xml`)) as { service_requests: { request: Obj[] } })
      .service_requests.request[0]!;
    expect(xr).toMatchObject({
      status: 'closed',
      expected_datetime: '',
      updated_datetime: '2026-11-23T14:30:00+08:00',
    });
    const closedList = (await get('requests.json?status=closed')).json() as Obj[];
    expect(closedList.map((r) => r.service_request_id)).toEqual(expect.arrayContaining([id, dupId]));
    const openList = (await get('requests.json?status=open')).json() as Obj[];
    expect(openList.map((r) => r.service_request_id)).not.toContain(id);
    now = new Date('2026-11-23T02:00:00Z');
  });

  it('answers bad POSTs with 400 and the specification body', async () => {
    await expectSpecError((f) => post(f, garbage({ service_code: '99999' })), 400, /service_code 99999/);
    const { service_code: _, ...noCode } = garbage();
    await expectSpecError((f) => post(f, noCode), 400, /service_code was not provided/);
    await expectSpecError(
      (f) => post(f, garbage({ lat: '39.9042', long: '116.4074' })),
      400,
      /outside the city/,
    );
    const { long: __, ...latOnly } = garbage();
    await expectSpecError((f) => post(f, latOnly), 400, /lat and long/);
    const { lat: ___, long: ____, ...nowhere } = garbage();
    await expectSpecError((f) => post(f, nowhere), 400, /location is required/);
    await expectSpecError(
      (f) => post(f, { ...nowhere, address_string: '火星大道1号' }),
      400,
      /address_string/,
    );
    await expectSpecError(
      (f) => post(f, garbage({ 'attribute[urgency]': 'asap' })),
      400,
      /attribute\[urgency\]/,
    );
    await expectSpecError((f) => post(f, garbage({ email: 'not-an-email' })), 400, /email/);
    await expectSpecError((f) => post(f, garbage({ media_url: 'javascript:alert(1)' })), 400, /media_url/);
    await expectSpecError((f) => get(`nothing-here.${f}`), 404, /No resource/);
  });

  it('finds an address_string typed as people type it with the geocoder, and refuses a vague one', async () => {
    await importRows(t.db, 'addresses', [
      {
        row: 2,
        properties: { district: '黄浦区', address: '西藏中路10号' },
        geometry: { type: 'Point', coordinates: [square.lng + 0.001, square.lat] },
      },
    ]);
    const { lat: _, long: __, ...noPoint } = garbage({ description: '按地址上报' });
    const res = await post('json', { ...noPoint, address_string: '上海市黄浦区西藏中路１０号' });
    expect(res.statusCode, res.body).toBe(200);
    const id = (res.json() as Obj[])[0]!.service_request_id as string;
    const got = (await get(`requests/${id}.json`)).json() as Obj[];
    expect(got[0]!.address).toBe('黄浦区西藏中路10号');
    expect(Number(got[0]!.long)).toBeCloseTo(square.lng + 0.001, 6);
    expect(Number(got[0]!.lat)).toBeCloseTo(square.lat, 6);
    // A road alone is not an address: refused, nothing filed.
    const vague = await post('json', { ...noPoint, address_string: '南京路' });
    expect(vague.statusCode).toBe(400);
    await t.db.query('DELETE FROM addresses');
  });

  it('accepts its own jurisdiction_id (or none) and 404s another', async () => {
    expect((await get('services.json?jurisdiction_id=shanghai')).statusCode).toBe(200);
    expect(
      (await post('json', garbage({ jurisdiction_id: 'shanghai', description: '辖区' }))).statusCode,
    ).toBe(200);
    await expectSpecError(
      (f) => get(`services.${f}?jurisdiction_id=sfgov.org`),
      404,
      /jurisdiction_id sfgov.org/,
    );
    await expectSpecError((f) => post(f, garbage({ jurisdiction_id: 'sfgov.org' })), 404, /jurisdiction_id/);
  });

  it('escapes user text in XML and keeps it intact in JSON', async () => {
    const nasty = `<script>alert("x")</script> & 'quotes' ]]> \u0001end`;
    const id = ((await post('json', garbage({ description: nasty }))).json() as Obj[])[0]!
      .service_request_id as string;
    const x = await get(`requests/${id}.xml`);
    expect(x.body).not.toContain('<script>');
    expect(x.body).toContain('&lt;script&gt;');
    const doc = xml(x) as { service_requests: { request: Obj[] } };
    expect(doc.service_requests.request[0]!.description).toBe(nasty.replace('\u0001', ''));
    const [j] = (await get(`requests/${id}.json`)).json() as Obj[];
    expect(j!.description).toBe(nasty);
    // Errors quote what the caller sent: escaped too.
    const err = await post('xml', garbage({ service_code: '<b>&' }));
    expect(err.statusCode).toBe(400);
    expect(xml(err)).toMatchObject({ errors: { error: [{ code: '400' }] } });
  });
});
