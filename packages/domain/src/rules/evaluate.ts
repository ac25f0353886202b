import { noData, rate } from './time.ts';
import {
  type CombineNode,
  type CombineState,
  type DurationNode,
  type DurationState,
  type NoDataState,
  type RateState,
  type RuleDetail,
  type RuleEvaluation,
  type RuleNode,
  type RuleReading,
  type RuleState,
  ruleOutcomeOf,
  type ValueState,
} from './types.ts';
import { equals, threshold } from './value.ts';

export function initialRuleState(node: RuleNode): RuleState {
  switch (node.kind) {
    case 'threshold':
      return threshold.initial(node);
    case 'equals':
      return equals.initial(node);
    case 'rate':
      return rate.initial(node);
    case 'noData':
      return noData.initial(node);
    case 'duration':
      return { active: false, since: null, child: initialRuleState(node.of) };
    case 'all':
    case 'any':
      return { active: false, children: node.of.map(initialRuleState) };
  }
}

/**
 * Duration: active once the child has held since `since` for `seconds`, measured on reading
 * time and, between readings, on the clock (a sensor may only report when its value changes).
 */
function duration(
  c: DurationNode,
  s: DurationState,
  r: RuleReading | null,
  now: number,
): { state: DurationState; detail: RuleDetail | null } {
  const child = evaluateRule(c.of, s.child, r, now);
  const at = r ? r.ts : now;
  if (!child.state.active) {
    return { state: { active: false, since: null, child: child.state }, detail: child.detail };
  }
  const since = s.since ?? at;
  const held = Math.max(0, at - since);
  const active = s.active || held >= c.seconds * 1000;
  const detail = child.detail ?? (active ? { reason: 'condition held' } : null);
  return {
    state: { active, since, child: child.state },
    detail:
      detail && active ? { ...detail, reason: `${detail.reason} for ${Math.round(held / 1000)} s` } : detail,
  };
}

function combine(
  c: CombineNode,
  s: CombineState,
  r: RuleReading | null,
  now: number,
): { state: CombineState; detail: RuleDetail | null } {
  const results = c.of.map((node, i) => evaluateRule(node, s.children[i] ?? initialRuleState(node), r, now));
  const children = results.map((x) => x.state);
  const active = c.kind === 'all' ? children.every((x) => x.active) : children.some((x) => x.active);
  // Explain with the children that hold (raised) or with the one that just changed (cleared).
  const relevant = active
    ? results.filter((x) => x.state.active)
    : results.filter((x) => x.outcome !== 'none');
  const reasons = relevant.map((x) => x.detail?.reason).filter((x): x is string => Boolean(x));
  const first = relevant.find((x) => x.detail)?.detail;
  return {
    state: { active, children },
    detail: reasons.length
      ? {
          reason: reasons.join(c.kind === 'all' ? ' and ' : ' or '),
          ...(first?.metric !== undefined ? { metric: first.metric } : {}),
          ...(first?.value !== undefined ? { value: first.value } : {}),
        }
      : null,
  };
}

/**
 * The one evaluate step: the node's new state and whether that raised or cleared its condition.
 * Pure: the same inputs always give the same result; time comes in as `now` (epoch ms).
 */
export function evaluateRule(
  node: RuleNode,
  state: RuleState | undefined,
  reading: RuleReading | null,
  now: number,
): RuleEvaluation {
  const before = state ?? initialRuleState(node);
  let r: { state: RuleState; detail: RuleDetail | null };
  switch (node.kind) {
    case 'threshold':
      r = threshold.step(node, before as ValueState, reading, now);
      break;
    case 'equals':
      r = equals.step(node, before as ValueState, reading, now);
      break;
    case 'rate':
      r = rate.step(node, before as RateState, reading, now);
      break;
    case 'noData':
      r = noData.step(node, before as NoDataState, reading, now);
      break;
    case 'duration':
      r = duration(node, before as DurationState, reading, now);
      break;
    case 'all':
    case 'any':
      r = combine(node, before as CombineState, reading, now);
      break;
  }
  return { state: r.state, outcome: ruleOutcomeOf(before.active, r.state.active), detail: r.detail };
}

/** True when the node can change on a clock tick alone (duration, no data). */
export function ruleNeedsTick(node: RuleNode): boolean {
  switch (node.kind) {
    case 'duration':
    case 'noData':
      return true;
    case 'all':
    case 'any':
      return node.of.some(ruleNeedsTick);
    default:
      return false;
  }
}

/** The metrics a rule reads; a rule is only evaluated for readings of these (or on ticks). */
export function ruleMetrics(node: RuleNode): string[] {
  switch (node.kind) {
    case 'threshold':
    case 'equals':
    case 'rate':
      return [node.metric];
    case 'noData':
      return node.metric ? [node.metric] : ['*'];
    case 'duration':
      return ruleMetrics(node.of);
    case 'all':
    case 'any':
      return [...new Set(node.of.flatMap(ruleMetrics))];
  }
}
