/**
 * Alarm conditions as small rule nodes (ThingsBoard's rule-node shape): each node has a typed
 * configuration, a JSON-serialisable state, and one evaluate step. A node is "active" while its
 * condition holds; the outcome of a step is the change of that flag — `raise` when it becomes
 * active, `clear` when it stops, `none` otherwise — so alarms follow edges, never levels, and a
 * sensor that keeps reporting a high value updates one alarm instead of raising many.
 */
export type RuleValue = number | boolean | string;

/** One value of one metric at one instant (epoch milliseconds). */
export interface RuleReading {
  metric: string;
  value: RuleValue;
  ts: number;
}

/** Raise when the value passes `value`; clear only once it is back past `clear` (hysteresis). */
export interface ThresholdNode {
  kind: 'threshold';
  metric: string;
  op: '>' | '>=' | '<' | '<=';
  value: number;
  /** Defaults to `value` (no hysteresis). For `>`/`>=` it must be ≤ value, for `<`/`<=` ≥ value. */
  clear?: number;
}

/** Active while the metric equals a value: a manhole cover `open == true`, smoke detected. */
export interface EqualsNode {
  kind: 'equals';
  metric: string;
  value: RuleValue;
}

/** Active once `of` has been active for `seconds` without interruption ("above 15 cm for 5 min"). */
export interface DurationNode {
  kind: 'duration';
  seconds: number;
  of: RuleNode;
}

/** Active while the metric changes faster than `perMinute` between consecutive readings. */
export interface RateNode {
  kind: 'rate';
  metric: string;
  perMinute: number;
  direction: 'rise' | 'fall' | 'either';
  /** Rate (per minute, same sign convention) below which it clears; defaults to `perMinute`. */
  clear?: number;
}

/** Active when nothing (or nothing of `metric`) arrived for `seconds`: the device is offline. */
export interface NoDataNode {
  kind: 'noData';
  seconds: number;
  metric?: string;
}

export interface CombineNode {
  kind: 'all' | 'any';
  of: RuleNode[];
}

export type RuleNode = ThresholdNode | EqualsNode | DurationNode | RateNode | NoDataNode | CombineNode;
export type RuleNodeKind = RuleNode['kind'];

export interface ValueState {
  active: boolean;
  /** Last value seen by this node, for alarm details. */
  last?: RuleValue;
}
export interface DurationState {
  active: boolean;
  /** When the child became active (epoch ms), or null while it is not. */
  since: number | null;
  child: RuleState;
}
export interface RateState {
  active: boolean;
  prev: { value: number; ts: number } | null;
  rate?: number;
}
export interface NoDataState {
  active: boolean;
  /** Timestamp of the last reading, or of the first evaluation when there was none yet. */
  lastTs: number | null;
}
export interface CombineState {
  active: boolean;
  children: RuleState[];
}
export type RuleState = ValueState | DurationState | RateState | NoDataState | CombineState;

export type RuleOutcome = 'raise' | 'clear' | 'none';

export interface RuleDetail {
  /** A sentence a person on duty can read: "depth 18 > 15 for 300 s". */
  reason: string;
  metric?: string;
  value?: RuleValue;
}

export interface RuleEvaluation<S extends RuleState = RuleState> {
  state: S;
  outcome: RuleOutcome;
  detail: RuleDetail | null;
}

/** What one node does; `reading` is null on a clock tick (time-based nodes move on ticks too). */
export interface NodeStep<C, S extends RuleState> {
  initial(config: C): S;
  step(
    config: C,
    state: S,
    reading: RuleReading | null,
    now: number,
  ): { state: S; detail: RuleDetail | null };
}

export function ruleOutcomeOf(before: boolean, after: boolean): RuleOutcome {
  if (!before && after) return 'raise';
  if (before && !after) return 'clear';
  return 'none';
}
