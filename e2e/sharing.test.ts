/**
 * Sharing in the browser: the security administrator issues a service account on 服务账号 (the
 * secret shown once, and it takes a token), and the 数据目录 tab lists the datasets with their
 * fields' classes. Screenshots (1440×900 and 390×844, 中文) go to docs/screens/.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureUser, makeLoopCity } from '../packages/server/src/seed/loop-city.factory.ts';
import { testEngine } from '../packages/server/test/db-harness.ts';
import { type E2e, repoRoot, startE2e } from './harness.ts';

const wide = { width: 1440, height: 900 };
const narrow = { width: 390, height: 844 };
const screens = path.join(repoRoot, 'docs', 'screens');

describe(`sharing screens in the browser (${testEngine})`, () => {
  let e: E2e;
  let sec: Page;

  beforeAll(async () => {
    e = await startE2e(async (db) => {
      await makeLoopCity(db);
      await ensureUser(db, { username: 'sec', role: 'security' });
    });
    sec = await e.openAs('sec', '#/admin/serviceAccounts', { viewport: wide });
  }, 240_000);
  afterAll(async () => {
    await e?.close();
  });

  it('issues a service account, shows the secret once, and the account takes a token', async () => {
    await sec.waitForSelector('[data-tab=serviceAccounts][aria-selected=true]');
    const form = sec.getByTestId('service-account-form');
    await form.locator('input[name=name]').fill('12345 热线系统');
    await form.locator('select').first().selectOption('310101');
    await form.getByLabel('12345 热线').check();
    await form.getByLabel('数据共享 · 案件').check();
    await form.locator('select').nth(1).selectOption('internal');
    await form.getByRole('button', { name: '创建' }).click();
    const shown = sec.getByTestId('service-secret');
    await shown.waitFor();
    const [clientId, clientSecret] = await shown.locator('code').allTextContents();
    expect(clientSecret).toMatch(/^ogs_/);
    await sec.getByTestId('service-accounts').getByText('12345 热线系统').waitFor();
    await sec.screenshot({ path: path.join(screens, 'service-accounts-1440.png') });

    const res = await fetch(`${e.baseUrl}/api/v1/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: clientId ?? '',
        client_secret: clientSecret ?? '',
      }),
    });
    expect(((await res.json()) as { scope: string }).scope).toBe('hotline share:cases');
    // A reload forgets the secret: it was shown once.
    await sec.reload();
    await sec.getByTestId('service-accounts').getByText('12345 热线系统').waitFor();
    expect(await sec.getByTestId('service-secret').count()).toBe(0);
  });

  it('lists the data catalog with each field’s class', async () => {
    await sec.evaluate(() => {
      window.location.hash = '/admin/catalog';
    });
    await sec.waitForSelector('[data-tab=catalog][aria-selected=true]');
    await sec.getByTestId('catalog').getByText('城市部件').waitFor();
    expect(await sec.getByTestId('catalog').locator('tbody tr').count()).toBe(10);
    const detail = sec.getByTestId('dataset');
    await detail.getByText('报告人联系方式').waitFor();
    expect(await detail.locator('.tag--class-sensitive').count()).toBe(2);
    await sec.screenshot({ path: path.join(screens, 'catalog-1440.png') });

    const phonePage = await e.openAs('sec', '#/admin/catalog', { viewport: narrow });
    await phonePage.getByTestId('catalog').getByText('城市部件').waitFor();
    await phonePage.screenshot({ path: path.join(screens, 'catalog-390.png'), fullPage: false });
    await phonePage.evaluate(() => {
      window.location.hash = '/admin/serviceAccounts';
    });
    await phonePage.getByTestId('service-accounts').getByText('12345 热线系统').waitFor();
    await phonePage.screenshot({ path: path.join(screens, 'service-accounts-390.png'), fullPage: false });
    expect(e.pageErrors).toEqual([]);
  });
});
