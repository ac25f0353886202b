/** The command screen's data: typed calls to /api/v1/command/*, vitals, and one live event stream. */
import { caseActionNames } from '@onegrid/domain';
import { api, type components, unwrap } from '../api/client.ts';
import { useEventStream } from '../api/stream.ts';

export type CommandCases = components['schemas']['CommandCases'];
export type ReplayEvent = components['schemas']['ReplayEvent'];
export type Alarm = components['schemas']['Alarm'];

const q = (area: string | undefined) => ({ params: { query: area ? { area } : {} } });

export const loadCases = (area?: string) => unwrap(api.GET('/api/v1/command/cases', q(area)));
export const loadCaseSummary = (area?: string) => unwrap(api.GET('/api/v1/command/cases/summary', q(area)));
export type CaseSummary = Awaited<ReturnType<typeof loadCaseSummary>>;
export const loadInspectors = async (area?: string) =>
  (await unwrap(api.GET('/api/v1/command/inspectors', q(area)))).items;
export const loadArea = (area?: string) => unwrap(api.GET('/api/v1/command/area', q(area)));
export const loadFocus = (target: { case: number } | { alarm: number }) =>
  unwrap(api.GET('/api/v1/command/focus', { params: { query: target } }));
export const loadReplay = (from: string, to: string, area?: string) =>
  unwrap(api.GET('/api/v1/command/replay', { params: { query: { from, to, ...(area ? { area } : {}) } } }));
export const loadAlarms = async () =>
  (await unwrap(api.GET('/api/v1/alarms', { params: { query: { active: true, limit: 1000 } } }))).items;
export type InspectorPosition = Awaited<ReturnType<typeof loadInspectors>>[number];
export type Focus = Awaited<ReturnType<typeof loadFocus>>;
export type AreaFigures = Awaited<ReturnType<typeof loadArea>>;
export const loadCase = (id: number) => unwrap(api.GET('/api/v1/cases/{id}', { params: { path: { id } } }));

/** The vital signs (体征), from the vitals module; its shape is fixed by the API contract. */
export type WarningLevel = 'green' | 'yellow' | 'orange' | 'red';
export interface Indicator {
  id: string;
  name: { zh: string; en: string };
  unit: string;
  value: number | null;
  level: WarningLevel | null;
  thresholds: { yellow: number; orange: number; red: number };
  higherIsWorse: boolean;
}
export interface Vitals {
  computedAt: string;
  area: { code: string; name: string; level: string };
  indicators: Indicator[];
  children: Array<{
    code: string;
    name: string;
    level: string;
    values: Record<string, { value: number | null; level: WarningLevel | null }>;
  }>;
}
export const indicatorIds = [
  'open_cases',
  'new_today',
  'overdue_rate',
  'ontime_close_rate',
  'alarms_red',
  'alarms_orange',
  'alarms_yellow',
  'water_over_threshold',
  'aqi',
  'pm25',
  'device_online_rate',
  'inspectors_on_duty',
  'cases_per_10k',
] as const;

/** The vitals, or null while the vitals module does not answer (the panel then shows "—"). */
export async function loadVitals(area?: string): Promise<Vitals | null> {
  try {
    const v = await unwrap(api.GET('/api/v1/vitals', { params: { query: area ? { area } : {} } }));
    return Array.isArray(v?.indicators) ? (v as Vitals) : null;
  } catch {
    return null;
  }
}

export interface StreamEvent {
  topic: string;
  data: Record<string, unknown>;
  receivedAt: number;
}

const topics = [
  'case.report',
  ...caseActionNames.map((a) => `case.${a}`),
  'alarm.raised',
  'alarm.cleared',
  'alarm.acknowledged',
  'vitals',
  'vitals.changed',
  'vitals.updated',
];

/** Every case, alarm and vitals event in the user's area, as it happens (SSE, reconnects by itself). */
export function useCommandStream(onEvent: (e: StreamEvent) => void): boolean {
  return useEventStream('case,alarm,vitals', topics, (topic, data) =>
    onEvent({ topic, data, receivedAt: Date.now() }),
  );
}
