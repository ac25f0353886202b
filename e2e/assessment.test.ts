/**
 * The assessment screen in the browser over five weeks of case history driven through the real
 * engine (`seedCaseHistory`): charts and table load, a level switch, sorting, a count opens the
 * cases behind it and one of them opens its detail; CSV and Excel exports download (the workbook
 * is read back with exceljs: sheet names, Chinese headers, numbers); the printable monthly report
 * renders with its charts as images (and prints to PDF); spot checks draw. Screenshots at 1366×768.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  makeDepartmentHandlers,
  makeMatrix,
  seedCaseHistory,
} from '../packages/server/src/seed/loop.factory.ts';
import { makeLoopCity } from '../packages/server/src/seed/loop-city.factory.ts';
import { testEngine } from '../packages/server/test/db-harness.ts';
import { type E2e, shotsDir, startE2e } from './harness.ts';

interface ReportBody {
  rows: { subject: string; name: string; score: number | null; counters: Record<string, number> }[];
  summary: { score: number | null } | null;
}

describe(`assessment screen, exports and monthly report (${testEngine})`, () => {
  let e: E2e;
  let page: Page;
  const attachmentsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onegrid-e2e-assessment-'));
  const now = new Date();
  const sh = new Date(now.getTime() + 8 * 3_600_000);
  const month = `${sh.getUTCFullYear()}-${String(sh.getUTCMonth() + 1).padStart(2, '0')}`;
  const from = `${month}-01`;
  const next = new Date(Date.UTC(sh.getUTCFullYear(), sh.getUTCMonth() + 1, 1));
  const to = next.toISOString().slice(0, 10);

  beforeAll(async () => {
    e = await startE2e(async (db) => {
      await makeLoopCity(db);
      await db.exec(`
        INSERT INTO departments (code, name, area_code) VALUES
          ('310101-hw', '黄浦区环卫所', '310101'), ('310101-cgzf', '黄浦区城管执法局', '310101'),
          ('310101-szdl', '黄浦区市政道路', '310101'), ('310101-cyzx', '黄浦区城运中心', '310101')
        ON CONFLICT DO NOTHING;
        DELETE FROM responsibility_matrix;`);
      await makeMatrix(db, '310101');
      await makeDepartmentHandlers(db, '310101');
    });
    const r = await seedCaseHistory(e.t.db, e.server.geo, {
      districtCode: '310101',
      days: 40,
      perDay: 4,
      now,
      attachmentsDir,
    });
    expect(r.cases).toBeGreaterThan(100);
  }, 400_000);
  afterAll(async () => {
    await e?.close();
    fs.rmSync(attachmentsDir, { recursive: true, force: true });
  });

  /**
   * `e.openAs` with reloads: other tests rebuild the shared web dist/ while this one runs, and a
   * page that loaded a half-written build stays blank until reloaded.
   */
  async function openAs(username: string, hash: string): Promise<Page> {
    const p = await e.open(`/${hash}`, { label: username });
    for (let i = 0; ; i++) {
      const ok = await p
        .getByLabel('用户名')
        .waitFor({ timeout: 20_000 })
        .then(
          () => true,
          () => false,
        );
      if (ok) break;
      if (i === 3) throw new Error(`the login page never rendered: ${(await p.content()).slice(0, 500)}`);
      await p.reload();
    }
    await p.getByLabel('用户名').fill(username);
    await p.getByLabel('密码').fill('secret-pw');
    await p.getByRole('button', { name: '登录', exact: true }).click();
    await p.waitForSelector('[data-testid=current-user]');
    return p;
  }
  const rows = () => page.locator('[data-testid=as-table] tbody tr');
  const settled = async () => {
    await page.waitForSelector('[data-testid=assessment][data-busy=false]', { timeout: 60_000 });
    for (const c of ['ranking', 'radar', 'trend'])
      await page.waitForSelector(`[data-testid=as-chart-${c}][data-drawn=true]`, { timeout: 15_000 });
  };

  it('loads this month: four aspects, three charts, the ranking table', async () => {
    page = await openAs('boss', '#/assessment');
    await settled();
    expect(await page.getByTestId('as-aspect').count()).toBe(5);
    const api = await e.call<ReportBody>(
      'boss',
      'GET',
      `/api/v1/assessment?from=${from}&to=${to}&level=district`,
    );
    expect(await rows().count()).toBe(api.rows.length);
    const first = api.rows[0];
    expect(first?.counters.filed).toBeGreaterThan(0);
    await expect
      .poll(() => rows().first().locator('td').nth(2).textContent())
      .toBe(String(first?.score).replace(/\.?0+$/, ''));
    expect(page.url()).toContain(`from=${from}`);
    // The charts drew something (a blank canvas would be one colour).
    const painted = await page.evaluate(() => {
      const c = document.querySelector<HTMLCanvasElement>('[data-testid=as-chart-ranking] canvas');
      const g = c?.getContext('2d');
      if (!c || !g) return 0;
      const d = g.getImageData(0, 0, c.width, c.height).data;
      const colours = new Set<number>();
      for (let i = 0; i < d.length; i += 4 * 97)
        colours.add((d[i] ?? 0) * 65536 + (d[i + 1] ?? 0) * 256 + (d[i + 2] ?? 0));
      return colours.size;
    });
    expect(painted).toBeGreaterThan(3);
    await e.shot(page, 'assessment-district.png');
  });

  it('switches to unit grids, sorts, and opens the cases behind a count', async () => {
    await page.getByTestId('as-level').selectOption('grid');
    await settled();
    await expect.poll(() => rows().count()).toBe(4);
    await page.locator('[data-testid=as-table] [data-sort=score]').click();
    const scores = await rows().evaluateAll((trs) => trs.map((tr) => tr.children[2]?.textContent ?? ''));
    const numeric = scores.filter((s) => s !== '—').map(Number);
    expect(numeric).toEqual([...numeric].sort((a, b) => b - a));
    await e.shot(page, 'assessment-grid.png');

    const cell = page.locator('[data-testid=as-table] tbody tr button[data-indicator=filed]').first();
    const count = Number(await cell.textContent());
    expect(count).toBeGreaterThan(0);
    await cell.click();
    await page.getByTestId('as-drill').waitFor();
    await expect.poll(() => page.getByTestId('as-drill-case').count()).toBe(count);
    await e.shot(page, 'assessment-drill.png');
    const id = await page.getByTestId('as-drill-case').first().getAttribute('data-id');
    await page.getByTestId('as-drill-case').first().click();
    await page.waitForSelector('[data-testid=case-detail]');
    expect(page.url()).toContain(`#/cases/${id}`);
    await page.goBack();
    await settled();
  });

  it('exports CSV and an Excel workbook that reads back with Chinese headers', async () => {
    await page.getByTestId('as-level').selectOption('department');
    await settled();
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('as-export-csv').click(),
    ]);
    const csvText = fs.readFileSync((await csv.path()) ?? '', 'utf8');
    expect(csvText.charCodeAt(0)).toBe(0xfeff);
    expect(csvText.slice(1).split('\r\n')[0]?.split(',').slice(0, 5)).toEqual([
      '排名',
      '编码',
      '名称',
      '得分',
      '等级',
    ]);
    expect(csv.suggestedFilename()).toBe(
      `assessment-department-${new Date(`${from}T00:00:00+08:00`).toISOString().slice(0, 10)}.csv`,
    );

    const [xlsx] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('as-export-xlsx').click(),
    ]);
    const file = path.join(shotsDir, 'assessment-department.xlsx');
    await xlsx.saveAs(file);
    await page.getByTestId('as-note').waitFor();
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['专业部门', '说明']);
    const ws = wb.getWorksheet('专业部门');
    if (!ws) throw new Error('no sheet 专业部门');
    const head = (ws.getRow(1).values as unknown[]).slice(1);
    expect(head.slice(0, 5)).toEqual(['排名', '编码', '名称', '得分', '等级']);
    for (const h of ['案件数', '结案数', '返工数', '按时处置率(%)', '对比期得分', '得分变化'])
      expect(head).toContain(h);
    const api = await e.call<ReportBody>(
      'boss',
      'GET',
      `/api/v1/assessment?from=${from}&to=${to}&level=department`,
    );
    const lines = [];
    for (let i = 2; i <= ws.rowCount; i++) lines.push((ws.getRow(i).values as unknown[]).slice(1));
    expect(lines).toHaveLength(api.rows.length);
    for (const r of api.rows) {
      const line = lines.find((l) => l[1] === r.subject);
      expect(line?.[2]).toBe(r.name);
      expect(line?.[3] ?? null).toBe(r.score);
      expect(line?.[head.indexOf('案件数')]).toBe(r.counters.cases);
    }
    const about = wb.getWorksheet('说明');
    expect(about?.getRow(1).values).toEqual([undefined, '标题', expect.stringContaining('专业部门考核')]);
    // What the workbook holds, for the record of this run.
    console.log(
      [head.slice(0, 12).join(' | '), ...lines.slice(0, 4).map((l) => l.slice(0, 12).join(' | '))].join('\n'),
    );
  });

  it('renders the printable monthly report with its charts as images', async () => {
    await page.getByTestId('as-level').selectOption('district');
    await settled();
    await page.getByTestId('as-report-link').click();
    await page.waitForSelector('[data-testid=as-report][data-ready=true]');
    expect(await page.locator('h1').textContent()).toContain('综合评价月报');
    expect(await page.locator('[data-testid=as-report-table] tbody tr').count()).toBeGreaterThan(0);
    const radar = await page.getByTestId('as-report-radar').getAttribute('src');
    expect(radar).toMatch(/^data:image\/png;base64,/);
    expect(await page.getByTestId('as-print').textContent()).toBe('打印');
    await e.shot(page, 'assessment-report.png');
    // Paper: the print style at A4 width (210 mm ≈ 794 px), then a real PDF.
    await page.emulateMedia({ media: 'print' });
    await page.setViewportSize({ width: 794, height: 1123 });
    expect(await page.locator('.sidenav').isVisible()).toBe(false);
    expect(await page.getByTestId('as-print').isVisible()).toBe(false);
    await page.screenshot({ path: path.join(shotsDir, 'assessment-report-print.png'), fullPage: true });
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    fs.writeFileSync(path.join(shotsDir, 'assessment-report.pdf'), pdf);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const pages = pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g)?.length ?? 0;
    expect(pages).toBeGreaterThanOrEqual(1);
    expect(pages).toBeLessThanOrEqual(2); // two districts fit on one or two sheets
    await page.emulateMedia({ media: 'screen' });
    await page.setViewportSize({ width: 1366, height: 768 });
  });

  it('draws empty-grid spot checks, the same grids for the same seed', async () => {
    // Back from the report to the screen, then everything through the pickers (no reload).
    await page.locator('.as-report-bar a').click();
    await page.getByTestId('as-level').selectOption('grid');
    await settled();
    // A custom period that ends before it starts is refused by the server with a clear message.
    await page.locator('[data-testid=as-period] [data-kind=custom]').click();
    const before = new Date(new Date(`${from}T00:00:00Z`).getTime() - 86_400_000).toISOString().slice(0, 10);
    await page.getByTestId('as-to').fill(before);
    await expect.poll(() => page.locator('.as-error').textContent()).toContain('from must be before to');
    // The same month a year ago: no report anywhere, so every unit grid is empty.
    await page.locator('[data-testid=as-period] [data-kind=month]').click();
    await page.getByTestId('as-month').fill(`${Number(month.slice(0, 4)) - 1}${month.slice(4)}`);
    await expect.poll(() => page.url()).toContain(`from=${Number(from.slice(0, 4)) - 1}${from.slice(4)}`);
    await settled();
    expect(await page.locator('.as-error').count()).toBe(0);
    await page.getByTestId('as-spot-seed').fill('e2e-audit');
    await page.getByTestId('as-spot-draw').click();
    await expect.poll(() => page.getByTestId('as-spot-result').textContent()).toContain('4');
    await expect.poll(() => page.getByTestId('as-spot-row').count()).toBe(4);
    const first = await page
      .getByTestId('as-spot-row')
      .evaluateAll((r) => r.map((x) => x.getAttribute('data-grid')));
    await page.getByTestId('as-spot-draw').click();
    await expect
      .poll(() =>
        page.getByTestId('as-spot-row').evaluateAll((r) => r.map((x) => x.getAttribute('data-grid'))),
      )
      .toEqual(first);
    await page.getByTestId('as-spot').scrollIntoViewIfNeeded();
    await e.shot(page, 'assessment-spot.png');
  });

  it('speaks English too', async () => {
    await page.getByTestId('lang-switch').click();
    await expect.poll(() => page.locator('.as-toolbar h1').textContent()).toBe('Assessment');
    expect(await page.getByTestId('as-aspect').first().textContent()).toContain('Four aspects overall');
    expect(await page.locator('[data-testid=as-table] thead').textContent()).toContain('Filed');
    await page.locator('.as-page').evaluate((el) => el.scrollTo(0, 0));
    await e.shot(page, 'assessment-en.png');
    await page.getByTestId('lang-switch').click();
    expect(e.pageErrors).toEqual([]);
  });
});
