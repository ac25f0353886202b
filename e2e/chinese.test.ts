/**
 * No English left in the Chinese UI: the case screens of every desk, walked in 中文 with a case on
 * each, fail on a Latin word outside an allow-list (the product's name, codes, units, numbers).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeLoopCity, square } from '../packages/server/test/case-fixture.ts';
import { type E2e, startE2e } from './harness.ts';
import { latinWords } from './latin.ts';

const latinLeftovers = latinWords;

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
    // A smoke detector named and numbered as the demo's, and its alarm (a flag reading: 是, not true).
    await e.login('root');
    await e.call('root', 'POST', '/api/v1/devices', {
      id: 'demo-smoke-03',
      typeId: 'smoke',
      name: '烟感探测器 03 号（演示）',
      location: { lng: square.lng + 0.0003, lat: square.lat + 0.0001 },
    });
    await e.call('root', 'POST', '/api/v1/telemetry', {
      readings: [{ deviceId: 'demo-smoke-03', ts: new Date().toISOString(), values: { smoke: true } }],
    });
  }, 600_000);
  afterAll(async () => e?.close());

  const phone = { width: 390, height: 844 } as const;
  // The other screens: IoT (an alarm and a device opened), the command screen, the map, the
  // assessment, and the inspector's app on a phone (report, tasks, patrol).
  for (const [user, hash, ready, viewport] of [
    ['op', '#/iot', '[data-testid=alarm-item]', undefined],
    ['boss', '#/command', '[data-testid=command][data-ready=true]', undefined],
    ['op', '#/map', '[data-testid=map][data-ready=true]', undefined],
    ['boss', '#/assessment', '[data-testid=assessment][data-busy=false]', undefined],
    ['insp', '#/inspector', '[data-testid=inspector]', phone],
    ['lhsr', '#/handling', '.workbench', phone],
  ] as const) {
    it(`${user} ${hash}${viewport ? ' (phone)' : ''}: no Latin words outside the allow-list`, async () => {
      const page = await e.openAs(user, hash, {
        ...(viewport ? { viewport } : {}),
        signedIn: '[data-testid=current-user], [data-testid=command]',
      });
      await page.waitForSelector(ready, { timeout: 90_000 });
      const seen: string[] = [...(await latinLeftovers(page))];
      if (hash === '#/iot') {
        // Wait until the smoke alarm is listed (the rule runs after the reading is stored).
        for (let i = 0; i < 50 && !(await page.locator('[data-testid=alarm-item]').count()); i += 1)
          await page.reload().then(() => page.waitForSelector('[data-testid=iot]'));
        await page.locator('[data-testid=alarm-item]').first().click();
        await page.waitForSelector('[data-testid=alarm-reason]');
        expect(await page.getByTestId('alarm-reason').innerText()).toContain('烟雾为是');
        seen.push(...(await latinLeftovers(page)));
        await page.click('[data-tab=devices]');
        await page.locator('[data-testid=device-item]').first().click();
        await page.waitForSelector('[data-testid=device-detail] .iot-panel');
        seen.push(...(await latinLeftovers(page)));
      }
      if (hash === '#/inspector') {
        for (const tab of ['tasks', 'patrol'] as const) {
          await page.click(`[data-tab=${tab}]`);
          await page.waitForSelector(`[data-tab=${tab}][aria-selected=true]`);
          seen.push(...(await latinLeftovers(page)));
        }
      }
      expect([...new Set(seen)]).toEqual([]);
      await page.context().close();
    });
  }

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
