/**
 * The web app in a real browser against a real server: log in, see the city map drawn from our own
 * vector tiles, click a point and read where it is, switch language, and keep screenshots at a
 * laptop (1366×768) and a phone (360×740) size in e2e/screenshots/.
 *
 * Needs the built web app (`npm run build:web`, which CI runs first); it builds it when missing or
 * older than its sources. Chromium: Debian's /usr/bin/chromium (override with CHROMIUM_PATH).
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngine } from '../packages/server/test/db-harness.ts';
import { ensureUser } from '../packages/server/test/http-harness.ts';
import { insertCityFixture, peoplesSquare } from './fixture.ts';
import { type E2e, shotsDir, startE2e } from './harness.ts';

const user = { username: 'e2e-operator', password: 'e2e-secret-pw', displayName: '王敏' };

describe(`web app: login, map, locate (${testEngine})`, () => {
  let e: E2e;
  let t: E2e['t'];
  let page: Page;
  let baseUrl: string;
  let pageErrors: string[];
  /** Layers of which at least one tile came back with content (200; empty tiles are 204). */
  const tilesWithContent = new Set<string>();

  beforeAll(async () => {
    e = await startE2e(async (db) => {
      await insertCityFixture(db);
      await ensureUser(db, { username: user.username, role: 'operator', password: user.password });
      await db.query('UPDATE users SET display_name = $2 WHERE username = $1', [
        user.username,
        user.displayName,
      ]);
    });
    ({ t, baseUrl, pageErrors } = e);
    // Open on People's Square at street level, where every layer of the fixture shows.
    page = await e.open(`/#map=15/${peoplesSquare.lat}/${peoplesSquare.lng}`, { label: 'map' });
    page.on('response', (r) => {
      const m = /\/api\/v1\/tiles\/([a-z-]+)\//.exec(r.url());
      if (m?.[1] && r.status() === 200) tilesWithContent.add(m[1]);
    });
  }, 180_000);

  afterAll(async () => {
    await e?.close();
  });

  async function waitForMapIdle() {
    await page.waitForSelector('[data-testid=map][data-idle=true]', { timeout: 60_000 });
  }

  /** Share of sampled map pixels that are not the plain background: 0 means a blank canvas. */
  async function drawnShare(): Promise<number> {
    const png = await page.locator('[data-testid=map] canvas').screenshot();
    return page.evaluate(async (b64) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.width;
      c.height = img.height;
      const ctx = c.getContext('2d');
      if (!ctx) return 0;
      ctx.drawImage(img, 0, 0);
      const d = ctx.getImageData(0, 0, c.width, c.height).data;
      let drawn = 0;
      let total = 0;
      for (let i = 0; i < d.length; i += 4 * 11) {
        total++;
        if (Math.abs(d[i]! - 0xdd) + Math.abs(d[i + 1]! - 0xe5) + Math.abs(d[i + 2]! - 0xee) > 24) drawn++;
      }
      return drawn / total;
    }, png.toString('base64'));
  }

  it('shows the login page in Chinese and logs in', async () => {
    // Open on People's Square at street level, where every layer of the fixture shows.
    await page.goto(`${baseUrl}/#map=15/${peoplesSquare.lat}/${peoplesSquare.lng}`);
    await expect(page.getByRole('heading', { name: '登录' }).isVisible()).resolves.toBe(true);
    await page.screenshot({ path: path.join(shotsDir, 'login-1366.png') });
    await page.getByLabel('用户名').fill(user.username);
    await page.getByLabel('密码').fill(user.password);
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await page.waitForSelector('[data-testid=current-user]');
    expect(await page.getByTestId('current-user').textContent()).toContain(user.displayName);
    expect(await page.getByTestId('current-user').textContent()).toContain('受理员');
  });

  it('draws the map from the vector tiles, with WebGL', async () => {
    await page.waitForSelector('[data-testid=map][data-ready=true]', { timeout: 60_000 });
    await waitForMapIdle();
    const renderer = await page.evaluate(() => {
      const gl = document.createElement('canvas').getContext('webgl2');
      const info = gl?.getExtension('WEBGL_debug_renderer_info');
      return gl && info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : 'none';
    });
    console.log(`WebGL renderer: ${renderer}`);
    for (const layer of ['districts', 'streets', 'communities', 'unit-grids', 'duty-grids', 'components']) {
      expect(tilesWithContent.has(layer), `a tile of ${layer} with content`).toBe(true);
    }
    expect(await drawnShare()).toBeGreaterThan(0.2);
    expect(pageErrors).toEqual([]);
  });

  it("locates a click on People's Square in 黄浦区", async () => {
    const box = await page.getByTestId('map').boundingBox();
    if (!box) throw new Error('map has no box');
    // The view is centred on People's Square: click the centre.
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    const panel = page.getByTestId('locate-panel');
    await page.waitForSelector('[data-testid=locate-district]');
    expect(await page.getByTestId('locate-district').textContent()).toMatch(/黄浦区[\s\S]*310101/);
    expect(await page.getByTestId('locate-street').textContent()).toMatch(/南京东路街道[\s\S]*310101002/);
    expect(await page.getByTestId('locate-community').textContent()).toContain('310101002001');
    expect(await page.getByTestId('locate-unit-grid').textContent()).toContain('310101002001002');
    expect(await page.getByTestId('locate-duty-grid').textContent()).toContain('南京东路第一责任网格');
    expect(await panel.textContent()).toContain('位置查询');
    await waitForMapIdle();
    await page.screenshot({ path: path.join(shotsDir, 'map-1366.png') });
  });

  it('asks to log in again when the session ends, and keeps the page as it was', async () => {
    const hash = await page.evaluate(() => window.location.hash);
    await t.db.query('DELETE FROM sessions');
    const box = await page.getByTestId('map').boundingBox();
    if (!box) throw new Error('map has no box');
    await page.mouse.click(box.x + box.width / 2 + 20, box.y + box.height / 2 + 20);
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('登录已过期');
    // The page underneath is still there, on the same view.
    expect(await page.getByTestId('map').isVisible()).toBe(true);
    expect(await page.evaluate(() => window.location.hash)).toBe(hash);
    await page.screenshot({ path: path.join(shotsDir, 'relogin-1366.png') });
    expect(await dialog.getByLabel('用户名').inputValue()).toBe(user.username);
    await dialog.getByLabel('密码').fill(user.password);
    await dialog.getByRole('button', { name: '登录', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    // The lookup that was refused is asked again with the new session.
    await page.getByTestId('locate-district').waitFor();
    expect(await page.getByTestId('locate-district').textContent()).toContain('黄浦区');
  });

  it('says when a point is outside the city', async () => {
    // Far east of the fixture, over the sea at this zoom: no district there.
    const box = await page.getByTestId('map').boundingBox();
    if (!box) throw new Error('map has no box');
    await page.evaluate(() => {
      window.location.hash = 'map=12/31.23/121.6';
    });
    await waitForMapIdle();
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page.waitForSelector('[data-testid=locate-outside]');
    expect(await page.getByTestId('locate-outside').textContent()).toContain('不在本市');
  });

  it('switches to English and remembers it', async () => {
    await page.evaluate(() => {
      window.location.hash = `map=15/31.2317/121.4737`;
    });
    await waitForMapIdle();
    const box = await page.getByTestId('map').boundingBox();
    if (!box) throw new Error('map has no box');
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page.waitForSelector('[data-testid=locate-district]');
    await page.getByTestId('lang-switch').click();
    await page.getByRole('navigation').getByText('Map', { exact: true }).waitFor();
    expect(await page.getByTestId('locate-panel').textContent()).toContain('District');
    expect(await page.getByTestId('current-user').textContent()).toContain('Operator');
    expect(await page.evaluate(() => localStorage.getItem('onegrid.lang'))).toBe('en');
    await waitForMapIdle();
    await page.screenshot({ path: path.join(shotsDir, 'map-1366-en.png') });
  });

  it('fits a phone screen', async () => {
    await page.getByTestId('lang-switch').click();
    await page.setViewportSize({ width: 360, height: 740 });
    await page.getByRole('button', { name: '关闭' }).click();
    await waitForMapIdle();
    const box = await page.getByTestId('map').boundingBox();
    if (!box) throw new Error('map has no box');
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page.getByTestId('locate-district').waitFor();
    await waitForMapIdle();
    await page.screenshot({ path: path.join(shotsDir, 'map-360.png') });
    // Nothing wider than the screen: no sideways scrolling.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    expect(await page.getByTestId('locate-district').isVisible()).toBe(true);
    await page.getByTestId('logout').click();
    await page.getByRole('heading', { name: '登录' }).waitFor();
    await page.screenshot({ path: path.join(shotsDir, 'login-360.png') });
    expect(pageErrors).toEqual([]);
  });
});
