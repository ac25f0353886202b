/**
 * Telemetry payloads (CONTRACTS, MQTT): `{"ts": <epoch ms | ISO 8601>?, "values": {metric: value}}`
 * or a bare `{metric: value}` object. Pure: the same checks serve MQTT and HTTP, and every
 * problem becomes a coded issue that is counted per device instead of an exception. Nothing here
 * throws, whatever the bytes: every field is bounded (size, count of metrics, timestamp range,
 * string length and characters), and `readMessage` turns anything unforeseen into `bad_shape` too,
 * because a message that throws is redelivered by the broker for ever.
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
  'bad_device_id',
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
  /** Metrics in one message (a device type has a handful). */
  maxMetrics: number;
}

export const defaultLimits: ParseLimits = {
  maxBytes: 64 * 1024,
  maxFutureMs: 86_400_000,
  maxPastMs: 30 * 86_400_000,
  maxStringLength: 256,
  maxMetrics: 64,
};

/** The widest epoch-millisecond range a Date can hold (±100,000,000 days). */
const MAX_DATE_MS = 8.64e15;

/** A device id as devices are registered (iot.schema.ts); anything else is refused unread. */
export const deviceIdPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Text of a timestamp for a message, whatever its size (never throws). */
const showTs = (ts: number) =>
  Number.isFinite(ts) && Math.abs(ts) <= MAX_DATE_MS ? new Date(ts).toISOString() : String(ts).slice(0, 40);

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
  if (typeof raw === 'number' && Number.isSafeInteger(raw)) ts = raw;
  else if (typeof raw === 'string' && raw.length <= 40 && isoLike.test(raw)) ts = Date.parse(raw);
  else {
    return {
      ok: false,
      issue: { code: 'bad_timestamp', message: 'ts must be epoch milliseconds or an ISO 8601 date-time' },
    };
  }
  if (!Number.isFinite(ts))
    return { ok: false, issue: { code: 'bad_timestamp', message: `invalid ts ${String(raw).slice(0, 40)}` } };
  if (ts > receivedAt + limits.maxFutureMs) {
    return { ok: false, issue: { code: 'ts_in_future', message: `ts ${showTs(ts)} is in the future` } };
  }
  if (ts < receivedAt - limits.maxPastMs) {
    return { ok: false, issue: { code: 'ts_too_old', message: `ts ${showTs(ts)} is too far in the past` } };
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
  // PostgreSQL text cannot hold NUL: one such value would fail the whole batch it is written in.
  if (v.includes('\u0000'))
    return { code: 'wrong_type', metric, message: `${metric} contains a NUL character` };
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
  const entries = Object.entries(values);
  if (entries.length > limits.maxMetrics) {
    return {
      readings: [],
      issues: [{ code: 'bad_shape', message: `more than ${limits.maxMetrics} values in one message` }],
    };
  }
  const readings: ParsedReading[] = [];
  const issues: IngestIssue[] = [];
  for (const [metric, v] of entries) {
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

/**
 * `parseJsonPayload` + `readingsFromMessage` for one raw message, guaranteed not to throw: a
 * failure nobody foresaw becomes a `bad_shape` issue (counted and dead-lettered like the others).
 */
export function readMessage(
  parse: () => { ok: true; value: unknown } | { ok: false; issue: IngestIssue },
  metrics: ReadonlyMap<string, MetricDef>,
  receivedAt: number,
  limits: ParseLimits = defaultLimits,
): { readings: ParsedReading[]; issues: IngestIssue[] } {
  try {
    const parsed = parse();
    if (!parsed.ok) return { readings: [], issues: [parsed.issue] };
    return readingsFromMessage(parsed.value, metrics, receivedAt, limits);
  } catch (e) {
    const message = `unreadable message: ${String((e as Error)?.message ?? e).slice(0, 200)}`;
    return { readings: [], issues: [{ code: 'bad_shape', message }] };
  }
}
