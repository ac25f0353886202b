/**
 * `onegrid bench cases`: full loops (report → file → dispatch → accept → handle → check → close)
 * per second through the HTTP API under concurrency, with p50/p99 per action, beside a bare
 * Fastify route and a single-row INSERT round trip measured in the same run; then list/filter
 * latency on the workbench filters with many cases loaded (`--cases N`, 5,800,000 = a year of
 * Shanghai's volume). Server mode with DATABASE_URL; embedded PGlite otherwise.
 * The loops run in alternating rounds with the audit trail on and off (the baseline), so each
 * action's p50 is shown against itself without audit writes (goal: at most 10 % more).
 */
import { audit, buildServer, createLogger, type Db, makeLoopCity, migrate, square } from '@onegrid/server';
import Fastify from 'fastify';
import type { Benchmark, BenchRow } from './bench.ts';
import { profiledDb } from './profile.ts';
import { openBenchDb, percentile, positiveInt } from './scratch-db.ts';

/** Runs `fn` from `concurrency` workers until `total` calls are done; returns wall ms. */
async function pool(concurrency: number, total: number, fn: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await fn(next++);
    }),
  );
  return performance.now() - started;
}

const jpeg = Buffer.concat([
  Buffer.from([
    0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0, 0, 1, 0, 1, 0, 0,
  ]),
  Buffer.alloc(4000, 9),
  Buffer.from([0xff, 0xd9]),
]);

async function loadCases(db: Db, n: number, progress: (m: string) => void): Promise<void> {
  const batch = 200_000;
  const statuses = [
    'closed',
    'closed',
    'closed',
    'closed',
    'closed',
    'closed',
    'filed',
    'dispatched',
    'handling',
    'reported',
  ];
  for (let from = 0; from < n; from += batch) {
    const to = Math.min(n, from + batch);
    // One year of cases spread over the fixture's district, minimal but valid snapshots.
    await db.query(
      `INSERT INTO cases (number, status, source, category_code, urgency, description, geom, unit_grid_code,
         community_code, street_code, district_code, area_code, area_class, department_code, current_step, due_at, warn_at,
         snapshot, created_at, updated_at)
       SELECT 'B' || lpad(i::text, 12, '0'), ($3::text[])[1 + i % 10], (ARRAY['inspector','public','hotline','iot'])[1 + i % 4],
         (ARRAY['06010','06011','06012','09006','07001','01001'])[1 + i % 6], 'normal', 'bench case',
         ST_SetSRID(ST_MakePoint(121.4737 + (i % 1000) * 0.00001, 31.2304 + (i % 997) * 0.00001), 4326),
         '310101002001001', '310101002001', '310101002', '310101', '310101002001001', 'A',
         CASE WHEN i % 10 >= 6 THEN '310101-lhsr' END,
         CASE WHEN i % 10 >= 6 THEN 'handling' END,
         CASE WHEN i % 10 >= 6 THEN now() + ((i % 200) - 100) * interval '1 hour' END,
         CASE WHEN i % 10 >= 6 THEN now() + ((i % 200) - 110) * interval '1 hour' END,
         '{}'::jsonb, now() - (i % 365) * interval '1 day' - (i % 86400) * interval '1 second', now()
       FROM generate_series($1::int, $2::int - 1) AS i`,
      [from, to, statuses],
    );
    progress(`loaded ${to.toLocaleString()} of ${n.toLocaleString()} cases`);
  }
  await db.exec('ANALYZE cases');
}

export const casesBenchmark: Benchmark = {
  name: 'cases',
  description:
    'full loops/s over HTTP with p50/p99 per action vs a bare Fastify route and a 1-row INSERT; list latency',
  async run({ progress, options }) {
    const loops = positiveInt(options.loops, 200, 'loops');
    const concurrency = positiveInt(options.concurrency, 8, 'concurrency');
    const volume = positiveInt(options.cases, 200_000, 'cases');
    const opened = await openBenchDb('cases');
    const { engine, drop } = opened;
    // `--profile`: every statement the server sends is timed and summed (printed after the loops).
    const profile = options.profile ? profiledDb(opened.db) : undefined;
    const db = profile?.db ?? opened.db;
    const log = createLogger({ logLevel: 'warn', logPretty: false });
    const rows: BenchRow[] = [];
    try {
      progress(`${engine}: migrating and building a small city`);
      await migrate(db);
      await makeLoopCity(db);
      const server = await buildServer({
        db,
        log,
        config: { sessionHours: 12, webDir: '/nonexistent', totpRequired: false },
      });
      await server.geo.refresh({ force: true });
      await server.app.listen({ port: 0, host: '127.0.0.1' });
      const addr = server.app.server.address();
      const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
      const tokens: Record<string, string> = {};
      for (const u of ['insp', 'op', 'disp', 'lhsr']) {
        const r = await fetch(`${base}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: u, password: 'secret-pw' }),
        });
        tokens[u] = ((await r.json()) as { token: string }).token;
      }
      let timings = new Map<string, number[]>();
      const call = async (user: string, action: string, url: string, body: unknown) => {
        const t0 = performance.now();
        const init: RequestInit = { method: 'POST', headers: { authorization: `Bearer ${tokens[user]}` } };
        if (body instanceof FormData) init.body = body;
        else {
          init.body = JSON.stringify(body);
          (init.headers as Record<string, string>)['content-type'] = 'application/json';
        }
        const res = await fetch(`${base}${url}`, init);
        const json = (await res.json()) as { id: number; version: number; error?: { message: string } };
        if (!res.ok) throw new Error(`${action}: ${res.status} ${json.error?.message}`);
        const list = timings.get(action) ?? [];
        list.push(performance.now() - t0);
        timings.set(action, list);
        return json;
      };

      const loop = async (i: number) => {
        let c = await call('insp', 'report', '/api/v1/cases', {
          category: '06010',
          description: `bench ${i}`,
          location: {
            lng: square.lng + (i % 50) * 0.00002 - 0.0005,
            lat: square.lat + (i % 40) * 0.00002 - 0.0004,
          },
        });
        c = await call('op', 'accept', `/api/v1/cases/${c.id}/accept`, { version: c.version });
        c = await call('disp', 'dispatch', `/api/v1/cases/${c.id}/dispatch`, { version: c.version });
        c = await call('lhsr', 'accept-task', `/api/v1/cases/${c.id}/accept-task`, { version: c.version });
        const form = new FormData();
        form.append('file', new Blob([jpeg], { type: 'image/jpeg' }), 'after.jpg');
        const photo = (await call('lhsr', 'upload', '/api/v1/attachments', form)) as unknown as {
          id: string;
        };
        c = await call('lhsr', 'handle', `/api/v1/cases/${c.id}/handle`, {
          version: c.version,
          photos: [photo.id],
        });
        c = await call('insp', 'verify', `/api/v1/cases/${c.id}/verify`, {
          version: c.version,
          passed: true,
        });
        await call('op', 'close', `/api/v1/cases/${c.id}/close`, { version: c.version });
      };
      if (options.rate !== undefined) {
        // Open loop: a new full loop starts every 1/rate s whatever the earlier ones are doing
        // (arrivals do not wait for answers), for --duration s; audit on. 10× Shanghai's daily
        // volume (160,000 cases a day) is --rate 1.85.
        const rate = Number(options.rate);
        if (!(rate > 0)) throw new Error('--rate must be loops per second (> 0)');
        const seconds = positiveInt(options.duration, 300, 'duration');
        const total = Math.max(1, Math.round(rate * seconds));
        progress(`open loop: ${total} full loops at ${rate}/s over ${seconds} s`);
        timings = new Map();
        let inFlight = 0;
        let maxInFlight = 0;
        let failed = 0;
        const started = performance.now();
        const all: Promise<void>[] = [];
        for (let i = 0; i < total; i++) {
          const due = started + (i / rate) * 1000;
          const wait = due - performance.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          all.push(
            loop(i)
              .catch(() => {
                failed++;
              })
              .finally(() => {
                inFlight--;
              }),
          );
          if (i % Math.max(1, Math.round(rate * 30)) === 0)
            progress(`${i} loops started, ${inFlight} in flight`);
        }
        await Promise.all(all);
        const wall = (performance.now() - started) / 1000;
        rows.push({
          subject: 'open loop: full loops/s achieved',
          value: (total - failed) / wall,
          unit: 'loops/s',
          note: `asked ${rate}/s for ${seconds} s (${(rate * 86_400).toLocaleString('en-US')} cases a day = ${((rate * 86_400) / 16_000).toFixed(1)}× Shanghai); ${failed} failed; at most ${maxInFlight} loops in flight`,
        });
        const flat = [...timings].filter(([a]) => a !== 'upload').flatMap(([, l]) => l);
        rows.push({
          subject: 'open loop: case action p50',
          value: percentile(flat, 50),
          unit: 'ms',
          note: `p99 ${percentile(flat, 99).toFixed(1)} ms over ${flat.length} actions`,
        });
        for (const [action, list] of timings) {
          rows.push({
            subject: `open loop: ${action} p50 / p99`,
            value: percentile(list, 50),
            unit: 'ms',
            note: `p99 ${percentile(list, 99).toFixed(1)} ms`,
          });
        }
        await server.close();
        return rows;
      }
      // Alternating rounds, audit off (baseline) then on, so warm-up and table growth fall on both.
      const rounds = 4;
      const perRound = Math.max(1, Math.ceil(loops / rounds));
      const byMode = { on: new Map<string, number[]>(), off: new Map<string, number[]>() };
      let loopMs = 0;
      let done = 0;
      profile?.reset();
      for (let r = 0; r < rounds; r++) {
        for (const mode of ['off', 'on'] as const) {
          progress(`round ${r + 1}/${rounds}, audit ${mode}: ${perRound} full loops, ${concurrency} clients`);
          audit.enabled = mode === 'on';
          timings = byMode[mode];
          const offset = done;
          const ms = await pool(concurrency, perRound, (i) => loop(offset + i));
          done += perRound;
          if (mode === 'on') loopMs += ms;
        }
      }
      audit.enabled = true;
      timings = byMode.on;
      if (profile) progress(`statements during the loops (both halves):\n${profile.report(40)}`);
      const auditEntries = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_log');
      rows.push({
        subject: 'full loop (8 requests)',
        value: ((perRound * rounds) / loopMs) * 1000,
        unit: 'loops/s',
        note: `${concurrency} clients, audit on; ${auditEntries.rows[0]?.n ?? 0} audit entries written`,
      });

      // Baselines in the same process: a bare Fastify route, and one INSERT round trip.
      const bare = Fastify();
      bare.post('/ping', async () => ({ ok: true }));
      await bare.listen({ port: 0, host: '127.0.0.1' });
      const bareAddr = bare.server.address();
      const bareUrl = `http://127.0.0.1:${typeof bareAddr === 'object' && bareAddr ? bareAddr.port : 0}/ping`;
      const bareN = loops * 8;
      const bareMs = await pool(concurrency, bareN, async () => {
        const r = await fetch(bareUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        });
        await r.json();
      });
      await bare.close();
      await db.exec('CREATE TABLE bench_insert (id bigserial PRIMARY KEY, payload text)');
      const insertMs = await pool(concurrency, bareN, async (i) => {
        await db.query('INSERT INTO bench_insert (payload) VALUES ($1)', [`row ${i}`]);
      });
      const requestsPerSec = ((perRound * rounds * 8) / loopMs) * 1000;
      rows.push({
        subject: 'loop requests (vs route)',
        value: requestsPerSec,
        unit: 'req/s',
        baseline: 'bare Fastify route',
        better: 'higher',
      });
      rows.push({ subject: 'bare Fastify route', value: (bareN / bareMs) * 1000, unit: 'req/s' });
      rows.push({
        subject: 'loop requests (vs insert)',
        value: requestsPerSec,
        unit: 'req/s',
        baseline: '1-row INSERT',
        better: 'higher',
      });
      rows.push({ subject: '1-row INSERT', value: (bareN / insertMs) * 1000, unit: 'rows/s' });
      const allOf = (m: Map<string, number[]>) =>
        [...m].filter(([a]) => a !== 'upload').flatMap(([, l]) => l);
      rows.push({
        subject: 'case action p50, audit on',
        value: percentile(allOf(byMode.on), 50),
        unit: 'ms',
        baseline: 'case action p50, audit off',
        better: 'lower',
        note: 'every report and loop step over HTTP; ratio = off / on, goal ≥ 0.91 (at most 10 % slower)',
      });
      rows.push({
        subject: 'case action p50, audit off',
        value: percentile(allOf(byMode.off), 50),
        unit: 'ms',
      });
      for (const [action, list] of byMode.on) {
        const off = byMode.off.get(action) ?? [];
        rows.push({
          subject: `${action} p50 / p99`,
          value: percentile(list, 50),
          unit: 'ms',
          note: `p99 ${percentile(list, 99).toFixed(1)} ms; audit off: p50 ${percentile(off, 50).toFixed(1)} ms`,
        });
      }

      progress(`loading ${volume.toLocaleString()} cases for the list benchmark`);
      await loadCases(db, volume, progress);
      const lists: Record<string, string> = {
        'list: awaiting dispatch': '/api/v1/cases?status=filed&pageSize=50',
        'list: overdue': '/api/v1/cases?overdue=true&pageSize=50',
        'list: district + status': '/api/v1/cases?area=310101&status=handling&pageSize=50',
        'list: category, last 7 days': `/api/v1/cases?category=06010&from=${new Date(Date.now() - 7 * 86_400_000).toISOString()}&pageSize=50`,
        'list: department tasks': '/api/v1/cases?status=handling,dispatched&pageSize=50',
        'list: by number': '/api/v1/cases?q=B000000123456',
      };
      for (const [subject, url] of Object.entries(lists)) {
        const ms: number[] = [];
        for (let i = 0; i < 40; i++) {
          const t0 = performance.now();
          const user = subject.includes('department') ? 'lhsr' : 'op';
          const r = await fetch(`${base}${url}`, { headers: { authorization: `Bearer ${tokens[user]}` } });
          if (!r.ok) throw new Error(`${subject}: ${r.status} ${await r.text()}`);
          await r.json();
          ms.push(performance.now() - t0);
        }
        rows.push({
          subject: `${subject} p95`,
          value: percentile(ms, 95),
          unit: 'ms',
          note: `p50 ${percentile(ms, 50).toFixed(1)} ms`,
        });
      }
      await server.close();
    } finally {
      await drop();
    }
    return rows;
  },
};
