import type { Db } from '../db/db.ts';
import type { Logger } from '../logger.ts';
import type { IngestErrorCode, IngestIssue } from './telemetry.parse.ts';

export interface DeviceErrorCount {
  code: string;
  count: number;
  lastAt: string;
  lastDetail: string | null;
}

/** Where a rejected message came from, and its bytes (only the start of them is kept). */
export interface DeadLetterSample {
  source: 'mqtt' | 'http' | 'broker';
  payload?: Buffer | string | unknown;
}

export interface DeadLetter extends DeviceErrorCount {
  deviceId: string;
  firstAt: string;
  source: string | null;
  lastPayload: string | null;
}

/** Messages from ids that are not registered devices all count in this one row. */
export const UNKNOWN_DEVICE = '(unknown)';
/** Past this many distinct (device, code) keys between two flushes, the rest count here. */
const OVERFLOW_DEVICE = '(overflow)';
const MAX_PENDING_KEYS = 10_000;
/** Characters of a rejected payload kept in its dead letter. */
export const SAMPLE_CHARS = 512;

/** The start of a payload as text PostgreSQL can store (no NUL), never more than SAMPLE_CHARS. */
export function payloadSample(payload: unknown): string | null {
  let text: string;
  if (payload === undefined) return null;
  if (Buffer.isBuffer(payload)) text = payload.toString('utf8', 0, SAMPLE_CHARS * 4);
  else if (typeof payload === 'string') text = payload.slice(0, SAMPLE_CHARS * 4);
  else {
    try {
      text = JSON.stringify(payload) ?? String(payload);
    } catch {
      text = String(payload);
    }
  }
  return text.slice(0, SAMPLE_CHARS).replaceAll('\u0000', '\\u0000');
}

/**
 * Bad input per device and kind: counted in memory on the hot path, added to `ingest_errors` (the
 * dead-letter table: count, first and last time, source, the start of the last payload) every
 * few seconds, and logged (warn, category `ingest`) at most once per device per interval so a
 * device sending garbage a thousand times a second cannot flood the log either. Ids that are not
 * devices aggregate into one row (`(unknown)`), so a flood of random ids makes one row, not one
 * per message.
 */
export interface IngestStats {
  accepted(n: number): void;
  reject(deviceId: string, issue: IngestIssue, now: number, sample?: DeadLetterSample): void;
  /** A message over the device's rate that was stored anyway (server mode: already acknowledged). */
  overRate(deviceId: string): void;
  totals(): {
    accepted: number;
    rejected: number;
    overRate: number;
    byCode: Partial<Record<IngestErrorCode, number>>;
  };
  deviceErrors(deviceId: string): Promise<DeviceErrorCount[]>;
  deadLetters(q: { deviceId?: string; code?: string; limit?: number }): Promise<DeadLetter[]>;
  flush(): Promise<void>;
  close(): Promise<void>;
}

interface Pending {
  count: number;
  firstAt: number;
  lastAt: number;
  lastDetail: string;
  source: string | null;
  payload: string | null;
}

export function createIngestStats(o: {
  db: Db;
  log: Logger;
  flushMs?: number;
  logEveryMs?: number;
}): IngestStats {
  const log = o.log.child({ category: 'ingest' });
  const logEveryMs = o.logEveryMs ?? 10_000;
  let pending = new Map<string, Pending>();
  const lastLogged = new Map<string, { at: number; suppressed: number }>();
  let accepted = 0;
  let rejected = 0;
  let overRate = 0;
  const byCode: Partial<Record<IngestErrorCode, number>> = {};

  function merge(into: Map<string, Pending>, key: string, v: Pending) {
    const cur = into.get(key);
    if (!cur) into.set(key, v);
    else {
      cur.count += v.count;
      cur.firstAt = Math.min(cur.firstAt, v.firstAt);
      if (v.lastAt >= cur.lastAt) {
        cur.lastAt = v.lastAt;
        cur.lastDetail = v.lastDetail;
        cur.source = v.source ?? cur.source;
        cur.payload = v.payload ?? cur.payload;
      }
    }
  }

  async function flush() {
    if (pending.size === 0) return;
    const batch = pending;
    pending = new Map();
    const keys = [...batch.keys()].map((k) => k.split('\u0000') as [string, string]);
    const values = [...batch.values()];
    const iso = (ms: number) => new Date(ms).toISOString();
    try {
      await o.db.query(
        `INSERT INTO ingest_errors AS e (device_id, code, count, first_at, last_at, last_detail, source, last_payload)
         SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::timestamptz[], $5::timestamptz[],
                              $6::text[], $7::text[], $8::text[])
         ON CONFLICT (device_id, code) DO UPDATE SET count = e.count + EXCLUDED.count,
           first_at = least(e.first_at, EXCLUDED.first_at),
           last_at = greatest(e.last_at, EXCLUDED.last_at), last_detail = EXCLUDED.last_detail,
           source = coalesce(EXCLUDED.source, e.source),
           last_payload = coalesce(EXCLUDED.last_payload, e.last_payload)`,
        [
          keys.map((k) => k[0]),
          keys.map((k) => k[1]),
          values.map((v) => v.count),
          values.map((v) => iso(v.firstAt)),
          values.map((v) => iso(v.lastAt)),
          values.map((v) => v.lastDetail),
          values.map((v) => v.source),
          values.map((v) => v.payload),
        ],
      );
    } catch (e) {
      // Counters survive a database outage: put them back for the next flush.
      for (const [k, v] of batch) merge(pending, k, v);
      throw e;
    }
  }

  let flushing = false;
  const timer = setInterval(() => {
    if (flushing) return;
    flushing = true;
    flush()
      .catch((e) => log.warn({ err: e }, 'saving ingest error counters failed; will retry'))
      .finally(() => {
        flushing = false;
      });
  }, o.flushMs ?? 5000);
  timer.unref();

  const rowOf = (x: {
    device_id: string;
    code: string;
    count: number | string;
    first_at: Date | string;
    last_at: Date | string;
    last_detail: string | null;
    source: string | null;
    last_payload: string | null;
  }): DeadLetter => ({
    deviceId: x.device_id,
    code: x.code,
    count: Number(x.count),
    firstAt: new Date(x.first_at).toISOString(),
    lastAt: new Date(x.last_at).toISOString(),
    lastDetail: x.last_detail,
    source: x.source,
    lastPayload: x.last_payload,
  });

  return {
    accepted(n) {
      accepted += n;
    },
    reject(deviceId, issue, now, sample) {
      rejected++;
      byCode[issue.code] = (byCode[issue.code] ?? 0) + 1;
      // Ids come from the outside (topics, bodies): those that are not devices share one row.
      let id =
        issue.code === 'unknown_device' || issue.code === 'bad_device_id'
          ? UNKNOWN_DEVICE
          : deviceId.slice(0, 64);
      let key = `${id}\u0000${issue.code}`;
      if (!pending.has(key) && pending.size >= MAX_PENDING_KEYS) {
        id = OVERFLOW_DEVICE;
        key = `${id}\u0000${issue.code}`;
      }
      const detail =
        id === UNKNOWN_DEVICE
          ? `${issue.message} (id ${payloadSample(deviceId.slice(0, 64))})`
          : issue.message;
      merge(pending, key, {
        count: 1,
        firstAt: now,
        lastAt: now,
        lastDetail: detail,
        source: sample?.source ?? null,
        payload: sample ? payloadSample(sample.payload) : null,
      });
      const logged = lastLogged.get(id);
      if (!logged || now - logged.at >= logEveryMs) {
        log.warn(
          { deviceId: id, code: issue.code, metric: issue.metric, suppressed: logged?.suppressed ?? 0 },
          `bad telemetry from ${id}: ${detail}`,
        );
        if (lastLogged.size > 100_000) lastLogged.clear();
        lastLogged.set(id, { at: now, suppressed: 0 });
      } else logged.suppressed++;
    },
    overRate() {
      overRate++;
    },
    totals: () => ({ accepted, rejected, overRate, byCode: { ...byCode } }),
    async deviceErrors(deviceId) {
      const r = await o.db.query<{ code: string; count: number; last_at: Date; last_detail: string | null }>(
        'SELECT code, count, last_at, last_detail FROM ingest_errors WHERE device_id = $1 ORDER BY code',
        [deviceId],
      );
      const out = new Map<string, DeviceErrorCount>(
        r.rows.map((x) => [
          x.code,
          {
            code: x.code,
            count: Number(x.count),
            lastAt: new Date(x.last_at).toISOString(),
            lastDetail: x.last_detail,
          },
        ]),
      );
      // Counts not yet flushed are part of the answer too.
      for (const [k, v] of pending) {
        const [id, code] = k.split('\u0000') as [string, string];
        if (id !== deviceId) continue;
        const cur = out.get(code);
        out.set(code, {
          code,
          count: (cur?.count ?? 0) + v.count,
          lastAt: new Date(Math.max(v.lastAt, cur ? Date.parse(cur.lastAt) : 0)).toISOString(),
          lastDetail: v.lastDetail,
        });
      }
      return [...out.values()].sort((a, b) => a.code.localeCompare(b.code));
    },
    async deadLetters(q) {
      // What is still in memory is written first, so the answer is complete.
      await flush();
      const r = await o.db.query<Parameters<typeof rowOf>[0]>(
        `SELECT device_id, code, count, first_at, last_at, last_detail, source, last_payload
           FROM ingest_errors
          WHERE ($1::text IS NULL OR device_id = $1) AND ($2::text IS NULL OR code = $2)
          ORDER BY last_at DESC, device_id, code LIMIT $3`,
        [q.deviceId ?? null, q.code ?? null, q.limit ?? 100],
      );
      return r.rows.map(rowOf);
    },
    flush,
    async close() {
      clearInterval(timer);
      await flush().catch((e) => log.warn({ err: e }, 'final save of ingest error counters failed'));
    },
  };
}

/**
 * Token bucket per device: `ratePerSecond` sustained, `burst` at once. `reserve` takes a token
 * that may lie in the future (back-pressure: the caller waits `waitMs` before acting on it) when
 * it is at most `maxWaitMs` away; otherwise it takes nothing and says how long until one is free.
 */
export function createRateLimiter(ratePerSecond: number, burst = ratePerSecond * 2) {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const bucket = (id: string, now: number) => {
    let b = buckets.get(id);
    if (!b) {
      if (buckets.size > 500_000) buckets.clear();
      b = { tokens: burst, at: now };
      buckets.set(id, b);
    }
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * ratePerSecond);
    b.at = now;
    return b;
  };
  return {
    reserve(id: string, now: number, maxWaitMs: number): { ok: boolean; waitMs: number } {
      const b = bucket(id, now);
      const waitMs = b.tokens >= 1 ? 0 : Math.ceil(((1 - b.tokens) / ratePerSecond) * 1000);
      if (waitMs > maxWaitMs) return { ok: false, waitMs };
      b.tokens--;
      return { ok: true, waitMs };
    },
    allow(id: string, now: number): boolean {
      return this.reserve(id, now, 0).ok;
    },
  };
}
