/**
 * City vital signs (城市生命体征): indicators defined as data. A definition says where the
 * number comes from (source + measure + aggregation + window), down to which area level it is
 * computed, and when it turns yellow, orange or red. The server computes every enabled
 * definition for every area from the city down; an administrator edits definitions at run time.
 */
import type { AreaLevel } from '../areas.ts';

export const vitalSources = ['cases', 'alarms', 'readings', 'devices', 'field_staff'] as const;
export type VitalSource = (typeof vitalSources)[number];

/**
 * What is counted or measured, per source:
 * - cases: `open` (not closed/rejected/merged), `overdue` (open, running deadline passed),
 *   `new` (reported in the window), `closed` (closed in the window), `closed_on_time` (closed in
 *   the window without the overdue close type)
 * - alarms: `active` (not cleared; `filter.severity` narrows)
 * - readings: a metric key of `filter.deviceType` (e.g. `depth`, `pm25`)
 * - devices: `online`, `enabled` (every device but disabled ones; `filter.deviceType` narrows)
 * - field_staff: `inspectors` (distinct inspectors with a patrol point in the window)
 */
export const vitalMeasures: Readonly<Record<VitalSource, readonly string[] | 'metric'>> = {
  cases: ['open', 'overdue', 'new', 'closed', 'closed_on_time'],
  alarms: ['active'],
  readings: 'metric',
  devices: ['online', 'enabled'],
  field_staff: ['inspectors'],
};

/**
 * - `count`: the measure's count
 * - `rate`: measure / `of` (another measure of the same source) × 100, in %
 * - `per10k`: measure per 10,000 residents of the area (null where population is unknown)
 * - `avg` / `max`: of the readings of the metric in the window
 * - `count_over`: devices whose latest reading in the window is above `over`
 * - `aqi`: the PM2.5 individual AQI (HJ 633) of the window's average reading
 */
export const vitalAggregations = ['count', 'rate', 'per10k', 'avg', 'max', 'count_over', 'aqi'] as const;
export type VitalAggregation = (typeof vitalAggregations)[number];

/** `now`: the current state; `today`: since midnight Beijing time; others: a trailing window. */
export const vitalWindows = ['now', 'today', '15m', '1h', '24h', '7d', '30d'] as const;
export type VitalWindow = (typeof vitalWindows)[number];

export const vitalLevels = ['green', 'yellow', 'orange', 'red'] as const;
export type VitalLevel = (typeof vitalLevels)[number];

export const alarmSeverities = ['critical', 'major', 'minor', 'warning'] as const;
export type AlarmSeverityName = (typeof alarmSeverities)[number];

export interface VitalThresholds {
  readonly yellow: number;
  readonly orange: number;
  readonly red: number;
}

export interface VitalFilter {
  /** alarms: only these severities. */
  readonly severity?: readonly AlarmSeverityName[];
  /** readings and devices: only devices of this type. */
  readonly deviceType?: string;
}

export interface VitalDefinition {
  /** `^[a-z][a-z0-9_]{1,39}$`, stable: screens and history refer to it. */
  readonly id: string;
  readonly name: { readonly zh: string; readonly en: string };
  readonly unit: string;
  readonly source: VitalSource;
  readonly measure: string;
  readonly aggregation: VitalAggregation;
  /** `rate`: the denominator measure. */
  readonly of?: string;
  /** `count_over`: the reading value above which a device counts. */
  readonly over?: number;
  readonly filter?: VitalFilter;
  readonly window: VitalWindow;
  /** The finest area level the indicator is computed for (coarser levels always are). */
  readonly level: AreaLevel;
  /** Past a threshold (strictly) the level changes; a value exactly on it keeps the better level. */
  readonly thresholds: VitalThresholds;
  /** Counts grow with the area: a level may have its own thresholds (else `thresholds`). */
  readonly thresholdsByLevel?: Partial<Record<AreaLevel, VitalThresholds>>;
  readonly higherIsWorse: boolean;
  readonly enabled: boolean;
  /** Display order. */
  readonly sort: number;
}
