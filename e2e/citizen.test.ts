/**
 * The citizen pages in the browser, without an account: a report from a phone (photo, pin on the
 * map, category found by search with its confusable-pair hint, contact), checked against the
 * server's own schema first; then following it by number, at `#/track/…` and at the receipt's
 * `/track/…` address, where the contact never appears. Screenshots at 360×740 and 1366×768.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeLoopCity } from '../packages/server/src/seed/loop-city.factory.ts';
import { testEngine } from '../packages/server/test/db-harness.ts';
import { desktop, type E2e, phone, startE2e } from './harness.ts';

/** A real 64×48 PNG, drawn by the browser (the server sniffs photos by their bytes). */
async function drawPng(page: Page): Promise<Buffer> {
  const dataUrl = await page.evaluate(() => {
    const c = document.createElement('canvas');
    c.width = 64;
    c.height = 48;
    const g = c.getContext('2d');
    if (!g) return '';
    g.fillStyle = '#7aa37a';
    g.fillRect(0, 0, 64, 48);
    g.fillStyle = '#5b4636';
    g.fillRect(20, 20, 24, 18);
    return c.toDataURL('image/png');
  });
  return Buffer.from(dataUrl.split(',')[1] ?? '', 'base64');
}

describe(`citizen pages: report and follow without an account (${testEngine})`, () => {
  let e: E2e;
  let number = '';
  let key = '';
  const phoneNumber = '13800138000';

  beforeAll(async () => {
    e = await startE2e(makeLoopCity);
  }, 180_000);
  afterAll(async () => {
    await e?.close();
  });

  it('reports from a phone: validation in Chinese, then photo, pin, category with hints, contact', async () => {
    const page = await e.open('/#/report', { viewport: phone, label: 'citizen' });
    await page.getByTestId('report-form').waitFor();
    await e.shot(page, 'citizen-report-phone.png');

    // Nothing filled in: the server's schema, checked in the browser, says what is missing.
    await page.getByTestId('report-submit').click();
    await expect
      .poll(() => page.getByRole('alert').allTextContents())
      .toEqual(expect.arrayContaining(['请在地图上标出位置或填写地址', '请选择问题类型', '必填']));
    await e.shot(page, 'citizen-report-errors-phone.png');

    await page.getByTestId('photo-input').setInputFiles({
      name: 'litter.png',
      mimeType: 'image/png',
      buffer: await drawPng(page),
    });
    await expect.poll(() => page.getByTestId('photo').count()).toBe(1);

    // The map opens on the city centre (People's Square): a tap there puts the pin.
    const map = page.getByTestId('pin-map');
    await page.waitForSelector('[data-testid=pin-map][data-idle=true]', { timeout: 60_000 });
    await map.scrollIntoViewIfNeeded();
    const box = await map.boundingBox();
    if (!box) throw new Error('no map');
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await expect.poll(() => page.getByTestId('pin-text').textContent()).toMatch(/^31\.2\d+, 121\.4\d+$/);

    await page.getByTestId('category-search').fill('垃圾');
    await page.locator('[data-testid=category-option][data-code="06010"]').click();
    await expect(page.getByTestId('chosen-category').textContent()).resolves.toContain('暴露垃圾');

    await page.getByTestId('description').fill('路口有一堆装修垃圾');
    await page.getByTestId('phone').fill('call me');
    await page.getByTestId('report-submit').click();
    await expect.poll(() => page.getByRole('alert').allTextContents()).toContain('请填写正确的电话号码');
    await page.getByTestId('phone').fill(phoneNumber);
    await e.shot(page, 'citizen-report-filled-phone.png');
    await page.getByTestId('report-submit').click();

    await page.getByTestId('receipt').waitFor();
    number = (await page.getByTestId('receipt-number').textContent()) ?? '';
    expect(number).toMatch(/^[A-Za-z0-9-]+$/);
    key = (await page.getByTestId('receipt-key').textContent()) ?? '';
    expect(key).toMatch(/^[0-9A-Z]{8}$/);
    await e.shot(page, 'citizen-receipt-phone.png');

    // On the server: one public report with its photo and the contact kept for the staff.
    const list = await e.call<{ items: { id: number; number: string; source: string }[] }>(
      'op',
      'GET',
      '/api/v1/cases?source=public',
    );
    const filed = list.items.filter((c) => c.number === number);
    expect(filed).toHaveLength(1);
    expect(filed[0]?.source).toBe('public');
    const detail = await e.call<{ photos?: unknown[]; reporter?: unknown }>(
      'op',
      'GET',
      `/api/v1/cases/${filed[0]?.id}`,
    );
    expect(JSON.stringify(detail)).toContain('路口有一堆装修垃圾');

    // The draft is gone after sending: a reload shows an empty form.
    await page.reload();
    await page.getByTestId('report-form').waitFor();
    expect(await page.getByTestId('description').inputValue()).toBe('');
  });

  it('follows the report by number and key, with no contact details on the page', async () => {
    const page = await e.open(`/#/track/${encodeURIComponent(number)}?key=${key}`, {
      viewport: phone,
      label: 'citizen',
    });
    await page.getByTestId('track-result').waitFor();
    const text = (await page.getByTestId('track-page').textContent()) ?? '';
    expect(text).toContain(number);
    expect(text).toContain('暴露垃圾');
    expect(text).toContain('黄浦区');
    expect(text).not.toContain(phoneNumber);
    expect(text).not.toContain('装修垃圾');
    expect(await page.getByTestId('track-timeline').locator('li').count()).toBeGreaterThan(0);
    await e.shot(page, 'citizen-track-phone.png');

    // The receipt's address (/track/{number}?key=…) is served by the server as the same page.
    const byPath = await e.open(`/track/${encodeURIComponent(number)}?key=${key}`, {
      viewport: desktop,
      label: 'citizen',
    });
    await byPath.getByTestId('track-result').waitFor();
    expect(await byPath.getByTestId('track-status').textContent()).toBeTruthy();
    await e.shot(byPath, 'citizen-track-desktop.png');

    // The number with a wrong key finds nothing, and says so as for an unknown number.
    await byPath.getByTestId('track-key').fill('WRONGKEY');
    await byPath.getByTestId('track-input').press('Enter');
    await expect.poll(() => byPath.getByTestId('track-problem').textContent()).toContain('未找到该编号');
    await byPath.getByTestId('track-input').fill('E0000000000000000000');
    await byPath.getByTestId('track-input').press('Enter');
    await expect.poll(() => byPath.getByTestId('track-problem').textContent()).toContain('未找到该编号');
  });

  it('reads in English and links from the staff login page', async () => {
    const page = await e.open('/', { viewport: desktop, label: 'citizen' });
    await page.getByTestId('citizen-link').click();
    await page.getByTestId('report-form').waitFor();
    await page.getByTestId('lang-switch').click();
    await expect
      .poll(() => page.getByTestId('report-form').textContent())
      .toContain('Report a problem in the city');
    await page
      .waitForSelector('[data-testid=pin-map][data-idle=true]', { timeout: 60_000 })
      .catch(() => undefined);
    await e.shot(page, 'citizen-report-desktop-en.png');
    expect(e.pageErrors).toEqual([]);
  });
});
