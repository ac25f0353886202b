/**
 * No English left in the Chinese UI: the case screens of every desk, walked in 中文 with a case on
 * each, fail on a Latin word outside an allow-list (the product's name, codes, units, numbers).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeLoopCity, square } from '../packages/server/test/case-fixture.ts';
import { type E2e, startE2e } from './harness.ts';

/** Latin words a Chinese screen may show: names, standards, units, abbreviations everyone reads. */
const allowed = new Set([
  'OneGrid',
  'English',
  'AQI',
  'PM',
  'PM2.5',
  'PM10',
  'mm',
  'cm',
  'km',
  'm',
  'kg',
  'h',
  'min',
  's',
  'GB',
  'T',
  'ID',
  'A',
  'B',
  'C',
  'Open311',
  'GPS',
  'IoT',
  'SSE',
  'MQTT',
  'API',
]);

/** Latin words in the visible text of `page`, minus case numbers, codes and the allow-list. */
async function latinLeftovers(page: Page): Promise<string[]> {
  const text = await page.evaluate(() => document.body.innerText);
  const words = text
    .replace(/\b[A-Z]\d{6,}\b/g, ' ') // case numbers E0601…
    .replace(/\b[\w.-]+@[\w.-]+\b/g, ' ')
    .match(/[A-Za-z][A-Za-z0-9.-]*/g);
  return [...new Set((words ?? []).filter((w) => !allowed.has(w)))];
}

describe('the Chinese UI reads in Chinese', () => {
  let e: E2e;
  beforeAll(async () => {
    e = await startE2e(async (db) => {
      await makeLoopCity(db);
      await db.query(
        `UPDATE users SET display_name = CASE username WHEN 'op' THEN '王敏' WHEN 'disp' THEN '李强'
           WHEN 'lhsr' THEN '张伟' WHEN 'insp' THEN '陈静' ELSE '周主任' END`,
      );
    });
    await e.login('op');
    await e.login('insp');
    const c = await e.call<{ id: number; version: number }>('insp', 'POST', '/api/v1/cases', {
      category: '06010',
      description: '人民广场东侧暴露垃圾',
      location: square,
    });
    await e.call('op', 'POST', `/api/v1/cases/${c.id}/accept`, { version: c.version });
    // A second one stays in the operator's queue.
    await e.call('insp', 'POST', '/api/v1/cases', {
      category: '06010',
      description: '人民广场西侧暴露垃圾',
      location: { lng: square.lng - 0.0004, lat: square.lat + 0.0003 },
    });
  }, 120_000);
  afterAll(async () => e?.close());

  for (const [user, hash] of [
    ['op', '#/intake'],
    ['disp', '#/dispatch'],
    ['op', '#/cases/1'],
    ['disp', '#/cases/1'],
  ] as const) {
    it(`${user} ${hash}: no Latin words outside the allow-list`, async () => {
      const page = await e.openAs(user, hash);
      await page.waitForSelector('[data-testid=case-detail], [data-testid=queue-item], .workbench', {
        timeout: 15_000,
      });
      if (hash.includes('intake') || hash.includes('dispatch')) {
        await page.locator('[data-testid=queue-item]').first().click();
        await page.waitForSelector('[data-testid=case-detail] [data-testid=actions]');
      }
      await page.waitForSelector('[data-testid=case-detail]');
      expect(await latinLeftovers(page)).toEqual([]);
      await page.context().close();
    });
  }
});
