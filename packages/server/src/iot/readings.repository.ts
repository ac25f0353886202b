import type { RuleValue } from '@onegrid/domain';
import { copyValue, type Db } from '../db/db.ts';

/** One stored value. Numbers and booleans (as 0/1) go to `num`, strings to `txt`. */
export interface ReadingRow {
  deviceId: string;
  metric: string;
  /** Epoch milliseconds. */
  ts: number;
  num: number | null;
  txt: string | null;
  /** The typed value as received, for the rules (not stored as such). */
  value: RuleValue;
}

export type Bucket = 'raw' | '1m' | '1h';

export interface RawPoint {
  ts: string;
  num: number | null;
  txt: string | null;
}
export interface RollupPoint {
  ts: string;
  min: number;
  max: number;
  avg: number;
  count: number;
}

const unnestInput = `unnest($1::text[], $2::text[], $3::timestamptz[], $4::float8[], $5::text[])
  AS t(device_id, metric, ts, num, txt)`;

/** Rollups are recomputed whole for a time range, so the result is exact however often it runs. */
const rollup1mSql = `
INSERT INTO readings_1m AS r (device_id, metric, bucket, min, max, sum, count)
SELECT device_id, metric, date_trunc('minute', ts, 'UTC'), min(num), max(num), sum(num), count(*)
  FROM readings WHERE ts >= $1 AND ts < $2 AND num IS NOT NULL
 GROUP BY 1, 2, 3
ON CONFLICT (device_id, metric, bucket) DO UPDATE SET
  min = EXCLUDED.min, max = EXCLUDED.max, sum = EXCLUDED.sum, count = EXCLUDED.count`;

const rollup1hSql = `
INSERT INTO readings_1h AS r (device_id, metric, bucket, min, max, sum, count)
SELECT device_id, metric, date_trunc('hour', bucket, 'UTC'), min(min), max(max), sum(sum), sum(count)
  FROM readings_1m WHERE bucket >= $1 AND bucket < $2
 GROUP BY 1, 2, 3
ON CONFLICT (device_id, metric, bucket) DO UPDATE SET
  min = EXCLUDED.min, max = EXCLUDED.max, sum = EXCLUDED.sum, count = EXCLUDED.count`;

const needsEscape = /[\\\t\n\r]/;
/** COPY text of a device id, metric or string value: escaped only when it has to be. */
const copyText = (v: string | null) => (v === null ? '\\N' : needsEscape.test(v) ? copyValue(v) : v);

/**
 * COPY text lines, a thousand to a chunk: one stream write per line would cost more than the rows.
 * The readings of one message share device and instant, so those strings are made once.
 */
function* copyLines(rows: readonly ReadingRow[]): Generator<string> {
  let chunk = '';
  let lastDevice: string | undefined;
  let device = '';
  let lastTs = Number.NaN;
  let ts = '';
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    if (r.deviceId !== lastDevice) {
      lastDevice = r.deviceId;
      device = copyText(r.deviceId);
    }
    if (r.ts !== lastTs) {
      lastTs = r.ts;
      ts = new Date(r.ts).toISOString();
    }
    chunk += `${device}\t${copyText(r.metric)}\t${ts}\t${r.num ?? '\\N'}\t${copyText(r.txt)}\n`;
    if (i % 1000 === 999) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

function columns(rows: readonly ReadingRow[]) {
  const n = rows.length;
  const devices = new Array<string>(n);
  const metrics = new Array<string>(n);
  const tss = new Array<string>(n);
  const nums = new Array<number | null>(n);
  const txts = new Array<string | null>(n);
  for (let i = 0; i < n; i++) {
    const r = rows[i]!;
    devices[i] = r.deviceId;
    metrics[i] = r.metric;
    tss[i] = new Date(r.ts).toISOString();
    nums[i] = r.num;
    txts[i] = r.txt;
  }
  return [devices, metrics, tss, nums, txts];
}

const DAY = 86_400_000;

export function readingsRepository(db: Db) {
  // Partitions known to exist; a day outside it is created before the insert that needs it.
  const knownDays = new Set<number>();

  async function ensurePartitions(rows: readonly ReadingRow[]) {
    const missing = new Set<number>();
    for (const r of rows) {
      const day = Math.floor(r.ts / DAY);
      if (!knownDays.has(day)) missing.add(day);
    }
    for (const day of missing) {
      await db.query('SELECT readings_ensure_partition($1::date)', [
        new Date(day * DAY).toISOString().slice(0, 10),
      ]);
      knownDays.add(day);
    }
  }

  const repo = {
    /**
     * The hot path. Duplicates (QoS 1 redeliveries, replays) are rare, so a batch goes in with
     * COPY, the fastest load there is; only when COPY meets a duplicate key does the batch go again
     * as one INSERT … ON CONFLICT DO NOTHING. Either is one statement: a failed batch leaves
     * nothing behind and can be retried.
     */
    async insertBatch(rows: readonly ReadingRow[]): Promise<void> {
      if (rows.length === 0) return;
      await ensurePartitions(rows);
      try {
        await db.copyFrom('readings', ['device_id', 'metric', 'ts', 'num', 'txt'], copyLines(rows));
      } catch (e) {
        if ((e as { code?: string }).code !== '23505') throw e;
        await db.query(
          `INSERT INTO readings (device_id, metric, ts, num, txt) SELECT * FROM ${unnestInput} ON CONFLICT DO NOTHING`,
          columns(rows),
        );
      }
    },

    /** Moves latest values forward only: an older reading never replaces a newer one. */
    async upsertLatest(rows: readonly ReadingRow[]): Promise<void> {
      if (rows.length === 0) return;
      await db.query(
        `INSERT INTO readings_latest AS l (device_id, metric, ts, num, txt)
         SELECT DISTINCT ON (device_id, metric) * FROM ${unnestInput} ORDER BY device_id, metric, ts DESC
         ON CONFLICT (device_id, metric) DO UPDATE SET ts = EXCLUDED.ts, num = EXCLUDED.num, txt = EXCLUDED.txt
           WHERE l.ts < EXCLUDED.ts`,
        columns(rows),
      );
    },

    /** Recomputes the 1-minute rollups of [from, to) and the hours that contain them. */
    async recomputeRollups(from: Date, to: Date): Promise<void> {
      const hourFrom = new Date(Math.floor(from.getTime() / 3_600_000) * 3_600_000);
      const hourTo = new Date(Math.ceil(to.getTime() / 3_600_000) * 3_600_000);
      await db.transaction(async (tx) => {
        await tx.query(rollup1mSql, [from, to]);
        await tx.query(rollup1hSql, [hourFrom, hourTo]);
      });
    },

    /**
     * After a restart: latest values and rollups of the last minutes from the raw rows, in case
     * the previous process stopped between a durable batch and its deferred updates.
     */
    async repairRecent(since: Date, until: Date): Promise<void> {
      await db.query(
        `INSERT INTO readings_latest AS l (device_id, metric, ts, num, txt)
         SELECT DISTINCT ON (device_id, metric) device_id, metric, ts, num, txt
           FROM readings WHERE ts >= $1 AND ts < $2 ORDER BY device_id, metric, ts DESC
         ON CONFLICT (device_id, metric) DO UPDATE SET ts = EXCLUDED.ts, num = EXCLUDED.num, txt = EXCLUDED.txt
           WHERE l.ts < EXCLUDED.ts`,
        [since, until],
      );
      await repo.recomputeRollups(since, until);
    },

    /** Creates partitions ahead and drops those past retention; returns what it did. */
    async maintain(aheadDays: number, retentionDays: number, retention1hDays: number) {
      const r = await db.query<{ created: number; dropped: number }>(
        'SELECT created, dropped FROM readings_maintain($1, $2, $3)',
        [aheadDays, retentionDays, retention1hDays],
      );
      // Dropped partitions must be created again if late data for them ever arrives.
      if ((r.rows[0]?.dropped ?? 0) > 0) knownDays.clear();
      return r.rows[0] ?? { created: 0, dropped: 0 };
    },

    async raw(deviceId: string, metric: string, from: Date, to: Date, limit: number): Promise<RawPoint[]> {
      const r = await db.query<{ ts: Date; num: number | null; txt: string | null }>(
        `SELECT ts, num, txt FROM readings
          WHERE device_id = $1 AND metric = $2 AND ts >= $3 AND ts < $4
          ORDER BY ts LIMIT $5`,
        [deviceId, metric, from, to, limit],
      );
      return r.rows.map((x) => ({ ts: new Date(x.ts).toISOString(), num: x.num, txt: x.txt }));
    },

    async rollup(
      deviceId: string,
      metric: string,
      bucket: '1m' | '1h',
      from: Date,
      to: Date,
      limit: number,
    ): Promise<RollupPoint[]> {
      const table = bucket === '1m' ? 'readings_1m' : 'readings_1h';
      const r = await db.query<{ bucket: Date; min: number; max: number; sum: number; count: number }>(
        `SELECT bucket, min, max, sum, count FROM ${table}
          WHERE device_id = $1 AND metric = $2 AND bucket >= $3 AND bucket < $4
          ORDER BY bucket LIMIT $5`,
        [deviceId, metric, from, to, limit],
      );
      return r.rows.map((x) => ({
        ts: new Date(x.bucket).toISOString(),
        min: x.min,
        max: x.max,
        avg: x.sum / x.count,
        count: x.count,
      }));
    },

    async latest(
      deviceId: string,
    ): Promise<Array<{ metric: string; ts: string; num: number | null; txt: string | null }>> {
      const r = await db.query<{ metric: string; ts: Date; num: number | null; txt: string | null }>(
        'SELECT metric, ts, num, txt FROM readings_latest WHERE device_id = $1 ORDER BY metric',
        [deviceId],
      );
      return r.rows.map((x) => ({
        metric: x.metric,
        ts: new Date(x.ts).toISOString(),
        num: x.num,
        txt: x.txt,
      }));
    },

    /** Every latest value: the rules engine starts fresh rule states from them after a restart. */
    async allLatest(): Promise<
      Array<{ deviceId: string; metric: string; ts: number; num: number | null; txt: string | null }>
    > {
      const r = await db.query<{
        device_id: string;
        metric: string;
        ts: Date;
        num: number | null;
        txt: string | null;
      }>('SELECT device_id, metric, ts, num, txt FROM readings_latest');
      return r.rows.map((x) => ({
        deviceId: x.device_id,
        metric: x.metric,
        ts: new Date(x.ts).getTime(),
        num: x.num,
        txt: x.txt,
      }));
    },
  };
  return repo;
}
export type ReadingsRepository = ReturnType<typeof readingsRepository>;
