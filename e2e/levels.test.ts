/**
 * Per-level ownership and linked platforms in the browser (issue 14): a district administrator
 * sees the city's matrix rules as inherited (read only) and its own as 本级, the calendar of its
 * own level with where it comes from, and the 平台互联 tab with a link's state (failing since …,
 * queued). Screenshots at 1440×900 and 390×844 (中文) go to docs/screens/.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { federationRepository } from '../packages/server/src/federation/federation.repository.ts';
import { newKeyPair } from '../packages/server/src/federation/keys.ts';
import { ensureUser, makeLoopCity } from '../packages/server/src/seed/loop-city.factory.ts';
import { testEngine } from '../packages/server/test/db-harness.ts';
import { type E2e, repoRoot, startE2e } from './harness.ts';

const screens = path.join(repoRoot, 'docs/screens');
const desktop = { width: 1440, height: 900 };
const phone = { width: 390, height: 844 };

describe(`per-level admin screens (${testEngine})`, () => {
  let e: E2e;

  beforeAll(async () => {
    e = await startE2e(async (db) => {
      await makeLoopCity(db);
      await ensureUser(db, { username: 'hp-admin', role: 'admin', scopeCode: '310101' });
      await db.query(
        `INSERT INTO responsibility_matrix (category, area_code, department_code, auto_dispatch, note) VALUES
           ('07', '310101002', '310101-szgl', true, '街道自定'), ('*', '3101', '310101-lhsr', false, '市级默认')`,
      );
      const ours = newKeyPair();
      const theirs = newKeyPair();
      const f = federationRepository(db);
      await f.insertLink({
        id: 'lnk_00000000000a',
        name: '上海市城运平台',
        direction: 'up',
        peerUrl: 'https://city.example.gov.cn',
        areaCode: '310101',
        peerPublicKey: theirs.publicKey,
        peerKeyId: theirs.keyId,
        publicKey: ours.publicKey,
        keyId: ours.keyId,
        privateKey: ours.privateKey,
        serviceAccount: null,
      });
      await f.enqueue(
        { id: 'lnk_00000000000a', keyId: ours.keyId, peerKeyId: theirs.keyId },
        'figures',
        'figures',
        {},
        new Date(),
      );
      await f.linkFailed(
        'lnk_00000000000a',
        1,
        'fetch failed',
        new Date(Date.now() - 3_600_000),
        new Date(Date.now() + 86_400_000),
      );
    });
  }, 240_000);
  afterAll(async () => {
    await e?.close();
  });

  it('shows own and inherited matrix rules, the level being edited, and each link’s state', async () => {
    const page = await e.openAs('hp-admin', '#/admin/matrix', { viewport: desktop });
    await page.waitForSelector('[data-testid=matrix] tr[data-inherited=true]');
    expect(await page.locator('[data-testid=matrix] tr[data-inherited=false]').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-testid=matrix] tr[data-inherited=true] button').count()).toBe(0);
    await page.screenshot({ path: path.join(screens, 'admin-matrix-levels-1440.png') });

    await page.evaluate(() => {
      window.location.hash = '/admin/calendar';
    });
    await page.waitForSelector('[data-testid=level-bar] .tag');
    expect(await page.locator('[data-testid=level] option:checked').textContent()).toContain('黄浦区');
    expect(await page.locator('[data-testid=level-bar] .tag').textContent()).toContain('继承自');
    await page.screenshot({ path: path.join(screens, 'admin-calendar-levels-1440.png') });

    await page.evaluate(() => {
      window.location.hash = '/admin/federation';
    });
    const state = page.locator('[data-testid=federation-links] [data-state=failing]');
    await state.waitFor();
    expect(await state.textContent()).toMatch(/自 .* 起失败，排队 \d+ 条/);
    await page.screenshot({ path: path.join(screens, 'admin-federation-1440.png') });

    const small = await e.openAs('hp-admin', '#/admin/federation', { viewport: phone });
    await small.locator('[data-testid=federation-links] [data-state=failing]').waitFor();
    await small.screenshot({ path: path.join(screens, 'admin-federation-390.png') });
  }, 240_000);
});
