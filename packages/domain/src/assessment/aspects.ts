/**
 * The four aspects Shanghai's assessment reports an area under (docs/assessment.md "Four
 * aspects"): 发现与监督 discovery and supervision, 指挥与协调 command and coordination, 综合监督
 * comprehensive supervision (of the handling), 运行机制 operating mechanism. Each aspect is a
 * weighted mean of named indicators computed from an area's counters; the aspect summary is a
 * weighted mean of the aspects. Which indicator feeds which aspect, and every weight, is
 * configuration (`aspects` in `AssessmentConfig`); null indicators (zero denominators) are left
 * out and the weights renormalised, as everywhere else.
 */
import { type Assessed, rate, round2, weightedScore } from './formulas.ts';

export const aspectIds = ['discovery', 'command', 'supervision', 'mechanism'] as const;
export type AspectId = (typeof aspectIds)[number];

export const aspectNames: Record<AspectId, { zh: string; en: string }> = {
  discovery: { zh: '发现与监督', en: 'Discovery and supervision' },
  command: { zh: '指挥与协调', en: 'Command and coordination' },
  supervision: { zh: '综合监督', en: 'Comprehensive supervision' },
  mechanism: { zh: '运行机制', en: 'Operating mechanism' },
};

/** The counters of an area that the aspect indicators read (sums over the period). */
export interface AspectCounters {
  readonly filed: number;
  readonly publicConfirmed: number;
  readonly verifyDue: number;
  readonly verifyOnTime: number;
  readonly checkDue: number;
  readonly checkOnTime: number;
  readonly filingDue: number;
  readonly filedOnTime: number;
  readonly voided: number;
  readonly dispatched: number;
  readonly dispatchDue: number;
  readonly dispatchedOnTime: number;
  readonly returns: number;
  readonly handled: number;
  readonly handledOnTime: number;
  readonly openOverdue: number;
  readonly closed: number;
  readonly closedOnTime: number;
  readonly reworks: number;
  readonly extensions: number;
  readonly suspensions: number;
}

/**
 * Every indicator an aspect can use, as a score 0–100, unrounded (null: nothing to judge). `filedCount` is
 * the area's filed-count score (mean of its unit grids' band scores), passed in.
 */
export function aspectIndicators(
  c: AspectCounters,
  filedCount: number | null,
): Record<string, number | null> {
  const up = (r: number | null) => (r === null ? null : r * 100);
  const down = (r: number | null) => (r === null ? null : Math.max(0, 1 - r) * 100);
  const dueToClose = c.closed + c.openOverdue;
  const dueToHandle = c.handled + c.openOverdue;
  return {
    // Problems the grid found before the public did: 1 − confirmed public reports ÷ filed.
    selfFound: down(rate(c.publicConfirmed, c.filed)),
    onTimeVerify: up(rate(c.verifyOnTime, c.verifyDue)),
    onTimeCheck: up(rate(c.checkOnTime, c.checkDue)),
    onTimeFiling: up(rate(c.filedOnTime, c.filingDue)),
    accurateFiling: up(rate(Math.max(0, c.filed - c.voided), c.filed)),
    onTimeDispatch: up(rate(c.dispatchedOnTime, c.dispatchDue)),
    accurateDispatch: up(rate(Math.max(0, c.dispatched - c.returns), c.dispatched)),
    closing: up(rate(c.closed, dueToClose)),
    onTimeHandling: up(rate(c.handledOnTime, dueToHandle)),
    onTimeClosing: up(rate(c.closedOnTime, c.closed)),
    rework: down(rate(c.reworks, dueToClose)),
    filedCount,
    extension: down(rate(c.extensions, c.dispatched)),
    suspension: down(rate(c.suspensions, c.dispatched)),
  };
}
export type AspectIndicator = keyof ReturnType<typeof aspectIndicators>;

export interface AspectSpec {
  readonly weight: number;
  /** Indicator name → weight inside the aspect. */
  readonly indicators: Readonly<Record<string, number>>;
}
export type AspectConfig = Readonly<Record<AspectId, AspectSpec>>;

/** The default mapping; the reasons are in docs/assessment.md. */
export const defaultAspectConfig: AspectConfig = {
  discovery: { weight: 0.25, indicators: { selfFound: 0.4, onTimeVerify: 0.3, onTimeCheck: 0.3 } },
  command: {
    weight: 0.25,
    indicators: { onTimeFiling: 0.25, accurateFiling: 0.25, onTimeDispatch: 0.25, accurateDispatch: 0.25 },
  },
  supervision: {
    weight: 0.25,
    indicators: { closing: 0.3, onTimeHandling: 0.3, onTimeClosing: 0.2, rework: 0.2 },
  },
  mechanism: { weight: 0.25, indicators: { filedCount: 0.5, extension: 0.25, suspension: 0.25 } },
};

export interface AspectSummary {
  /** Aspect scores 0–100 (null: none of its indicators could be judged). */
  readonly aspects: Readonly<Record<AspectId, number | null>>;
  /** The indicators behind them, 0–100. */
  readonly indicators: Readonly<Record<string, number | null>>;
  /** Weighted mean of the aspects (renormalised over the non-null ones). */
  readonly score: number | null;
  readonly grade: Assessed['grade'];
}

export function assessAspects(
  c: AspectCounters,
  filedCount: number | null,
  aspects: AspectConfig,
  gradeOf: (score: number | null) => Assessed['grade'],
): AspectSummary {
  // No case to judge in the period (every rate without a denominator): no data, not the quiet
  // grids' filed-count 100 — a "score" made of one indicator of thirteen.
  const rated = aspectIndicators(c, null);
  const judged = Object.values(rated).some((v) => v !== null);
  const indicators = judged ? aspectIndicators(c, filedCount) : rated;
  const out = {} as Record<AspectId, number | null>;
  for (const id of aspectIds) {
    const spec = aspects[id];
    out[id] = weightedScore(
      Object.entries(spec.indicators).map(([name, weight]) => ({ score: indicators[name] ?? null, weight })),
    );
  }
  // The summary is computed from the rounded aspect scores, so a reader can redo it from the page.
  const score = weightedScore(aspectIds.map((id) => ({ score: out[id], weight: aspects[id].weight })));
  return {
    aspects: out,
    indicators: Object.fromEntries(
      Object.entries(indicators).map(([k, v]) => [k, v === null ? null : round2(v)]),
    ),
    score,
    grade: gradeOf(score),
  };
}
