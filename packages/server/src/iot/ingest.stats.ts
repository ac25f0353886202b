import type { Db } from '../db/db.ts';
import type { Logger } from '../logger.ts';
import type { IngestErrorCode, IngestIssue } from './telemetry.parse.ts';

export interface DeviceErrorCount {
  code: string;
  count: number;
  lastAt: string;
  lastDetail: string | null;
}

/**
 * Bad input per device and kind: counted in memory on the hot path, added to `ingest_errors`
 * every few seconds, and logged (warn, category `ingest`) at most once per device per interval so
 * a device sending garbage a thousand times a second cannot flood the log either.
 */
export interface IngestStats {
  accepted(n: number): void;
  reject(deviceId: string, issue: IngestIssue, now: number): void;
  totals(): { accepted: number; rejected: number; byCode: Partial<Record<IngestErrorCode, number>> };
  deviceErrors(deviceId: string): Promise<DeviceErrorCount[]>;
  flush(): Promise<void>;
  close(): Promise<void>;
}

interface Pending {
  count: number;
  lastAt: number;
  lastDetail: string;
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
  const byCode: Partial<Record<IngestErrorCode, number>> = {};

  async function flush() {
    if (pending.size === 0) return;
    const batch = pending;
    pending = new Map();
    const keys = [...batch.keys()];
    const values = [...batch.values()];
    try {
      await o.db.query(
        `INSERT INTO ingest_errors AS e (device_id, code, count, last_at, last_detail)
         SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::timestamptz[], $5::text[])
         ON CONFLICT (device_id, code) DO UPDATE SET count = e.count + EXCLUDED.count,
           last_at = greatest(e.last_at, EXCLUDED.last_at), last_detail = EXCLUDED.last_detail`,
        [
          keys.map((k) => k.split('\u0000')[0]),
          keys.map((k) => k.split('\u0000')[1]),
          values.map((v) => v.count),
          values.map((v) => new Date(v.lastAt).toISOString()),
          values.map((v) => v.lastDetail),
        ],
      );
    } catch (e) {
      // Counters survive a database outage: put them back for the next flush.
      for (const [k, v] of batch) {
        const cur = pending.get(k);
        pending.set(k, cur ? { ...v, count: v.count + cur.count } : v);
      }
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

  return {
    accepted(n) {
      accepted += n;
    },
    reject(deviceId, issue, now) {
      rejected++;
      byCode[issue.code] = (byCode[issue.code] ?? 0) + 1;
      // Ids come from the outside (topics, bodies): keep them bounded in the table.
      const id = deviceId.slice(0, 64);
      const key = `${id}\u0000${issue.code}`;
      const cur = pending.get(key);
      if (cur) {
        cur.count++;
        cur.lastAt = now;
        cur.lastDetail = issue.message;
      } else pending.set(key, { count: 1, lastAt: now, lastDetail: issue.message });
      const logged = lastLogged.get(id);
      if (!logged || now - logged.at >= logEveryMs) {
        log.warn(
          { deviceId: id, code: issue.code, metric: issue.metric, suppressed: logged?.suppressed ?? 0 },
          `bad telemetry from ${id}: ${issue.message}`,
        );
        if (lastLogged.size > 100_000) lastLogged.clear();
        lastLogged.set(id, { at: now, suppressed: 0 });
      } else logged.suppressed++;
    },
    totals: () => ({ accepted, rejected, byCode: { ...byCode } }),
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
    flush,
    async close() {
      clearInterval(timer);
      await flush().catch((e) => log.warn({ err: e }, 'final save of ingest error counters failed'));
    },
  };
}

/** Token bucket per device: a flooding device is cut to `ratePerSecond` without slowing others. */
export function createRateLimiter(ratePerSecond: number, burst = ratePerSecond * 2) {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    allow(id: string, now: number): boolean {
      let b = buckets.get(id);
      if (!b) {
        if (buckets.size > 500_000) buckets.clear();
        b = { tokens: burst, at: now };
        buckets.set(id, b);
      }
      b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * ratePerSecond);
      b.at = now;
      if (b.tokens < 1) return false;
      b.tokens--;
      return true;
    },
  };
}
