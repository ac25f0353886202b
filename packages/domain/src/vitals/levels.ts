/**
 * Pure vital-sign arithmetic: a value's level against its thresholds, HJ 633 air-quality
 * indices, windows, the value of a definition from the raw figures the server aggregates, and
 * the checks a definition must pass before it is stored.
 */
import { type AreaLevel, areaLevels } from '../areas.ts';
import {
  alarmSeverities,
  type VitalDefinition,
  type VitalLevel,
  type VitalThresholds,
  type VitalWindow,
  vitalAggregations,
  vitalMeasures,
  vitalSources,
  vitalWindows,
} from './types.ts';

/** The thresholds that apply at an area level: the level's own, else the definition's. */
export function thresholdsAt(
  def: Pick<VitalDefinition, 'thresholds' | 'thresholdsByLevel'>,
  level?: AreaLevel,
) {
  return (level && def.thresholdsByLevel?.[level]) || def.thresholds;
}

/**
 * Green, yellow, orange or red. A value must pass a threshold strictly to take its colour: with
 * AQI bounds 50/100/150, an AQI of exactly 50 is still 优 (green), as HJ 633's bands are closed
 * at the top. Null in, null out.
 */
export function levelOf(
  value: number | null | undefined,
  def: Pick<VitalDefinition, 'thresholds' | 'thresholdsByLevel' | 'higherIsWorse'>,
  areaLevel?: AreaLevel,
): VitalLevel | null {
  if (value === null || value === undefined || !Number.isFinite(value)) return null;
  const t = thresholdsAt(def, areaLevel);
  const worse = def.higherIsWorse ? (limit: number) => value > limit : (limit: number) => value < limit;
  if (worse(t.red)) return 'red';
  if (worse(t.orange)) return 'orange';
  if (worse(t.yellow)) return 'yellow';
  return 'green';
}

const levelRank: Record<VitalLevel, number> = { green: 0, yellow: 1, orange: 2, red: 3 };

/** The worst of several levels (an area's overall level); null when none is known. */
export function worstLevel(levels: readonly (VitalLevel | null)[]): VitalLevel | null {
  let worst: VitalLevel | null = null;
  for (const l of levels) if (l && (worst === null || levelRank[l] > levelRank[worst])) worst = l;
  return worst;
}

/** HJ 633-2012 table 1: 24-hour PM2.5 concentration breakpoints (µg/m³) and their IAQI. */
export const pm25Breakpoints: readonly (readonly [concentration: number, iaqi: number])[] = [
  [0, 0],
  [35, 50],
  [75, 100],
  [115, 150],
  [150, 200],
  [250, 300],
  [350, 400],
  [500, 500],
];
/** AQI class upper bounds: 优 50, 良 100, 轻度 150, 中度 200, 重度 300, 严重 above. */
export const aqiClassBounds = [50, 100, 150, 200, 300] as const;

/**
 * The individual AQI of a PM2.5 concentration, by linear interpolation between the HJ 633
 * breakpoints, rounded up to an integer as HJ 633 §5 requires. Above 500 µg/m³ it stays 500.
 */
export function iaqiPm25(concentration: number | null | undefined): number | null {
  if (concentration === null || concentration === undefined || !Number.isFinite(concentration)) return null;
  if (concentration <= 0) return 0;
  for (let i = 1; i < pm25Breakpoints.length; i++) {
    const [bpHi, iHi] = pm25Breakpoints[i]!;
    const [bpLo, iLo] = pm25Breakpoints[i - 1]!;
    if (concentration <= bpHi) {
      const exact = ((iHi - iLo) / (bpHi - bpLo)) * (concentration - bpLo) + iLo;
      // Tolerate floating-point noise so that an exact breakpoint does not round up to the next integer.
      return Math.ceil(exact - 1e-9);
    }
  }
  return 500;
}

/** The AQI class (1 优 … 6 严重污染) of an AQI value. */
export function aqiClass(aqi: number): 1 | 2 | 3 | 4 | 5 | 6 {
  const i = aqiClassBounds.findIndex((b) => aqi <= b);
  return (i === -1 ? 6 : i + 1) as 1 | 2 | 3 | 4 | 5 | 6;
}

/** Beijing time, the day the centre works by. */
const dayOffsetMs = 8 * 3_600_000;

/** Where a window starts at `now` (`now` itself for the `now` window). */
export function windowStart(window: VitalWindow, now: Date): Date {
  const t = now.getTime();
  switch (window) {
    case 'now':
      return now;
    case 'today':
      return new Date(Math.floor((t + dayOffsetMs) / 86_400_000) * 86_400_000 - dayOffsetMs);
    case '15m':
      return new Date(t - 15 * 60_000);
    case '1h':
      return new Date(t - 3_600_000);
    case '24h':
      return new Date(t - 86_400_000);
    case '7d':
      return new Date(t - 7 * 86_400_000);
    case '30d':
      return new Date(t - 30 * 86_400_000);
  }
}

/** The raw figures the server aggregates for one definition and one area. */
export interface VitalInputs {
  /** The measure's count (count, rate, per10k, count_over). */
  readonly count?: number | null;
  /** The denominator measure's count (rate). */
  readonly of?: number | null;
  readonly population?: number | null;
  /** The window's average / maximum reading (avg, max, aqi). */
  readonly avg?: number | null;
  readonly max?: number | null;
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/**
 * The definition's value from its inputs. Rates are in % with one decimal, per-10k figures have
 * two decimals, averages one. A zero or unknown denominator gives null (not 0 and not 100).
 */
export function vitalValue(def: Pick<VitalDefinition, 'aggregation'>, x: VitalInputs): number | null {
  switch (def.aggregation) {
    case 'count':
    case 'count_over':
      return x.count ?? 0;
    case 'rate':
      return x.of ? round(((x.count ?? 0) / x.of) * 100, 1) : null;
    case 'per10k':
      return x.population ? round(((x.count ?? 0) / x.population) * 10_000, 2) : null;
    case 'avg':
      return x.avg === null || x.avg === undefined ? null : round(x.avg, 1);
    case 'max':
      return x.max ?? null;
    case 'aqi':
      return iaqiPm25(x.avg === null || x.avg === undefined ? null : round(x.avg, 1));
  }
}

const idPattern = /^[a-z][a-z0-9_]{1,39}$/;

function checkThresholds(t: unknown, higherIsWorse: boolean, where: string, problems: string[]) {
  const o = t as Partial<VitalThresholds> | undefined;
  if (!o || typeof o !== 'object') {
    problems.push(`${where} must be { yellow, orange, red }`);
    return;
  }
  const { yellow, orange, red } = o;
  if (![yellow, orange, red].every((v) => typeof v === 'number' && Number.isFinite(v))) {
    problems.push(`${where}: yellow, orange and red must be numbers`);
    return;
  }
  const ordered = higherIsWorse
    ? yellow! <= orange! && orange! <= red!
    : yellow! >= orange! && orange! >= red!;
  if (!ordered)
    problems.push(
      `${where}: ${higherIsWorse ? 'higher is worse, so yellow ≤ orange ≤ red' : 'lower is worse, so yellow ≥ orange ≥ red'} (got ${yellow}/${orange}/${red})`,
    );
}

/** Every problem with a definition, in words; empty when it can be stored. */
export function definitionProblems(def: VitalDefinition): string[] {
  const p: string[] = [];
  if (!idPattern.test(def.id)) p.push(`id must match ${idPattern.source}`);
  if (!def.name?.zh?.trim() || !def.name?.en?.trim()) p.push('name needs zh and en');
  if (!(vitalSources as readonly string[]).includes(def.source))
    p.push(`source must be one of ${vitalSources.join(', ')}`);
  if (!(vitalAggregations as readonly string[]).includes(def.aggregation))
    p.push(`aggregation must be one of ${vitalAggregations.join(', ')}`);
  if (!(vitalWindows as readonly string[]).includes(def.window))
    p.push(`window must be one of ${vitalWindows.join(', ')}`);
  if (!(areaLevels as readonly string[]).includes(def.level))
    p.push(`level must be one of ${areaLevels.join(', ')}`);
  const measures = vitalMeasures[def.source];
  if (measures && measures !== 'metric') {
    if (!measures.includes(def.measure))
      p.push(`measure of ${def.source} must be one of ${measures.join(', ')}`);
    if (def.aggregation === 'rate' && (!def.of || !measures.includes(def.of)))
      p.push(`a rate needs "of", one of ${measures.join(', ')}`);
  }
  if (def.source === 'readings') {
    if (!/^[A-Za-z][A-Za-z0-9_.-]{0,39}$/.test(def.measure ?? '')) p.push('measure must be a metric key');
    if (!def.filter?.deviceType) p.push('readings need filter.deviceType');
    if (!['avg', 'max', 'count_over', 'aqi'].includes(def.aggregation))
      p.push('readings aggregate with avg, max, count_over or aqi');
  } else if (['avg', 'max', 'count_over', 'aqi'].includes(def.aggregation)) {
    p.push(`${def.aggregation} applies to readings only`);
  }
  if (def.aggregation === 'count_over' && (typeof def.over !== 'number' || !Number.isFinite(def.over)))
    p.push('count_over needs a number "over"');
  if (
    def.source === 'cases' &&
    ['new', 'closed', 'closed_on_time'].includes(def.measure) &&
    def.window === 'now'
  )
    p.push(`cases "${def.measure}" need a window other than now`);
  if (
    ((def.source === 'cases' && ['open', 'overdue'].includes(def.measure)) || def.source === 'devices') &&
    def.window !== 'now'
  )
    p.push(`${def.source} "${def.measure}" is a current state: its window is now`);
  if (def.source === 'field_staff' && def.window === 'now') p.push('field_staff needs a window (e.g. 15m)');
  if (def.source === 'readings' && def.window === 'now') p.push('readings need a window (e.g. 1h)');
  for (const s of def.filter?.severity ?? [])
    if (!(alarmSeverities as readonly string[]).includes(s))
      p.push(`filter.severity must be among ${alarmSeverities.join(', ')}`);
  checkThresholds(def.thresholds, def.higherIsWorse, 'thresholds', p);
  for (const [level, t] of Object.entries(def.thresholdsByLevel ?? {})) {
    if (!(areaLevels as readonly string[]).includes(level))
      p.push(`thresholdsByLevel: unknown level ${level}`);
    else checkThresholds(t, def.higherIsWorse, `thresholdsByLevel.${level}`, p);
  }
  return p;
}
