/**
 * 物联感知 in the browser: a standing-water sensor reports over HTTP for an hour and a half, the
 * rules raise alarms that file a case; the operator sees the alarms with the reading chart and the
 * linked case, a new alarm arrives live without a reload, and acknowledging it in the page is
 * recorded on the server. The devices tab lists the sensors with their readings. Screenshots at
 * 1366×768 and 360×740 go to e2e/screenshots/iot-*.png.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeLoopCity, square } from '../packages/server/src/seed/loop-city.factory.ts';
import { testEngine } from '../packages/server/test/db-harness.ts';
import { type E2e, phone, startE2e } from './harness.ts';

interface Alarm {
  id: number;
  deviceId: string;
  severity: string;
  acknowledged: boolean;
  caseId: number | null;
  caseNumber: string | null;
}

describe(`IoT screen: alarms and devices in the browser (${testEngine})`, () => {
  let e: E2e;
  let page: Page;

  async function addDevice(id: string, name: string, dx: number) {
    await e.call('root', 'POST', '/api/v1/devices', {
      id,
      typeId: 'water-depth',
      name,
      location: { lng: square.lng + dx, lat: square.lat + 0.0002 },
    });
  }

  async function send(readings: { deviceId: string; ts: string; values: Record<string, number> }[]) {
    const r = await e.call<{ accepted: number; rejected: number }>('root', 'POST', '/api/v1/telemetry', {
      readings,
    });
    expect(r.rejected).toBe(0);
  }

  const alarmsOf = async (deviceId: string) =>
    (await e.call<{ items: Alarm[] }>('op', 'GET', `/api/v1/alarms?device=${deviceId}`)).items;

  beforeAll(async () => {
    e = await startE2e(makeLoopCity);
    await addDevice('w-rmgc-1', '人民广场下立交积水', 0.0002);
    await addDevice('w-rmgc-2', '西藏中路下立交积水', -0.0006);
    // Ninety minutes of a rain storm, one reading a minute: the water rises past 15 cm for more
    // than five minutes, then past 27 cm.
    const now = Date.now();
    const readings = [];
    for (let m = 90; m >= 1; m -= 1) {
      const depth = m > 60 ? 2 + (90 - m) * 0.1 : Math.min(34, 5 + (60 - m) * 0.5);
      readings.push({
        deviceId: 'w-rmgc-1',
        ts: new Date(now - m * 60_000).toISOString(),
        values: { depth: Math.round(depth * 10) / 10 },
      });
      readings.push({
        deviceId: 'w-rmgc-2',
        ts: new Date(now - m * 60_000).toISOString(),
        values: { depth: 3 + (m % 7) * 0.3 },
      });
    }
    await send(readings);
    for (let i = 0; i < 100 && (await alarmsOf('w-rmgc-1')).length === 0; i += 1)
      await new Promise((r) => setTimeout(r, 100));
  }, 240_000);

  afterAll(async () => {
    await e?.close();
  });

  it('lists the active alarms with their severity, live', async () => {
    page = await e.openAs('op', '#/iot');
    await page.waitForSelector('[data-testid=iot] [data-testid=live][data-live=true]');
    const items = page.getByTestId('alarm-item');
    await items.first().waitFor();
    const mine = await alarmsOf('w-rmgc-1');
    for (const a of mine) await page.locator(`[data-testid=alarm-item][data-id="${a.id}"]`).waitFor();
    expect(await page.getByTestId('iot-counts').textContent()).toMatch(/紧急 [1-9]/);
    await page.evaluate(() => {
      (window as unknown as { marker: string }).marker = 'same page';
    });

    // A second underpass floods now: its alarm shows without a reload.
    await send([{ deviceId: 'w-rmgc-2', ts: new Date().toISOString(), values: { depth: 38 } }]);
    const started = Date.now();
    const [fresh] = await (async () => {
      await expect.poll(async () => (await alarmsOf('w-rmgc-2')).length, { timeout: 5000 }).toBe(1);
      return alarmsOf('w-rmgc-2');
    })();
    await page.locator(`[data-testid=alarm-item][data-id="${fresh?.id}"]`).waitFor({ timeout: 3000 });
    console.log(`new alarm on the IoT screen ≤ ${Date.now() - started} ms after the reading was stored`);
    expect(await page.evaluate(() => (window as unknown as { marker?: string }).marker)).toBe('same page');
  });

  it('shows an alarm with its reason, the readings chart and the case it filed; acknowledges it', async () => {
    const critical = (await alarmsOf('w-rmgc-1')).find((a) => a.severity === 'critical');
    expect(critical).toBeDefined();
    const id = critical?.id ?? 0;
    // The alarm files its case by itself (alarm → case); the page shows the link once it is there.
    await expect
      .poll(async () => (await alarmsOf('w-rmgc-1')).find((a) => a.id === id)?.caseNumber ?? null, {
        timeout: 10_000,
      })
      .not.toBeNull();
    await page.locator(`[data-testid=alarm-item][data-id="${id}"]`).click();
    const detail = page.locator(`[data-testid=alarm-detail][data-id="${id}"]`);
    await detail.waitFor();
    expect(await detail.getByTestId('alarm-reason').textContent()).toMatch(/积水深度/);
    const number = (await alarmsOf('w-rmgc-1')).find((a) => a.id === id)?.caseNumber ?? '';
    await detail.locator(`[data-testid=alarm-case] a:has-text("${number}")`).waitFor({ timeout: 5000 });
    const chart = detail.getByTestId('alarm-chart');
    await chart.and(page.locator('[data-drawn=true]')).waitFor({ timeout: 10_000 });
    expect(Number(await chart.getAttribute('data-points'))).toBeGreaterThan(30);
    await e.shot(page, 'iot-alarm-1366.png');

    await detail.getByTestId('ack').click();
    await detail.getByTestId('ack').waitFor({ state: 'detached' });
    await page.locator(`[data-testid=alarm-item][data-id="${id}"][data-state=acked]`).waitFor();
    const after = (await alarmsOf('w-rmgc-1')).find((a) => a.id === id);
    expect(after?.acknowledged).toBe(true);
    await expect(detail.getByTestId('alarm-events').textContent()).resolves.toContain('确认');

    // The case link opens the case detail.
    await detail.locator('[data-testid=alarm-case] a').click();
    await page.waitForSelector(`[data-testid=case-detail]`);
    expect(await page.textContent('[data-testid=case-detail]')).toContain(number);
    await page.goBack();
    await page.waitForSelector('[data-testid=iot]');
  });

  it('lists the devices and draws a device’s readings', async () => {
    await page.click('[data-tab=devices]');
    await page.locator('[data-testid=device-item][data-id="w-rmgc-1"]').click();
    const chart = page.locator('[data-testid=device-detail] [data-testid=device-chart-depth]');
    await chart.and(page.locator('[data-drawn=true]')).waitFor({ timeout: 10_000 });
    expect(Number(await chart.getAttribute('data-points'))).toBeGreaterThan(30);
    expect(await page.locator('[data-testid=device-item]').count()).toBe(2);
    await e.shot(page, 'iot-devices-1366.png');
    expect(e.pageErrors).toEqual([]);
  });

  it('fits a phone, and reads in English', async () => {
    const p = await e.openAs('disp', '#/iot', { viewport: phone });
    await p.getByTestId('alarm-item').first().waitFor();
    await p.getByTestId('alarm-item').first().click();
    await p.locator('[data-testid=alarm-chart][data-drawn=true]').waitFor({ timeout: 10_000 });
    await e.shot(p, 'iot-alarm-360.png');
    const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, 'the IoT screen scrolls sideways on a phone').toBeLessThanOrEqual(1);
    await p.evaluate(() => localStorage.setItem('onegrid.lang', 'en'));
    await p.reload();
    await p.waitForSelector('[data-tab=alarms]:has-text("Alarms")');
    await p.waitForSelector('[data-testid=live]:has-text("Live")');
    expect(e.pageErrors).toEqual([]);
  });

  it('is not in an inspector’s navigation', async () => {
    const p = await e.openAs('insp', '#/iot');
    await p.waitForSelector('[data-testid=inspector]');
    expect(await p.locator('[data-testid=iot]').count()).toBe(0);
  });
});
