/**
 * The 12345 connector end to end, with a real service account (grant `hotline`) and a real HTTP
 * receiver standing in for the hotline system's webhook endpoint: orders in (caller masked at
 * once, category guessed from the text), idempotent on the order number under retries and
 * concurrent deliveries, a second order on the same problem joined; 受理, 退单 with its reason and
 * 办结 with result and photos back through signed webhooks; 回访 in, on the case and in 满意率.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshotPng } from '../src/cameras/snapshot.ts';
import type { Server } from '../src/server.ts';
import { makeLoopCity, square } from './case-fixture.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';
import { ensureUser, login, testServer } from './http-harness.ts';

interface Delivery {
  event: string;
  signature: string;
  raw: string;
  body: { event: string; data: Record<string, unknown> };
}

describe(`12345 hotline on ${testEngine}`, () => {
  let t: TestDb;
  let server: Server;
  let rx: http.Server;
  const got: Delivery[] = [];
  const waiters = new Set<() => void>();
  const secret = 'hotline-whsec-0123456789';
  const now = new Date('2026-11-23T02:00:00Z');
  const tokens: Record<string, string> = {};
  let machine = '';
  const call = async (who: string, method: 'GET' | 'POST', url: string, payload?: unknown) => {
    const res = await server.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${tokens[who] ?? who}` },
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });
    return { status: res.statusCode, body: res.json() };
  };
  const order = (no: string, extra: Record<string, unknown> = {}) => ({
    orderNo: no,
    receivedAt: now.toISOString(),
    content: '市民反映人民广场东侧有暴露垃圾，气味很大',
    location: { lng: square.lng + 0.0003, lat: square.lat + 0.0003 },
    caller: { name: '张三丰', phone: '13812345678' },
    dueAt: '2026-11-26T10:00:00Z',
    ...extra,
  });
  const post = (body: unknown) => call(machine, 'POST', '/api/v1/hotline/orders', body);
  const act = async (user: string, id: number, action: string, body: Record<string, unknown> = {}) => {
    const c = await call(user, 'GET', `/api/v1/cases/${id}`);
    const r = await call(user, 'POST', `/api/v1/cases/${id}/${action}`, { version: c.body.version, ...body });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body;
  };
  /** Resolves with the delivery of `event` for `orderNo`, now or when it arrives. */
  const delivered = (event: string, orderNo: string) =>
    new Promise<Delivery>((resolve) => {
      const check = () => {
        const d = got.find((x) => x.event === event && x.body.data.orderNo === orderNo);
        if (d) {
          waiters.delete(check);
          resolve(d);
        }
      };
      waiters.add(check);
      check();
    });

  beforeAll(async () => {
    rx = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => {
        raw += c;
      });
      req.on('end', () => {
        got.push({
          event: String(req.headers['x-onegrid-event']),
          signature: String(req.headers['x-onegrid-signature']),
          raw,
          body: JSON.parse(raw),
        });
        res.writeHead(204).end();
        for (const w of [...waiters]) w();
      });
    });
    await new Promise<void>((r) => rx.listen(0, '127.0.0.1', r));
    t = await openTestDb();
    await makeLoopCity(t.db);
    await ensureUser(t.db, { username: 'sec', role: 'security', scopeCode: '3101' });
    server = await testServer(t.db, () => now, {
      deliveries: { baseDelayMs: 20, maxDelayMs: 300, maxAttempts: 10_000, pollMs: 50, timeoutMs: 5000 },
    } as never);
    await server.geo.refresh({ force: true });
    for (const u of ['sec', 'op', 'disp', 'lhsr', 'insp', 'root', 'boss']) tokens[u] = await login(server, u);
    const sa = await call('sec', 'POST', '/api/v1/service-accounts', {
      name: '12345 市民服务热线',
      scope: '310101',
      grants: ['hotline'],
      clearance: 'internal',
    });
    const tok = await server.app.inject({
      method: 'POST',
      url: '/api/v1/oauth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: sa.body.clientId,
        client_secret: sa.body.clientSecret,
      }).toString(),
    });
    machine = tok.json().access_token;
    const hook = await call('root', 'POST', '/api/v1/webhooks', {
      url: `http://127.0.0.1:${(rx.address() as AddressInfo).port}/12345/callback`,
      events: ['hotline.*'],
      secret,
    });
    expect(hook.status, JSON.stringify(hook.body)).toBeLessThan(300);
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
    rx?.closeAllConnections();
    await new Promise((r) => rx?.close(() => r(undefined)));
  });

  it('files an order once, masked, with its category guessed, however often and at once it is sent', async () => {
    const first = await post(order('GD20261123-0001'));
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({
      orderNo: 'GD20261123-0001',
      category: '06010',
      joined: false,
      callerName: '张**',
      callerPhone: '138****5678',
      dueAt: '2026-11-26T10:00:00.000Z',
    });
    const c = await call('op', 'GET', `/api/v1/cases/${first.body.caseId}`);
    expect(c.body.source).toBe('hotline');
    // The full caller never reached OneGrid's database.
    const leak = await t.db.query(
      "SELECT 1 FROM cases WHERE reporter_name = '张三丰' OR reporter_contact = '13812345678' UNION ALL SELECT 1 FROM hotline_orders WHERE caller_phone = '13812345678'",
    );
    expect(leak.rows).toHaveLength(0);

    const retry = await post(order('GD20261123-0001'));
    expect(retry.status).toBe(200);
    expect(retry.body.caseId).toBe(first.body.caseId);

    const burst = await Promise.all(
      Array.from({ length: 5 }, () =>
        post(
          order('GD20261123-0002', {
            location: { lng: square.lng - 0.0004, lat: square.lat - 0.0004 },
            content: '人民广场西南角乱堆杂物',
          }),
        ),
      ),
    );
    const ids = new Set(burst.map((b) => b.body.caseId));
    expect(ids.size).toBe(1);
    expect(burst.filter((b) => b.status === 201)).toHaveLength(1);
    const rows = await t.db.query("SELECT 1 FROM hotline_orders WHERE order_no = 'GD20261123-0002'");
    expect(rows.rows).toHaveLength(1);
  });

  it('joins a second order on the same problem, and tells the hotline 受理 for both', async () => {
    const a = await call(machine, 'GET', '/api/v1/hotline/orders/GD20261123-0001');
    const dup = await post(order('GD20261123-0003', { caller: { name: '李四', phone: '13900001111' } }));
    expect(dup.status).toBe(201);
    expect(dup.body).toMatchObject({ joined: true, caseId: a.body.caseId });

    await act('op', a.body.caseId, 'accept', { reason: '12345 工单内容清楚，直接立案' });
    const d1 = await delivered('hotline.accepted', 'GD20261123-0001');
    const d3 = await delivered('hotline.accepted', 'GD20261123-0003');
    expect(d1.signature).toBe(`sha256=${crypto.createHmac('sha256', secret).update(d1.raw).digest('hex')}`);
    expect(d3.body.data).toMatchObject({ caseNumber: a.body.caseNumber, status: 'filed' });
  });

  it('sends 退单 with its reason', async () => {
    const o = await post(
      order('GD20261123-0004', {
        location: { lng: square.lng + 0.0008, lat: square.lat - 0.0008 },
        content: '小区内部绿化问题，不属城管',
        category: '06010',
      }),
    );
    await act('op', o.body.caseId, 'reject', {
      note: '不属于城市管理范围，请转物业',
      reason: '不属于城市管理范围，请转物业',
    });
    const d = await delivered('hotline.returned', 'GD20261123-0004');
    expect(String(d.body.data.reason)).toContain('不属于城市管理范围');
    expect((await call(machine, 'GET', '/api/v1/hotline/orders/GD20261123-0004')).body.status).toBe(
      'returned',
    );
  });

  it('sends 办结 with result and photos, takes the 回访 and counts it in 满意率', async () => {
    const a = (await call(machine, 'GET', '/api/v1/hotline/orders/GD20261123-0001')).body;
    await act('disp', a.caseId, 'dispatch');
    await act('lhsr', a.caseId, 'accept-task');
    const boundary = '----hotline-test';
    const png = snapshotPng('garbage', [0.3, 0.5, 0.2, 0.2]);
    const up = await server.app.inject({
      method: 'POST',
      url: '/api/v1/attachments',
      headers: {
        authorization: `Bearer ${tokens.lhsr}`,
        'content-type': `multipart/form-data; boundary=${boundary}`,
      },
      payload: Buffer.concat([
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="after.png"\r\nContent-Type: image/png\r\n\r\n`,
        ),
        png,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]),
    });
    expect(up.statusCode, up.body).toBe(201);
    await act('lhsr', a.caseId, 'handle', { note: '已清运并冲洗地面', photos: [up.json().id] });
    await act('insp', a.caseId, 'verify', { passed: true });
    await act('op', a.caseId, 'close');
    const fin = await delivered('hotline.finished', 'GD20261123-0001');
    expect(fin.body.data).toMatchObject({
      result: '已清运并冲洗地面',
      photos: [`/api/v1/attachments/${up.json().id}`],
    });
    await delivered('hotline.finished', 'GD20261123-0003');

    const v = await call(machine, 'POST', '/api/v1/hotline/orders/GD20261123-0001/visit', {
      result: 'satisfied',
      note: '处理及时',
    });
    expect(v.body).toMatchObject({ visitResult: 'satisfied', status: 'finished' });
    await call(machine, 'POST', '/api/v1/hotline/orders/GD20261123-0003/visit', { result: 'unsatisfied' });
    const onCase = await call('op', 'GET', `/api/v1/cases/${a.caseId}/hotline`);
    expect(onCase.body.map((o: { visitResult: string }) => o.visitResult)).toEqual([
      'satisfied',
      'unsatisfied',
    ]);
    const detail = await call('op', 'GET', `/api/v1/cases/${a.caseId}`);
    expect(JSON.stringify(detail.body.timeline)).toContain('12345 回访');
    const rate = await call(
      'boss',
      'GET',
      `/api/v1/hotline/satisfaction?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z`,
    );
    expect(rate.body).toMatchObject({ visits: 2, rate: 0.5 });
  });

  it('refuses what it cannot file with a clear 400, and people cannot post orders', async () => {
    const before = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM hotline_orders');
    expect(
      (await post({ orderNo: 'GD-X1', receivedAt: now.toISOString(), content: '路灯不亮' })).status,
    ).toBe(400);
    expect((await post(order('GD-X2', { content: '说不清是什么问题', category: undefined }))).status).toBe(
      400,
    );
    expect((await post(order('bad order no!'))).status).toBe(400);
    expect((await call('op', 'POST', '/api/v1/hotline/orders', order('GD-X3'))).status).toBe(403);
    expect((await call(machine, 'GET', '/api/v1/hotline/orders/GD-none')).status).toBe(404);
    const after = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM hotline_orders');
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
  });
});
