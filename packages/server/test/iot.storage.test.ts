import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReadingRow, readingsRepository } from '../src/iot/readings.repository.ts';
import { createReadingSink } from '../src/iot/readings.sink.ts';
import { openTestDb, postgresAdminUrl, type TestDb, testEngine } from './db-harness.ts';
import { silentLog } from './http-harness.ts';

const DAY = 86_400_000;
const row = (deviceId: string, metric: string, ts: number, num: number): ReadingRow => ({
  deviceId,
  metric,
  ts,
  num,
  txt: null,
  value: num,
});
const dayName = (ms: number) => `readings_p${new Date(ms).toISOString().slice(0, 10).replaceAll('-', '')}`;

describe(`readings storage on ${testEngine}`, () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb();
  });
  afterAll(async () => t?.close());
  const exists = async (table: string) =>
    (await t.db.query<{ r: string | null }>('SELECT to_regclass($1)::text AS r', [table])).rows[0]!.r !==
    null;

  it('creates daily partitions ahead and on demand, and drops them past retention', async () => {
    const repo = readingsRepository(t.db);
    const today = Date.now();
    const first = await repo.maintain(2, 90, 730);
    expect(first.created).toBe(3);
    for (const d of [0, 1, 2]) expect(await exists(dayName(today + d * DAY))).toBe(true);
    expect((await repo.maintain(2, 90, 730)).created).toBe(0);

    const old = today - 100 * DAY;
    await repo.insertBatch([row('s1', 'level', old, 1), row('s1', 'level', old + 1000, 3)]);
    expect(await exists(dayName(old))).toBe(true);
    await repo.recomputeRollups(new Date(old - 60_000), new Date(old + 60_000));
    const r = await repo.maintain(2, 90, 730);
    expect(r.dropped).toBe(1);
    expect(await exists(dayName(old))).toBe(false);
    const left = await t.db.query<{ m: number; h: number }>(
      "SELECT (SELECT count(*) FROM readings_1m WHERE device_id = 's1')::int AS m, (SELECT count(*) FROM readings_1h WHERE device_id = 's1')::int AS h",
    );
    expect(left.rows[0]).toEqual({ m: 0, h: 1 });
    // Late data for a dropped day recreates its partition instead of failing the batch.
    await repo.insertBatch([row('s1', 'level', old + 2000, 5)]);
    expect(await exists(dayName(old))).toBe(true);
  });

  it('stores duplicates once, rolls up exactly and keeps the newest latest value', async () => {
    const repo = readingsRepository(t.db);
    const m = Math.floor((Date.now() - 3_600_000) / 60_000) * 60_000;
    const batch = [row('s2', 'x', m + 1000, 1), row('s2', 'x', m + 2000, 2), row('s2', 'x', m + 1000, 1)];
    await repo.insertBatch(batch);
    await repo.insertBatch(batch);
    await repo.recomputeRollups(new Date(m), new Date(m + 60_000));
    await repo.insertBatch([row('s2', 'x', m + 3000, 6)]);
    await repo.recomputeRollups(new Date(m), new Date(m + 60_000));
    expect(await repo.rollup('s2', 'x', '1m', new Date(m), new Date(m + 60_000), 10)).toEqual([
      { ts: new Date(m).toISOString(), min: 1, max: 6, avg: 3, count: 3 },
    ]);
    await repo.upsertLatest([row('s2', 'x', m + 3000, 6)]);
    await repo.upsertLatest([row('s2', 'x', m + 2000, 2)]);
    expect(await repo.latest('s2')).toEqual([
      { metric: 'x', ts: new Date(m + 3000).toISOString(), num: 6, txt: null },
    ]);
    // A restart repairs latest values and rollups from the raw rows.
    await t.db.query("DELETE FROM readings_latest WHERE device_id = 's2'");
    await t.db.query("DELETE FROM readings_1m WHERE device_id = 's2'");
    await repo.repairRecent(new Date(m - 60_000), new Date(m + 120_000));
    expect((await repo.latest('s2'))[0]?.num).toBe(6);
    expect((await repo.rollup('s2', 'x', '1m', new Date(m), new Date(m + 60_000), 10))[0]?.count).toBe(3);
  });

  it.skipIf(testEngine !== 'postgres')(
    'holds writes while PostgreSQL refuses connections and stores them when it is back',
    async () => {
      const name = new URL(t.url!).pathname.slice(1);
      const admin = new pg.Client({ connectionString: postgresAdminUrl });
      await admin.connect();
      const stored: number[] = [];
      const sink = createReadingSink({
        repo: readingsRepository(t.db),
        log: silentLog,
        onStored: (rows) => stored.push(rows.length),
      });
      try {
        await admin.query(`ALTER DATABASE "${name}" WITH ALLOW_CONNECTIONS false`);
        await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [
          name,
        ]);
        const ts = Date.now() - 60_000;
        let done = false;
        const write = sink.write([row('s3', 'x', ts, 1), row('s3', 'x', ts + 1, 2)]).then(() => {
          done = true;
        });
        await new Promise((r) => setTimeout(r, 1500));
        expect(done).toBe(false);
        expect(sink.stats().retries).toBeGreaterThan(0);
        await admin.query(`ALTER DATABASE "${name}" WITH ALLOW_CONNECTIONS true`);
        await write;
        expect(stored).toEqual([2]);
        const n = await t.db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM readings WHERE device_id = 's3'",
        );
        expect(n.rows[0]!.n).toBe(2);
      } finally {
        await admin.query(`ALTER DATABASE "${name}" WITH ALLOW_CONNECTIONS true`);
        await admin.end();
        await sink.close();
      }
    },
  );
});
