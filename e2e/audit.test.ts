/**
 * The auditor's screen in the browser: an auditor lands on 审计日志 and sees the sign-ins and a
 * configuration change made by the administrator, filters by actor and action group, exports CSV
 * (and finds the export itself in the log); no other role sees the screen. Screenshots at
 * 1366×768 and 360×740 go to e2e/screenshots/audit-*.png.
 */
import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureUser, makeLoopCity } from '../packages/server/src/seed/loop-city.factory.ts';
import { testEngine } from '../packages/server/test/db-harness.ts';
import { type E2e, phone, startE2e } from './harness.ts';

describe(`auditor's screen in the browser (${testEngine})`, () => {
  let e: E2e;
  let page: Page;
  beforeAll(async () => {
    e = await startE2e(async (db) => {
      await makeLoopCity(db);
      await ensureUser(db, { username: 'aud', role: 'auditor' });
    });
    // Something worth reading: a failed sign-in and a configuration change by the administrator.
    await fetch(`${e.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'root', password: 'not-it' }),
    });
    await e.call('root', 'PATCH', '/api/v1/settings/loop', { autoDispatchCategories: ['01'] });
    page = await e.openAs('aud');
  }, 240_000);
  afterAll(async () => {
    await e?.close();
  });

  it('opens on the audit log with the newest entries first', async () => {
    await page.getByTestId('audit-page').waitFor();
    await page.locator('[data-testid=audit-row]').first().waitFor();
    const actions = await page
      .locator('[data-testid=audit-row]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')));
    expect(actions[0]).toBe('auth.login'); // the auditor's own sign-in
    expect(actions).toEqual(expect.arrayContaining(['config.loop-settings', 'auth.login-failed']));
    // 审计管理员 reads the audit log and nothing else: no map, no case screens.
    expect(
      await page.locator('[data-nav]').evaluateAll((n) => n.map((x) => x.getAttribute('data-nav'))),
    ).toEqual(['audit']);
    expect(await page.getByTestId('audit-page').textContent()).toContain('审计日志');
    await e.shot(page, 'audit-1366.png');
  });

  it('filters by actor and by action group', async () => {
    await page.getByTestId('audit-actor').fill('root');
    await page.getByTestId('audit-action').selectOption('config');
    await page.getByTestId('audit-search').click();
    await expect
      .poll(async () =>
        page
          .locator('[data-testid=audit-row]')
          .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action'))),
      )
      .toEqual(['config.loop-settings']);
    const row = (await page.locator('[data-testid=audit-row]').first().textContent()) ?? '';
    expect(row).toContain('root');
    expect(row).toContain('autoDispatchCategories');
    expect(row).toContain('配置变更');
  });

  it('exports CSV, and the export is in the log', async () => {
    const download = page.waitForEvent('download');
    await page.getByTestId('audit-export').click();
    const file = await (await download).path();
    const csv = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
    expect(csv.split('\n')[0]).toBe('seq,at,actor,action,object,ip,details,prevHash,hash');
    expect(csv).toContain('config.loop-settings');
    await page.getByTestId('audit-note').waitFor();
    const log = await e.call<{ items: { action: string; actor: string }[] }>(
      'aud',
      'GET',
      '/api/v1/audit?action=export',
    );
    expect(log.items[0]).toMatchObject({ action: 'export.audit', actor: 'aud' });
  });

  it('reads on a phone', async () => {
    const small = await e.openAs('aud', '#/audit', { viewport: phone });
    await small.locator('[data-testid=audit-row]').first().waitFor();
    await e.shot(small, 'audit-360.png');
    const overflow = await small.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  });

  it('is not there for other roles', async () => {
    const op = await e.openAs('op', '#/audit');
    await op.locator('[data-nav]').first().waitFor();
    expect(await op.locator('[data-nav=audit]').count()).toBe(0);
    expect(await op.getByTestId('audit-page').count()).toBe(0);
    expect(e.pageErrors).toEqual([]);
  });
});
