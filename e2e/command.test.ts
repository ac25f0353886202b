/**
 * The command screen (综合指挥屏) in Chromium at 1920×1080 and 3840×2160: it loads full screen from
 * the nav, shows cases, alarms, inspectors and charts; a new case and a new red alarm appear within
 * a second without a reload (the alarm takes the screen: details, nearest inspectors, department);
 * drill-down city → district → street → grid and back by breadcrumbs; a district leader sees their
 * district as the city; replay of the last 24 hours (what was open before the window is drawn from
 * its start). Then, as measurements (ONEGRID_E2E_HEAVY=1): 100,000 synthetic open cases, and a
 * Shanghai-sized set of 40,625 unit grids with 100,000 cases on them: first view time and frame
 * times while panning and zooming, printed for docs/benchmarks.md.
 */

import { syntheticCity } from '@onegrid/domain';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCategoryCatalogue } from '../packages/server/src/categories/catalogue.ts';
import { addDevice, addPatrolPoints, raiseAlarm } from '../packages/server/src/command/command.fixture.ts';
import type { Db } from '../packages/server/src/db/db.ts';
import { writeSyntheticCity } from '../packages/server/src/geo/synthetic.loader.ts';
import { ensureUser, makeLoopCity, square } from '../packages/server/src/seed/loop-city.factory.ts';
import { testEngine } from '../packages/server/test/db-harness.ts';
import { type E2e, startE2e } from './harness.ts';

const fullHd = { width: 1920, height: 1080 };
const uhd = { width: 3840, height: 2160 };

/** Waits until the map has drawn every tile in view (best effort: a slow tile is no failure). */
const settle = (p: Page) =>
  p
    .waitForFunction(
      () => document.querySelector<HTMLElement>('[data-testid=cmd-map]')?.dataset.idle === 'true',
      undefined,
      {
        timeout: 15_000,
      },
    )
    .catch(() => undefined)
    .then(() => p.waitForTimeout(400));

/**
 * Where the first view's time went: the page's marks and every request until then (start → end in
 * ms after navigation, compressed size), tiles summed up by layer.
 */
const waterfall = (p: Page) =>
  p.evaluate(() => {
    const until = Number(document.querySelector<HTMLElement>('[data-testid=command]')?.dataset.firstViewMs);
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
    const lines = [
      `  document ${Math.round(nav?.responseEnd ?? 0)} ms, DOMContentLoaded ${Math.round(nav?.domContentLoadedEventEnd ?? 0)} ms`,
      ...performance
        .getEntriesByType('mark')
        .filter((m) => m.name.startsWith('cmd:') && m.startTime <= until)
        .map((m) => `  mark ${m.name} ${Math.round(m.startTime)} ms`),
    ];
    const tiles = new Map<string, { n: number; start: number; end: number; kb: number }>();
    for (const e of performance.getEntriesByType('resource') as PerformanceResourceTiming[]) {
      if (e.startTime > until) continue;
      const url = new URL(e.name);
      const kb = e.encodedBodySize / 1024;
      const tile = url.pathname.match(/^\/api\/v1\/tiles\/([^/]+)\/(\d+)/);
      if (tile) {
        const key = `tiles ${tile[1]} z${tile[2]}`;
        const t = tiles.get(key) ?? { n: 0, start: e.startTime, end: 0, kb: 0 };
        tiles.set(key, {
          n: t.n + 1,
          start: Math.min(t.start, e.startTime),
          end: Math.max(t.end, e.responseEnd),
          kb: t.kb + kb,
        });
        continue;
      }
      lines.push(
        `  ${Math.round(e.startTime)} → ${Math.round(e.responseEnd)} ms  ${kb.toFixed(0)} kB  ${url.pathname}${url.search}`,
      );
    }
    for (const [key, t] of tiles) {
      lines.push(
        `  ${Math.round(t.start)} → ${Math.round(t.end)} ms  ${t.kb.toFixed(0)} kB  ${key} (${t.n})`,
      );
    }
    return lines.join('\n');
  });

/** Frame intervals (requestAnimationFrame) while the map zooms in and out and is dragged. */
async function measureFrames(p: Page): Promise<number[]> {
  await p.evaluate(() => {
    const w = window as unknown as { frames: number[] };
    w.frames = [];
    let last = performance.now();
    const tick = (now: number) => {
      w.frames.push(now - last);
      last = now;
      if (w.frames.length < 100_000) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  const box = (await p.getByTestId('cmd-map').boundingBox())!;
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  await p.mouse.move(cx, cy);
  for (let i = 0; i < 6; i++) {
    await p.mouse.wheel(0, i < 3 ? -300 : 300);
    await p.waitForTimeout(350);
  }
  await p.mouse.down();
  for (let i = 0; i < 30; i++) await p.mouse.move(cx + i * 10, cy + i * 4);
  await p.mouse.up();
  await p.waitForTimeout(500);
  return p.evaluate(() => (window as unknown as { frames: number[] }).frames.slice(1));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
function describeFrames(frames: number[]): string {
  const sorted = [...frames].sort((a, b) => a - b);
  const pct = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!);
  const mean = frames.reduce((a, b) => a + b, 0) / frames.length;
  return `${frames.length} frames, mean ${mean.toFixed(1)} ms (${(1000 / mean).toFixed(1)} fps), median ${pct(0.5)} ms, p95 ${pct(0.95)} ms`;
}

/** A case with a recorded history: reported at `reported`, closed at `closed` (no outbox events). */
async function addClosedCase(db: Db, at: { lng: number; lat: number }, reported: Date, closed: Date) {
  await db.query(
    `WITH g AS (SELECT code, community_code, street_code, district_code, area_class FROM unit_grids
                 WHERE ST_Intersects(geom, ST_SetSRID(ST_MakePoint($1, $2), 4326)) ORDER BY code LIMIT 1),
          c AS (INSERT INTO cases (number, status, source, category_code, urgency, description, geom,
                                   unit_grid_code, community_code, street_code, district_code, area_code,
                                   area_class, snapshot, created_at, updated_at, closed_at)
                SELECT 'OLD-1', 'closed', 'inspector', '06010', 'normal', '昨日遗留暴露垃圾',
                       ST_SetSRID(ST_MakePoint($1, $2), 4326), g.code, g.community_code, g.street_code,
                       g.district_code, g.code, g.area_class, '{}', $3, $4, $4 FROM g RETURNING id)
     INSERT INTO case_events (case_id, seq, action, actor_id, actor_role, at, to_status)
     SELECT id, 1, 'report', 'seed', 'inspector', $3, 'reported' FROM c
     UNION ALL SELECT id, 2, 'close', 'seed', 'operator', $4, 'closed' FROM c`,
    [at.lng, at.lat, reported, closed],
  );
}

interface CaseBody {
  id: number;
  number: string;
}

describe(`command screen in the browser (${testEngine})`, () => {
  let e: E2e;
  let page: Page;
  const reported: CaseBody[] = [];
  const spots = [
    { dx: -0.0006, dy: 0.0004, urgency: 'normal', category: '06010', description: '南京东路暴露垃圾' },
    { dx: 0.0005, dy: 0.0006, urgency: 'normal', category: '06010', description: '人民广场东侧乱堆物' },
    { dx: -0.0004, dy: -0.0005, urgency: 'normal', category: '01001', description: '供水井盖破损' },
    { dx: 0.0006, dy: -0.0003, urgency: 'normal', category: '09001', description: '占道经营' },
    { dx: -0.1, dy: 0.01, urgency: 'normal', category: '06010', description: '天平路垃圾满溢' },
  ];

  const report = async (s: (typeof spots)[number]) =>
    e.call<CaseBody>('root', 'POST', '/api/v1/cases', {
      category: s.category,
      description: s.description,
      urgency: s.urgency,
      location: { lng: square.lng + s.dx, lat: square.lat + s.dy },
    });

  const ready = (p: Page) => p.waitForSelector('[data-testid=command][data-ready=true]', { timeout: 90_000 }); // SwiftShader under load

  let baseline: number[] = [];

  beforeAll(async () => {
    e = await startE2e(async (db) => {
      const users = await makeLoopCity(db);
      await ensureUser(db, { username: 'hp-boss', role: 'leader', scopeCode: '310101' });
      const insp2 = await ensureUser(db, { username: 'insp2', role: 'inspector', scopeCode: '310101002' });
      await db.query(
        `UPDATE users SET display_name = CASE username WHEN 'insp' THEN '张伟' WHEN 'insp2' THEN '陈静'
           WHEN 'boss' THEN '周市长' WHEN 'hp-boss' THEN '黄浦区领导' ELSE display_name END`,
      );
      const now = Date.now();
      const at = (minAgo: number) => new Date(now - minAgo * 60_000);
      await addPatrolPoints(db, users.inspector, [
        { lng: square.lng - 0.0009, lat: square.lat + 0.0008, at: at(30) },
        { lng: square.lng - 0.0005, lat: square.lat + 0.0004, at: at(20) },
        { lng: square.lng - 0.0002, lat: square.lat + 0.0001, at: at(5) },
      ]);
      await addPatrolPoints(db, insp2, [
        { lng: square.lng + 0.0008, lat: square.lat - 0.0008, at: at(25) },
        { lng: square.lng + 0.0007, lat: square.lat - 0.0002, at: at(3) },
      ]);
      await addDevice(db, 'smoke-hp-1', 'smoke', { lng: square.lng + 0.0003, lat: square.lat - 0.0006 });
      // Reported 30 hours ago, closed 2 hours ago: open when the replay's 24 hours begin.
      await addClosedCase(db, { lng: square.lng + 0.0004, lat: square.lat + 0.0002 }, at(30 * 60), at(120));
    });
    for (const s of spots) reported.push(await report(s));
  }, 240_000);
  afterAll(async () => {
    await e?.close();
  });

  it('opens full screen from the navigation at 1920×1080, with cases, inspectors and charts', async () => {
    // A leader starts on the command screen.
    page = await e.openAs('boss', '', { viewport: fullHd, signedIn: '[data-testid=command]' });
    await ready(page);
    // No shell chrome: the wall shows the screen alone, with a way back.
    expect(await page.locator('.topbar').count()).toBe(0);
    expect(await page.locator('.sidenav').count()).toBe(0);
    await expect(page.getByTestId('cmd-back').isVisible()).resolves.toBe(true);
    // Back to the shell, and in again from the navigation.
    await page.getByTestId('cmd-back').click();
    await page.waitForSelector('[data-testid=current-user]');
    await page.locator('[data-nav=command]').click();
    await ready(page);

    // A fresh load straight onto the screen (the wall's browser): first view time.
    await page.reload();
    await ready(page);
    await page.waitForFunction(
      () => document.querySelector<HTMLElement>('[data-testid=command]')?.dataset.firstViewMs,
    );
    const firstView = Number(await page.getByTestId('command').getAttribute('data-first-view-ms'));
    const mapEl = page.getByTestId('cmd-map');
    await page
      .waitForFunction(
        () => document.querySelector<HTMLElement>('[data-testid=cmd-map]')?.dataset.settledMs,
        {
          timeout: 30_000,
        },
      )
      .catch(() => undefined);
    console.log(
      `command screen first view (5 cases, 1920×1080): ${firstView} ms (districts, case clusters and vitals ` +
        `drawn); map style loaded at ${await mapEl.getAttribute('data-map-load-ms')} ms, cases at ` +
        `${await mapEl.getAttribute('data-cases-ms')} ms, every tile drawn (idle) at ` +
        `${await mapEl.getAttribute('data-settled-ms')} ms; first drawn from the ` +
        `${await mapEl.getAttribute('data-first-view-cases')} case set, the full set's clusters at ` +
        `${await mapEl.getAttribute('data-full-cases-ms')} ms\n${await waterfall(page)}`,
    );
    expect(firstView).toBeGreaterThan(0);
    // The goal is 2 s on the wall's hardware; here WebGL is SwiftShader on a 2-core box shared by several
    // test runs (load 8–12), so this only guards against regressions. Figures: docs/benchmarks.md.
    expect(firstView).toBeLessThan(12_000);

    expect(Number(await page.getByTestId('command').getAttribute('data-cases'))).toBe(5);
    await expect(page.locator('[data-kpi=open] .cmd-kpi__value').textContent()).resolves.toBe('5');
    await expect(page.locator('[data-kpi=inspectors] .cmd-kpi__value').textContent()).resolves.toBe('2');
    await expect(page.locator('[data-testid=cmd-crumbs] button').first().textContent()).resolves.toBe(
      '上海市',
    );
    for (const chart of ['cmd-trend', 'cmd-ranking', 'cmd-categories', 'cmd-sources']) {
      await page.waitForSelector(`[data-testid=${chart}] canvas`);
    }

    // Vital signs: from the vitals module when it answers, "—" while it does not.
    const vitals = await e.call<{ indicators: unknown[] }>('boss', 'GET', '/api/v1/vitals').catch(() => null);
    const state = await page.locator('.cmd-vitals').getAttribute('data-state');
    if (vitals && Array.isArray(vitals.indicators)) {
      expect(state).toBe('ready');
      await expect(
        page.locator('[data-indicator=open_cases] .cmd-vital__value').textContent(),
      ).resolves.not.toBe('—');
    } else {
      expect(state).toBe('missing');
      await expect(page.locator('[data-indicator=open_cases] .cmd-vital__value').textContent()).resolves.toBe(
        '—',
      );
    }
    await settle(page);
    await e.shot(page, 'command-1920.png');
  });

  it('shows a new case and a new red alarm within a second, without a reload', async () => {
    await page.evaluate(() => {
      (window as unknown as { marker: number }).marker = 1;
    });
    await page.waitForSelector('[data-testid=cmd-live]:has-text("实时")');

    // Timed from the moment the server has committed the case (the API answered) to the screen showing it.
    const c = await report({
      dx: 0.0002,
      dy: 0.0007,
      urgency: 'normal',
      category: '06010',
      description: '新报垃圾',
    });
    const started = Date.now();
    await page.waitForFunction(
      () => document.querySelector<HTMLElement>('[data-testid=command]')?.dataset.cases === '6',
      undefined,
      { timeout: 5000, polling: 20 },
    );
    // When the page had it: the ticker entry is stamped on arrival, in the same render as the map data.
    const caseAt = Number(await page.locator('.cmd-ticker__item').first().getAttribute('data-at'));
    const caseMs = caseAt - started;
    await page.waitForSelector(`[data-testid=cmd-ticker] :text("${c.number}")`, { timeout: 5000 });

    const alarmId = await raiseAlarm(e.server, e.t.db, 'smoke-hp-1', 'critical', new Date());
    const alarmStarted = Date.now(); // committed
    await page.waitForFunction((id) => document.querySelector(`.cmd-alarm[data-alarm="${id}"]`), alarmId, {
      timeout: 5000,
      polling: 20,
    });
    const alarmAt = Number(await page.locator('.cmd-ticker__item.tone-red').first().getAttribute('data-at'));
    const alarmMs = alarmAt - alarmStarted;
    console.log(
      `live: case on screen ${caseMs} ms after the API answered, alarm ${alarmMs} ms after it was committed ` +
        `(test-side observation: ${Date.now() - alarmStarted} ms incl. Playwright polling)`,
    );
    expect(caseMs).toBeLessThan(1000);
    expect(alarmMs).toBeLessThan(1000);
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(1); // no reload

    // The red alarm takes the screen: details, nearest inspectors first, the responsible department.
    // (The alarm's arrival is timed above; the focus request behind it may queue under load.)
    await page.waitForSelector(`[data-testid=command][data-focus="alarm:${alarmId}"]`, { timeout: 15_000 });
    const nearest = await page
      .locator('[data-testid=cmd-focus-inspectors] li span:first-child')
      .allTextContents();
    expect(nearest[0]).toBe('陈静'); // 70 m away; 张伟 is 90 m
    expect(nearest).toContain('张伟');
    await expect(page.getByTestId('cmd-focus-timeline').textContent()).resolves.toContain('告警');
    await page.waitForTimeout(1500); // the fly-to
    await settle(page);
    await e.shot(page, 'command-focus-1920.png');
    await page.getByTestId('cmd-focus-close').click();
    await page.waitForSelector('[data-testid=command][data-focus=""]');
  });

  it('drills down city → district → street → grid, and back by breadcrumbs', async () => {
    const area = () => page.getByTestId('command').getAttribute('data-area');
    const clickBar = async (yShare: number) => {
      const box = (await page.getByTestId('cmd-ranking').boundingBox())!;
      await page.mouse.click(box.x + box.width * 0.5, box.y + box.height * yShare);
    };
    /** The map's case points follow the drill: as many as the API lists for the area. */
    const pointsFollow = async (code: string) => {
      await page.waitForSelector(`[data-testid=command][data-cases-area="${code}"]`, { timeout: 15_000 });
      const api = await e.call<{ total: number; cases: { id: number[] } }>(
        'boss',
        'GET',
        `/api/v1/command/cases?area=${code}`,
      );
      expect(Number(await page.getByTestId('command').getAttribute('data-cases'))).toBe(api.total);
      return api.total;
    };
    expect(await area()).toBe('3101');
    const cityTotal = Number(await page.getByTestId('command').getAttribute('data-cases'));
    await clickBar(0.25); // 黄浦区: most open cases, top bar of two
    await page.waitForSelector('[data-testid=command][data-area="310101"]');
    const district = await pointsFollow('310101');
    expect(district).toBe(cityTotal - 1); // 徐汇's case has left the map
    await clickBar(0.5); // its one street
    await page.waitForSelector('[data-testid=command][data-area="310101002"]');
    await pointsFollow('310101002');
    const crumbs = await page.locator('[data-testid=cmd-crumbs] button').allTextContents();
    expect(crumbs).toEqual(['上海市', '黄浦区', '南京东路街道']);
    await settle(page);
    await e.shot(page, 'command-street-1920.png');
    await clickBar(0.125); // the grid with the most open cases: top of four
    await page.waitForFunction(
      () => document.querySelector<HTMLElement>('[data-testid=command]')?.dataset.area?.length === 15,
    );
    const grid = (await area())!;
    await page.waitForSelector('[data-testid=cmd-grid-detail]');
    await expect(page.getByTestId('cmd-grid-detail').textContent()).resolves.toMatch(/在办案件 · [1-9]/);
    const inGrid = await pointsFollow(grid);
    expect(inGrid).toBeGreaterThan(0);
    expect(inGrid).toBeLessThan(district); // the other grids' cases are off the map
    await settle(page);
    await e.shot(page, 'command-grid-1920.png');
    await page.locator('[data-testid=cmd-crumbs] button[data-code="3101"]').click();
    await page.waitForSelector('[data-testid=command][data-area="3101"]');
    expect(await pointsFollow('3101')).toBe(cityTotal);
  });

  it('replays the last 24 hours from recorded history', async () => {
    await page.getByTestId('cmd-replay-open').click();
    await page.waitForSelector('[data-testid=command][data-replay=true]');
    const replayState = page.getByTestId('cmd-replay-state');
    await page.waitForFunction(
      () => !document.querySelector('[data-testid=cmd-replay-state]')?.textContent?.includes('载入'),
    );
    // At the start of the window the case reported the day before is still open, and drawn; it was
    // closed two hours ago, so after that only what the test reported is there, at the window's end
    // with the alarm.
    await expect(replayState.getAttribute('data-open')).resolves.toBe('1');
    await settle(page);
    await e.shot(page, 'command-replay-start-1920.png');
    await page.getByTestId('cmd-replay-slider').fill('1330'); // 1 h 50 min before the end
    await page.waitForSelector('[data-testid=cmd-replay-state][data-open="0"]');
    await page.getByTestId('cmd-replay-slider').fill('1440');
    await page.waitForFunction(
      () => Number(document.querySelector<HTMLElement>('[data-testid=cmd-replay-state]')?.dataset.open) >= 6,
    );
    await expect(replayState.getAttribute('data-alarms')).resolves.toBe('1');
    await settle(page);
    await e.shot(page, 'command-replay-1920.png');
    await page.getByTestId('cmd-replay-exit').click();
    await page.waitForSelector('[data-testid=command][data-replay=false]');
    baseline = await measureFrames(page);
  });

  it('shows a district leader their district as the city', async () => {
    const p = await e.openAs('hp-boss', '', { viewport: fullHd, signedIn: '[data-testid=command]' });
    await ready(p);
    await expect(p.locator('[data-testid=cmd-crumbs] button').allTextContents()).resolves.toEqual(['黄浦区']);
    await expect(p.locator('.cmd-title__area').textContent()).resolves.toBe('黄浦区');
    const mine = await e.call<{ total: number; cases: { id: number[] } }>(
      'hp-boss',
      'GET',
      '/api/v1/command/cases',
    );
    expect(mine.cases.id).not.toContain(reported[4]!.id); // 徐汇's case
    expect(Number(await p.getByTestId('command').getAttribute('data-cases'))).toBe(mine.total);
    await p.close();
  });

  it('fills a 3840×2160 wall', { timeout: 240_000 }, async () => {
    // The same wall browser, resized and reloaded (fewer fresh logins while other builds touch dist/).
    const p = page;
    await p.setViewportSize(uhd);
    try {
      await p.reload();
      await ready(p);
      const size = await p.evaluate(() => getComputedStyle(document.querySelector('.cmd')!).fontSize);
      expect(size).toBe('32px');
      await settle(p);
      await e.shot(p, 'command-3840.png');
    } finally {
      await p.setViewportSize(fullHd);
    }
  });

  // A measurement, not a check of correctness: two minutes of inserting 100,000 cases and panning
  // over them in a software-rendered browser. Run it with ONEGRID_E2E_HEAVY=1 (docs/benchmarks.md).
  it.skipIf(!process.env.ONEGRID_E2E_HEAVY)(
    'stays responsive with 100,000 open cases',
    { timeout: 300_000 },
    async () => {
      await e.t.db.query(
        `INSERT INTO cases (number, status, source, category_code, urgency, description, geom, street_code,
                          community_code, district_code, area_code, area_class, snapshot, created_at, updated_at, due_at)
       SELECT 'SYN' || g, (ARRAY['reported','filed','dispatched','handling','handled'])[1 + g % 5], 'inspector',
              (ARRAY['06010','01001','08001','09001','03001'])[1 + g % 5],
              CASE WHEN g % 97 = 0 THEN 'urgent' ELSE 'normal' END, '合成案件',
              ST_SetSRID(ST_MakePoint(121.4737 + (random() - 0.5) * 0.2, 31.2304 + (random() - 0.5) * 0.1), 4326),
              '310101002', '310101002001', '310101', '310101002001', 'A', '{}',
              now() - (2 + g % 30) * interval '1 day', now(), now() + ((g % 9) - 3) * interval '1 day'
         FROM generate_series(1, 100000) g`,
      );
      // The payload the screen loads: columnar, so 100k cases stay a few MB.
      const token = e.tokens.boss ?? (await e.login('boss'));
      const apiStart = Date.now();
      const res = await fetch(`${e.baseUrl}/api/v1/command/cases`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const body = await res.text();
      const apiMs = Date.now() - apiStart;
      const gz = await fetch(`${e.baseUrl}/api/v1/command/cases`, {
        headers: { authorization: `Bearer ${token}`, 'accept-encoding': 'gzip' },
      });
      console.log(
        `GET /api/v1/command/cases with 100k open cases: ${apiMs} ms, ${(body.length / 1e6).toFixed(1)} MB ` +
          `(content-encoding ${gz.headers.get('content-encoding') ?? 'none'})`,
      );
      expect(res.status).toBe(200);
      const p = page;
      const t0 = Date.now();
      await p.reload();
      await ready(p);
      await p.waitForFunction(
        () => document.querySelector<HTMLElement>('[data-testid=command]')?.dataset.firstViewMs,
        undefined,
        {
          timeout: 60_000,
        },
      );
      const firstView = Number(await p.getByTestId('command').getAttribute('data-first-view-ms'));
      const wall = Date.now() - t0;
      expect(Number(await p.getByTestId('command').getAttribute('data-cases'))).toBeGreaterThanOrEqual(
        100_000,
      );

      const frames = await measureFrames(p);
      console.log(
        `100k cases: first view ${firstView} ms after navigation (${wall} ms wall clock incl. load); ` +
          `frames while panning/zooming: ${describeFrames(frames)}; baseline with 6 cases: ${describeFrames(baseline)}`,
      );
      expect(frames.length).toBeGreaterThan(20);
      // Clustering keeps 100k points as cheap to draw as a handful: frame times stay near the baseline.
      expect(median(frames)).toBeLessThan(2 * median(baseline) + 50);
      await settle(p);
      await e.shot(p, 'command-100k-1920.png');
      expect(e.pageErrors).toEqual([]);
    },
  );
});

// A measurement on a Shanghai-sized grid set: the synthetic city of 40,625 unit grids in 13 districts
// (the demo seed's city scale adds 13.5 million components, hours on this machine) with 100,000 open
// cases on its grids. First view at the city, frame times over the clusters, and frame times with the
// unit-grid layer drawn (zoom 14–17). Run with ONEGRID_E2E_HEAVY=1 (docs/benchmarks.md).
describe.skipIf(!process.env.ONEGRID_E2E_HEAVY)(
  `command screen over 40,625 unit grids (${testEngine})`,
  () => {
    let e: E2e;
    let codes: { grid: string; total: number };

    beforeAll(async () => {
      const started = Date.now();
      e = await startE2e(async (db) => {
        await loadCategoryCatalogue(db);
        await writeSyntheticCity(db, syntheticCity());
        await ensureUser(db, { username: 'boss', role: 'leader', scopeCode: '3101' });
        await db.query(
          `WITH u AS (SELECT code, community_code, street_code, district_code, area_class, ST_PointOnSurface(geom) AS p,
                           row_number() OVER (ORDER BY code) - 1 AS i FROM unit_grids)
         INSERT INTO cases (number, status, source, category_code, urgency, description, geom, unit_grid_code,
                            community_code, street_code, district_code, area_code, area_class, snapshot,
                            created_at, updated_at, due_at)
         SELECT 'SYN' || g, (ARRAY['reported','filed','dispatched','handling','handled'])[1 + g % 5], 'inspector',
                (ARRAY['06010','01001','08001','09001','03001'])[1 + g % 5],
                CASE WHEN g % 97 = 0 THEN 'urgent' ELSE 'normal' END, '合成案件',
                ST_Translate(u.p, (random() - 0.5) * 0.0004, (random() - 0.5) * 0.0004), u.code, u.community_code,
                u.street_code, u.district_code, u.code, u.area_class, '{}',
                now() - (2 + g % 30) * interval '1 day', now(), now() + ((g % 9) - 3) * interval '1 day'
           FROM generate_series(0, 99999) g JOIN u ON u.i = g % 40625`,
        );
      });
      const grids = await e.t.db.query<{ n: number; grid: string }>(
        `SELECT count(*)::int AS n,
              (SELECT code FROM unit_grids ORDER BY ST_Distance(ST_PointOnSurface(geom),
                        (SELECT ST_SetSRID(ST_Centroid(ST_Extent(geom)), 4326) FROM unit_grids)), code LIMIT 1) AS grid
         FROM unit_grids`,
      );
      const open = await e.t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM cases');
      codes = { grid: grids.rows[0]!.grid, total: open.rows[0]!.n };
      console.log(
        `synthetic city: ${grids.rows[0]!.n} unit grids, ${codes.total} open cases, built in ${Date.now() - started} ms`,
      );
      expect(grids.rows[0]!.n).toBe(40_625);
    }, 900_000);
    afterAll(async () => {
      await e?.close();
    });

    it('draws the first view and keeps frames over 100,000 cases and 40,625 grids', {
      timeout: 600_000,
    }, async () => {
      const page = await e.openAs('boss', '', { viewport: fullHd, signedIn: '[data-testid=command]' });
      await page.waitForSelector('[data-testid=command][data-ready=true]', { timeout: 120_000 });
      // The figure of a fresh load (the wall's browser reloading), as in the loop city's test.
      const views: number[] = [];
      for (let i = 0; i < 2; i++) {
        await page.reload();
        await page.waitForFunction(
          () => document.querySelector<HTMLElement>('[data-testid=command]')?.dataset.firstViewMs,
          undefined,
          { timeout: 120_000 },
        );
        views.push(Number(await page.getByTestId('command').getAttribute('data-first-view-ms')));
      }
      // The first view may come from the street counts; the full set follows.
      await page.waitForSelector(`[data-testid=command][data-cases="${codes.total}"]`, { timeout: 120_000 });
      await page
        .waitForFunction(
          () => document.querySelector<HTMLElement>('[data-testid=cmd-map]')?.dataset.fullCasesMs,
          {
            timeout: 60_000,
          },
        )
        .catch(() => undefined);
      await page
        .waitForFunction(
          () => document.querySelector<HTMLElement>('[data-testid=cmd-map]')?.dataset.settledMs,
          {
            timeout: 60_000,
          },
        )
        .catch(() => undefined);
      const mapEl = page.getByTestId('cmd-map');
      console.log(
        `40,625 grids, ${codes.total} cases: first view ${views.join(', ')} ms (from the ` +
          `${await mapEl.getAttribute('data-first-view-cases')} case set); the full set's clusters at ` +
          `${await mapEl.getAttribute('data-full-cases-ms')} ms; every tile drawn at ` +
          `${await mapEl.getAttribute('data-settled-ms')} ms\n${await waterfall(page)}`,
      );
      await page.waitForTimeout(400);
      await e.shot(page, 'command-city-100k-1920.png');
      const city = await measureFrames(page);
      console.log(
        `city view (zoom ${await mapEl.getAttribute('data-zoom')}), 100k clustered: ${describeFrames(city)}`,
      );

      // The unit grid at the city's centre, by address: the map fits it (zoom 17) and the unit-grid
      // layer is drawn; zooming out three steps shows a few thousand grids at once.
      await page.goto(`${e.baseUrl}/#/command?area=${codes.grid}`);
      await page.reload();
      await page.waitForSelector(`[data-testid=command][data-cases-area="${codes.grid}"]`, {
        timeout: 120_000,
      });
      await settle(page);
      const grid = await measureFrames(page);
      console.log(
        `unit-grid layer (zoom ${await mapEl.getAttribute('data-zoom')} after the gestures, 14–17 during them): ${describeFrames(grid)}`,
      );
      for (let i = 0; i < 3; i++) {
        await page.mouse.wheel(0, 300); // out to about zoom 15: a few hundred grids
        await page.waitForTimeout(400);
      }
      await settle(page);
      await e.shot(page, 'command-grids-1920.png');
      expect(grid.length).toBeGreaterThan(20);
      expect(e.pageErrors).toEqual([]);
    });
  },
);
