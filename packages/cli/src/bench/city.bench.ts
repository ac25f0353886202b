/**
 * `onegrid bench city --db NAME`: the figures of a city that `onegrid seed demo --scale city`
 * loaded into database NAME on the DATABASE_URL server (kept, never dropped): case list and
 * filters p95 over HTTP, the assessment of all districts for the last year (rollup built first,
 * its build time reported), the vital signs of the whole city, locate, the command screen's first
 * view in Chromium (when the web app is built and Chromium is there), and the API process's
 * memory. Baselines in the same run: `count(*)` of the cases and a bare Fastify route.
 * Rerun it as often as wanted; it changes only the rollup and a few sessions.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  assessmentRepository,
  buildServer,
  createLogger,
  type Db,
  openDatabase,
  vitalsEngine,
  vitalsRepository,
} from '@onegrid/server';
import Fastify from 'fastify';
import type { Benchmark, BenchRow } from './bench.ts';
import { percentile, positiveInt } from './scratch-db.ts';

const webDist = path.resolve(import.meta.dirname, '../../../web/dist');

async function openCityDb(name: string): Promise<Db> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('bench city needs DATABASE_URL (server mode) and --db NAME (the seeded city)');
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error('--db must be a plain lower-case name');
  const u = new URL(url);
  u.pathname = `/${name}`;
  return openDatabase({ databaseUrl: u.toString(), dataDir: '' });
}

async function times(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

const ms = (list: number[], subject: string, note = ''): BenchRow => ({
  subject,
  value: percentile(list, 95),
  unit: 'ms p95',
  better: 'lower',
  note: `p50 ${percentile(list, 50).toFixed(1)} ms${note ? `; ${note}` : ''}`,
});

export const cityBenchmark: Benchmark = {
  name: 'city',
  description:
    'a seeded city (--db NAME): case lists p95, assessment of all districts for a year, vitals, locate, command screen first view, api memory',
  async run({ progress, options }) {
    if (typeof options.db !== 'string') throw new Error('--db NAME: the database the city was seeded into');
    const runs = positiveInt(options.runs, 20, 'runs');
    const db = await openCityDb(options.db);
    const rows: BenchRow[] = [];
    const log = createLogger({ logLevel: 'warn', logPretty: false });
    const hasWeb = fs.existsSync(path.join(webDist, 'index.html'));
    const server = await buildServer({
      db,
      log,
      config: {
        sessionHours: 12,
        webDir: hasWeb ? webDist : '/nonexistent',
        totpRequired: false,
        rateLimits: { loginPerMinute: 0, publicReportsPerMinute: 0, open311PostsPerMinute: 0 },
      },
    });
    try {
      const counts = (
        await db.query<{
          cases: number;
          components: number;
          grids: number;
          devices: number;
          readings: number;
        }>(
          `SELECT (SELECT count(*) FROM cases)::int AS cases, (SELECT count(*) FROM components)::int AS components,
                  (SELECT count(*) FROM unit_grids)::int AS grids, (SELECT count(*) FROM devices)::int AS devices,
                  (SELECT count(*) FROM readings)::int AS readings`,
        )
      ).rows[0]!;
      progress(`city: ${JSON.stringify(counts)}`);
      rows.push({
        subject: 'city size',
        value: counts.cases,
        unit: 'cases',
        note: `${counts.components.toLocaleString('en-US')} components, ${counts.grids.toLocaleString('en-US')} unit grids, ${counts.devices.toLocaleString('en-US')} devices, ${counts.readings.toLocaleString('en-US')} readings`,
      });
      const countMs = await times(5, () => db.query('SELECT count(*) FROM cases'));
      rows.push(ms(countMs, 'baseline: count(*) FROM cases'));

      progress('locate index');
      let t = performance.now();
      await server.geo.refresh({ force: true });
      rows.push({ subject: 'locate index load', value: performance.now() - t, unit: 'ms' });
      await server.app.listen({ port: 0, host: '127.0.0.1' });
      const addr = server.app.server.address();
      const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
      const token: Record<string, string> = {};
      for (const u of ['operator', 'leader', 'handler', 'hp-operator']) {
        const r = await fetch(`${base}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: u, password: 'onegrid-demo' }),
        });
        if (!r.ok) throw new Error(`login ${u}: ${r.status} ${await r.text()}`);
        token[u] = ((await r.json()) as { token: string }).token;
      }
      const get = async (user: string, url: string) => {
        const r = await fetch(`${base}${url}`, { headers: { authorization: `Bearer ${token[user]}` } });
        if (!r.ok) throw new Error(`${url}: ${r.status} ${(await r.text()).slice(0, 200)}`);
        return r.json();
      };

      // Baseline for the HTTP figures: a bare Fastify route on the same machine, same run.
      const bare = Fastify();
      bare.get('/ping', async () => ({ ok: true }));
      await bare.listen({ port: 0, host: '127.0.0.1' });
      const bareAddr = bare.server.address();
      const bareUrl = `http://127.0.0.1:${typeof bareAddr === 'object' && bareAddr ? bareAddr.port : 0}/ping`;
      rows.push(
        ms(await times(runs, async () => (await fetch(bareUrl)).json()), 'baseline: bare Fastify route'),
      );
      await bare.close();

      progress('case lists');
      const week = new Date(Date.now() - 7 * 86_400_000).toISOString();
      const lists: [string, string, string][] = [
        ['list: newest, whole city', 'operator', '/api/v1/cases?pageSize=50'],
        ['list: awaiting dispatch', 'operator', '/api/v1/cases?status=filed&pageSize=50'],
        ['list: overdue', 'operator', '/api/v1/cases?overdue=true&pageSize=50'],
        ['list: district + status', 'operator', '/api/v1/cases?area=310104&status=handling&pageSize=50'],
        ['list: category, last 7 days', 'operator', `/api/v1/cases?category=06010&from=${week}&pageSize=50`],
        [
          'list: 黄浦区 operator, open',
          'hp-operator',
          '/api/v1/cases?status=handling,dispatched&pageSize=50',
        ],
        ['list: department tasks', 'handler', '/api/v1/cases?status=handling,dispatched&pageSize=50'],
        ['list: text search', 'operator', `/api/v1/cases?q=${encodeURIComponent('演示')}&pageSize=50`],
      ];
      for (const [subject, user, url] of lists) {
        rows.push(ms(await times(runs, () => get(user, url)), `${subject}`, 'goal p95 < 100 ms'));
      }

      progress('assessment: building the rollup for the year (what is not built yet)');
      const to = new Date();
      const from = new Date(to.getTime() - 365 * 86_400_000);
      const rollup = assessmentRepository(db).rollup;
      t = performance.now();
      const built = await rollup.catchUp(to, from);
      rows.push({
        subject: 'assessment rollup build (not yet built days)',
        value: (performance.now() - t) / 1000,
        unit: 's',
        note: `${built.days.length} days, ${built.months.length} months; once, then a day a night`,
      });
      const q = `level=district&from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}`;
      rows.push(
        ms(
          await times(Math.min(runs, 8), () => get('leader', `/api/v1/assessment?${q}`)),
          'assessment: all districts, a year',
          'goal < 2 s',
        ),
      );

      progress('vital signs');
      const engine = vitalsEngine({ repo: vitalsRepository(db), clock: () => new Date(), log });
      const vitals = await times(Math.min(runs, 10), () => engine.refresh());
      rows.push(ms(vitals, 'vitals: whole city compute', 'goal < 200 ms'));
      rows.push(
        ms(await times(runs, () => get('leader', '/api/v1/vitals')), 'vitals: GET /api/v1/vitals (cached)'),
      );

      progress('locate');
      const bbox = (
        await db.query<{ x0: number; y0: number; x1: number; y1: number }>(
          `SELECT ST_XMin(e) AS x0, ST_YMin(e) AS y0, ST_XMax(e) AS x1, ST_YMax(e) AS y1
             FROM (SELECT ST_Extent(geom) AS e FROM unit_grids) s`,
        )
      ).rows[0]!;
      const n = 200_000;
      let found = 0;
      t = performance.now();
      for (let i = 0; i < n; i++) {
        const lng = bbox.x0 + ((i * 0.618034) % 1) * (bbox.x1 - bbox.x0);
        const lat = bbox.y0 + ((i * 0.414214) % 1) * (bbox.y1 - bbox.y0);
        const a = await server.geo.locate({ lng, lat }).catch(() => undefined);
        if (a?.unitGrid) found++;
      }
      const locS = (performance.now() - t) / 1000;
      rows.push({
        subject: 'locate (in process, through the service)',
        value: n / locS,
        unit: 'points/s',
        note: `${n.toLocaleString('en-US')} points over the grids' extent, ${found.toLocaleString('en-US')} in a unit grid`,
      });

      if (hasWeb && fs.existsSync('/usr/bin/chromium') && options.browser !== 'off') {
        progress('command screen in Chromium');
        const { chromium } = await import('playwright-core');
        const browser = await chromium.launch({
          executablePath: '/usr/bin/chromium',
          args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
        });
        try {
          const page = await browser.newPage({ viewport: { width: 1920, height: 1080 }, locale: 'zh-CN' });
          await page.goto(`${base}/`);
          await page.getByLabel('用户名').fill('leader');
          await page.getByLabel('密码').fill('onegrid-demo');
          await page.getByRole('button', { name: '登录', exact: true }).click();
          await page.waitForSelector('[data-testid=command]', { timeout: 120_000 });
          const views: number[] = [];
          for (let i = 0; i < 3; i++) {
            await page.reload();
            await page.waitForFunction(
              () => document.querySelector<HTMLElement>('[data-testid=command]')?.dataset.firstViewMs,
              undefined,
              { timeout: 120_000 },
            );
            views.push(Number(await page.getByTestId('command').getAttribute('data-first-view-ms')));
          }
          rows.push({
            subject: 'command screen first view (Chromium, 1920×1080)',
            value: percentile(views, 50),
            unit: 'ms p50',
            note: `reloads: ${views.join(', ')} ms; WebGL in software (SwiftShader); goal < 2 s`,
          });
        } finally {
          await browser.close();
        }
      } else {
        progress('command screen skipped (npm run build:web and /usr/bin/chromium needed, or --browser off)');
      }

      const m = process.memoryUsage();
      rows.push({
        subject: 'api process memory (rss)',
        value: m.rss / 1024 ** 2,
        unit: 'MB',
        note: `heap used ${(m.heapUsed / 1024 ** 2).toFixed(0)} MB; the locate index and the vitals snapshot are the big parts (and this bench's client)`,
      });
    } finally {
      await server.close();
      await db.close();
    }
    return rows;
  },
};
