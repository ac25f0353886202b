/** Assessment on the client: periods, the typed calls, downloads. */
import { type AssessmentLevel, assessedAreaLevels } from '@onegrid/domain';
import { api, type components, unwrap } from '../api/client.ts';

export type Report = components['schemas']['AssessmentReport'];
export type ReportRow = Report['rows'][number];
export type Aspects = components['schemas']['AssessmentAspects'];
export type SpotCheck = components['schemas']['SpotCheck'];
export type CaseRef = {
  id: number;
  number: string;
  status: string;
  category: string;
  areaCode: string;
  at: string | null;
};

/** The levels in the order of the picker: places first, then organisations and people. */
export const levelOrder: readonly AssessmentLevel[] = [
  'district',
  'street',
  'community',
  'grid',
  'department',
  'inspector',
  'operator',
  'shiftLead',
  'dispatcher',
];
export const isAreaLevel = (l: string) => (assessedAreaLevels as readonly string[]).includes(l);

export type PeriodKind = 'month' | 'quarter' | 'custom';
/** A period as the API takes it: `YYYY-MM-DD` Shanghai days, `to` exclusive. */
export interface Period {
  kind: PeriodKind;
  from: string;
  to: string;
}

const pad = (n: number) => String(n).padStart(2, '0');
const day = (y: number, m: number, d = 1) => {
  const x = new Date(Date.UTC(y, m - 1, d));
  return `${x.getUTCFullYear()}-${pad(x.getUTCMonth() + 1)}-${pad(x.getUTCDate())}`;
};
/** Today in Shanghai as [year, month, day]. */
export function shanghaiToday(now = new Date()): [number, number, number] {
  const x = new Date(now.getTime() + 8 * 3_600_000);
  return [x.getUTCFullYear(), x.getUTCMonth() + 1, x.getUTCDate()];
}
export function monthPeriod(year: number, month: number): Period {
  return { kind: 'month', from: day(year, month), to: day(year, month + 1) };
}
export function quarterPeriod(year: number, quarter: number): Period {
  const m = (quarter - 1) * 3 + 1;
  return { kind: 'quarter', from: day(year, m), to: day(year, m + 3) };
}
/** Inclusive last day in, exclusive `to` out. */
export function customPeriod(from: string, lastDay: string): Period {
  const [y, m, d] = lastDay.split('-').map(Number);
  return { kind: 'custom', from, to: day(y ?? 1970, m ?? 1, (d ?? 1) + 1) };
}
export function lastDayOf(p: Period): string {
  const [y, m, d] = p.to.split('-').map(Number);
  return day(y ?? 1970, m ?? 1, (d ?? 1) - 1);
}

export interface Query {
  level: AssessmentLevel;
  from: string;
  to: string;
  area?: string;
}
const q = (x: Query) => ({
  level: x.level,
  from: x.from,
  to: x.to,
  ...(x.area && /^\d{4,15}$/.test(x.area) ? { area: x.area } : {}),
});

export function loadReport(x: Query): Promise<Report> {
  return unwrap(api.GET('/api/v1/assessment', { params: { query: { ...q(x), compare: 'both' } } }));
}

export async function casesBehind(x: Query & { subject: string; indicator: string }): Promise<CaseRef[]> {
  const r = await unwrap(
    api.GET('/api/v1/assessment/cases', {
      params: { query: { ...q(x), subject: x.subject, indicator: x.indicator } },
    }),
  );
  return r.items;
}

/** Fetches an export through the client (it carries the token) and saves it under the server's name. */
export async function download(format: 'csv' | 'xlsx', x: Query): Promise<string> {
  const path = format === 'csv' ? '/api/v1/assessment/export.csv' : '/api/v1/assessment/export.xlsx';
  const r = await api.GET(path, { params: { query: { ...q(x), compare: 'previous' } }, parseAs: 'blob' });
  if (!r.response.ok || !(r.data instanceof Blob)) throw new Error(`HTTP ${r.response.status}`);
  const name =
    /filename="([^"]+)"/.exec(r.response.headers.get('content-disposition') ?? '')?.[1] ??
    `assessment.${format}`;
  const url = URL.createObjectURL(r.data);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return name;
}

export function drawSpotChecks(body: {
  from: string;
  to: string;
  sampleSize: number;
  seed: string;
  area?: string;
}) {
  return unwrap(api.POST('/api/v1/assessment/spot-checks', { body }));
}
export async function listSpotChecks(): Promise<SpotCheck[]> {
  return (await unwrap(api.GET('/api/v1/assessment/spot-checks', { params: { query: {} } }))).items;
}
export function recordSpotCheck(id: number, found: boolean) {
  return unwrap(
    api.POST('/api/v1/assessment/spot-checks/{id}/result', { params: { path: { id } }, body: { found } }),
  );
}

/** The assessment's hash route: `#/assessment?…` (screen) or `#/assessment/report?…` (printable). */
export function parseAssessmentHash(hash: string): { report: boolean; params: URLSearchParams } {
  const h = hash.replace(/^#/, '');
  const [path, search] = [h.split('?')[0] ?? '', h.split('?')[1] ?? ''];
  return { report: path.startsWith('/assessment/report'), params: new URLSearchParams(search) };
}

/** Grade colour names of the API → the colours drawn (A green, B blue, C yellow, D red, E black). */
export const gradeHex: Record<string, string> = {
  green: '#2e9e5b',
  blue: '#1463c8',
  yellow: '#e3b100',
  red: '#d23b3b',
  black: '#1b1b1b',
};
export function colourOf(report: Report | null, grade: string | null | undefined): string {
  if (!grade) return '#b9c2cd';
  return gradeHex[report?.gradeColours[grade] ?? ''] ?? '#b9c2cd';
}

export const pct = (v: number | null | undefined) =>
  v === null || v === undefined ? '—' : `${(Math.round(v * 1000) / 10).toFixed(1)}%`;
export const num = (v: number | null | undefined) =>
  v === null || v === undefined ? '—' : (Math.round(v * 100) / 100).toFixed(2).replace(/\.?0+$/, '');
export const signed = (v: number | null | undefined) =>
  v === null || v === undefined ? '—' : `${v > 0 ? '+' : ''}${num(v)}`;

/** An instant as its Shanghai day `YYYY-MM-DD` (`back` days earlier: an exclusive end's last day). */
export function shanghaiDay(iso: string, back = 0): string {
  return new Date(new Date(iso).getTime() + 8 * 3_600_000 - back * 86_400_000).toISOString().slice(0, 10);
}
