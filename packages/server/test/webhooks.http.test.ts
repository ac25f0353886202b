/**
 * Webhooks end to end against a real HTTP receiver on a free port: signed deliveries of committed
 * events, the receiver down (connection refused) and up again → every event once by delivery id,
 * in order per case; the delivery log, replay with the same id, dead letters after the last try
 * (through the reusable delivery service), and the administrators' routes.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeliveries, signBody } from '../src/deliveries/deliveries.service.ts';
import type { Server } from '../src/server.ts';
import { makeLoopCity, square } from './case-fixture.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';
import { login, silentLog, testServer } from './http-harness.ts';

interface Received {
  id: string;
  event: string;
  path: string;
  body: { id: string; event: string; area: string | null; data: { id?: number; action?: string } };
  signedOk: boolean;
}

/** A webhook receiver: checks signatures, records what came, can go down and come back on its port. */
function receiver(secret: string) {
  const got: Received[] = [];
  const waiters = new Set<() => void>();
  let failing = false;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      if (req.url === '/fail' && failing) {
        res.writeHead(500).end();
        return;
      }
      const sig = String(req.headers['x-onegrid-signature'] ?? '');
      const want = signBody(secret, raw);
      got.push({
        id: String(req.headers['x-onegrid-delivery']),
        event: String(req.headers['x-onegrid-event']),
        path: req.url ?? '',
        body: JSON.parse(raw),
        signedOk: sig.length === want.length && crypto.timingSafeEqual(Buffer.from(sig), Buffer.from(want)),
      });
      res.writeHead(204).end();
      for (const w of waiters) w();
    });
  });
  let port = 0;
  return {
    got,
    set failing(on: boolean) {
      failing = on;
    },
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    async up() {
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
      port = (server.address() as AddressInfo).port;
    },
    async down() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    /** Resolves once `test(got)` holds (checked on every arrival). */
    until(test: (got: Received[]) => boolean): Promise<void> {
      return new Promise((resolve) => {
        const check = () => {
          if (test(got)) {
            waiters.delete(check);
            resolve();
          }
        };
        waiters.add(check);
        check();
      });
    },
  };
}

/** Polls a condition on the database (a signal, not a sleep: no duration is asserted). */
async function eventually(test: () => Promise<boolean>): Promise<void> {
  while (!(await test())) await new Promise((r) => setTimeout(r, 25));
}

describe(`webhooks on ${testEngine}`, () => {
  let t: TestDb;
  let server: Server;
  const secret = 'whsec-0123456789abcdef';
  const rx = receiver(secret);
  const tokens: Record<string, string> = {};
  let hookId: number;

  const api = (who: string, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
    server.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${tokens[who]}` },
      ...(payload ? { payload } : {}),
    });
  let n = 0;
  const report = async () => {
    n++;
    const res = await api('insp', 'POST', '/api/v1/cases', {
      category: '06010',
      description: `人民广场暴露垃圾 ${n}`,
      location: { lng: square.lng + 0.0001 * n, lat: square.lat + 0.0001 },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: number };
  };
  const accept = async (id: number) => {
    const res = await api('op', 'POST', `/api/v1/cases/${id}/accept`, { version: 1 });
    expect(res.statusCode, res.body).toBe(200);
  };

  beforeAll(async () => {
    t = await openTestDb();
    await makeLoopCity(t.db);
    await rx.up();
    server = await testServer(t.db, undefined, {
      deliveries: { baseDelayMs: 20, maxDelayMs: 300, maxAttempts: 10_000, pollMs: 50, timeoutMs: 5000 },
    });
    await server.geo.refresh({ force: true });
    for (const u of ['root', 'op', 'insp', 'boss']) tokens[u] = await login(server, u);
  }, 300_000);
  afterAll(async () => {
    await server?.close();
    await rx.down().catch(() => undefined);
    await t?.close();
  });

  it('lets administrators subscribe, refusing bad input and other roles', async () => {
    const body = { url: `${rx.url}/hook`, events: ['case.*'], secret };
    expect((await api('op', 'POST', '/api/v1/webhooks', body)).statusCode).toBe(403);
    for (const bad of [
      { ...body, url: 'ftp://example.org/x' },
      { ...body, events: ['case.*', 'DROP TABLE'] },
      { ...body, secret: 'short' },
      { ...body, scope: '310199' },
    ]) {
      expect((await api('root', 'POST', '/api/v1/webhooks', bad)).statusCode, JSON.stringify(bad)).toBe(400);
    }
    expect((await t.db.query('SELECT 1 FROM webhooks')).rows).toHaveLength(0);
    const res = await api('root', 'POST', '/api/v1/webhooks', body);
    expect(res.statusCode, res.body).toBe(201);
    hookId = res.json().id;
    expect(res.body).not.toContain(secret);
  });

  it('delivers a committed event as a signed JSON POST', async () => {
    const c = await report();
    await rx.until((got) => got.some((g) => g.body.data.id === c.id));
    const g = rx.got.find((x) => x.body.data.id === c.id)!;
    expect(g.signedOk).toBe(true);
    expect(g.event).toBe('case.report');
    expect(g.body).toMatchObject({ id: g.id, event: 'case.report', area: expect.stringMatching(/^310101/) });
    expect(g.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('gets every event once, in order per case, after the receiver was down', async () => {
    await rx.down();
    const before = rx.got.length;
    // A second worker in this process competes for the same rows (SKIP LOCKED keeps them apart).
    const extra = server.deliveries.startWorker();
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) ids.push((await report()).id);
    for (const id of ids) await accept(id);
    // Down: every delivery has been tried and refused at least twice.
    await eventually(async () => {
      const r = await t.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM deliveries WHERE target = $1 AND state = 'pending' AND attempts >= 2`,
        [`webhook:${hookId}`],
      );
      return r.rows[0]!.n >= 3;
    });
    expect(rx.got.length).toBe(before);
    const metrics = await server.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/onegrid_deliveries\{kind="webhook",state="pending"\} [1-9]/);
    await rx.up();
    await rx.until((got) => got.filter((g) => ids.includes(g.body.data.id ?? 0)).length >= 6);
    await eventually(async () => {
      const r = await t.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM deliveries WHERE target = $1 AND state <> 'delivered'`,
        [`webhook:${hookId}`],
      );
      return r.rows[0]!.n === 0;
    });
    await extra.close();

    const mine = rx.got.filter((g) => ids.includes(g.body.data.id ?? 0));
    expect(mine.every((g) => g.signedOk)).toBe(true);
    // Once each by delivery id, and one delivery per (event, case).
    expect(new Set(mine.map((g) => g.id)).size).toBe(mine.length);
    expect(new Set(mine.map((g) => `${g.event}/${g.body.data.id}`)).size).toBe(6);
    for (const id of ids) {
      expect(mine.filter((g) => g.body.data.id === id).map((g) => g.event)).toEqual([
        'case.report',
        'case.accept',
      ]);
    }
    // The log shows the refused tries and the success.
    const log = await api('root', 'GET', `/api/v1/webhooks/${hookId}/deliveries?state=delivered`);
    const ofFirst = (
      log.json() as { id: string; attempts: number; orderingKey: string; event: string }[]
    ).filter((d) => d.orderingKey === `case:${ids[0]}`);
    const first = ofFirst.find((d) => d.event === 'case.report')!;
    expect(first.attempts).toBeGreaterThan(2);
    // The accept waited behind the report (one in flight per case), so it was never refused.
    expect(ofFirst.find((d) => d.event === 'case.accept')?.attempts).toBe(1);
    const detail = (await api('root', 'GET', `/api/v1/webhooks/${hookId}/deliveries/${first.id}`)).json();
    expect(detail.log.length).toBe(first.attempts);
    expect(detail.log[0]).toMatchObject({ status: null, error: expect.any(String) });
    expect(detail.log.at(-1)).toMatchObject({ status: 204, error: null });
    const hooks = (await api('root', 'GET', '/api/v1/webhooks')).json();
    expect(hooks[0].deliveries).toMatchObject({ pending: 0, dead: 0 });
  });

  it('replays a delivery with the same id, and an unknown one is not found', async () => {
    const d = (await api('root', 'GET', `/api/v1/webhooks/${hookId}/deliveries?limit=1`)).json()[0] as {
      id: string;
    };
    const seen = rx.got.filter((g) => g.id === d.id).length;
    const res = await api('root', 'POST', `/api/v1/webhooks/${hookId}/deliveries/${d.id}/replay`);
    expect(res.statusCode, res.body).toBe(200);
    await rx.until((got) => got.filter((g) => g.id === d.id).length > seen);
    const unknown = await api(
      'root',
      'POST',
      `/api/v1/webhooks/${hookId}/deliveries/${crypto.randomUUID()}/replay`,
    );
    expect(unknown.statusCode).toBe(404);
  });

  it('dead-letters after the last try, and a replay sends the dead letter once the receiver answers', async () => {
    // The reusable service with its own target kind, as the federation exchange uses it.
    const svc = createDeliveries({
      db: t.db,
      log: silentLog,
      options: { baseDelayMs: 10, maxDelayMs: 20, maxAttempts: 3, pollMs: 50 },
    });
    svc.register('test', { resolve: async (ref) => ({ url: `${rx.url}/${ref}` }) });
    rx.failing = true;
    const id = await t.db.transaction((tx) =>
      svc.deliver(tx, { target: 'test:fail', event: 'test.ping', data: { n: 1 }, key: 'k' }),
    );
    const worker = svc.startWorker();
    await eventually(async () => {
      const r = await t.db.query<{ state: string }>('SELECT state FROM deliveries WHERE id = $1', [id]);
      return r.rows[0]?.state === 'dead';
    });
    const dead = await svc.repository.get(id!, 'test:fail');
    expect(dead).toMatchObject({ state: 'dead', attempts: 3, lastStatus: 500 });
    rx.failing = false;
    await t.db.transaction((tx) => svc.replay(tx, id!, 'test:fail'));
    svc.nudge();
    await rx.until((got) => got.some((g) => g.id === id));
    await worker.close();
    expect((await svc.repository.get(id!, 'test:fail'))?.state).toBe('delivered');
  });

  it('deletes a webhook: nothing more is queued for it', async () => {
    expect((await api('root', 'DELETE', `/api/v1/webhooks/${hookId}`)).statusCode).toBe(204);
    expect((await api('root', 'GET', '/api/v1/webhooks')).json()).toEqual([]);
    expect((await api('root', 'DELETE', `/api/v1/webhooks/${hookId}`)).statusCode).toBe(404);
    const audit = await t.db.query<{ details: { change: string } }>(
      "SELECT details FROM audit_log WHERE action = 'config.webhook' ORDER BY seq",
    );
    expect(audit.rows.map((r) => r.details.change)).toEqual(['create', 'replay', 'delete']);
  });
});
