/**
 * Places people recognise, in the browser: the citizen page finds a standard address as it is
 * typed (full-width digits and all) and a pick puts the pin there; a case with no address of its
 * own shows the nearest standard address instead of coordinates. Screenshots at 360×740 and
 * 1366×768.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importRows } from '../packages/server/src/import/import.service.ts';
import { makeLoopCity, square } from '../packages/server/src/seed/loop-city.factory.ts';
import { testEngine } from '../packages/server/test/db-harness.ts';
import { desktop, type E2e, phone, startE2e } from './harness.ts';

const addresses = [
  ['人民大道200号', 0, 0],
  ['人民大道100号', -0.002, 0],
  ['西藏中路10号', 0.002, 0.001],
] as const;

describe(`places people recognise (${testEngine})`, () => {
  let e: E2e;

  beforeAll(async () => {
    e = await startE2e(async (db) => {
      await makeLoopCity(db);
      await importRows(
        db,
        'addresses',
        addresses.map(([address, dx, dy], i) => ({
          row: i + 2,
          properties: { district: '黄浦区', address },
          geometry: { type: 'Point', coordinates: [square.lng + dx, square.lat + dy] },
        })),
      );
    });
  }, 180_000);
  afterAll(async () => {
    await e?.close();
  });

  for (const [label, viewport] of [
    ['phone', phone],
    ['desktop', desktop],
  ] as const) {
    it(`finds an address on the citizen page and puts the pin there (${label})`, async () => {
      const page = await e.open('/#/report', { viewport, label: `citizen-${label}` });
      await page.getByTestId('report-form').waitFor();
      await page.getByTestId('place-search').fill('人民大道２００号');
      const option = page.getByTestId('place-option').first();
      await option.waitFor();
      expect(await option.textContent()).toContain('黄浦区人民大道200号');
      await option.scrollIntoViewIfNeeded();
      await e.shot(page, `places-citizen-suggest-${label}.png`);
      await option.click();
      await expect.poll(() => page.getByTestId('pin-text').textContent()).toBe('黄浦区人民大道200号');
      expect(await page.getByTestId('place-search').inputValue()).toBe('黄浦区人民大道200号');
      await e.shot(page, `places-citizen-picked-${label}.png`);
    }, 90_000);
  }

  it('finds an address typed loosely in the staff map search and locates it there', async () => {
    const page = await e.openAs('op', '#/map', { viewport: desktop });
    await page.getByTestId('address-search-input').fill('黄浦区西藏中路１０');
    const option = page.getByTestId('address-search-option').first();
    await option.waitFor();
    expect(await option.textContent()).toContain('黄浦区西藏中路10号');
    await e.shot(page, 'places-staff-search-desktop.png');
    await option.click();
    await page.waitForSelector('[data-testid=locate-district]');
    expect(await page.getByTestId('locate-district').textContent()).toContain('黄浦区');
    // The located point reads as its address, the coordinates one click away.
    await expect
      .poll(() => page.getByTestId('locate-address').textContent())
      .toContain('黄浦区西藏中路10号（相距 0 米）');
    expect(e.pageErrors).toEqual([]);
  }, 90_000);

  it('shows the nearest standard address of a case instead of its coordinates', async () => {
    const c = await e.call<{ id: number }>('op', 'POST', '/api/v1/cases', {
      category: '06012',
      description: '人民大道人行道道路不洁',
      location: { lng: square.lng + 0.0001, lat: square.lat },
    });
    const page = await e.openAs('op', `#/cases/${c.id}`, { viewport: desktop });
    const near = page.getByTestId('case-near-address');
    await near.waitFor();
    expect(await near.textContent()).toBe('≈ 黄浦区人民大道200号（相距 10 米） 坐标');
    await e.shot(page, 'places-case-address-desktop.png');
    await near.getByRole('button', { name: '坐标' }).click();
    expect(await near.textContent()).toContain(
      `${(square.lng + 0.0001).toFixed(5)}, ${square.lat.toFixed(5)}`,
    );
    expect(e.pageErrors).toEqual([]);
  }, 90_000);
});
