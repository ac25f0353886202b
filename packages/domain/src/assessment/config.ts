/**
 * Assessment (综合评价) defaults as one typed, configurable object: weights per level, the score
 * bands for counts, the grades and their colours. Values follow DOMAIN.md "Assessment formulas";
 * a city overrides any part with `assessmentConfig({ … })`.
 */
import type { AreaClass } from '../geo/index.ts';
import { type AspectConfig, defaultAspectConfig } from './aspects.ts';

/**
 * A count → score table. Bands are checked in order; the first whose `upTo` (inclusive) is at
 * least the count gives the score; `upTo: null` is the open top band.
 */
export type Bands = readonly { readonly upTo: number | null; readonly score: number }[];

export const assessmentLevels = [
  'inspector',
  'operator',
  'shiftLead',
  'dispatcher',
  'department',
  'grid',
  'community',
  'street',
  'district',
] as const;
export type AssessmentLevel = (typeof assessmentLevels)[number];
export type AssessedAreaLevel = Extract<AssessmentLevel, 'grid' | 'community' | 'street' | 'district'>;
export const assessedAreaLevels: readonly AssessedAreaLevel[] = ['grid', 'community', 'street', 'district'];

export const assessmentLevelNames: Record<AssessmentLevel, string> = {
  inspector: '网格监督员',
  operator: '受理员',
  shiftLead: '值班长',
  dispatcher: '派遣员',
  department: '专业部门',
  grid: '单元网格',
  community: '社区（居委）',
  street: '街道（镇）',
  district: '区',
};

export const grades = ['A', 'B', 'C', 'D', 'E'] as const;
export type Grade = (typeof grades)[number];

export interface AssessmentWeights {
  readonly inspector: {
    validReport: number;
    missedReport: number;
    onTimeVerify: number;
    onTimeCheck: number;
  };
  readonly operator: { volume: number; verifyDispatch: number; checkDispatch: number };
  readonly shiftLead: { onTimeFiling: number; accurateFiling: number; onTimeClosing: number };
  readonly dispatcher: { volume: number; onTimeDispatch: number; accurateDispatch: number };
  readonly department: { caseCount: number; closing: number; onTimeHandling: number; rework: number };
  readonly area: { publicReport: number; filedCount: number; closing: number; onTimeClosing: number };
}

/** Area class for the filed-count bands: `1` strict (core areas), `2` general. */
export type FiledCountClass = 1 | 2;

export interface AssessmentConfig {
  readonly weights: AssessmentWeights;
  /** Operator and dispatcher volume: more is better. */
  readonly volumeBands: Bands;
  /** Department case count: fewer is better; `default` unless the department's group has its own. */
  readonly caseCountBands: { readonly default: Bands } & Readonly<Record<string, Bands>>;
  /** Department code → group name in `caseCountBands`. */
  readonly departmentGroups: Readonly<Record<string, string>>;
  /** Filed cases per unit grid: fewer is better, by filed-count class. */
  readonly filedCountBands: Readonly<Record<FiledCountClass, Bands>>;
  /** Grid area class → filed-count class (A core → 1, B/C → 2 by default). */
  readonly filedCountClassOf: Readonly<Record<AreaClass, FiledCountClass>>;
  /** Lowest score of each grade but E, best first. */
  readonly gradeFloors: Readonly<Record<Exclude<Grade, 'E'>, number>>;
  readonly gradeColours: Readonly<Record<Grade, string>>;
  /** Operator's on-time verify-dispatch: verification sent within this many minutes of the report. */
  readonly verifyDispatchMinutes: number;
  /** The four-aspect summary: which indicators feed each aspect, with weights (aspects.ts). */
  readonly aspects: AspectConfig;
}

export const defaultAssessmentConfig: AssessmentConfig = {
  weights: {
    inspector: { validReport: 0.4, missedReport: 0.2, onTimeVerify: 0.2, onTimeCheck: 0.2 },
    operator: { volume: 0.25, verifyDispatch: 0.4, checkDispatch: 0.35 },
    shiftLead: { onTimeFiling: 0.25, accurateFiling: 0.4, onTimeClosing: 0.35 },
    dispatcher: { volume: 0.2, onTimeDispatch: 0.4, accurateDispatch: 0.4 },
    department: { caseCount: 0.1, closing: 0.3, onTimeHandling: 0.3, rework: 0.3 },
    // The last weight is unverified (sources disagree): configurable.
    area: { publicReport: 0.1, filedCount: 0.2, closing: 0.3, onTimeClosing: 0.4 },
  },
  volumeBands: [
    { upTo: 100, score: 0 },
    { upTo: 300, score: 40 },
    { upTo: 500, score: 60 },
    { upTo: 1200, score: 75 },
    { upTo: 2000, score: 90 },
    { upTo: null, score: 100 },
  ],
  caseCountBands: {
    default: [
      { upTo: 50, score: 100 },
      { upTo: 100, score: 90 },
      { upTo: 200, score: 75 },
      { upTo: 500, score: 60 },
      { upTo: 1000, score: 40 },
      { upTo: null, score: 0 },
    ],
  },
  departmentGroups: {},
  filedCountBands: {
    1: [
      { upTo: 0, score: 100 },
      { upTo: 2, score: 90 },
      { upTo: 4, score: 75 },
      { upTo: 6, score: 60 },
      { upTo: 8, score: 40 },
      { upTo: null, score: 0 },
    ],
    2: [
      { upTo: 0, score: 100 },
      { upTo: 3, score: 90 },
      { upTo: 5, score: 75 },
      { upTo: 7, score: 60 },
      { upTo: 9, score: 40 },
      { upTo: null, score: 0 },
    ],
  },
  filedCountClassOf: { A: 1, B: 2, C: 2 },
  gradeFloors: { A: 90, B: 75, C: 60, D: 40 },
  gradeColours: { A: 'green', B: 'blue', C: 'yellow', D: 'red', E: 'black' },
  verifyDispatchMinutes: 10,
  aspects: defaultAspectConfig,
};

type DeepPartial<T> = { [K in keyof T]?: T[K] extends readonly unknown[] ? T[K] : DeepPartial<T[K]> };

/** The defaults with a city's overrides applied (objects merged, band lists replaced). */
export function assessmentConfig(overrides: DeepPartial<AssessmentConfig> = {}): AssessmentConfig {
  return merge(defaultAssessmentConfig, overrides) as AssessmentConfig;
}

function merge(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (Array.isArray(over) || typeof over !== 'object' || over === null) return over;
  if (typeof base !== 'object' || base === null || Array.isArray(base)) return over;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over)) out[k] = merge(out[k], v);
  return out;
}
