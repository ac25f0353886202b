/**
 * A storm, end to end in the browser: standing-water sensors report the storm scenario's depths
 * (the same readings `onegrid simulate --scenario storm` publishes), three alarm in one street, the
 * demo flood plan is proposed to the district's person on duty, the leader activates it, the
 * departments and the duty desk finish the SOP steps, the nearest pump and team are dispatched, the
 * first report goes up on time, and the incident shows on the command screen. Screenshots go to
 * e2e/screenshots; docs/screens holds the ones chosen for the docs.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stormSensors, stormStep } from '../packages/cli/src/simulate/storm.ts';
import { seedEmergencyDemo } from '../packages/server/src/seed/emergency.factory.ts';
import { ensureUser, makeLoopCity, square } from '../packages/server/src/seed/loop-city.factory.ts';
import { type E2e, startE2e } from './harness.ts';

const desktop = { width: 1440, height: 900 };
const phone = { width: 390, height: 844 };

describe('emergency command in the browser', () => {
  let e: E2e;
  let operator: Page;
  const sensors = stormSensors(6, 'storm', square, 0.0005);

  beforeAll(async () => {
    e = await startE2e(async (db) => {
      await makeLoopCity(db);
      await db.exec(`INSERT INTO departments (code, name, area_code) VALUES
        ('310101-sw', '黄浦区水务局', '310101'), ('310101-jj', '黄浦区公安分局交警支队', '310101'),
        ('310101-cgzf', '黄浦区城市管理行政执法局', '310101')`);
      await ensureUser(db, { username: 'leader', role: 'leader', scopeCode: '3101' });
      await ensureUser(db, { username: 'operator', role: 'operator', scopeCode: '3101' });
      await ensureUser(db, { username: 'hp-operator', role: 'operator', scopeCode: '310101' });
      await ensureUser(db, {
        username: 'hp-sw',
        role: 'handler',
        scopeCode: '310101',
        departmentCode: '310101-sw',
      });
      await db.query(
        `UPDATE users SET display_name = CASE username WHEN 'leader' THEN '城运中心 周主任'
           WHEN 'operator' THEN '受理员 张敏' WHEN 'hp-operator' THEN '黄浦区受理员 刘洋'
           WHEN 'hp-sw' THEN '黄浦区水务局 赵工' ELSE display_name END`,
      );
      await seedEmergencyDemo(db);
    });
    for (const s of sensors) {
      await e.call('root', 'POST', '/api/v1/devices', {
        id: s.id,
        typeId: 'water-depth',
        name: s.name,
        location: { lng: s.lng, lat: s.lat },
      });
    }
  }, 240_000);
  afterAll(async () => {
    await e?.close();
  });

  it('proposes the flood plan to the person on duty when the storm floods three sensors', async () => {
    operator = await e.openAs('hp-operator', '#/emergency', { viewport: desktop });
    await operator.waitForSelector('[data-testid=emergency]');
    // The storm, step by step, until three sensors stand above 27 cm.
    const steps = 40;
    let s = 0;
    for (; s < steps; s++) {
      const readings = stormStep(sensors, s, steps, Date.now());
      await e.call('root', 'POST', '/api/v1/telemetry', { readings });
      if (readings.filter((r) => r.values.depth > 27).length >= 3) break;
    }
    expect(s).toBeLessThan(steps);
    // The sweep runs on its own when alarms are raised; asking once more is harmless (no duplicate).
    for (;;) {
      const alarms = await e.t.db.query(
        "SELECT 1 FROM alarms WHERE device_id LIKE 'storm-%' AND NOT cleared",
      );
      if (alarms.rows.length >= 3) break;
      await new Promise((r) => setImmediate(r));
    }
    await e.server.emergency.sweep();
    const incident = operator.locator('[data-testid=incident][data-status=proposed]');
    await incident.waitFor({ timeout: 60_000 });
    await expect(incident.locator('h2').textContent()).resolves.toContain('黄浦区防汛防台专项应急预案');
    await expect(operator.getByTestId('incident-duty').textContent()).resolves.toContain('黄浦区受理员 刘洋');
    // On the duty desk's log.
    await operator.getByTestId('tab-duty').click();
    await operator
      .getByTestId('duty-log')
      .getByText('建议启动「黄浦区防汛防台专项应急预案」')
      .first()
      .waitFor();
    await operator.getByTestId('tab-incidents').click();
  });

  it('lets the leader activate it; departments and the duty desk finish the steps', async () => {
    const leader = await e.openAs('leader', '#/emergency', { viewport: desktop });
    await leader.getByTestId('activate').click();
    await leader.locator('[data-testid=incident][data-status=active]').waitFor();
    expect(await leader.getByTestId('task').count()).toBe(5);

    // The water authority finishes its own step; it sees no input for the others.
    const sw = await e.openAs('hp-sw', '#/emergency', { viewport: desktop });
    await sw.locator('[data-testid=incident][data-status=active]').waitFor();
    expect(await sw.getByTestId('task-feedback').count()).toBe(1);
    await sw.getByTestId('task-feedback').fill('3 座泵站已开机强排，移动泵车出动');
    await sw.getByTestId('task-done').click();
    await sw.locator('[data-testid=task][data-status=done]').first().waitFor();

    // The duty desk records the rest as the departments phone in.
    await operator.reload();
    await operator.locator('[data-testid=incident][data-status=active]').waitFor();
    for (let n = 0; n < 4; n++) {
      const open = operator.locator('[data-testid=task][data-status=open]').first();
      await open.getByTestId('task-feedback').fill('已落实');
      await open.getByTestId('task-done').click();
      await operator
        .locator('[data-testid=task][data-status=done]')
        .nth(n + 1)
        .waitFor();
    }
    expect(await operator.locator('[data-testid=task][data-status=open]').count()).toBe(0);
  });

  it('dispatches the nearest pump and team and sends the first report on time', async () => {
    await operator.getByTestId('nearest').first().waitFor();
    const firstPump = await operator.getByTestId('nearest').first().textContent();
    expect(firstPump).toContain('移动泵车 1 号'); // 4 号 is nearer but under repair
    await operator.getByTestId('dispatch').first().click();
    await operator.getByTestId('dispatched').filter({ hasText: '移动泵车 1 号' }).waitFor();
    await operator.getByTestId('resource-kind').selectOption('team');
    await operator.getByTestId('nearest').filter({ hasText: '黄浦区防汛抢险队' }).first().waitFor();
    await operator.getByTestId('dispatch').first().click();
    await operator.getByTestId('dispatched').filter({ hasText: '黄浦区防汛抢险队' }).waitFor();

    await operator
      .getByTestId('report-text')
      .fill('南京东路街道人民广场周边 3 处积水超过 27 厘米，已启动 IV 级响应，泵车和抢险队已到场');
    await operator.getByTestId('send-report').click();
    const report = operator.getByTestId('report').first();
    await report.waitFor();
    expect(await report.textContent()).toMatch(/首报.*黄浦区.*按时/);
    await operator.locator('[data-sonner-toast]').first().waitFor({ state: 'detached' });
    await operator.evaluate(() => {
      for (const el of document.querySelectorAll('.em, .shell__main')) el.scrollTo(0, 0);
      window.scrollTo(0, 0);
    });
    await e.shot(operator, 'emergency-desktop.png');
    await operator.getByTestId('tab-flood').click();
    await operator.getByTestId('water-alarms').getByText('厘米').first().waitFor();
    await operator.getByTestId('water-cases').locator('a').first().waitFor();
    await e.shot(operator, 'emergency-flood-desktop.png');
  });

  it('shows the incident on the command screen, and on a phone', async () => {
    const wall = await e.openAs('leader', '#/command', {
      viewport: desktop,
      signedIn: '[data-testid=command]',
    });
    const panel = wall.getByTestId('cmd-incident');
    await panel.waitFor({ timeout: 90_000 });
    expect(await panel.textContent()).toContain('黄浦区防汛防台专项应急预案');
    expect(await wall.getByTestId('cmd-incident-tasks').locator('li.is-done').count()).toBe(5);
    expect(await wall.getByTestId('cmd-incident-resources').textContent()).toContain('移动泵车 1 号');
    expect(await wall.getByTestId('cmd-incident-reports').textContent()).toContain('首报');
    await wall.locator('.em-cmd-incident').waitFor();
    await wall.waitForSelector('[data-testid=command][data-ready=true]', { timeout: 90_000 });
    await e.shot(wall, 'emergency-command.png');

    const mobile = await e.openAs('hp-operator', '#/emergency', { viewport: phone });
    await mobile.locator('[data-testid=incident][data-status=active]').waitFor();
    await e.shot(mobile, 'emergency-phone.png');
    expect(e.pageErrors).toEqual([]);
  });
});
