/**
 * One case through the whole loop in the browser, across roles: the inspector reports it from the
 * phone app (城管通) in three taps and a citizen reports the same problem on the public API; the
 * operator sees both arrive live, merges the duplicate and files the case; the dispatcher
 * dispatches it to the matrix's department; the department accepts and handles it with an
 * after-photo; the inspector checks it from the phone app; the shift lead (值班长) closes it from the
 * case detail. Screenshots of every screen at 1366×768 and 360×740 go to e2e/screenshots/.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeLoopCity, square } from '../packages/server/src/seed/loop-city.factory.ts';
import { testEngine } from '../packages/server/test/db-harness.ts';
import { type E2e, phone, startE2e } from './harness.ts';

const gps = { latitude: square.lat + 0.0003, longitude: square.lng + 0.0003 };

interface CaseBody {
  id: number;
  number: string;
  status: string;
  version: number;
}

describe(`workbenches: one case across roles in the browser (${testEngine})`, () => {
  let e: E2e;
  let baseUrl: string;
  let pageErrors: string[];
  let photo: Buffer;
  let operator: Page;
  let inspector: Page;
  let main: CaseBody;
  let duplicate: CaseBody;

  const call = <T>(user: string, method: string, url: string, body?: unknown) =>
    e.call<T>(user, method, url, body);

  const openAs = (username: string, hash = '') => e.openAs(username, hash);
  const shot = (page: Page, name: string) => e.shot(page, name);

  /** Lets the maps finish drawing before a screenshot (best effort: a slow tile is no failure). */
  async function settleMaps(page: Page) {
    await page
      .waitForFunction(
        () =>
          [...document.querySelectorAll<HTMLElement>('[data-testid=case-map]')]
            .filter((m) => m.offsetParent !== null) // a map hidden on a phone never draws
            .every((m) => m.dataset.idle === 'true'),
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
    e = await startE2e(async (db) => {
      await makeLoopCity(db);
      await db.query(
        `UPDATE users SET display_name = CASE username WHEN 'op' THEN '王敏' WHEN 'disp' THEN '李强'
           WHEN 'lhsr' THEN '张伟' WHEN 'insp' THEN '陈静' ELSE display_name END`,
      );
      // The shift lead (值班长) works in the operator role, on the same district.
      await db.query(
        `INSERT INTO users (username, display_name, password_hash, role, scope_code)
         SELECT 'lead', '赵磊', password_hash, role, scope_code FROM users WHERE username = 'op'`,
      );
    });
    baseUrl = e.baseUrl;
    pageErrors = e.pageErrors;
    const browser = e.browser;
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
    await e?.close();
  });

  it('inspector reports from the phone app in three taps; the operator sees it live, without a reload', async () => {
    operator = await openAs('op');
    await operator.waitForSelector('[data-testid=intake] [data-testid=live][data-live=true]');
    await operator.evaluate(() => {
      (window as unknown as { marker: string }).marker = 'same page';
    });
    inspector = await e.openAs('insp', '#/inspector', {
      viewport: phone,
      contextOptions: { geolocation: gps, permissions: ['geolocation'] },
    });
    await inspector.waitForSelector('[data-testid=inspector]');
    await expect
      .poll(() => inspector.textContent('[data-testid=report-place]'), { timeout: 15_000 })
      .toContain('310101002001002');
    await inspector.setInputFiles('[data-testid=photo-input]', {
      name: 'scene.png',
      mimeType: 'image/png',
      buffer: photo,
    });
    await inspector.click('[data-testid=category-list] [data-code="06010"]');
    await inspector.fill('#insp-description', '人民广场东侧绿地旁有暴露垃圾堆放');
    await inspector
      .waitForSelector('[data-testid=report-map][data-idle=true]', { timeout: 20_000 })
      .catch(() => undefined);
    await shot(inspector, 'loop-inspector-report-360.png');
    await inspector.click('[data-testid=report-submit]');
    const state = inspector.locator('[data-testid=last-report] [data-testid=item-state]');
    await expect.poll(() => state.getAttribute('data-state'), { timeout: 15_000 }).toBe('sent');
    const sentAt = Date.now();
    const number = (await inspector.textContent('[data-testid=last-report] [data-testid=item-number]')) ?? '';
    const mine = await call<{ items: CaseBody[] }>('insp', 'GET', '/api/v1/cases?reporter=me&pageSize=10');
    const reported = mine.items.find((c) => c.number === number);
    if (!reported) throw new Error(`the inspector's report ${number} is not on the server`);
    main = reported;
    await operator.waitForSelector(`[data-testid=queue-item][data-id="${main.id}"]`, { timeout: 5000 });
    console.log(
      `inspector report → in the operator queue: ≤ ${Date.now() - sentAt} ms after the app said sent`,
    );
    expect(await operator.evaluate(() => (window as unknown as { marker?: string }).marker)).toBe(
      'same page',
    );
  }, 120_000);

  it('a citizen reports the same problem; it reaches the queue within a second', async () => {
    const res = await fetch(`${baseUrl}/api/v1/public/reports`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        category: '06010',
        description: '人民大道绿地垃圾未清运',
        location: { lng: square.lng + 0.0004, lat: square.lat + 0.0003 },
      }),
    });
    expect(res.status).toBe(201);
    const started = Date.now();
    const receipt = (await res.json()) as { number: string };
    const item = operator.locator('[data-testid=queue-item]', { hasText: receipt.number });
    await item.waitFor({ timeout: 1000 });
    console.log(`citizen report → in the operator queue: ${Date.now() - started} ms`);
    const id = Number(await item.getAttribute('data-id'));
    duplicate = await call<CaseBody>('op', 'GET', `/api/v1/cases/${id}`);
    expect(duplicate.number).toBe(receipt.number);
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

  it('inspector checks from the phone app; the shift lead closes from the case detail', async () => {
    await inspector.click('[data-tab=tasks]');
    const task = inspector.locator(`[data-testid=check-tasks] [data-case="${main.number}"]`);
    await task.waitFor({ timeout: 15_000 });
    await task.locator('[data-testid=task-open]').click();
    await task.locator('[data-testid=act-yes]').click();
    await task.locator('[data-testid=act-photo]').setInputFiles({
      name: 'checked.png',
      mimeType: 'image/png',
      buffer: photo,
    });
    await task.scrollIntoViewIfNeeded();
    await shot(inspector, 'loop-inspector-check-360.png');
    await task.locator('[data-testid=act-submit]').click();
    await inspector.waitForSelector('[data-testid=sync-state][data-waiting="0"]', { timeout: 20_000 });
    await expect
      .poll(async () => (await call<CaseBody>('op', 'GET', `/api/v1/cases/${main.id}`)).status, {
        timeout: 15_000,
      })
      .toBe('checked');

    const lead = await openAs('lead', `#/cases/${main.id}`);
    await lead.waitForSelector('[data-testid=case-detail][data-status=checked]');
    expect(await lead.getByTestId('next-actors').textContent()).toContain('受理员');
    await lead.getByTestId('case-detail').locator('[data-action=close]').click();
    await lead.getByTestId('action-form').waitFor();
    await settleMaps(lead);
    await shot(lead, 'case-detail-1366.png');
    await lead.getByTestId('action-submit').click();
    await lead.waitForSelector('[data-testid=case-detail][data-status=closed]');
    // A toast confirms the action, with the case number.
    const toast = lead.locator('[data-sonner-toast]').filter({ hasText: main.number });
    await toast.first().waitFor();
    expect(await toast.first().textContent()).toContain('成功');
    await shot(lead, 'case-closed-toast-1366.png');
    const timeline = (await lead.getByTestId('timeline').textContent()) ?? '';
    for (const step of ['上报', '立案', '派遣', '签收', '处置反馈', '核查', '结案'])
      expect(timeline).toContain(step);
    expect(timeline).toContain('赵磊');
    await lead.setViewportSize({ width: 360, height: 740 });
    await settleMaps(lead);
    await shot(lead, 'case-detail-360.png');
    await lead.getByTestId('timeline').scrollIntoViewIfNeeded();
    await shot(lead, 'case-detail-360-timeline.png');
    // The inspector's phone shows the case among their reports, closed.
    await inspector.reload();
    await inspector.click('[data-tab=tasks]');
    await inspector.waitForSelector(`[data-testid=my-reports] [data-testid=my-report]`);
    await shot(inspector, 'loop-inspector-after-360.png');
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it('fits a phone: each workbench at 360×740, no sideways scrolling', async () => {
    for (const [user, hash, name] of [
      ['op', '#/intake', 'intake'],
      ['disp', '#/dispatch', 'dispatch'],
      ['lhsr', '#/handling', 'handling'],
    ] as const) {
      const page = await e.openAs(user, hash, { viewport: phone });
      await page
        .waitForSelector('[data-testid=queue-item], [data-testid=queue-empty]', { timeout: 15_000 })
        .catch(() => undefined);
      await settleMaps(page);
      await shot(page, `${name}-360.png`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `${name} scrolls sideways on a phone`).toBeLessThanOrEqual(1);
    }
    expect(pageErrors).toEqual([]);
  });
});
