import type { EqualsNode, NodeStep, RuleDetail, RuleReading, ThresholdNode, ValueState } from './types.ts';

function passes(op: ThresholdNode['op'], v: number, limit: number): boolean {
  switch (op) {
    case '>':
      return v > limit;
    case '>=':
      return v >= limit;
    case '<':
      return v < limit;
    case '<=':
      return v <= limit;
  }
}

/** Booleans count as 0/1 so a threshold can watch an open/closed flag too. */
function numeric(r: RuleReading): number | undefined {
  if (typeof r.value === 'number') return Number.isFinite(r.value) ? r.value : undefined;
  if (typeof r.value === 'boolean') return r.value ? 1 : 0;
  return undefined;
}

function held(c: ThresholdNode | EqualsNode, s: ValueState): RuleDetail | null {
  if (s.last === undefined) return null;
  const reason =
    c.kind === 'equals'
      ? `${c.metric} is ${String(c.value)}`
      : `${c.metric} ${String(s.last)} ${c.op} ${c.value}`;
  return { reason, metric: c.metric, value: s.last };
}

/**
 * Threshold with hysteresis: raise when `value op limit`; once raised, stay raised until the
 * value is back past `clear`, so a reading wobbling around the limit raises one alarm.
 */
export const threshold: NodeStep<ThresholdNode, ValueState> = {
  initial: () => ({ active: false }),
  step(c, s, r) {
    // A reading of another metric changes nothing, but an AND/OR parent still needs the reason.
    if (!r || r.metric !== c.metric) return { state: s, detail: s.active ? held(c, s) : null };
    const v = numeric(r);
    if (v === undefined) return { state: s, detail: null };
    const clear = c.clear ?? c.value;
    let active: boolean;
    if (!s.active) active = passes(c.op, v, c.value);
    else if (c.clear === undefined) active = passes(c.op, v, c.value);
    else active = c.op === '>' || c.op === '>=' ? v >= clear : v <= clear;
    const reason = active
      ? `${c.metric} ${v} ${c.op} ${c.value}`
      : `${c.metric} ${v} back ${c.op.startsWith('>') ? 'below' : 'above'} ${clear}`;
    return { state: { active, last: r.value }, detail: { reason, metric: c.metric, value: r.value } };
  },
};

export const equals: NodeStep<EqualsNode, ValueState> = {
  initial: () => ({ active: false }),
  step(c, s, r) {
    if (!r || r.metric !== c.metric) return { state: s, detail: s.active ? held(c, s) : null };
    const active = r.value === c.value;
    return {
      state: { active, last: r.value },
      detail: {
        reason: `${c.metric} ${active ? 'is' : 'is no longer'} ${String(c.value)}`,
        metric: c.metric,
        value: r.value,
      },
    };
  },
};
