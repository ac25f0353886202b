/**
 * Exports of an assessment report: CSV (UTF-8 with BOM so Excel opens the Chinese headers) and
 * `.xlsx` through exceljs, with Chinese headers, one row per subject, rates as percentages.
 */
import { assessmentLevelNames } from '@onegrid/domain';
import ExcelJS from 'exceljs';
import type { AssessmentReport } from './assessment.service.ts';

export const counterNamesZh: Record<string, string> = {
  reported: '上报数',
  filed: '立案数',
  missed: '漏报数',
  verifyDue: '应核实数',
  verifyOnTime: '按时核实数',
  checkDue: '应核查数',
  checkOnTime: '按时核查数',
  volume: '受理量',
  verifyDispatched: '核实派遣数',
  verifyDispatchedOnTime: '按时核实派遣数',
  checkDispatched: '核查派遣数',
  checkDispatchedOnTime: '按时核查派遣数',
  filingDue: '应立案数',
  filedOnTime: '按时立案数',
  voided: '作废数',
  closed: '结案数',
  closedOnTime: '按时结案数',
  dispatched: '派遣数',
  dispatchDue: '应派遣数',
  dispatchedOnTime: '按时派遣数',
  returned: '被回退数',
  cases: '案件数',
  handled: '处置数',
  handledOnTime: '按时处置数',
  reworks: '返工数',
  openOverdue: '超期未处置数',
  dueToClose: '应结案数',
  dueToHandle: '应处置数',
  publicConfirmed: '公众举报属实数',
  selfHandled: '自处理数',
  rejected: '不予立案数',
  returns: '回退数',
  extensions: '延期数',
  suspensions: '挂账数',
};
export const aspectNamesZh: Record<string, string> = {
  discovery: '发现与监督',
  command: '指挥与协调',
  supervision: '综合监督',
  mechanism: '运行机制',
};
export const rateNamesZh: Record<string, string> = {
  validReport: '有效上报率',
  missedReport: '漏报率',
  onTimeVerify: '按时核实率',
  onTimeCheck: '按时核查率',
  verifyDispatch: '核实派遣及时率',
  checkDispatch: '核查派遣及时率',
  onTimeFiling: '立案及时率',
  accurateFiling: '立案准确率',
  onTimeClosing: '按时结案率',
  onTimeDispatch: '派遣及时率',
  accurateDispatch: '派遣准确率',
  closing: '结案率',
  onTimeHandling: '按时处置率',
  rework: '返工率',
  publicReport: '公众举报率',
};

interface Table {
  headers: string[];
  rows: (string | number | null)[][];
  title: string;
}

export function reportTable(r: AssessmentReport): Table {
  const first = r.rows[0];
  const counterKeys = first ? Object.keys(first.counters) : [];
  const rateKeys = first ? Object.keys(first.rates) : [];
  const compared = r.compare !== null;
  const headers = [
    '排名',
    '编码',
    '名称',
    '得分',
    '等级',
    ...counterKeys.map((k) => counterNamesZh[k] ?? k),
    ...rateKeys.map((k) => `${rateNamesZh[k] ?? k}(%)`),
    ...(compared ? ['对比期得分', '得分变化'] : []),
  ];
  const pct = (v: number | null | undefined) =>
    v === null || v === undefined ? null : Math.round(v * 10_000) / 100;
  const rows = r.rows.map((x) => [
    x.rank,
    x.subject,
    x.name,
    x.score,
    x.grade,
    ...counterKeys.map((k) => x.counters[k] ?? 0),
    ...rateKeys.map((k) => pct(x.rates[k])),
    ...(compared ? [x.previous?.score ?? null, x.delta?.score ?? null] : []),
  ]);
  const title = `${assessmentLevelNames[r.level]}考核 ${r.from.slice(0, 10)} 至 ${r.to.slice(0, 10)}`;
  return { headers, rows, title };
}

function csvCell(v: string | number | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(r: AssessmentReport): string {
  const t = reportTable(r);
  return `\uFEFF${[t.headers, ...t.rows].map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

export async function toXlsx(r: AssessmentReport): Promise<Buffer> {
  const t = reportTable(r);
  const wb = new ExcelJS.Workbook();
  wb.creator = 'OneGrid';
  wb.created = new Date(r.to);
  const ws = wb.addWorksheet(assessmentLevelNames[r.level]);
  ws.addRow(t.headers);
  for (const row of t.rows) ws.addRow(row);
  ws.getRow(1).font = { bold: true };
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  ws.columns.forEach((c, i) => {
    c.width = i === 2 ? 24 : Math.max(8, (t.headers[i]?.length ?? 4) * 2 + 2);
  });
  const about = wb.addWorksheet('说明');
  about.addRow(['标题', t.title]);
  about.addRow(['范围', r.scope]);
  about.addRow(['起', r.from]);
  about.addRow(['止（不含）', r.to]);
  if (r.compare) about.addRow(['对比期', `${r.previousFrom} 至 ${r.previousTo}`]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}
