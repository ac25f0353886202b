import type { RuleNode, RuleValue } from './types.ts';

export type ParseResult = { ok: true; node: RuleNode } | { ok: false; errors: string[] };

const MAX_DEPTH = 6;
const MAX_CHILDREN = 16;
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isScalar = (v: unknown): v is RuleValue => typeof v === 'string' || typeof v === 'boolean' || finite(v);

/**
 * Checks a rule condition that came from the API or the database and returns it typed, or every
 * problem with the path where it is (`of[1].seconds must be …`).
 */
export function parseRuleNode(input: unknown): ParseResult {
  const errors: string[] = [];
  const node = walk(input, '', 0, errors);
  return node && errors.length === 0 ? { ok: true, node } : { ok: false, errors };
}

function walk(v: unknown, path: string, depth: number, errors: string[]): RuleNode | undefined {
  const at = (field: string) => (path ? `${path}.${field}` : field);
  if (!isObject(v)) {
    errors.push(`${path || 'condition'} must be an object`);
    return undefined;
  }
  if (depth > MAX_DEPTH) {
    errors.push(`${path} nests deeper than ${MAX_DEPTH} levels`);
    return undefined;
  }
  const metric = (): string => {
    if (typeof v.metric !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(v.metric)) {
      errors.push(`${at('metric')} must be a metric key`);
      return '';
    }
    return v.metric;
  };
  const seconds = (): number => {
    if (!finite(v.seconds) || v.seconds <= 0 || v.seconds > 30 * 86400) {
      errors.push(`${at('seconds')} must be a number of seconds between 0 and 30 days`);
      return 1;
    }
    return v.seconds;
  };
  switch (v.kind) {
    case 'threshold': {
      const m = metric();
      const ops = ['>', '>=', '<', '<='] as const;
      const op = ops.find((o) => o === v.op);
      if (!op) errors.push(`${at('op')} must be one of ${ops.join(' ')}`);
      if (!finite(v.value)) errors.push(`${at('value')} must be a number`);
      if (v.clear !== undefined) {
        if (!finite(v.clear)) errors.push(`${at('clear')} must be a number`);
        else if (op && finite(v.value)) {
          const above = op === '>' || op === '>=';
          if (above ? v.clear > v.value : v.clear < v.value) {
            errors.push(`${at('clear')} must be ${above ? 'at most' : 'at least'} value (${v.value})`);
          }
        }
      }
      return {
        kind: 'threshold',
        metric: m,
        op: op ?? '>',
        value: finite(v.value) ? v.value : 0,
        ...(finite(v.clear) ? { clear: v.clear } : {}),
      };
    }
    case 'equals': {
      const m = metric();
      if (!isScalar(v.value)) errors.push(`${at('value')} must be a number, boolean or string`);
      return { kind: 'equals', metric: m, value: isScalar(v.value) ? v.value : '' };
    }
    case 'rate': {
      const m = metric();
      const dirs = ['rise', 'fall', 'either'] as const;
      const direction = dirs.find((d) => d === (v.direction ?? 'rise'));
      if (!direction) errors.push(`${at('direction')} must be one of ${dirs.join(', ')}`);
      if (!finite(v.perMinute) || v.perMinute <= 0)
        errors.push(`${at('perMinute')} must be a positive number`);
      if (v.clear !== undefined && !finite(v.clear)) errors.push(`${at('clear')} must be a number`);
      return {
        kind: 'rate',
        metric: m,
        perMinute: finite(v.perMinute) ? v.perMinute : 1,
        direction: direction ?? 'rise',
        ...(finite(v.clear) ? { clear: v.clear } : {}),
      };
    }
    case 'noData': {
      const s = seconds();
      return { kind: 'noData', seconds: s, ...(v.metric !== undefined ? { metric: metric() } : {}) };
    }
    case 'duration': {
      const s = seconds();
      const of = walk(v.of, at('of'), depth + 1, errors);
      return of ? { kind: 'duration', seconds: s, of } : undefined;
    }
    case 'all':
    case 'any': {
      if (!Array.isArray(v.of) || v.of.length === 0 || v.of.length > MAX_CHILDREN) {
        errors.push(`${at('of')} must be a list of 1 to ${MAX_CHILDREN} conditions`);
        return undefined;
      }
      const of = v.of.map((c, i) => walk(c, `${at('of')}[${i}]`, depth + 1, errors));
      if (of.some((c) => c === undefined)) return undefined;
      return { kind: v.kind, of: of as RuleNode[] };
    }
    default:
      errors.push(`${at('kind')} must be one of threshold, equals, duration, rate, noData, all, any`);
      return undefined;
  }
}
