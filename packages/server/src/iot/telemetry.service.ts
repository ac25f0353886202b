import type { Logger } from '../logger.ts';
import type { DeviceDirectory } from './device.directory.ts';
import type { DeviceRepository } from './device.repository.ts';
import { createRateLimiter, type IngestStats } from './ingest.stats.ts';
import type { ReadingRow } from './readings.repository.ts';
import type { ReadingSink } from './readings.sink.ts';
import {
  defaultLimits,
  type IngestIssue,
  type ParsedReading,
  type ParseLimits,
  parseJsonPayload,
  readingsFromMessage,
} from './telemetry.parse.ts';

export interface IngestResult {
  accepted: number;
  issues: IngestIssue[];
}

/**
 * The ingestion use case, shared by the embedded broker, the external-broker worker and
 * `POST /api/v1/telemetry`: find the device, check the payload against its type, write the good
 * readings (resolving once durable), count the bad ones. Never throws for bad input; it throws
 * only when the readings could not be stored (the caller must then not acknowledge them).
 */
export interface TelemetryService {
  /** A raw MQTT payload from `deviceId`. */
  ingestPayload(deviceId: string, payload: Buffer | string, receivedAt?: number): Promise<IngestResult>;
  /** An already parsed message (HTTP). An HTTP batch is one request, so no per-message rate limit. */
  ingestMessage(
    deviceId: string,
    message: unknown,
    receivedAt?: number,
    options?: { rateLimit?: boolean },
  ): Promise<IngestResult>;
  /** Last-seen times go to `devices` in one statement every few seconds. */
  flushSeen(): Promise<void>;
}

export interface TelemetryDeps {
  directory: DeviceDirectory;
  devices: DeviceRepository;
  sink: ReadingSink;
  stats: IngestStats;
  log: Logger;
  clock: () => Date;
  /** Messages a second one device may send before the rest is dropped (and counted). */
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

  const fail = (deviceId: string, issue: IngestIssue, now: number): IngestResult => {
    d.stats.reject(deviceId, issue, now);
    return { accepted: 0, issues: [issue] };
  };

  async function ingest(
    deviceId: string,
    now: number,
    rateLimit: boolean,
    parse: () => { ok: true; value: unknown } | { ok: false; issue: IngestIssue },
  ): Promise<IngestResult> {
    const device = d.directory.get(deviceId) ?? (await d.directory.lookup(deviceId));
    if (!device)
      return fail(
        deviceId,
        { code: 'unknown_device', message: `unknown device ${deviceId.slice(0, 64)}` },
        now,
      );
    if (device.status === 'disabled') {
      return fail(deviceId, { code: 'device_disabled', message: `device ${deviceId} is disabled` }, now);
    }
    if (rateLimit && !limiter.allow(deviceId, now)) {
      return fail(
        deviceId,
        { code: 'rate_limited', message: `more than ${d.deviceRatePerSecond ?? 50} messages/s` },
        now,
      );
    }
    const type = d.directory.type(device.typeId);
    if (!type)
      return fail(deviceId, { code: 'unknown_metric', message: `unknown device type ${device.typeId}` }, now);
    const parsed = parse();
    if (!parsed.ok) return fail(deviceId, parsed.issue, now);
    const { readings, issues } = readingsFromMessage(parsed.value, type.metrics, now, limits);
    for (const issue of issues) d.stats.reject(deviceId, issue, now);
    if (readings.length === 0) return { accepted: 0, issues };
    await d.sink.write(readings.map((r) => toRow(deviceId, r)));
    d.stats.accepted(readings.length);
    const prev = seen.get(deviceId);
    if (prev === undefined || prev < now) seen.set(deviceId, now);
    return { accepted: readings.length, issues };
  }

  return {
    ingestPayload(deviceId, payload, receivedAt = d.clock().getTime()) {
      return ingest(deviceId, receivedAt, true, () => parseJsonPayload(payload, limits));
    },
    ingestMessage(deviceId, message, receivedAt = d.clock().getTime(), options = {}) {
      return ingest(deviceId, receivedAt, options.rateLimit ?? true, () => ({ ok: true, value: message }));
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
