import type { Logger } from '../logger.ts';
import type { DeviceDirectory } from './device.directory.ts';
import type { DeviceRepository } from './device.repository.ts';
import { createRateLimiter, type DeadLetterSample, type IngestStats } from './ingest.stats.ts';
import type { ReadingRow } from './readings.repository.ts';
import { type ReadingSink, RowsRefusedError } from './readings.sink.ts';
import {
  defaultLimits,
  deviceIdPattern,
  type IngestIssue,
  type ParsedReading,
  type ParseLimits,
  parseJsonPayload,
  readMessage,
} from './telemetry.parse.ts';

export interface IngestResult {
  accepted: number;
  issues: IngestIssue[];
}

/**
 * The ingestion use case, shared by the embedded broker, the external-broker worker and
 * `POST /api/v1/telemetry`: find the device, check the payload against its type, write the good
 * readings (resolving once durable), count the bad ones and keep them as dead letters. Never
 * throws for bad input, whatever the bytes; it throws only when the readings could not be stored
 * for a reason that may pass (the caller must then not acknowledge them, so they come again).
 *
 * The per-device rate limit never drops a message: what reaches `ingest*` was either admitted
 * before it was acknowledged (`admit`: the embedded broker waits, HTTP answers 429) or was
 * already acknowledged by an external broker, and is then stored and counted as over the rate.
 */
export interface TelemetryService {
  /** A raw MQTT payload from `deviceId`. */
  ingestPayload(
    deviceId: string,
    payload: Buffer | string,
    receivedAt?: number,
    options?: IngestOptions,
  ): Promise<IngestResult>;
  /** An already parsed message (HTTP). */
  ingestMessage(
    deviceId: string,
    message: unknown,
    receivedAt?: number,
    options?: IngestOptions,
  ): Promise<IngestResult>;
  /**
   * Takes one message's share of the device's rate before it is acknowledged: ok with the time
   * to wait first (at most `maxWaitMs`), or not ok with the time until the device may send again.
   */
  admit(deviceId: string, now: number, maxWaitMs: number): { ok: boolean; waitMs: number };
  /** Last-seen times go to `devices` in one statement every few seconds. */
  flushSeen(): Promise<void>;
}

export interface IngestOptions {
  /** The caller took the rate share with `admit` (or none applies): don't count it again. */
  admitted?: boolean;
  source?: DeadLetterSample['source'];
}

export interface TelemetryDeps {
  directory: DeviceDirectory;
  devices: DeviceRepository;
  sink: ReadingSink;
  stats: IngestStats;
  log: Logger;
  clock: () => Date;
  /** Messages a second one device may send (embedded and HTTP: refused beyond; external: counted). */
  deviceRatePerSecond?: number;
  limits?: Partial<ParseLimits>;
}

export function toRow(deviceId: string, r: ParsedReading): ReadingRow {
  const v = r.value;
  return {
    deviceId,
    metric: r.metric,
    ts: r.ts,
    num: typeof v === 'number' ? v : typeof v === 'boolean' ? (v ? 1 : 0) : null,
    txt: typeof v === 'string' ? v : null,
    value: v,
  };
}

export function telemetryService(d: TelemetryDeps): TelemetryService {
  const limits: ParseLimits = { ...defaultLimits, ...d.limits };
  const limiter = createRateLimiter(d.deviceRatePerSecond ?? 50);
  let seen = new Map<string, number>();

  async function ingest(
    deviceId: string,
    now: number,
    options: IngestOptions,
    raw: unknown,
    parse: () => { ok: true; value: unknown } | { ok: false; issue: IngestIssue },
  ): Promise<IngestResult> {
    const sample = { source: options.source ?? 'mqtt', payload: raw } satisfies DeadLetterSample;
    const fail = (issue: IngestIssue): IngestResult => {
      d.stats.reject(deviceId, issue, now, sample);
      return { accepted: 0, issues: [issue] };
    };
    // Never a database question for an id no device can have (NUL bytes, 10 kB topics …).
    if (!deviceIdPattern.test(deviceId)) {
      return fail({ code: 'bad_device_id', message: `not a device id: ${deviceId.slice(0, 64)}` });
    }
    const device = d.directory.get(deviceId) ?? (await d.directory.lookup(deviceId));
    if (!device) return fail({ code: 'unknown_device', message: `unknown device ${deviceId}` });
    if (device.status === 'disabled') {
      return fail({ code: 'device_disabled', message: `device ${deviceId} is disabled` });
    }
    if (!options.admitted && !limiter.allow(deviceId, now)) d.stats.overRate(deviceId);
    const type = d.directory.type(device.typeId);
    if (!type) return fail({ code: 'unknown_metric', message: `unknown device type ${device.typeId}` });
    const { readings, issues } = readMessage(parse, type.metrics, now, limits);
    for (const issue of issues) d.stats.reject(deviceId, issue, now, sample);
    if (readings.length === 0) return { accepted: 0, issues };
    try {
      await d.sink.write(readings.map((r) => toRow(deviceId, r)));
    } catch (e) {
      // Refused for its content (the sink retries what may pass, and isolates a bad row from
      // its batch): counted and dead-lettered, so it is acknowledged and never comes back.
      if (!(e instanceof RowsRefusedError)) throw e;
      const issue: IngestIssue = { code: 'store_failed', message: e.message.slice(0, 200) };
      d.stats.reject(deviceId, issue, now, sample);
      return { accepted: 0, issues: [...issues, issue] };
    }
    d.stats.accepted(readings.length);
    const prev = seen.get(deviceId);
    if (prev === undefined || prev < now) seen.set(deviceId, now);
    return { accepted: readings.length, issues };
  }

  return {
    ingestPayload(deviceId, payload, receivedAt = d.clock().getTime(), options = {}) {
      return ingest(deviceId, receivedAt, options, payload, () => parseJsonPayload(payload, limits));
    },
    ingestMessage(deviceId, message, receivedAt = d.clock().getTime(), options = {}) {
      return ingest(deviceId, receivedAt, { source: 'http', ...options }, message, () => ({
        ok: true,
        value: message,
      }));
    },
    admit(deviceId, now, maxWaitMs) {
      return limiter.reserve(deviceId, now, maxWaitMs);
    },
    async flushSeen() {
      if (seen.size === 0) return;
      const batch = seen;
      seen = new Map();
      try {
        await d.devices.touch(batch);
      } catch (e) {
        for (const [k, v] of batch) if ((seen.get(k) ?? 0) < v) seen.set(k, v);
        throw e;
      }
    },
  };
}
