/**
 * The inspector app (城管通) in a phone-sized browser with GPS: a report in three taps (photo,
 * category, 上报) filed on the server; offline, a report and a check result wait as 待同步 and the
 * server has nothing; back online both go through once — and replaying the whole queue twice files
 * nothing more (idempotency keys); the patrol track is uploaded; a reload offline still opens the
 * app (service worker); an expired session loses nothing typed. Screenshots of every screen at
 * 360×740 and 1366×768 go to e2e/screenshots/inspector-*.png.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeLoopCity, square } from '../packages/server/src/seed/loop-city.factory.ts';
import { testEngine } from '../packages/server/test/db-harness.ts';
import { desktop, type E2e, phone, startE2e } from './harness.ts';

interface CaseBody {
  id: number;
  number: string;
  status: string;
  version: number;
  category: string;
  description: string;
  timeline?: { action: string }[];
}

const here = { latitude: square.lat + 0.0003, longitude: square.lng + 0.0003 };
const withGps = { geolocation: here, permissions: ['geolocation'] };

describe(`inspector app: report, tasks, offline queue, patrol (${testEngine})`, () => {
  let e: E2e;
  let photo: Buffer;
  let page: Page;
  let ctx: BrowserContext;
  let checkCase: CaseBody;
  let verifyCase: CaseBody;

  async function upload(user: string): Promise<string> {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(photo)], { type: 'image/png' }), 'after.png');
    const res = await fetch(`${e.baseUrl}/api/v1/attachments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${e.tokens[user] ?? (await e.login(user))}` },
      body: form,
    });
    if (!res.ok) throw new Error(`upload → ${res.status} ${await res.text()}`);
    return ((await res.json()) as { id: string }).id;
  }

  const myCases = async () =>
    (await e.call<{ items: CaseBody[] }>('insp', 'GET', '/api/v1/cases?reporter=me&pageSize=100')).items;

  /** Replays every item of the phone's queue as if never sent, then lets the app sync again. */
  async function replayQueue(p: Page): Promise<number> {
    const n = await p.evaluate(async () => {
      const names = (await indexedDB.databases()).map((d) => d.name ?? '');
      const name = names.find((x) => /^onegrid-inspector-\d+$/.test(x));
      if (!name) return -1;
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const q = indexedDB.open(name);
        q.onsuccess = () => resolve(q.result);
        q.onerror = () => reject(q.error);
      });
      const tx = db.transaction('queue', 'readwrite');
      const store = tx.objectStore('queue');
      const keys = await new Promise<IDBValidKey[]>((r) => {
        const q = store.getAllKeys();
        q.onsuccess = () => r(q.result);
      });
      let count = 0;
      for (const k of keys) {
        const item = await new Promise<Record<string, unknown>>((r) => {
          const q = store.get(k);
          q.onsuccess = () => r(q.result as Record<string, unknown>);
        });
        if (item.kind === 'points') continue;
        item.state = 'queued';
        delete item.result; // forget the server's answer: the case is posted again
        store.put(item, k);
        count += 1;
      }
      await new Promise((r) => {
        tx.oncomplete = r;
      });
      db.close();
      window.dispatchEvent(new Event('online'));
      return count;
    });
    await p.waitForSelector('[data-testid=sync-state][data-waiting="0"]');
    return n;
  }

  beforeAll(async () => {
    e = await startE2e(makeLoopCity);
    const scratch = await e.browser.newPage();
    const dataUrl = await scratch.evaluate(() => {
      const c = document.createElement('canvas');
      c.width = 320;
      c.height = 240;
      const g = c.getContext('2d');
      if (!g) return '';
      g.fillStyle = '#9bb08f';
      g.fillRect(0, 0, 320, 240);
      g.fillStyle = '#6b5440';
      g.fillRect(100, 110, 120, 80);
      g.fillStyle = '#e8e2d0';
      g.fillRect(130, 90, 40, 30);
      return c.toDataURL('image/png');
    });
    await scratch.close();
    photo = Buffer.from(dataUrl.split(',')[1] ?? '', 'base64');

    // A fixed case waiting for the inspector's check (核查), and a report to verify (核实).
    const me = await e.call<{ id: number }>('insp', 'GET', '/api/v1/auth/me');
    const loc = { lng: square.lng + 0.0004, lat: square.lat + 0.0002 };
    let c = await e.call<CaseBody>('op', 'POST', '/api/v1/cases', {
      category: '06012',
      description: '南京东路人行道道路不洁',
      location: loc,
    });
    c = await e.call<CaseBody>('op', 'POST', `/api/v1/cases/${c.id}/verify-report`, {
      version: c.version,
      inspectorId: me.id,
    });
    c = await e.call<CaseBody>('insp', 'POST', `/api/v1/cases/${c.id}/confirm-report`, {
      version: c.version,
      confirmed: true,
    });
    c = await e.call<CaseBody>('op', 'POST', `/api/v1/cases/${c.id}/accept`, { version: c.version });
    c = await e.call<CaseBody>('disp', 'POST', `/api/v1/cases/${c.id}/dispatch`, { version: c.version });
    c = await e.call<CaseBody>('lhsr', 'POST', `/api/v1/cases/${c.id}/accept-task`, { version: c.version });
    c = await e.call<CaseBody>('lhsr', 'POST', `/api/v1/cases/${c.id}/handle`, {
      version: c.version,
      note: '已清扫',
      photos: [await upload('lhsr')],
    });
    expect(c.status).toBe('handled');
    checkCase = c;
    const v = await e.call<CaseBody>('op', 'POST', '/api/v1/cases', {
      category: '07001',
      description: '云南中路电线杆上有非法小广告',
      location: { lng: square.lng - 0.0004, lat: square.lat + 0.0004 },
    });
    verifyCase = await e.call<CaseBody>('op', 'POST', `/api/v1/cases/${v.id}/verify-report`, {
      version: v.version,
      inspectorId: me.id,
    });
    expect(verifyCase.status).toBe('verifying');
  }, 240_000);

  afterAll(async () => {
    await e?.close();
  });

  it('reports in three taps — photo, category, 上报 — with the GPS position on the grid map', async () => {
    page = await e.openAs('insp', '#/inspector', { viewport: phone, contextOptions: withGps });
    page.on('console', (m) => {
      if (/service worker/.test(m.text())) console.log(m.text());
    });
    ctx = page.context();
    await page.waitForSelector('[data-testid=inspector]');
    // The service worker has precached the app shell while online (the offline test reloads).
    const sw = await page.evaluate(() =>
      Promise.race([
        navigator.serviceWorker.ready.then(() => 'ready'),
        new Promise<string>((r) => setTimeout(() => r('not ready'), 60_000)),
      ]),
    );
    expect(sw).toBe('ready');
    // GPS placed the pin; locate found the unit grid.
    await expect
      .poll(() => page.textContent('[data-testid=report-place]'), { timeout: 15_000 })
      .toContain('310101002001002');

    // Nothing picked yet: the client says what is missing, in Chinese, before anything is queued.
    await page.click('[data-testid=report-submit]');
    await page.waitForSelector('text=请先拍一张现场照片');
    await page.waitForSelector('text=请选择问题类别');
    await page.waitForSelector('[data-testid=report-map][data-idle=true]', { timeout: 20_000 });
    await e.shot(page, 'inspector-report-invalid-phone.png');

    await page.setInputFiles('[data-testid=photo-input]', {
      name: 'scene.png',
      mimeType: 'image/png',
      buffer: photo,
    }); // tap 1
    await page.click('[data-testid=category-list] [data-code="06010"]'); // tap 2
    // The confusable pair's hints show under the pick.
    await page.waitForSelector('[data-testid=confusable] >> text=垃圾站（箱）满溢');
    await e.shot(page, 'inspector-report-phone.png');
    await page.click('[data-testid=report-submit]'); // tap 3

    const state = page.locator('[data-testid=last-report] [data-testid=item-state]');
    await expect.poll(() => state.getAttribute('data-state'), { timeout: 15_000 }).toBe('sent');
    const number = await page.textContent('[data-testid=last-report] [data-testid=item-number]');
    const cases = await myCases();
    expect(cases).toHaveLength(1);
    expect(cases[0]).toMatchObject({ number, category: '06010', status: 'reported' });
    await e.shot(page, 'inspector-report-sent-phone.png');
  }, 120_000);

  it('lists my verification and check tasks and my reports', async () => {
    await page.click('[data-tab=tasks]');
    await page.waitForSelector(`[data-testid=check-tasks] [data-case="${checkCase.number}"]`);
    await page.waitForSelector(`[data-testid=verify-tasks] [data-case="${verifyCase.number}"]`);
    await page.waitForSelector('[data-testid=my-reports] [data-testid=my-report]');
    await e.shot(page, 'inspector-tasks-phone.png');
  });

  it('offline: a report and a check result wait as 待同步, the server has nothing, and go through once online', async () => {
    await page.click('[data-tab=report]');
    await ctx.setOffline(true);
    await page.waitForSelector('[data-testid=net-state][data-online=false]');

    await page.setInputFiles('[data-testid=photo-input]', {
      name: 'overflow.png',
      mimeType: 'image/png',
      buffer: photo,
    });
    await page.fill('[data-testid=category-search]', '06042');
    await page.click('[data-testid=category-list] [data-code="06042"]');
    await page.fill('#insp-description', '垃圾箱满溢，离线上报');
    await page.click('[data-testid=report-submit]');
    const state = page.locator('[data-testid=last-report] [data-testid=item-state]');
    await expect.poll(() => state.getAttribute('data-state')).toBe('queued');
    await expect(state.textContent()).resolves.toContain('待同步');
    await e.shot(page, 'inspector-report-queued-phone.png');

    await page.click('[data-tab=tasks]');
    await page.waitForSelector('text=离线：显示的是上次加载的任务');
    const task = page.locator(`[data-testid=check-tasks] [data-case="${checkCase.number}"]`);
    await task.locator('[data-testid=task-open]').click();
    await task.locator('[data-testid=act-yes]').click();
    await task.locator('[data-testid=act-photo]').setInputFiles({
      name: 'checked.png',
      mimeType: 'image/png',
      buffer: photo,
    });
    await task.scrollIntoViewIfNeeded();
    await e.shot(page, 'inspector-task-check-phone.png');
    await task.locator('[data-testid=act-submit]').click();
    await task.locator('[data-testid=item-state][data-state=queued]').waitFor();
    await page.waitForSelector('[data-testid=queued-report] [data-state=queued]');
    await page.waitForSelector('[data-testid=sync-state][data-waiting="2"]');
    await e.shot(page, 'inspector-tasks-offline-phone.png');

    // Nothing reached the server.
    expect(await myCases()).toHaveLength(1);
    const still = await e.call<CaseBody>('insp', 'GET', `/api/v1/cases/${checkCase.id}`);
    expect(still.status).toBe('handled');

    // The app shell opens offline (service worker) and the queue is still there.
    expect(await page.evaluate(() => Boolean(navigator.serviceWorker.controller))).toBe(true);
    await page.reload();
    await page.waitForSelector('[data-testid=inspector]', { timeout: 20_000 });
    await page.waitForSelector('[data-testid=sync-state][data-waiting="2"]');
    expect(await myCases()).toHaveLength(1);

    await ctx.setOffline(false);
    await page.waitForSelector('[data-testid=net-state][data-online=true]');
    await page.waitForSelector('[data-testid=sync-state][data-waiting="0"]', { timeout: 30_000 });
    const after = await myCases();
    expect(after).toHaveLength(2);
    expect(after.filter((c) => c.category === '06042')).toHaveLength(1);
    const checked = await e.call<CaseBody>('insp', 'GET', `/api/v1/cases/${checkCase.id}`);
    expect(checked.status).toBe('checked');

    // Replaying the whole queue twice files nothing more and checks nothing twice.
    expect(await replayQueue(page)).toBeGreaterThanOrEqual(3);
    expect(await replayQueue(page)).toBeGreaterThanOrEqual(3);
    expect(await myCases()).toHaveLength(2);
    const again = await e.call<CaseBody>('insp', 'GET', `/api/v1/cases/${checkCase.id}`);
    expect(again.timeline?.filter((t) => t.action === 'verify')).toHaveLength(1);
    expect(again.version).toBe(checked.version);
    await page.click('[data-tab=tasks]');
    await page.waitForSelector('[data-testid=my-reports] [data-testid=my-report] >> nth=1');
    await e.shot(page, 'inspector-tasks-synced-phone.png');
  }, 180_000);

  it('uploads the patrol track while on duty', async () => {
    await page.click('[data-tab=patrol]');
    await page.click('[data-testid=duty-toggle]');
    for (const d of [0.0005, 0.001, 0.0015]) {
      await ctx.setGeolocation({ latitude: here.latitude + d, longitude: here.longitude + d / 2 });
      await page.waitForTimeout(300);
    }
    await expect
      .poll(() => page.textContent('[data-testid=patrol-summary]'), { timeout: 10_000 })
      .toMatch(/[3-9] 个点/);
    await page.click('[data-testid=duty-toggle]'); // off duty: the batch goes now
    await page.waitForSelector('[data-testid=sync-state][data-waiting="0"]', { timeout: 20_000 });
    const tracks = await e.call<{ username: string; points: { unitGridCode: string | null }[] }[]>(
      'insp',
      'GET',
      '/api/v1/patrol/tracks',
    );
    expect(tracks).toHaveLength(1);
    expect(tracks[0]!.points.length).toBeGreaterThanOrEqual(3);
    await page.waitForSelector('[data-testid=patrol-map][data-idle=true]', { timeout: 20_000 });
    await e.shot(page, 'inspector-patrol-phone.png');
  }, 60_000);

  it('keeps what was typed when the session expires mid-form', async () => {
    await page.click('[data-tab=report]');
    await page.fill('#insp-description', '井盖松动，靠近路口');
    const token = await page.evaluate(
      () => (JSON.parse(localStorage.getItem('onegrid.session') ?? '{}') as { token: string }).token,
    );
    await fetch(`${e.baseUrl}/api/v1/auth/logout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    // The next call answers 401 (a background call may already have met it: then the dialog is up).
    await page.click('[data-tab=tasks]', { force: true });
    await page.waitForSelector('[role=dialog]');
    await e.shot(page, 'inspector-relogin-phone.png');
    await page.getByLabel('密码').fill('secret-pw');
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await page.waitForSelector('[role=dialog]', { state: 'detached' });
    await page.click('[data-tab=report]');
    expect(await page.inputValue('#insp-description')).toBe('井盖松动，靠近路口');
    expect(e.pageErrors).toEqual([]);
  }, 60_000);

  it('shows every screen on a desktop too', async () => {
    const d = await e.open('/#/inspector', {
      viewport: desktop,
      contextOptions: withGps,
      label: 'insp-desktop',
    });
    await d.waitForSelector('text=用户名', { timeout: 20_000 }).catch(async (err) => {
      await e.shot(d, 'inspector-debug-desktop.png');
      throw err;
    });
    await d.getByLabel('用户名').fill('insp');
    await d.getByLabel('密码').fill('secret-pw');
    await d.getByRole('button', { name: '登录', exact: true }).click();
    await d.waitForSelector('[data-testid=inspector]');
    await expect
      .poll(() => d.textContent('[data-testid=report-place]'), { timeout: 15_000 })
      .toContain('310101002001002');
    await d.waitForSelector('[data-testid=report-map][data-idle=true]', { timeout: 20_000 });
    await e.shot(d, 'inspector-report-desktop.png');
    await d.click('[data-tab=tasks]');
    await d.waitForSelector(`[data-testid=verify-tasks] [data-case="${verifyCase.number}"]`);
    await e.shot(d, 'inspector-tasks-desktop.png');
    await d.click('[data-tab=patrol]');
    await d.waitForSelector('[data-testid=patrol-map][data-idle=true]', { timeout: 20_000 });
    await e.shot(d, 'inspector-patrol-desktop.png');
    expect(e.pageErrors).toEqual([]);
  }, 60_000);
});
