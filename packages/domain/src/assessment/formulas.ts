/**
 * The assessment formulas (DOMAIN.md "Assessment formulas"): counters in, rates, component
 * scores, score, grade out. Pure; the server counts, this file judges.
 *
 * ZERO DENOMINATORS. A rate whose denominator is 0 is `null` ("nothing to judge"), never 0 or 1.
 * A null component is left out of the score and the remaining weights are renormalised to sum
 * to 1, so a dispatcher with no dispatch deadline is judged on what they did do. A score with no
 * component left is `null`, with grade `null`. Band scores (volume, case count, filed count)
 * always exist: a count of 0 is a count.
 */
import type { AreaClass } from '../geo/index.ts';
import type { AssessmentConfig, Bands, Grade } from './config.ts';

/** numerator ÷ denominator, or null when the denominator is 0. */
export function rate(numerator: number, denominator: number): number | null {
  return denominator > 0 ? numerator / denominator : null;
}

/** Score of a count by bands (first band whose `upTo` ≥ count). */
export function bandScore(count: number, bands: Bands): number {
  for (const b of bands) if (b.upTo === null || count <= b.upTo) return b.score;
  return bands.at(-1)?.score ?? 0;
}

const higher = (r: number | null): number | null => (r === null ? null : r * 100);
const lower = (r: number | null): number | null => (r === null ? null : (1 - r) * 100);

/** Weighted mean of the non-null components, weights renormalised; null when none is left. */
export function weightedScore(parts: readonly { score: number | null; weight: number }[]): number | null {
  let sum = 0;
  let weights = 0;
  for (const p of parts) {
    if (p.score === null || p.weight <= 0) continue;
    sum += p.score * p.weight;
    weights += p.weight;
  }
  return weights > 0 ? round2(sum / weights) : null;
}

export function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

export function gradeOf(score: number | null, config: AssessmentConfig): Grade | null {
  if (score === null) return null;
  const f = config.gradeFloors;
  if (score >= f.A) return 'A';
  if (score >= f.B) return 'B';
  if (score >= f.C) return 'C';
  if (score >= f.D) return 'D';
  return 'E';
}

export interface InspectorCounters {
  /** Reports made by the inspector in the period. */
  readonly reported: number;
  /** The inspector's reports filed (accepted) in the period. */
  readonly filed: number;
  /** Problems the inspector should have found: confirmed public reports in their grids + spot-check finds. */
  readonly missed: number;
  readonly verifyDue: number;
  readonly verifyOnTime: number;
  readonly checkDue: number;
  readonly checkOnTime: number;
}
export interface OperatorCounters {
  /** Registrations handled: accept, reject, merge and verification sent. */
  readonly volume: number;
  readonly verifyDispatched: number;
  readonly verifyDispatchedOnTime: number;
  readonly checkDispatched: number;
  readonly checkDispatchedOnTime: number;
}
export interface ShiftLeadCounters {
  readonly filed: number;
  readonly filingDue: number;
  readonly filedOnTime: number;
  /** Cases this shift lead filed that were later voided (rejected after filing). */
  readonly voided: number;
  readonly closed: number;
  readonly closedOnTime: number;
}
export interface DispatcherCounters {
  readonly dispatched: number;
  readonly dispatchDue: number;
  readonly dispatchedOnTime: number;
  /** Of the dispatches, those returned (回退 approved). */
  readonly returned: number;
}
export interface DepartmentCounters {
  /** Cases dispatched to the department in the period. */
  readonly cases: number;
  readonly dueToClose: number;
  readonly closed: number;
  readonly dueToHandle: number;
  readonly handledOnTime: number;
  readonly reworks: number;
}
export interface AreaCounters {
  readonly filed: number;
  readonly publicConfirmed: number;
  readonly dueToClose: number;
  readonly closed: number;
  readonly closedOnTime: number;
}

export type Rates = Readonly<Record<string, number | null>>;
export interface Assessed {
  readonly rates: Rates;
  /** Component scores 0–100 (null: nothing to judge). */
  readonly parts: Readonly<Record<string, number | null>>;
  readonly score: number | null;
  readonly grade: Grade | null;
}

function assessed(
  rates: Rates,
  parts: Record<string, { score: number | null; weight: number }>,
  config: AssessmentConfig,
): Assessed {
  const score = weightedScore(Object.values(parts));
  return {
    rates,
    parts: Object.fromEntries(
      Object.entries(parts).map(([k, p]) => [k, p.score === null ? null : round2(p.score)]),
    ),
    score,
    grade: gradeOf(score, config),
  };
}

export function assessInspector(c: InspectorCounters, config: AssessmentConfig): Assessed {
  const w = config.weights.inspector;
  const validReport = rate(c.filed, c.reported);
  const missedReport = rate(c.missed, c.filed);
  const onTimeVerify = rate(c.verifyOnTime, c.verifyDue);
  const onTimeCheck = rate(c.checkOnTime, c.checkDue);
  return assessed(
    { validReport, missedReport, onTimeVerify, onTimeCheck },
    {
      validReport: { score: higher(validReport), weight: w.validReport },
      // More missed than filed still scores 0, not below.
      missedReport: {
        score: missedReport === null ? null : Math.max(0, lower(missedReport) ?? 0),
        weight: w.missedReport,
      },
      onTimeVerify: { score: higher(onTimeVerify), weight: w.onTimeVerify },
      onTimeCheck: { score: higher(onTimeCheck), weight: w.onTimeCheck },
    },
    config,
  );
}

export function assessOperator(c: OperatorCounters, config: AssessmentConfig): Assessed {
  const w = config.weights.operator;
  const verifyDispatch = rate(c.verifyDispatchedOnTime, c.verifyDispatched);
  const checkDispatch = rate(c.checkDispatchedOnTime, c.checkDispatched);
  return assessed(
    { verifyDispatch, checkDispatch },
    {
      volume: { score: bandScore(c.volume, config.volumeBands), weight: w.volume },
      verifyDispatch: { score: higher(verifyDispatch), weight: w.verifyDispatch },
      checkDispatch: { score: higher(checkDispatch), weight: w.checkDispatch },
    },
    config,
  );
}

export function assessShiftLead(c: ShiftLeadCounters, config: AssessmentConfig): Assessed {
  const w = config.weights.shiftLead;
  const onTimeFiling = rate(c.filedOnTime, c.filingDue);
  const accurateFiling = rate(Math.max(0, c.filed - c.voided), c.filed);
  const onTimeClosing = rate(c.closedOnTime, c.closed);
  return assessed(
    { onTimeFiling, accurateFiling, onTimeClosing },
    {
      onTimeFiling: { score: higher(onTimeFiling), weight: w.onTimeFiling },
      accurateFiling: { score: higher(accurateFiling), weight: w.accurateFiling },
      onTimeClosing: { score: higher(onTimeClosing), weight: w.onTimeClosing },
    },
    config,
  );
}

export function assessDispatcher(c: DispatcherCounters, config: AssessmentConfig): Assessed {
  const w = config.weights.dispatcher;
  const onTimeDispatch = rate(c.dispatchedOnTime, c.dispatchDue);
  const accurateDispatch = rate(Math.max(0, c.dispatched - c.returned), c.dispatched);
  return assessed(
    { onTimeDispatch, accurateDispatch },
    {
      volume: { score: bandScore(c.dispatched, config.volumeBands), weight: w.volume },
      onTimeDispatch: { score: higher(onTimeDispatch), weight: w.onTimeDispatch },
      accurateDispatch: { score: higher(accurateDispatch), weight: w.accurateDispatch },
    },
    config,
  );
}

export function caseCountBandsFor(departmentCode: string, config: AssessmentConfig): Bands {
  const group = config.departmentGroups[departmentCode];
  return (group !== undefined ? config.caseCountBands[group] : undefined) ?? config.caseCountBands.default;
}

export function assessDepartment(
  departmentCode: string,
  c: DepartmentCounters,
  config: AssessmentConfig,
): Assessed {
  const w = config.weights.department;
  const closing = rate(c.closed, c.dueToClose);
  const onTimeHandling = rate(c.handledOnTime, c.dueToHandle);
  const rework = rate(c.reworks, c.dueToClose);
  return assessed(
    { closing, onTimeHandling, rework },
    {
      caseCount: {
        score: bandScore(c.cases, caseCountBandsFor(departmentCode, config)),
        weight: w.caseCount,
      },
      closing: { score: higher(closing), weight: w.closing },
      onTimeHandling: { score: higher(onTimeHandling), weight: w.onTimeHandling },
      rework: { score: rework === null ? null : Math.max(0, lower(rework) ?? 0), weight: w.rework },
    },
    config,
  );
}

/** Filed-count score of one unit grid. */
export function gridFiledScore(filed: number, areaClass: AreaClass, config: AssessmentConfig): number {
  return bandScore(filed, config.filedCountBands[config.filedCountClassOf[areaClass]]);
}

/**
 * An area: `gridFiledScores` are the filed-count scores of its unit grids (one for a grid); the
 * area's filed-count score is their mean (no grids: null, left out).
 */
export function assessArea(
  c: AreaCounters,
  gridFiledScores: readonly number[],
  config: AssessmentConfig,
): Assessed {
  const w = config.weights.area;
  const publicReport = rate(c.publicConfirmed, c.filed);
  const closing = rate(c.closed, c.dueToClose);
  const onTimeClosing = rate(c.closedOnTime, c.closed);
  // An area with no case to judge (nothing filed, nothing due to close) has no data: its quiet
  // grids' filed-count 100 alone would rank it first and make a "last year" out of nothing.
  const judged = publicReport !== null || closing !== null || onTimeClosing !== null;
  const filedCount =
    judged && gridFiledScores.length
      ? gridFiledScores.reduce((a, b) => a + b, 0) / gridFiledScores.length
      : null;
  return assessed(
    { publicReport, closing, onTimeClosing },
    {
      publicReport: {
        score: publicReport === null ? null : Math.max(0, lower(publicReport) ?? 0),
        weight: w.publicReport,
      },
      filedCount: { score: filedCount, weight: w.filedCount },
      closing: { score: higher(closing), weight: w.closing },
      onTimeClosing: { score: higher(onTimeClosing), weight: w.onTimeClosing },
    },
    config,
  );
}

/** Competition ranking (1, 2, 2, 4) by score, best first; null scores rank last, unranked. */
export function rankByScore<T extends { score: number | null }>(
  rows: readonly T[],
): (T & { rank: number | null })[] {
  const sorted = [...rows].sort((a, b) => (b.score ?? -1) - (a.score ?? -1));
  let rank = 0;
  let prev: number | null = null;
  return sorted.map((r, i) => {
    if (r.score === null) return { ...r, rank: null };
    if (r.score !== prev) rank = i + 1;
    prev = r.score;
    return { ...r, rank };
  });
}
