import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type Server } from '../src/server.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';
import { ensureUser, silentLog, testServer } from './http-harness.ts';
import { eventually } from './iot-harness.ts';

describe(`health on ${testEngine}`, () => {
  let t: TestDb;
  let server: Server;
  beforeAll(async () => {
    t = await openTestDb();
    server = await testServer(t.db);
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  it('says whether demo data (and so the demo accounts) is loaded', async () => {
    const before = await server.app.inject({ method: 'GET', url: '/api/v1/health' });
    expect(before.json()).toMatchObject({ demo: false });
    await ensureUser(t.db, { username: 'admin', role: 'admin' });
    await t.db.query("UPDATE users SET demo = true WHERE username = 'admin'");
    const after = await server.app.inject({ method: 'GET', url: '/api/v1/health' });
    expect(after.json()).toMatchObject({ status: 'ok', demo: true });
  });

  it('is live, and ready when the database answers', async () => {
    const live = await server.app.inject({ method: 'GET', url: '/api/v1/health/live' });
    expect(live.statusCode).toBe(200);
    expect(live.json()).toMatchObject({ status: 'live' });
    const ready = await server.app.inject({ method: 'GET', url: '/api/v1/health/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({
      status: 'ready',
      failing: [],
      checks: [{ name: 'database', ok: true }],
    });
  });

  it('is not ready, naming the part, when a registered check fails; health says degraded', async () => {
    const off = server.readiness.register('ingest', () => ({ ok: false, reason: 'not subscribed' }));
    try {
      const ready = await server.app.inject({ method: 'GET', url: '/api/v1/health/ready' });
      expect(ready.statusCode).toBe(503);
      expect(ready.headers['retry-after']).toBeDefined();
      expect(ready.json()).toMatchObject({ status: 'not_ready', failing: ['ingest'] });
      expect(ready.json().checks).toContainEqual({ name: 'ingest', ok: false, detail: 'not subscribed' });
      const health = await server.app.inject({ method: 'GET', url: '/api/v1/health' });
      expect(health.json()).toMatchObject({ status: 'degraded', database: { ok: true } });
    } finally {
      off();
    }
  });

  it('fails a check that does not answer in time instead of hanging', async () => {
    const off = server.readiness.register('stuck', () => new Promise(() => {}));
    try {
      const ready = await server.app.inject({ method: 'GET', url: '/api/v1/health/ready' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json().checks).toContainEqual({
        name: 'stuck',
        ok: false,
        detail: expect.stringMatching(/no answer within/),
      });
    } finally {
      off();
    }
  });

  it('serves Prometheus metrics on loopback with the named series', async () => {
    // One request first, so the latency histogram has a route to show (timed once it has been sent).
    await server.app.inject({ method: 'GET', url: '/api/v1/health/live' });
    const scrape = () => server.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '127.0.0.1' });
    await eventually(async () => (await scrape()).body.includes('route="/api/v1/health/live"'));
    const res = await scrape();
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const families = new Map(parsePrometheusTextFormat(res.body).map((f) => [f.name, f]));
    for (const name of [
      'onegrid_http_request_duration_seconds',
      'onegrid_db_up',
      'onegrid_outbox_lag_seconds',
      'onegrid_outbox_events_delivered_total',
      'onegrid_sse_clients',
      'onegrid_ingest_messages_total',
      'onegrid_ingest_pending_readings',
      'onegrid_process_resident_memory_bytes',
    ]) {
      expect(families.has(name), name).toBe(true);
    }
    const http = families.get('onegrid_http_request_duration_seconds')!;
    expect(http.type).toBe('HISTOGRAM');
    expect(http.metrics.length).toBeGreaterThan(0);
    // Labelled by route pattern, not by raw URL (the parser drops histogram labels: read the text).
    expect(res.body).toMatch(
      /^onegrid_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/health\/live",status_code="200"\} [1-9]/m,
    );
    expect(families.get('onegrid_db_up')!.metrics[0]!.value).toBe('1');
    if (testEngine === 'postgres') {
      const pool = families.get('onegrid_db_pool_connections')!;
      expect(pool.metrics.map((m) => m.labels?.state).sort()).toEqual(['idle', 'max', 'total', 'waiting']);
    }
  });

  it('refuses /metrics from elsewhere without a token (and there is none configured)', async () => {
    for (const remoteAddress of ['10.1.2.3', '::ffff:192.168.1.5', '2001:db8::1']) {
      const res = await server.app.inject({ method: 'GET', url: '/metrics', remoteAddress });
      expect(res.statusCode).toBe(403);
      expect(res.body).not.toMatch(/onegrid_/);
    }
    const v6 = await server.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '::1' });
    expect(v6.statusCode).toBe(200);
  });

  it('serves /metrics elsewhere only with the configured bearer token', async () => {
    const token = 'metrics-token-0123456789';
    const s = await buildServer({
      db: t.db,
      log: silentLog,
      config: { sessionHours: 12, webDir: '/nonexistent', metricsToken: token, totpRequired: false },
    });
    try {
      const get = (authorization?: string) =>
        s.app.inject({
          method: 'GET',
          url: '/metrics',
          remoteAddress: '10.1.2.3',
          ...(authorization ? { headers: { authorization } } : {}),
        });
      expect((await get()).statusCode).toBe(401);
      expect((await get('Bearer wrong-token-0123456789')).statusCode).toBe(401);
      const ok = await get(`Bearer ${token}`);
      expect(ok.statusCode).toBe(200);
      expect(ok.body).toMatch(/^# HELP /m);
    } finally {
      await s.close();
    }
  });
});
