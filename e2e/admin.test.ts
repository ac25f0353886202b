/**
 * The administrator's screens in the browser: every tab, a department and a user created (the
 * user's form surviving an expired session), a matrix rule added and tried in the tester, a
 * deadline changed, a holiday added, a GeoJSON imported with its report, a device and a rule
 * created; wrong input answered in Chinese; a non-admin sees no admin screen and gets 403. Users are
 * the security administrator's tab (三员分立), opened on a page of their own.
 * Screenshots of every tab at 1366×768 go to e2e/screenshots/admin-*.png.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureUser, makeLoopCity, square } from '../packages/server/src/seed/loop-city.factory.ts';
import { testEngine } from '../packages/server/test/db-harness.ts';
import { type E2e, phone, startE2e } from './harness.ts';

describe(`admin screens in the browser (${testEngine})`, () => {
  let e: E2e;
  let page: Page;
  /** The security administrator's page: users are theirs, not the administrator's (三员分立). */
  let sec: Page;
  const go = async (tab: string, p: Page = page) => {
    await p.evaluate((t) => {
      window.location.hash = `/admin/${t}`;
    }, tab);
    await p.waitForSelector(`[data-tab=${tab}][aria-selected=true]`);
  };

  beforeAll(async () => {
    e = await startE2e(async (db) => {
      await makeLoopCity(db);
      await ensureUser(db, { username: 'root', role: 'admin' });
      await ensureUser(db, { username: 'sec', role: 'security' });
    });
    page = await e.openAs('root', '#/admin');
  }, 240_000);
  afterAll(async () => {
    await e?.close();
  });

  it('opens on 分类与时限 from the navigation and lists the catalogue', async () => {
    await page.click('[data-nav=admin]');
    await page.waitForSelector('[data-tab=categories][aria-selected=true]');
    await page.waitForSelector('.ad-table tbody tr');
    expect(await page.locator('.ad-table tbody tr').count()).toBeGreaterThan(10);
    await e.shot(page, 'admin-categories-1366.png');
  });

  it('changes a deadline', async () => {
    await page.getByTestId('deadlines-tab').click();
    const row = page.locator('[data-testid=deadline-rules] tr[data-category="06010"]').first();
    await row.getByRole('button', { name: '编辑' }).click();
    const form = page.getByTestId('deadline-form');
    await form.locator('input[data-step=handling]').fill('-1');
    await form.getByRole('button', { name: '保存' }).click();
    expect(await form.textContent()).toContain('时限必须是大于 0 的数字');
    await form.locator('input[data-step=handling]').fill('2');
    await form.getByRole('button', { name: '保存' }).click();
    await page.getByText('已保存，立即生效。').waitFor();
    const s = await e.call<{
      deadlineRules: { category: string; limits: Record<string, { amount: number }> }[];
    }>('root', 'GET', '/api/v1/settings/loop');
    expect(s.deadlineRules.find((r) => r.category === '06010')?.limits.handling?.amount).toBe(2);
    expect(await row.textContent()).toContain('2 工作日');
    await e.shot(page, 'admin-deadlines-1366.png');
  });

  it('ships the 2026 holidays, adds one, refusing an impossible date in Chinese, and reads a notice', async () => {
    await go('calendar');
    // The official 2026 schedule is the default calendar.
    await page.getByTestId('cal-holidays').getByText('2026-10-01 → 2026-10-07').waitFor();
    await page.getByTestId('cal-workdays').getByText('2026-10-10').waitFor();
    const form = page.getByTestId('calendar-form');
    await form.locator('input[name=date]').fill('2026-13-01');
    await form.getByRole('button', { name: '添加' }).click();
    expect(await form.locator('[role=alert]').textContent()).toBe('“日期”的值无效或不存在。');
    await form.locator('input[name=date]').fill('2026/10/01');
    await form.getByRole('button', { name: '添加' }).click();
    expect(await form.locator('[role=alert]').textContent()).toContain('格式不正确');
    await form.locator('input[name=date]').fill('2026-10-01..2026-10-07');
    await form.getByRole('button', { name: '添加' }).click();
    expect(await form.locator('[role=alert]').textContent()).toBe('该日期已在列表中。');
    await form.locator('input[name=date]').fill('2026-12-31');
    await form.getByRole('button', { name: '添加' }).click();
    await page.getByTestId('cal-holidays').getByText('2026-12-31').waitFor();

    // Next year's schedule from the State Council's notice, pasted as published.
    const notice = page.getByTestId('holiday-notice-form');
    await notice.locator('input[name=year]').fill('2027');
    await notice
      .locator('textarea[name=notice]')
      .fill(
        '一、元旦：1月1日（周五）至3日（周日）放假，共3天。\n二、劳动节：5月1日（周六）至5日（周三）放假调休，共5天。4月25日（周日）、5月8日（周六）上班。',
      );
    await notice.getByRole('button', { name: '读取' }).click();
    await notice.getByTestId('holiday-notice-result').getByText('劳动节').waitFor();
    await e.shot(page, 'admin-calendar-notice-1366.png');
    await notice.getByRole('button', { name: '加入日历（2 个节日）' }).click();
    await page.getByTestId('cal-holidays').getByText('2027-05-01 → 2027-05-05').waitFor();
    const s = await e.call<{ calendar: { holidays: string[]; workdays: string[] } }>(
      'root',
      'GET',
      '/api/v1/settings/loop',
    );
    expect(s.calendar.holidays).toEqual(
      expect.arrayContaining(['2026-12-31', '2027-01-01..2027-01-03', '2027-05-01..2027-05-05']),
    );
    expect(s.calendar.workdays).toEqual(expect.arrayContaining(['2026-10-10', '2027-04-25', '2027-05-08']));
    await e.shot(page, 'admin-calendar-1366.png');
  });

  it('creates a department; a bad code is explained in Chinese', async () => {
    await go('departments');
    const form = page.getByTestId('department-form');
    await form.locator('input[name=code]').fill('Fang Xun');
    await form.locator('input[name=name]').fill('黄浦区防汛办');
    await form.locator('select').first().selectOption('310101');
    await form.getByRole('button', { name: '创建' }).click();
    expect(await form.locator('[role=alert]').first().textContent()).toBe(
      '“部门编码”格式不正确。部门编码只能包含小写字母、数字和 -，如 310101-fxb。',
    );
    await e.shot(page, 'admin-department-error-1366.png');
    // The server says the same in its own words when the client is bypassed.
    const r = await fetch(`${e.baseUrl}/api/v1/admin/departments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await e.login('root')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'Fang Xun', name: 'x', areaCode: '310101' }),
    });
    expect(r.status).toBe(400);
    await form.locator('input[name=code]').fill('310101-fxb');
    await form.getByRole('button', { name: '创建' }).click();
    await page.getByText('已保存部门“黄浦区防汛办”').waitFor();
    await page.locator('[data-testid=departments] td', { hasText: '310101-fxb' }).waitFor();
    await e.shot(page, 'admin-departments-1366.png');
  });

  it('creates a user, keeping the form through an expired session', async () => {
    // Opened now: the department created by the administrator above is in its list.
    sec = await e.openAs('sec', '#/admin/users');
    await go('users', sec);
    // The security administrator has users, service accounts and the data catalog, and no
    // configuration tab; the administrator lacks the users tab.
    expect(
      await sec.locator('[data-tab]').evaluateAll((els) => els.map((el) => el.getAttribute('data-tab'))),
    ).toEqual(['users', 'serviceAccounts', 'catalog']);
    expect(await page.locator('[data-tab=users]').count()).toBe(0);
    const form = sec.getByTestId('user-form');
    await form.locator('input[name=username]').fill('wang.wei');
    await form.locator('input[name=displayName]').fill('王伟');
    await form.locator('input[name=password]').fill('short');
    await form.locator('select[name=role]').selectOption('handler');
    await form.locator('select').nth(1).selectOption('310101');
    await form.getByRole('button', { name: '创建' }).click();
    expect(await form.textContent()).toContain('“初始密码”至少需要 8 个字符。');
    expect(await form.textContent()).toContain('专业部门用户必须选择所属部门。');
    await form.locator('input[name=password]').fill('initial-pw-1');
    await form.locator('select[name=departmentCode]').selectOption('310101-fxb');

    // The session ends while the form is filled in: log in again, nothing typed is lost.
    await e.t.db.query("DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE username = 'sec')");
    delete e.tokens.sec; // the API helper's token went with it
    await form.getByRole('button', { name: '创建' }).click();
    const dialog = sec.getByRole('dialog');
    await dialog.waitFor();
    await dialog.getByLabel('密码').fill('secret-pw');
    await dialog.getByRole('button', { name: '登录', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await form.locator('input[name=username]').inputValue()).toBe('wang.wei');
    expect(await form.locator('input[name=password]').inputValue()).toBe('initial-pw-1');
    expect(await form.locator('select[name=departmentCode]').inputValue()).toBe('310101-fxb');
    await form.getByRole('button', { name: '创建' }).click();
    await sec.getByText('已保存用户“王伟”').waitFor();
    await sec.locator('[data-testid=users] td', { hasText: 'wang.wei' }).waitFor();
    expect(await e.login('wang.wei', 'initial-pw-1')).toBeTruthy();
    await e.shot(sec, 'admin-users-1366.png');
  });

  it('adds a matrix rule and the tester shows which department gets a point', async () => {
    await go('matrix');
    const form = page.getByTestId('matrix-form');
    await form.locator('input[name=category]').fill('6');
    await form.getByRole('button', { name: '添加' }).click();
    expect(await form.textContent()).toContain('“分类”格式不正确。');
    await form.locator('input[name=category]').fill('06');
    await form.locator('select').first().selectOption('310101002');
    await form.locator('select[name=departmentCode]').selectOption('310101-fxb');
    await form.getByRole('button', { name: '添加' }).click();
    await page.locator('[data-testid=matrix] td', { hasText: '黄浦区防汛办' }).waitFor();

    const tester = page.getByTestId('tester');
    await page.waitForSelector('[data-testid=pick-map][data-ready=true]');
    const box = await page.getByTestId('pick-map').boundingBox();
    if (!box) throw new Error('no map');
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    expect(await tester.locator('input[name=lng]').inputValue()).toMatch(/^121\.4/);
    await tester.locator('input[name=lng]').fill((square.lng + 0.0003).toFixed(6));
    await tester.locator('input[name=lat]').fill((square.lat + 0.0003).toFixed(6));
    await tester.locator('input[name=testCategory]').fill('06010');
    await tester.getByRole('button', { name: '测试' }).click();
    const answer = page.getByTestId('tester-answer');
    await answer.waitFor();
    expect(await answer.textContent()).toContain('黄浦区防汛办');
    expect(await answer.textContent()).toMatch(/命中规则 #\d+：分类 06 × 区域 310101002/);
    await page.waitForTimeout(800);
    await e.shot(page, 'admin-matrix-1366.png');
  });

  it('uploads a small GeoJSON and shows its report', async () => {
    await go('import');
    const form = page.getByTestId('import-form');
    await form.getByRole('button', { name: '开始导入' }).click();
    expect(await form.textContent()).toContain('请填写“文件”。');
    const fc = {
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          properties: { address: '南京东路100号' },
          geometry: { type: 'Point', coordinates: [121.4737, 31.2304] },
        },
        {
          type: 'Feature',
          properties: { address: '南京东路102号' },
          geometry: { type: 'Point', coordinates: [121.474, 31.2306] },
        },
        { type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [121.4741, 31.2307] } },
      ],
    };
    await form.locator('select[name=kind]').selectOption('addresses');
    await form.locator('input[type=file]').setInputFiles({
      name: 'addresses.geojson',
      mimeType: 'application/geo+json',
      buffer: Buffer.from(JSON.stringify(fc)),
    });
    await form.getByRole('button', { name: '开始导入' }).click();
    const report = page.getByTestId('import-report');
    await report.waitFor();
    expect(await report.getByTestId('imported').textContent()).toBe('2');
    expect(await report.getByTestId('rejected').textContent()).toBe('1');
    expect(await report.textContent()).toContain('缺少字段');
    await page.locator('[data-testid=import-runs] li', { hasText: 'addresses.geojson' }).waitFor();
    await e.shot(page, 'admin-import-1366.png');

    // A broken file: refused as a whole, with its report, nothing written.
    await form.locator('input[type=file]').setInputFiles({
      name: 'broken.geojson',
      mimeType: 'application/geo+json',
      buffer: Buffer.from('{"type":"FeatureCollection","features":[{'),
    });
    await form.getByRole('button', { name: '开始导入' }).click();
    await page.locator('[data-testid=import-report] .tag', { hasText: '失败' }).waitFor();
    expect(await page.locator('.form-error').first().textContent()).toContain(
      '文件无法读取，未写入任何数据。',
    );
  });

  it('creates a device and an alarm rule', async () => {
    await go('devices');
    const form = page.getByTestId('device-form');
    await form.getByRole('button', { name: '创建' }).click();
    expect(await form.textContent()).toContain('请填写“设备类型”。');
    expect(await form.textContent()).toContain('经度应为 -180 到 180 之间的数字。');
    await form.locator('select[name=typeId]').selectOption('water-depth');
    await form.locator('input[name=id]').fill('wd-admin-1');
    await form.locator('input[name=name]').fill('人民广场积水监测');
    await form.locator('input[name=lng]').fill((square.lng + 0.0003).toFixed(6));
    await form.locator('input[name=lat]').fill((square.lat + 0.0003).toFixed(6));
    await form.getByRole('button', { name: '创建' }).click();
    await Promise.race([page.getByTestId('device-token').waitFor(), form.locator('.form-error').waitFor()]);
    expect(await form.locator('.form-error').count(), (await form.textContent()) ?? '').toBe(0);
    await page.locator('[data-testid=devices] tr[data-device=wd-admin-1]').waitFor();
    await e.shot(page, 'admin-devices-1366.png');
    await page
      .locator('[data-testid=devices] tr[data-device=wd-admin-1]')
      .getByRole('button', { name: '停用' })
      .click();
    await page
      .locator('[data-testid=devices] tr[data-device=wd-admin-1]')
      .getByRole('button', { name: '启用' })
      .waitFor();
    const d = await e.call<{ status: string }>('root', 'GET', '/api/v1/devices/wd-admin-1');
    expect(d.status).toBe('disabled');

    await page.getByTestId('rules-tab').click();
    const rf = page.getByTestId('rule-form');
    await rf.locator('input[name=name]').fill('积水超过 15 厘米');
    await rf.locator('select[name=deviceTypeId]').selectOption('water-depth');
    await rf.locator('textarea[name=condition]').fill('{"kind":"threshold","metric":"depth","op":">"}');
    await rf.getByRole('button', { name: '创建' }).click();
    expect(await rf.textContent()).toContain('触发条件有误');
    await rf
      .locator('textarea[name=condition]')
      .fill('{"kind":"threshold","metric":"depth","op":">","value":15}');
    await rf.getByRole('button', { name: '创建' }).click();
    await page.locator('[data-testid=rules] td', { hasText: '积水超过 15 厘米' }).waitFor();
    await e.shot(page, 'admin-rules-1366.png');
  });

  it('switches to English', async () => {
    await go('users', sec);
    await sec.getByTestId('lang-switch').click();
    await sec.getByText('New user').waitFor();
    await e.shot(sec, 'admin-users-en-1366.png');
    await sec.getByTestId('lang-switch').click();
    await sec.getByText('新建用户').waitFor();
  });

  it('shows every tab on a phone (360×740) without the page scrolling sideways', async () => {
    const p = await e.openAs('root', '#/admin', { viewport: phone });
    for (const tab of ['categories', 'calendar', 'departments', 'matrix', 'import', 'devices']) {
      await p.evaluate((t) => {
        window.location.hash = `/admin/${t}`;
      }, tab);
      await p.waitForSelector(`[data-tab=${tab}][aria-selected=true]`);
      await p.waitForTimeout(300);
      await e.shot(p, `admin-${tab}-360.png`);
      const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `admin ${tab} scrolls sideways on a phone`).toBeLessThanOrEqual(1);
      // The panes stack: the page scrolls down to the last one.
      await p.getByTestId('admin').evaluate((el) => el.scrollTo(0, el.scrollHeight));
      await e.shot(p, `admin-${tab}-360-end.png`);
    }
  });

  it('keeps non-admins out: no screen, 403 from the API', async () => {
    const op = await e.openAs('op', '#/admin/users');
    expect(await op.locator('[data-nav=admin]').count()).toBe(0);
    expect(await op.getByTestId('admin').count()).toBe(0);
    for (const url of ['/api/v1/admin/users', '/api/v1/admin/departments', '/api/v1/admin/import/runs']) {
      const r = await fetch(`${e.baseUrl}${url}`, {
        headers: { authorization: `Bearer ${await e.login('op')}` },
      });
      expect(r.status, url).toBe(403);
    }
    expect(e.pageErrors).toEqual([]);
  });
});
