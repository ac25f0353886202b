/**
 * Outbox retention: events are delivered within seconds of their commit (the event stream tails
 * the table), so rows older than the retention only take space. Deleted in batches, oldest
 * first, once an hour; only rows of transactions older than every running one, so a reader can
 * never meet a hole it has not passed yet. Harmless when several processes run it.
 */
import type { Db } from '../db/db.ts';
import type { Logger } from '../logger.ts';

export async function pruneOutbox(db: Db, olderThan: Date, batch = 10_000): Promise<number> {
  let total = 0;
  for (;;) {
    const r = await db.query(
      `DELETE FROM outbox WHERE id IN (
         SELECT id FROM outbox
          WHERE created_at < $1::timestamptz AND xid < pg_snapshot_xmin(pg_current_snapshot())
          ORDER BY created_at LIMIT ${batch})`,
      [olderThan.toISOString()],
    );
    total += r.rowCount;
    if (r.rowCount < batch) return total;
  }
}

export interface OutboxRetention {
  /** Runs one pass now (tests, the CLI). */
  run(): Promise<number>;
  close(): Promise<void>;
}

export function startOutboxRetention(o: {
  db: Db;
  log: Logger;
  clock: () => Date;
  retentionDays: number;
  everyMs?: number;
}): OutboxRetention {
  const log = o.log.child({ category: 'events' });
  let running: Promise<number> | undefined;
  const run = () => {
    running ??= pruneOutbox(o.db, new Date(o.clock().getTime() - o.retentionDays * 86_400_000))
      .then((n) => {
        if (n > 0) log.info({ deleted: n }, `deleted outbox events older than ${o.retentionDays} days`);
        return n;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const timer = setInterval(() => {
    run().catch((e) => log.warn({ err: e }, 'outbox retention failed; will retry'));
  }, o.everyMs ?? 3_600_000);
  timer.unref();
  return {
    run,
    async close() {
      clearInterval(timer);
      await running?.catch(() => {});
    },
  };
}
