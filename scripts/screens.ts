/**
 * Screenshots of every screen for every demo account (README), at desktop (1440×900) and phone
 * (390×844) size, in 中文, against a running OneGrid (`npm start`):
 *
 *   node --import tsx scripts/screens.ts [--url http://localhost:8080] [--out docs/screens] [--only leader,inspector] [--format png]
 *
 * Each page also lists the Latin words left on it (outside the e2e allow-list), so a reviewer sees
 * leftovers next to the pictures. Chromium: /usr/bin/chromium or CHROMIUM_PATH.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Page } from 'playwright-core';
import { latinWords } from '../e2e/latin.ts';
import { navFor } from '../packages/web/src/app/nav.ts';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: process.env.ONEGRID_URL ?? 'http://localhost:8080' },
    out: { type: 'string', default: 'docs/screens' },
    only: { type: 'string' },
    password: { type: 'string', default: 'onegrid-demo' },
    /** JPEG keeps the committed set small; png for pixel checks. */
    format: { type: 'string', default: 'jpeg' },
    sizes: { type: 'string', default: 'desktop,phone' },
  },
});
const base = values.url.replace(/\/$/, '');
const out = path.resolve(values.out);
fs.mkdirSync(out, { recursive: true });

const accounts = [
  ['leader', 'leader'],
  ['operator', 'operator'],
  ['dispatcher', 'dispatcher'],
  ['handler', 'handler'],
  ['inspector', 'inspector'],
  ['admin', 'admin'],
  ['security', 'security'],
  ['auditor', 'auditor'],
] as const;
const sizes = [
  ['desktop', { width: 1440, height: 900 }],
  ['phone', { width: 390, height: 844 }],
] as const;
const only = values.only?.split(',');

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
const report: string[] = [];

/** What says a screen has its data. */
const readyOf: Record<string, string> = {
  command: '[data-testid=command][data-ready=true]',
  assessment: '[data-testid=assessment][data-busy=false]',
  map: '[data-testid=map][data-ready=true]',
  intake: '[data-testid=queue-item], [data-testid=queue-empty]',
  dispatch: '[data-testid=queue-item], [data-testid=queue-empty]',
  handling: '[data-testid=queue-item], [data-testid=queue-empty]',
  iot: '[data-testid=alarm-item], [data-testid=alarm-empty]',
  inspector: '[data-testid=inspector]',
};

async function settle(page: Page, ready?: string) {
  if (ready) await page.waitForSelector(ready, { timeout: 90_000 }).catch(() => undefined);
  await page.waitForLoadState('networkidle', { timeout: 20_000 }).catch(() => undefined);
  // Maps and charts draw after their data; there is no single signal for all screens.
  await page.waitForTimeout(2500);
}

async function snap(page: Page, name: string, ready?: string) {
  try {
    await shoot(page, name, ready);
  } catch (e) {
    // One slow screen is no reason to lose the others: say so and go on.
    report.push(`${name}: FAILED ${(e as Error).message.split('\n')[0]}`);
    console.log(`${name}: FAILED`);
  }
}

async function shoot(page: Page, name: string, ready?: string) {
  await settle(page, ready);
  const jpeg = values.format !== 'png';
  await page.screenshot({
    path: path.join(out, `${name}.${jpeg ? 'jpg' : 'png'}`),
    ...(jpeg ? { type: 'jpeg' as const, quality: 60 } : {}),
  });
  const left = await latinWords(page);
  report.push(`${name}: ${left.length ? left.join(' ') : 'ok'}`);
  console.log(`${name}${left.length ? `  Latin: ${left.join(' ')}` : ''}`);
}

for (const [size, viewport] of sizes.filter(([n]) => values.sizes.split(',').includes(n))) {
  // The citizen's pages, no login.
  if (!only || only.includes('public')) {
    const ctx = await browser.newContext({ viewport, locale: 'zh-CN' });
    const page = await ctx.newPage();
    await page.goto(`${base}/#/report`);
    await snap(page, `public-report-${size}`);
    await ctx.close();
  }
  for (const [username, role] of accounts) {
    if (only && !only.includes(username)) continue;
    const ctx = await browser.newContext({ viewport, locale: 'zh-CN' });
    const page = await ctx.newPage();
    await page.goto(`${base}/`);
    page.setDefaultTimeout(120_000);
    await page.getByLabel('用户名').fill(username);
    await page.getByLabel('密码').fill(values.password);
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await page.waitForSelector('[data-testid=current-user], [data-testid=command], .command', {
      timeout: 120_000,
    });
    for (const item of navFor(role)) {
      await page.goto(`${base}/#/${item.id === 'map' ? 'map' : item.id}`);
      await snap(page, `${username}-${item.id}-${size}`, readyOf[item.id]);
      // The inspector app's other tabs: tasks and patrol.
      if (item.id === 'inspector') {
        for (const tab of ['tasks', 'patrol']) {
          await page.click(`[data-tab=${tab}]`);
          await snap(page, `${username}-inspector-${tab}-${size}`);
        }
      }
      // The first case of a queue, opened.
      if (['intake', 'dispatch', 'handling'].includes(item.id)) {
        const first = page.locator('[data-testid=queue-item]').first();
        if (await first.count()) {
          await first.click();
          await page.waitForSelector('[data-testid=case-detail]', { timeout: 15_000 }).catch(() => undefined);
          await snap(page, `${username}-${item.id}-case-${size}`);
        }
      }
    }
    await ctx.close();
  }
}
await browser.close();
fs.writeFileSync(path.join(out, 'latin.txt'), `${report.join('\n')}\n`);
