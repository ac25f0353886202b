/**
 * `onegrid bench webhooks`: deliveries per second through the durable delivery queue (the very
 * worker the server runs: claim with SKIP LOCKED, signed POST, record the answer and the log
 * entry) to a receiver on a free port, beside a bare loop of signed HTTP POSTs to the same
 * receiver with the same concurrency (the network and signing alone). `--deliveries 5000`
 * (default 2000), `--keys 200` objects the events are spread over (one in flight per object).
 * PGlite by default; a scratch database with DATABASE_URL.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDeliveries, createLogger, migrate, signBody } from '@onegrid/server';
import type { Benchmark, BenchRow } from './bench.ts';
import { openBenchDb, positiveInt } from './scratch-db.ts';

const secret = 'bench-secret-0123456789';

export const webhooksBenchmark: Benchmark = {
  name: 'webhooks',
  description: 'durable signed deliveries per second beside a bare signed POST loop',
  async run({ progress, options }) {
    const n = positiveInt(options.deliveries, 2000, 'deliveries');
    const keys = positiveInt(options.keys, 200, 'keys');
    const concurrency = 32;
    let received = 0;
    let waiter: (() => void) | undefined;
    let target = 0;
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        received++;
        res.writeHead(204).end();
        if (received >= target) waiter?.();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const rows: BenchRow[] = [];
    const bench = await openBenchDb('webhooks');
    try {
      // Baseline: the same number of signed POSTs, `concurrency` at a time.
      progress(`bare signed POSTs: ${n}`);
      let next = 0;
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < n) {
            const i = next++;
            const body = JSON.stringify({ id: `b${i}`, event: 'bench', data: { i } });
            const res = await fetch(url, {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'x-onegrid-signature': signBody(secret, body) },
              body,
            });
            await res.body?.cancel();
          }
        }),
      );
      const bare = n / ((performance.now() - t0) / 1000);
      rows.push({ subject: 'bare signed POST loop', value: bare, unit: 'POST/s', better: 'higher' });

      await migrate(bench.db);
      const deliveries = createDeliveries({
        db: bench.db,
        log: createLogger({ logLevel: 'warn', logPretty: false }),
        options: { batch: concurrency, pollMs: 50 },
      });
      deliveries.register('bench', {
        resolve: async () => ({
          url,
          headers: (body) => ({ 'x-onegrid-signature': signBody(secret, body) }),
        }),
      });
      progress(`queueing ${n} deliveries over ${keys} objects`);
      const t1 = performance.now();
      for (let start = 0; start < n; start += 500) {
        await bench.db.transaction(async (tx) => {
          for (let i = start; i < Math.min(n, start + 500); i++) {
            await deliveries.deliver(tx, {
              target: 'bench:1',
              event: 'bench',
              data: { i },
              key: `obj:${i % keys}`,
            });
          }
        });
      }
      rows.push({
        subject: 'queue (deliver in transactions of 500)',
        value: n / ((performance.now() - t1) / 1000),
        unit: 'deliveries/s',
      });
      progress('delivering');
      received = 0;
      target = n;
      const done = new Promise<void>((r) => {
        waiter = r;
      });
      const t2 = performance.now();
      const worker = deliveries.startWorker();
      await done;
      const secs = (performance.now() - t2) / 1000;
      await worker.close();
      const left = await bench.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM deliveries WHERE state <> 'delivered'",
      );
      rows.push({
        subject: `durable deliveries (${bench.engine}, ${keys} objects)`,
        value: n / secs,
        unit: 'deliveries/s',
        baseline: 'bare signed POST loop',
        better: 'higher',
        note: `${left.rows[0]!.n} not yet marked delivered when the last arrived`,
      });
    } finally {
      server.close();
      await bench.drop();
    }
    return rows;
  },
};
