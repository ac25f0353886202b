/**
 * `--profile` for the benchmarks: wraps a `Db` so every statement's wall time (client side, from
 * send to answer, so it includes waiting for a pooled connection's round trip but not for the
 * pool) is summed per statement text. Printed to stderr after the run: where an action's time goes.
 */
import type { Db, Queryable } from '@onegrid/server';

interface Stat {
  calls: number;
  ms: number;
  inTx: number;
}

export function profiledDb(db: Db): { db: Db; report(top?: number): string; reset(): void } {
  const stats = new Map<string, Stat>();
  let txCount = 0;
  let txMs = 0;
  const key = (sql: string) => sql.replace(/\s+/g, ' ').trim().slice(0, 110);
  const timed = (q: Queryable, inTx: boolean): Queryable => ({
    engine: q.engine,
    async query(sql, params) {
      const t0 = performance.now();
      try {
        return await q.query(sql, params);
      } finally {
        const k = key(sql);
        const s = stats.get(k) ?? { calls: 0, ms: 0, inTx: 0 };
        s.calls++;
        s.ms += performance.now() - t0;
        if (inTx) s.inTx++;
        stats.set(k, s);
      }
    },
    exec: (sql) => q.exec(sql),
  });
  const outer = timed(db, false);
  const wrapped: Db = Object.assign(Object.create(db) as Db, {
    query: outer.query,
    async transaction<T>(fn: (tx: Queryable) => Promise<T>, options?: Parameters<Db['transaction']>[1]) {
      const t0 = performance.now();
      try {
        return await db.transaction((tx) => fn(timed(tx, true)), options);
      } finally {
        txCount++;
        txMs += performance.now() - t0;
      }
    },
  });
  return {
    db: wrapped,
    reset() {
      stats.clear();
      txCount = 0;
      txMs = 0;
    },
    report(top = 30) {
      const all = [...stats].sort((a, b) => b[1].ms - a[1].ms);
      const total = all.reduce((n, [, s]) => n + s.ms, 0);
      const calls = all.reduce((n, [, s]) => n + s.calls, 0);
      const lines = [
        `${calls} statements, ${total.toFixed(0)} ms summed; ${txCount} transactions, ${txMs.toFixed(0)} ms summed (incl. BEGIN/COMMIT)`,
        'calls     total ms  mean ms  in tx  statement',
      ];
      for (const [sql, s] of all.slice(0, top)) {
        lines.push(
          `${String(s.calls).padStart(5)}  ${s.ms.toFixed(0).padStart(10)}  ${(s.ms / s.calls).toFixed(2).padStart(7)}  ${String(s.inTx).padStart(5)}  ${sql}`,
        );
      }
      return lines.join('\n');
    },
  };
}
