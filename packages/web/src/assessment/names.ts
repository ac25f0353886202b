/** Names of the levels, counters, rates and indicators of the assessment, in both languages. */
import { type AssessmentLevel, assessmentLevelNames } from '@onegrid/domain';
import type { Lang } from '../i18n/i18n.tsx';

const levelEn: Record<AssessmentLevel, string> = {
  inspector: 'Grid inspectors',
  operator: 'Operators',
  shiftLead: 'Shift leads',
  dispatcher: 'Dispatchers',
  department: 'Departments',
  grid: 'Unit grids',
  community: 'Communities',
  street: 'Streets / towns',
  district: 'Districts',
};
export const levelName = (l: AssessmentLevel, lang: Lang) =>
  lang === 'zh' ? assessmentLevelNames[l] : levelEn[l];

/** [中文, English] — the Chinese as in the exported workbook's headers. */
const figures: Record<string, [string, string]> = {
  reported: ['上报数', 'Reported'],
  filed: ['立案数', 'Filed'],
  missed: ['漏报数', 'Missed'],
  verifyDue: ['应核实数', 'Verifications due'],
  verifyOnTime: ['按时核实数', 'Verified on time'],
  checkDue: ['应核查数', 'Checks due'],
  checkOnTime: ['按时核查数', 'Checked on time'],
  volume: ['受理量', 'Volume'],
  verifyDispatched: ['核实派遣数', 'Verifications sent'],
  verifyDispatchedOnTime: ['按时核实派遣数', 'Sent on time'],
  checkDispatched: ['核查派遣数', 'Checks sent'],
  checkDispatchedOnTime: ['按时核查派遣数', 'Checks sent on time'],
  filingDue: ['应立案数', 'Filings due'],
  filedOnTime: ['按时立案数', 'Filed on time'],
  voided: ['作废数', 'Voided'],
  closed: ['结案数', 'Closed'],
  closedOnTime: ['按时结案数', 'Closed on time'],
  dispatched: ['派遣数', 'Dispatched'],
  dispatchDue: ['应派遣数', 'Dispatches due'],
  dispatchedOnTime: ['按时派遣数', 'Dispatched on time'],
  returned: ['被回退数', 'Returned'],
  cases: ['案件数', 'Cases'],
  handled: ['处置数', 'Handled'],
  handledOnTime: ['按时处置数', 'Handled on time'],
  reworks: ['返工数', 'Reworks'],
  openOverdue: ['超期未处置数', 'Overdue, open'],
  dueToClose: ['应结案数', 'Due to close'],
  dueToHandle: ['应处置数', 'Due to handle'],
  publicConfirmed: ['公众举报属实数', 'Public reports confirmed'],
  selfHandled: ['自处理数', 'Self-handled'],
  rejected: ['不予立案数', 'Rejected'],
  returns: ['回退数', 'Returns'],
  extensions: ['延期数', 'Extensions'],
  suspensions: ['挂账数', 'Suspensions'],
  // rates
  validReport: ['有效上报率', 'Valid reports'],
  missedReport: ['漏报率', 'Missed reports'],
  onTimeVerify: ['按时核实率', 'On-time verify'],
  onTimeCheck: ['按时核查率', 'On-time check'],
  verifyDispatch: ['核实派遣及时率', 'Verify-dispatch on time'],
  checkDispatch: ['核查派遣及时率', 'Check-dispatch on time'],
  onTimeFiling: ['立案及时率', 'On-time filing'],
  accurateFiling: ['立案准确率', 'Accurate filing'],
  onTimeClosing: ['按时结案率', 'On-time closing'],
  onTimeDispatch: ['派遣及时率', 'On-time dispatch'],
  accurateDispatch: ['派遣准确率', 'Accurate dispatch'],
  closing: ['结案率', 'Closing'],
  onTimeHandling: ['按时处置率', 'On-time handling'],
  rework: ['返工率', 'Rework'],
  publicReport: ['公众举报率', 'Public reports'],
  // aspect indicators
  selfFound: ['主动发现率', 'Found first'],
  filedCount: ['立案数得分', 'Filed-count score'],
  extension: ['非延期率', 'No extension'],
  suspension: ['非挂账率', 'No suspension'],
};

export function figureName(key: string, lang: Lang): string {
  const f = figures[key];
  return f ? f[lang === 'zh' ? 0 : 1] : key;
}

/** Counters a drill-down cannot list (derived sums). */
export const derivedCounters = new Set(['dueToClose', 'dueToHandle', 'missed']);
