/**
 * 突发事件 levels and information reports (信息报送). Levels follow the 突发事件应对法: I 特别重大,
 * II 重大, III 较大, IV 一般. Reports go up the levels with time limits: the first report (首报)
 * soon after the incident is known, follow-ups (续报) at an interval while it lasts, the final
 * report (终报) after stand-down. The limits here are OneGrid's defaults, modelled on 上海市突发事件
 * 信息报送 practice (电话 30 分钟、书面 1 小时 for 较大 and above); a city may change them in code.
 */
export const incidentLevels = [1, 2, 3, 4] as const;
export type IncidentLevel = (typeof incidentLevels)[number];

export const incidentLevelNames: Record<IncidentLevel, { zh: string; en: string; roman: string }> = {
  1: { zh: '特别重大', en: 'Extremely serious', roman: 'I' },
  2: { zh: '重大', en: 'Serious', roman: 'II' },
  3: { zh: '较大', en: 'Major', roman: 'III' },
  4: { zh: '一般', en: 'General', roman: 'IV' },
};

/** Warning colours that go with the levels (预警级别: 红 橙 黄 蓝). */
export const incidentLevelColours: Record<IncidentLevel, string> = {
  1: '#d4380d',
  2: '#fa8c16',
  3: '#fadb14',
  4: '#1677ff',
};

export function isIncidentLevel(v: unknown): v is IncidentLevel {
  return v === 1 || v === 2 || v === 3 || v === 4;
}

/** Lower number = more serious. */
export function moreSerious(a: IncidentLevel, b: IncidentLevel): IncidentLevel {
  return Math.min(a, b) as IncidentLevel;
}

export const incidentTypes = [
  'flood',
  'typhoon',
  'fire',
  'gas',
  'crowd',
  'traffic',
  'public-health',
  'other',
] as const;
export type IncidentType = (typeof incidentTypes)[number];
export const incidentTypeNames: Record<IncidentType, { zh: string; en: string }> = {
  flood: { zh: '防汛（暴雨内涝）', en: 'Flood (rainstorm)' },
  typhoon: { zh: '防台', en: 'Typhoon' },
  fire: { zh: '火灾', en: 'Fire' },
  gas: { zh: '燃气泄漏', en: 'Gas leak' },
  crowd: { zh: '人员密集', en: 'Crowd' },
  traffic: { zh: '交通事故', en: 'Traffic accident' },
  'public-health': { zh: '公共卫生', en: 'Public health' },
  other: { zh: '其他', en: 'Other' },
};

/**
 * Incident states: proposed by a plan's trigger (or opened by hand) → active once a leader
 * activates a plan → standing-down (应急终止, the final report outstanding) → closed; a proposal
 * may be dismissed instead.
 */
export const incidentStatuses = ['proposed', 'active', 'stood-down', 'closed', 'dismissed'] as const;
export type IncidentStatus = (typeof incidentStatuses)[number];
export const incidentStatusNames: Record<IncidentStatus, { zh: string; en: string }> = {
  proposed: { zh: '待研判', en: 'Proposed' },
  active: { zh: '响应中', en: 'Responding' },
  'stood-down': { zh: '已终止响应', en: 'Stood down' },
  closed: { zh: '已关闭', en: 'Closed' },
  dismissed: { zh: '已排除', en: 'Dismissed' },
};

export const reportKinds = ['first', 'update', 'final'] as const;
export type ReportKind = (typeof reportKinds)[number];
export const reportKindNames: Record<ReportKind, { zh: string; en: string }> = {
  first: { zh: '首报', en: 'First report' },
  update: { zh: '续报', en: 'Follow-up report' },
  final: { zh: '终报', en: 'Final report' },
};

/** Minutes: first report after activation, follow-ups every …, final report after stand-down. */
export const reportLimits: Record<IncidentLevel, { first: number; update: number; final: number }> = {
  1: { first: 30, update: 60, final: 24 * 60 },
  2: { first: 30, update: 60, final: 24 * 60 },
  3: { first: 60, update: 120, final: 24 * 60 },
  4: { first: 120, update: 240, final: 48 * 60 },
};

/**
 * Where reports go: the platform above the incident's area, and for 较大 and above the city.
 * A street incident of level IV reports to its district; III and above to the city.
 */
export function reportTo(areaCode: string, level: IncidentLevel): string {
  const city = areaCode.slice(0, 4);
  if (level <= 3) return city;
  if (areaCode.length >= 9) return areaCode.slice(0, 6);
  return city;
}

export interface ReportSent {
  kind: ReportKind;
  sentAt: Date;
}

/**
 * The next report due for an incident, from what was sent: no first report → the first report,
 * due `first` minutes after activation; active → a follow-up `update` minutes after the last
 * report; stood down → the final report, due `final` minutes after stand-down; none once the final
 * report is sent (or before activation).
 */
export function nextReport(i: {
  level: IncidentLevel;
  activatedAt: Date | null;
  stoodDownAt: Date | null;
  sent: readonly ReportSent[];
}): { kind: ReportKind; dueAt: Date } | undefined {
  if (!i.activatedAt) return undefined;
  const lim = reportLimits[i.level];
  const after = (d: Date, minutes: number) => new Date(d.getTime() + minutes * 60_000);
  if (i.sent.some((r) => r.kind === 'final')) return undefined;
  const first = i.sent.find((r) => r.kind === 'first');
  if (!first) return { kind: 'first', dueAt: after(i.activatedAt, lim.first) };
  if (i.stoodDownAt) return { kind: 'final', dueAt: after(i.stoodDownAt, lim.final) };
  const last = new Date(Math.max(...i.sent.map((r) => r.sentAt.getTime())));
  return { kind: 'update', dueAt: after(last, lim.update) };
}

/** Whether a report of `kind` may be sent now (a final report only after stand-down, etc.). */
export function reportProblem(
  kind: ReportKind,
  i: { status: IncidentStatus; sent: readonly ReportSent[] },
): string | undefined {
  if (i.status === 'proposed' || i.status === 'dismissed') return 'the incident has not been activated';
  if (i.sent.some((r) => r.kind === 'final')) return 'the final report has been sent';
  const hasFirst = i.sent.some((r) => r.kind === 'first');
  if (kind === 'first' && hasFirst) return 'the first report has been sent; send a follow-up';
  if (kind !== 'first' && !hasFirst) return 'send the first report first';
  if (kind === 'final' && i.status !== 'stood-down') return 'the final report follows stand-down';
  return undefined;
}
