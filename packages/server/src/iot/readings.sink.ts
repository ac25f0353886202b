import type { Logger } from '../logger.ts';
import { createBatcher } from './batcher.ts';
import type { ReadingRow, ReadingsRepository } from './readings.repository.ts';

/**
 * Where accepted readings go. Raw rows are written in batches and `write` resolves once they are
 * durable (the QoS 1 PUBACK waits for it). The derived tables cost as much as the raw insert when
 * updated per batch, so they are deferred: latest values are coalesced in memory and flushed every
 * second, rollups are recomputed from the raw rows for the minutes that got data. A restart
 * repairs both from the raw rows of the last minutes (`repairRecent`).
 */
export interface ReadingSink {
  write(rows: ReadingRow[]): Promise<void>;
  /** Flushes latest values and rollups now (tests, shutdown). */
  flushDerived(): Promise<void>;
  pending(): number;
  stats(): { batches: number; rows: number; retries: number; pending: number };
  close(): Promise<void>;
}

export interface ReadingSinkOptions {
  repo: ReadingsRepository;
  log: Logger;
  /** Called in order with each durable batch: the rules engine reads the stream here. */
  onStored?(rows: ReadingRow[]): void;
  concurrency?: number;
  maxBatch?: number;
  maxDelayMs?: number;
  maxPending?: number;
  latestEveryMs?: number;
  rollupEveryMs?: number;
}

const MINUTE = 60_000;

/** Readings the database refused for what they hold (not a passing fault): retrying won't help. */
export class RowsRefusedError extends Error {
  constructor(cause: unknown) {
    super(`readings refused by the database: ${(cause as Error)?.message ?? String(cause)}`, { cause });
  }
}

/**
 * Worth retrying: SQLSTATE classes connection, resources, operator intervention and rollback, and
 * any FATAL error (refused at connect: "database is not accepting connections" is 55000). Data
 * and schema errors are not: retrying them would hold the batch forever.
 */
export function isTransientDbError(e: unknown): boolean {
  const { code, severity } = (e ?? {}) as { code?: unknown; severity?: unknown };
  if (severity === 'FATAL') return true;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return /^(08|53|57|40)/.test(code);
  return true;
}

export function createReadingSink(o: ReadingSinkOptions): ReadingSink {
  let latest = new Map<string, ReadingRow>();
  const dirty = new Set<number>();

  const batcher = createBatcher<ReadingRow>({
    write: (rows) => o.repo.insertBatch(rows),
    afterWrite(rows) {
      for (const r of rows) {
        const key = `${r.deviceId}\u0000${r.metric}`;
        const cur = latest.get(key);
        if (!cur || cur.ts < r.ts) latest.set(key, r);
        if (r.num !== null) dirty.add(Math.floor(r.ts / MINUTE));
      }
      o.onStored?.(rows);
    },
    concurrency: o.concurrency ?? 1,
    maxBatch: o.maxBatch ?? 5000,
    maxDelayMs: o.maxDelayMs ?? 5,
    maxPending: o.maxPending ?? 200_000,
    isTransient: isTransientDbError,
    onRetry(e, attempt) {
      if (attempt === 1 || attempt % 10 === 0) {
        o.log.warn(
          { err: e, attempt },
          'readings batch failed; retrying (nothing is acknowledged meanwhile)',
        );
      }
    },
  });

  let latestRunning: Promise<void> | undefined;
  async function flushLatest() {
    if (latest.size === 0) return;
    const rows = [...latest.values()];
    latest = new Map();
    try {
      await o.repo.upsertLatest(rows);
    } catch (e) {
      for (const r of rows) {
        const key = `${r.deviceId}\u0000${r.metric}`;
        const cur = latest.get(key);
        if (!cur || cur.ts < r.ts) latest.set(key, r);
      }
      throw e;
    }
  }

  /**
   * A minute is recomputed once it is over (plus a few seconds for stragglers), so each minute is
   * scanned about once however high the rate; `all` includes the running minute (tests, shutdown).
   */
  async function flushRollups(all = false) {
    if (dirty.size === 0) return;
    const open = Math.floor((Date.now() - 5000) / MINUTE);
    const minutes = [...dirty].filter((m) => all || m < open).sort((a, b) => a - b);
    if (minutes.length === 0) return;
    for (const m of minutes) dirty.delete(m);
    // Contiguous minutes become one range: one scan instead of one per minute.
    const ranges: Array<[number, number]> = [];
    for (const m of minutes) {
      const last = ranges[ranges.length - 1];
      if (last && last[1] === m) last[1] = m + 1;
      else ranges.push([m, m + 1]);
    }
    for (let i = 0; i < ranges.length; i++) {
      const [a, b] = ranges[i]!;
      try {
        await o.repo.recomputeRollups(new Date(a * MINUTE), new Date(b * MINUTE));
      } catch (e) {
        for (const [x, y] of ranges.slice(i)) for (let m = x; m < y; m++) dirty.add(m);
        throw e;
      }
    }
  }

  async function flushDerived() {
    await latestRunning;
    latestRunning = (async () => {
      await flushLatest();
      await flushRollups(true);
    })();
    try {
      await latestRunning;
    } finally {
      latestRunning = undefined;
    }
  }

  const guard = (what: string, fn: () => Promise<void>) => () => {
    if (latestRunning) return;
    latestRunning = fn()
      .catch((e) => o.log.warn({ err: e }, `${what} failed; will retry`))
      .finally(() => {
        latestRunning = undefined;
      });
  };
  const latestTimer = setInterval(guard('latest values flush', flushLatest), o.latestEveryMs ?? 1000);
  const rollupTimer = setInterval(
    guard('rollup', () => flushRollups()),
    o.rollupEveryMs ?? 10_000,
  );
  latestTimer.unref();
  rollupTimer.unref();

  return {
    write: (rows) =>
      batcher.add(rows).catch((e: unknown) => {
        throw isTransientDbError(e) ? e : new RowsRefusedError(e);
      }),
    flushDerived,
    pending: () => batcher.pending(),
    stats() {
      const s = batcher.stats();
      return { batches: s.batches, rows: s.items, retries: s.retries, pending: batcher.pending() };
    },
    async close() {
      clearInterval(latestTimer);
      clearInterval(rollupTimer);
      await batcher.close();
      await flushDerived().catch((e) => o.log.warn({ err: e }, 'final flush of latest values failed'));
    },
  };
}
