/**
 * Telemetry payloads (CONTRACTS, MQTT): `{"ts": <epoch ms | ISO 8601>?, "values": {metric: value}}`
 * or a bare `{metric: value}` object. Pure: the same checks serve MQTT and HTTP, and every
 * problem becomes a coded issue that is counted per device instead of an exception.
 */
import type { RuleValue } from '@onegrid/domain';

export interface MetricDef {
  key: string;
  unit: string;
  type: 'number' | 'boolean' | 'string';
  min?: number;
  max?: number;
  name_zh?: string;
}

export const ingestErrorCodes = [
  'malformed_json',
  'payload_too_large',
  'bad_shape',
  'unknown_metric',
  'wrong_type',
  'not_finite',
  'out_of_range',
  'bad_timestamp',
  'ts_in_future',
  'ts_too_old',
  'unknown_device',
  'device_disabled',
  'wrong_token',
  'forbidden_topic',
  'rate_limited',
  'store_failed',
] as const;
export type IngestErrorCode = (typeof ingestErrorCodes)[number];

export interface IngestIssue {
  code: IngestErrorCode;
  message: string;
  metric?: string;
}

export interface ParsedReading {
  metric: string;
  ts: number;
  value: RuleValue;
}

export interface ParseLimits {
  maxBytes: number;
  /** How far ahead of the server clock a timestamp may be (device clocks drift). */
  maxFutureMs: number;
  maxPastMs: number;
  maxStringLength: number;
}

export const defaultLimits: ParseLimits = {
  maxBytes: 64 * 1024,
  maxFutureMs: 86_400_000,
  maxPastMs: 30 * 86_400_000,
  maxStringLength: 256,
};

const isoLike = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

export function parseJsonPayload(
  payload: Buffer | string,
  limits: ParseLimits = defaultLimits,
): { ok: true; value: unknown } | { ok: false; issue: IngestIssue } {
  const bytes = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  if (bytes > limits.maxBytes) {
    return {
      ok: false,
      issue: { code: 'payload_too_large', message: `payload of ${bytes} bytes exceeds ${limits.maxBytes}` },
    };
  }
  try {
    return { ok: true, value: JSON.parse(typeof payload === 'string' ? payload : payload.toString('utf8')) };
  } catch (e) {
    return { ok: false, issue: { code: 'malformed_json', message: (e as Error).message.slice(0, 200) } };
  }
}

function parseTs(
  raw: unknown,
  receivedAt: number,
  limits: ParseLimits,
): { ok: true; ts: number } | { ok: false; issue: IngestIssue } {
  if (raw === undefined || raw === null) return { ok: true, ts: receivedAt };
  let ts: number;
  if (typeof raw === 'number' && Number.isInteger(raw)) ts = raw;
  else if (typeof raw === 'string' && isoLike.test(raw)) ts = Date.parse(raw);
  else {
    return {
      ok: false,
      issue: { code: 'bad_timestamp', message: 'ts must be epoch milliseconds or an ISO 8601 date-time' },
    };
  }
  if (!Number.isFinite(ts))
    return { ok: false, issue: { code: 'bad_timestamp', message: `invalid ts ${raw}` } };
  if (ts > receivedAt + limits.maxFutureMs) {
    return {
      ok: false,
      issue: { code: 'ts_in_future', message: `ts ${new Date(ts).toISOString()} is in the future` },
    };
  }
  if (ts < receivedAt - limits.maxPastMs) {
    const when = ts > -8.64e15 && ts < 8.64e15 ? new Date(ts).toISOString() : String(ts);
    return { ok: false, issue: { code: 'ts_too_old', message: `ts ${when} is too far in the past` } };
  }
  return { ok: true, ts };
}

function checkValue(def: MetricDef, v: unknown, limits: ParseLimits): IngestIssue | undefined {
  const metric = def.key;
  if (def.type === 'number') {
    if (typeof v !== 'number') return { code: 'wrong_type', metric, message: `${metric} must be a number` };
    if (!Number.isFinite(v)) return { code: 'not_finite', metric, message: `${metric} must be finite` };
    if ((def.min !== undefined && v < def.min) || (def.max !== undefined && v > def.max)) {
      return {
        code: 'out_of_range',
        metric,
        message: `${metric} ${v} outside [${def.min ?? ''}, ${def.max ?? ''}]`,
      };
    }
    return undefined;
  }
  if (def.type === 'boolean') {
    return typeof v === 'boolean'
      ? undefined
      : { code: 'wrong_type', metric, message: `${metric} must be a boolean` };
  }
  if (typeof v !== 'string') return { code: 'wrong_type', metric, message: `${metric} must be a string` };
  if (v.length > limits.maxStringLength) {
    return { code: 'out_of_range', metric, message: `${metric} longer than ${limits.maxStringLength}` };
  }
  return undefined;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The readings in one message, checked against the device type's metrics. Good metrics are kept
 * when others in the same message are bad; a bad timestamp or shape rejects the whole message.
 */
export function readingsFromMessage(
  message: unknown,
  metrics: ReadonlyMap<string, MetricDef>,
  receivedAt: number,
  limits: ParseLimits = defaultLimits,
): { readings: ParsedReading[]; issues: IngestIssue[] } {
  if (!isPlainObject(message)) {
    return { readings: [], issues: [{ code: 'bad_shape', message: 'payload must be a JSON object' }] };
  }
  const envelope = 'values' in message;
  const values = envelope ? message.values : message;
  if (!isPlainObject(values)) {
    return {
      readings: [],
      issues: [{ code: 'bad_shape', message: 'values must be an object of metric: value' }],
    };
  }
  const ts = parseTs(message.ts, receivedAt, limits);
  if (!ts.ok) return { readings: [], issues: [ts.issue] };
  const readings: ParsedReading[] = [];
  const issues: IngestIssue[] = [];
  for (const [metric, v] of Object.entries(values)) {
    if (!envelope && metric === 'ts') continue;
    const def = metrics.get(metric);
    if (!def) {
      issues.push({ code: 'unknown_metric', metric, message: `unknown metric ${metric.slice(0, 64)}` });
      continue;
    }
    const issue = checkValue(def, v, limits);
    if (issue) issues.push(issue);
    else readings.push({ metric, ts: ts.ts, value: v as RuleValue });
  }
  if (readings.length === 0 && issues.length === 0) {
    issues.push({ code: 'bad_shape', message: 'no values' });
  }
  return { readings, issues };
}
