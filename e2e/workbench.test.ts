/**
 * One case through the loop in the browser, across roles: the inspector reports (API; the inspector
 * app is separate), the operator files it in the intake workbench (and merges a duplicate), the
 * dispatcher dispatches it to the matrix's department, the department accepts and handles it with an
 * after-photo, the inspector checks it (API), the operator closes it from the case detail. A new
 * report shows in the operator's queue within a second, through the event stream, without a reload.
 * Screenshots of every screen at 1366×768 (and the case detail at 360×740) go to e2e/screenshots/.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeLoopCity, square } from '../packages/server/src/seed/loop-city.factory.ts';
import { buildServer, type Server } from '../packages/server/src/server.ts';
import { openTestDb, type TestDb, testEngine } from '../packages/server/test/db-harness.ts';
import { silentLog } from '../packages/server/test/http-harness.ts';

const repoRoot = path.resolve(import.meta.dirname, '..');
const webDir = path.join(repoRoot, 'packages/web');
const distDir = path.join(webDir, 'dist');
const shotsDir = path.join(import.meta.dirname, 'screenshots');
const chromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

function newestMtime(p: string): number {
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of fs.readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, name)));
  return newest;
}

function ensureWebBuild() {
  const index = path.join(distDir, 'index.html');
  const sources = ['src', 'public', 'index.html', 'vite.config.ts']
    .map((p) => path.join(webDir, p))
    .filter((p) => fs.existsSync(p));
  if (fs.existsSync(index) && fs.statSync(index).mtimeMs >= Math.max(...sources.map(newestMtime))) return;
  const r = spawnSync('npm', ['run', 'build', '-w', '@onegrid/web'], { cwd: repoRoot, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`web build failed:\n${r.stdout}\n${r.stderr}`);
}

interface CaseBody {
  id: number;
  number: string;
  status: string;
  version: number;
}

describe(`workbenches: one case across roles in the browser (${testEngine})`, () => {
  let t: TestDb;
  let server: Server;
  let browser: Browser;
  let baseUrl: string;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];
  const tokens: Record<string, string> = {};
  let photo: Buffer;
  let operator: Page;
  let main: CaseBody;
  let duplicate: CaseBody;

  async function call<T>(user: string, method: string, url: string, body?: unknown): Promise<T> {
    const res = await fetch(`${baseUrl}${url}`, {
      method,
      headers: {
        authorization: `Bearer ${tokens[user]}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const json = (await res.json()) as T;
    if (!res.ok) throw new Error(`${method} ${url} → ${res.status} ${JSON.stringify(json)}`);
    return json;
  }

  async function upload(user: string): Promise<string> {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(photo)], { type: 'image/png' }), 'before.png');
    const res = await fetch(`${baseUrl}/api/v1/attachments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens[user]}` },
      body: form,
    });
    if (res.status !== 201) throw new Error(`upload → ${res.status} ${await res.text()}`);
    return ((await res.json()) as { id: string }).id;
  }

  /** A page of its own (own storage) for one user, logged in through the login form. */
  async function openAs(username: string, hash = ''): Promise<Page> {
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' });
    contexts.push(ctx);
    const page = await ctx.newPage();
    page.on('pageerror', (e) => pageErrors.push(`${username}: ${e.message}`));
    await page.goto(`${baseUrl}/${hash}`);
    await page.getByLabel('用户名').fill(username);
    await page.getByLabel('密码').fill('secret-pw');
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await page.waitForSelector('[data-testid=current-user]');
    return page;
  }

  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(shotsDir, name) });

  /** Lets the maps finish drawing before a screenshot (best effort: a slow tile is no failure). */
  async function settleMaps(page: Page) {
    await page
      .waitForFunction(
        () =>
          [...document.querySelectorAll<HTMLElement>('[data-testid=case-map]')].every(
            (m) => m.dataset.idle === 'true',
          ),
        undefined,
        { timeout: 15_000 },
      )
      .catch(() => undefined);
  }

  async function select(page: Page, id: number) {
    await page.locator(`[data-testid=queue-item][data-id="${id}"]`).click();
    await page.waitForSelector(`[data-testid=case-detail] [data-testid=actions]`);
  }

  async function act(page: Page, action: string, status: string, fill?: (form: Page) => Promise<void>) {
    const detail = page.getByTestId('case-detail');
    await detail.locator(`[data-action="${action}"]`).click();
    await page.getByTestId('action-form').waitFor();
    if (fill) await fill(page);
    await page.getByTestId('action-submit').click();
    await page.waitForSelector(`[data-testid=case-detail][data-status="${status}"]`, { timeout: 10_000 });
  }

  beforeAll(async () => {
    ensureWebBuild();
    fs.mkdirSync(shotsDir, { recursive: true });
    t = await openTestDb();
    await makeLoopCity(t.db);
    await t.db.query(
      `UPDATE users SET display_name = CASE username WHEN 'op' THEN '王敏' WHEN 'disp' THEN '李强'
         WHEN 'lhsr' THEN '张伟' WHEN 'insp' THEN '陈静' ELSE display_name END`,
    );
    server = await buildServer({ db: t.db, log: silentLog, config: { sessionHours: 12, webDir: distDir } });
    await server.geo.refresh({ force: true });
    await server.app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
    for (const u of ['insp', 'op', 'disp', 'lhsr']) {
      const r = await fetch(`${baseUrl}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: u, password: 'secret-pw' }),
      });
      tokens[u] = ((await r.json()) as { token: string }).token;
    }
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: chromiumArgs,
    });
    // A photo to upload: drawn by the browser, so it is a real PNG.
    const scratch = await browser.newPage();
    const dataUrl = await scratch.evaluate(() => {
      const c = document.createElement('canvas');
      c.width = 320;
      c.height = 240;
      const g = c.getContext('2d');
      if (!g) return '';
      const grad = g.createLinearGradient(0, 0, 320, 240);
      grad.addColorStop(0, '#7aa37a');
      grad.addColorStop(1, '#c9b27c');
      g.fillStyle = grad;
      g.fillRect(0, 0, 320, 240);
      g.fillStyle = '#5b4636';
      g.fillRect(110, 120, 100, 70);
      return c.toDataURL('image/png');
    });
    await scratch.close();
    photo = Buffer.from(dataUrl.split(',')[1] ?? '', 'base64');
  }, 240_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
    await t?.close();
  });

  it('shows a new report in the operator queue within a second, without a reload', async () => {
    operator = await openAs('op');
    await operator.waitForSelector('[data-testid=intake] [data-testid=live][data-live=true]');
    await operator.evaluate(() => {
      (window as unknown as { marker: string }).marker = 'same page';
    });
    const before = await call<CaseBody>('insp', 'POST', '/api/v1/cases', {
      category: '06010',
      description: '人民广场东侧绿地旁有暴露垃圾堆放',
      address: '人民大道 200 号东侧',
      location: { lng: square.lng + 0.0003, lat: square.lat + 0.0003 },
      photos: [await upload('insp')],
    });
    const started = Date.now();
    await operator.waitForSelector(`[data-testid=queue-item][data-id="${before.id}"]`, { timeout: 1000 });
    console.log(`report → in the operator queue: ${Date.now() - started} ms`);
    expect(await operator.evaluate(() => (window as unknown as { marker?: string }).marker)).toBe(
      'same page',
    );
    main = before;
    duplicate = await call<CaseBody>('insp', 'POST', '/api/v1/cases', {
      category: '06010',
      description: '人民大道绿地垃圾未清运',
      location: { lng: square.lng + 0.0004, lat: square.lat + 0.0003 },
    });
    await operator.waitForSelector(`[data-testid=queue-item][data-id="${duplicate.id}"]`, { timeout: 2000 });
  });

  it('operator: sees photos and duplicates, merges the duplicate, files the case', async () => {
    await select(operator, duplicate.id);
    const dups = operator.getByTestId('duplicates');
    await dups.locator('li').first().waitFor();
    expect(await dups.textContent()).toContain(main.number);
    await settleMaps(operator);
    await shot(operator, 'intake-1366.png');
    await dups.getByTestId('merge').first().click();
    await operator.waitForSelector('[data-testid=case-detail][data-status=merged]');

    await select(operator, main.id);
    await operator.getByTestId('case-detail').getByTestId('photo').first().waitFor();
    await operator.getByTestId('case-detail').locator('[data-action=accept]').click();
    await operator.getByTestId('action-form').waitFor();
    await operator.getByLabel('紧急程度').selectOption('urgent');
    await settleMaps(operator);
    await shot(operator, 'intake-file-1366.png');
    await operator.getByTestId('action-submit').click();
    await operator.waitForSelector('[data-testid=case-detail][data-status=filed]');
    // Filed cases leave the "new reports" list by themselves.
    await operator
      .locator(`[data-testid=queue-item][data-id="${main.id}"]`)
      .waitFor({ state: 'detached', timeout: 3000 });
  });

  it('dispatcher: sees the proposed department and its matrix rule, dispatches', async () => {
    const page = await openAs('disp');
    await page.waitForSelector('[data-testid=dispatch]');
    await select(page, main.id);
    const proposal = page.getByTestId('proposal');
    expect(await proposal.textContent()).toContain('黄浦区绿化市容局');
    expect(await proposal.textContent()).toMatch(/规则 #\d+：类别 06 · 区域 310101/);
    await page.getByTestId('case-detail').locator('[data-action=dispatch]').click();
    await page.getByTestId('action-form').waitFor();
    expect(await page.getByLabel('处置部门').inputValue()).toBe('310101-lhsr');
    await settleMaps(page);
    await shot(page, 'dispatch-1366.png');
    await page.getByTestId('action-submit').click();
    await page.waitForSelector('[data-testid=case-detail][data-status=dispatched]');
  });

  it('department: accepts the task, handles it with a note and an after-photo', async () => {
    const page = await openAs('lhsr');
    await page.waitForSelector('[data-testid=handling]');
    await select(page, main.id);
    expect(await page.getByTestId('countdown').first().textContent()).toMatch(/剩余|已超时/);
    await act(page, 'accept-task', 'handling');
    await act(page, 'handle', 'handled', async (p) => {
      await p
        .getByTestId('photo-input')
        .setInputFiles({ name: 'after.png', mimeType: 'image/png', buffer: photo });
      await p.waitForFunction(
        () => document.querySelector('[data-testid=photo-count]')?.textContent === '已上传 1 张',
      );
      await p.getByLabel('备注').fill('已清运，现场恢复整洁');
      await shot(p, 'handling-1366.png');
    });
    // The timeline shows the after-photo, fetched with the bearer token.
    await page.getByTestId('timeline').getByTestId('photo').first().waitFor();
    await page.locator('[data-tab=handled]').click();
    await page.locator(`[data-testid=queue-item][data-id="${main.id}"]`).waitFor();
  });

  it('inspector checks; the operator closes from the case detail', async () => {
    const c = await call<CaseBody>('op', 'GET', `/api/v1/cases/${main.id}`);
    await call('insp', 'POST', `/api/v1/cases/${main.id}/verify`, { version: c.version, passed: true });
    await operator.goto(`${baseUrl}/#/cases/${main.id}`);
    await operator.waitForSelector('[data-testid=case-detail][data-status=checked]');
    expect(await operator.getByTestId('next-actors').textContent()).toContain('受理员');
    await operator.getByTestId('case-detail').locator('[data-action=close]').click();
    await operator.getByTestId('action-form').waitFor();
    await settleMaps(operator);
    await shot(operator, 'case-detail-1366.png');
    await operator.getByTestId('action-submit').click();
    await operator.waitForSelector('[data-testid=case-detail][data-status=closed]');
    const timeline = await operator.getByTestId('timeline').textContent();
    for (const step of ['上报', '立案', '派遣', '签收', '处置反馈', '核查', '结案'])
      expect(timeline).toContain(step);
    await operator.setViewportSize({ width: 360, height: 740 });
    await settleMaps(operator);
    await shot(operator, 'case-detail-360.png');
    await operator.getByTestId('timeline').scrollIntoViewIfNeeded();
    await shot(operator, 'case-detail-360-timeline.png');
    expect(pageErrors).toEqual([]);
  });
});
