/**
 * A first day at the centre, in the browser, with the README's accounts only (issue 18): a citizen
 * reports 暴露垃圾 at 人民广场 from a phone; `operator` sends the README `inspector` (picked by name)
 * to verify; the inspector confirms from the phone app; `operator` files, `dispatcher` dispatches
 * to the matrix's department — `handler`'s — which accepts and handles it with an after-photo; the
 * inspector checks; `operator` closes; the citizen follows the report to its result and the
 * after-photo. Every step shows a toast, and no screen shows a Latin word outside the allow-list.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../packages/server/src/seed/demo.ts';
import { makeDepartmentHandlers, makeMatrix } from '../packages/server/src/seed/loop.factory.ts';
import { square } from '../packages/server/src/seed/loop-city.factory.ts';
import { hasSharedData, sharedDataDir, testEngine } from '../packages/server/test/db-harness.ts';
import { type E2e, startE2e } from './harness.ts';
import { latinWords } from './latin.ts';

const password = 'onegrid-demo';
const phone = { width: 390, height: 844 } as const;
const gps = { latitude: square.lat + 0.0002, longitude: square.lng + 0.0002 };

describe(`a first day with the README accounts, in the browser (${testEngine})`, () => {
  let e: E2e;
  let photo: Buffer;
  let number = '';
  let key = '';
  let id = 0;
  let inspector: Page;
  let operator: Page;
  const leftovers: string[] = [];

  /**
   * Toasts live 3.5 s; on a loaded machine a check may come later. Every page records each toast
   * it shows (a MutationObserver installed before the app loads), and a step clears the record
   * before it acts.
   */
  async function recordToasts(page: Page) {
    const install = () => {
      const w = window as unknown as { toasts?: string[] };
      if (w.toasts) return;
      const seen: string[] = [];
      w.toasts = seen;
      new MutationObserver(() => {
        for (const el of document.querySelectorAll('[data-sonner-toast]')) {
          const text = el.textContent ?? '';
          if (text && !seen.includes(text)) seen.push(text);
        }
      }).observe(document, { childList: true, subtree: true, characterData: true });
    };
    await page.addInitScript(install);
    await page.evaluate(install);
  }
  const clearToasts = (page: Page) =>
    page.evaluate(() => {
      const w = window as unknown as { toasts?: string[] };
      if (w.toasts) w.toasts.length = 0;
    });

  /** The toast of this case's step, then the Latin check of the screen. */
  async function confirmed(page: Page, where: string) {
    await expect
      .poll(
        () =>
          page.evaluate(
            (n) => ((window as unknown as { toasts?: string[] }).toasts ?? []).some((t) => t.includes(n)),
            number,
          ),
        { timeout: 30_000 },
      )
      .toBe(true);
    leftovers.push(...(await latinWords(page)).map((w) => `${where}: ${w}`));
  }

  async function open(page: Page, hash: string, tab?: string) {
    await page.goto(`${e.baseUrl}/${hash}`);
    if (tab) await page.click(`[data-tab="${tab}"]`);
    const item = page.locator('[data-testid=queue-item]', { hasText: number });
    await item.waitFor({ timeout: 20_000 });
    await item.click();
    await page.waitForSelector('[data-testid=case-detail] [data-testid=actions]');
  }

  async function act(page: Page, action: string, status: string, fill?: () => Promise<void>) {
    await page.getByTestId('case-detail').locator(`[data-action="${action}"]`).click();
    await page.getByTestId('action-form').waitFor();
    if (fill) await fill();
    await clearToasts(page);
    await page.getByTestId('action-submit').click();
    await page.waitForSelector(`[data-testid=case-detail][data-status="${status}"]`, { timeout: 20_000 });
  }

  async function inspectorTask(list: 'verify-tasks' | 'check-tasks') {
    await inspector.reload();
    await inspector.click('[data-tab=tasks]');
    const task = inspector.locator(`[data-testid=${list}] [data-case="${number}"]`);
    await task.waitFor({ timeout: 20_000 });
    // The card says where it is and shows the reporter's photo.
    await task.getByTestId('task-photos').waitFor({ timeout: 15_000 });
    await task.locator('[data-testid=task-open]').click();
    await task.locator('[data-testid=act-yes]').click();
    await clearToasts(inspector);
    await task.locator('[data-testid=act-submit]').click();
    await inspector.waitForSelector('[data-testid=sync-state][data-waiting="0"]', { timeout: 30_000 });
    await confirmed(inspector, `inspector ${list}`);
  }

  const status = async () =>
    (await e.call<{ status: string }>('operator', 'GET', `/api/v1/cases/${id}`)).status;

  beforeAll(async () => {
    e = await startE2e(async (db) => {
      await seedDemo(db, {
        sharedDataDir: hasSharedData ? sharedDataDir : undefined,
        streets: ['310101002'],
        componentDensity: 0.02,
      });
      await makeMatrix(db, '310101');
      await makeDepartmentHandlers(db, '310101');
    });
    for (const u of ['operator', 'handler']) await e.login(u, password);
    const scratch = await e.browser.newPage();
    const dataUrl = await scratch.evaluate(() => {
      const c = document.createElement('canvas');
      c.width = 160;
      c.height = 120;
      const g = c.getContext('2d');
      if (!g) return '';
      g.fillStyle = '#7aa37a';
      g.fillRect(0, 0, 160, 120);
      g.fillStyle = '#5b4636';
      g.fillRect(50, 50, 60, 40);
      return c.toDataURL('image/png');
    });
    await scratch.close();
    photo = Buffer.from(dataUrl.split(',')[1] ?? '', 'base64');
  }, 600_000);
  afterAll(async () => e?.close());

  it('a citizen reports 暴露垃圾 at 人民广场 from a phone and gets a number with a toast', async () => {
    const page = await e.open('/#/report', { viewport: phone, label: 'citizen' });
    await recordToasts(page);
    await page.reload();
    await page.getByTestId('report-form').waitFor();
    await page
      .getByTestId('photo-input')
      .setInputFiles({ name: 'litter.png', mimeType: 'image/png', buffer: photo });
    await expect.poll(() => page.getByTestId('photo').count(), { timeout: 30_000 }).toBe(1);
    // The map opens on 人民广场: a tap in its middle puts the pin there.
    await page.waitForSelector('[data-testid=pin-map][data-idle=true]', { timeout: 60_000 });
    const map = page.getByTestId('pin-map');
    await map.scrollIntoViewIfNeeded();
    const box = await map.boundingBox();
    if (!box) throw new Error('no map');
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page.getByTestId('category-search').fill('垃圾');
    await page.locator('[data-testid=category-option][data-code="06010"]').click();
    await page.getByTestId('description').fill('人民广场旁绿地有一堆暴露垃圾');
    await page.getByTestId('report-submit').click();
    await page.getByTestId('receipt').waitFor();
    number = (await page.getByTestId('receipt-number').textContent()) ?? '';
    key = (await page.getByTestId('receipt-key').textContent()) ?? '';
    await confirmed(page, 'citizen receipt');
    const found = await e.call<{ items: { id: number }[] }>(
      'operator',
      'GET',
      `/api/v1/cases?q=${encodeURIComponent(number)}`,
    );
    id = found.items[0]?.id ?? 0;
    expect(id).toBeGreaterThan(0);
  }, 180_000);

  it('operator sends the README inspector, picked by name, to verify', async () => {
    operator = await e.openAs('operator', '#/intake', { password });
    await recordToasts(operator);
    await open(operator, '#/intake');
    await act(operator, 'verify-report', 'verifying', async () => {
      const select = operator.getByTestId('inspector-select');
      const label = await select.locator('option', { hasText: '陈静' }).first().textContent();
      expect(label).toBeTruthy();
      await select.selectOption({ label: label ?? '' });
    });
    await confirmed(operator, 'operator verify-report');
  }, 120_000);

  it('the inspector confirms it from the phone app', async () => {
    inspector = await e.openAs('inspector', '#/inspector', {
      password,
      viewport: phone,
      contextOptions: { geolocation: gps, permissions: ['geolocation'] },
    });
    await recordToasts(inspector);
    await inspector.waitForSelector('[data-testid=inspector]');
    await inspectorTask('verify-tasks');
    await expect.poll(status, { timeout: 20_000 }).not.toBe('verifying');
  }, 120_000);

  it('operator files, dispatcher dispatches to the handler’s department', async () => {
    await open(operator, '#/intake');
    await act(operator, 'accept', 'filed');
    await confirmed(operator, 'operator accept');
    const page = await e.openAs('dispatcher', '#/dispatch', { password });
    await recordToasts(page);
    await open(page, '#/dispatch');
    await act(page, 'dispatch', 'dispatched');
    await confirmed(page, 'dispatcher dispatch');
    const me = await e.call<{ departmentCode: string }>('handler', 'GET', '/api/v1/auth/me');
    const c = await e.call<{ departmentCode: string }>('operator', 'GET', `/api/v1/cases/${id}`);
    expect(c.departmentCode).toBe(me.departmentCode);
  }, 120_000);

  it('handler accepts and handles it with an after-photo', async () => {
    const page = await e.openAs('handler', '#/handling', { password });
    await recordToasts(page);
    await open(page, '#/handling');
    await act(page, 'accept-task', 'handling');
    await confirmed(page, 'handler accept-task');
    await act(page, 'handle', 'handled', async () => {
      await page
        .getByTestId('photo-input')
        .setInputFiles({ name: 'after.png', mimeType: 'image/png', buffer: photo });
      await page.waitForFunction(
        () => document.querySelector('[data-testid=photo-count]')?.textContent === '已上传 1 张',
      );
      await page.getByLabel('备注').fill('已清运，现场恢复整洁');
    });
    await confirmed(page, 'handler handle');
  }, 120_000);

  it('the inspector checks it; operator closes it', async () => {
    await inspectorTask('check-tasks');
    await expect.poll(status, { timeout: 20_000 }).toBe('checked');
    await open(operator, '#/intake', 'to-close');
    await act(operator, 'close', 'closed');
    await confirmed(operator, 'operator close');
  }, 120_000);

  it('the citizen follows it to the result and the after-photo; no Latin leftovers anywhere', async () => {
    const page = await e.open(`/#/track/${encodeURIComponent(number)}?key=${encodeURIComponent(key)}`, {
      viewport: phone,
      label: 'citizen',
    });
    await page.getByTestId('track-result').waitFor();
    expect(await page.getByTestId('track-status').textContent()).toContain('结案');
    expect(await page.getByTestId('track-outcome-note').textContent()).toBe('已清运，现场恢复整洁');
    const img = page.getByTestId('track-outcome-photo').first();
    await expect
      .poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth), { timeout: 30_000 })
      .toBe(160);
    await e.shot(page, 'first-day-track-phone.png');
    leftovers.push(...(await latinWords(page)).map((w) => `citizen track: ${w}`));
    expect(leftovers).toEqual([]);
    expect(e.pageErrors).toEqual([]);
  }, 120_000);
});
