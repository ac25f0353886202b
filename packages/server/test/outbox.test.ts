import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOutboxRetention } from '../src/events/outbox.retention.ts';
import { type EventBus, emit, type OutboxEvent, startEventBus } from '../src/events/outbox.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';
import { silentLog } from './http-harness.ts';
import { eventually } from './iot-harness.ts';

describe(`outbox on ${testEngine}`, () => {
  let t: TestDb;
  let bus: EventBus;
  const got: OutboxEvent[] = [];
  const names = () => got.map((e) => e.payload.name);

  beforeAll(async () => {
    t = await openTestDb();
    // Committed before the bus starts: not delivered ("from now on").
    await t.db.transaction((tx) => emit(tx, 'test.old', null, { name: 'before-start' }));
    bus = startEventBus(t.db, { intervalMs: 50 });
    bus.subscribe((e) => got.push(e));
    await bus.ready;
  });
  afterAll(async () => {
    await bus?.close();
    await t?.close();
  });

  it('delivers each committed event once, and none committed before it started', async () => {
    for (const name of ['a', 'b', 'c']) {
      await t.db.transaction((tx) => emit(tx, 'test.seq', null, { name }));
    }
    bus.nudge();
    await eventually(async () => got.length >= 3);
    // A few more polls: nothing comes twice.
    const polls = bus.stats().delivered;
    await eventually(async () => {
      bus.nudge();
      return bus.stats().lagSeconds < 0.1;
    });
    expect(bus.stats().delivered).toBe(polls);
    expect(names()).toEqual(['a', 'b', 'c']);
  });

  it.skipIf(testEngine !== 'postgres')(
    'delivers both of two transactions that commit out of id order (PostgreSQL)',
    async () => {
      got.length = 0;
      let release!: () => void;
      const held = new Promise<void>((r) => {
        release = r;
      });
      let emitted!: () => void;
      const firstEmitted = new Promise<void>((r) => {
        emitted = r;
      });
      // Transaction 1 takes the smaller id and stays open...
      const first = t.db.transaction(async (tx) => {
        await emit(tx, 'test.race', null, { name: 'smaller-id-committed-last' });
        emitted();
        await held;
      });
      await firstEmitted;
      // ...transaction 2 takes a larger id and commits first; the bus delivers it.
      await t.db.transaction((tx) => emit(tx, 'test.race', null, { name: 'larger-id-committed-first' }));
      bus.nudge();
      await eventually(async () => names().includes('larger-id-committed-first'));
      expect(bus.stats().pendingRecheck).toBeGreaterThan(0);
      // Now the smaller id commits: it must not be left behind.
      release();
      await first;
      bus.nudge();
      const delivered = await eventually(async () => names().includes('smaller-id-committed-last'));
      expect(delivered).toBe(true);
      const ids = got.map((e) => e.id);
      expect(ids[0]).toBeGreaterThan(ids[1]!);
      expect(names()).toEqual(['larger-id-committed-first', 'smaller-id-committed-last']);
      // Once both transactions are behind the safe cursor, neither comes again.
      await eventually(async () => {
        bus.nudge();
        return bus.stats().lagSeconds < 0.1;
      });
      expect(names()).toHaveLength(2);
    },
  );

  it.skipIf(testEngine === 'postgres')(
    'skipped on PGlite: one connection cannot interleave transactions; the out-of-order commit runs on PostgreSQL',
    () => {},
  );

  it('retention deletes events older than the retention, keeps the rest', async () => {
    await t.db.query(
      `INSERT INTO outbox (topic, area_code, payload, created_at)
       VALUES ('test.ancient', NULL, '{}', now() - interval '10 days'),
              ('test.recent', NULL, '{}', now() - interval '1 day')`,
    );
    const retention = startOutboxRetention({
      db: t.db,
      log: silentLog,
      clock: () => new Date(),
      retentionDays: 7,
    });
    try {
      // Only rows older than every running transaction go, and on a shared PostgreSQL another
      // database's transaction may still be open: try until the horizon has passed the insert.
      let deleted = 0;
      for (let i = 0; i < 600 && deleted === 0; i++) {
        deleted = await retention.run();
        if (deleted === 0) await new Promise((r) => setTimeout(r, 100));
      }
      expect(deleted).toBe(1);
      const left = await t.db.query<{ topic: string }>(
        "SELECT topic FROM outbox WHERE topic IN ('test.ancient', 'test.recent')",
      );
      expect(left.rows.map((r) => r.topic)).toEqual(['test.recent']);
    } finally {
      await retention.close();
    }
  });
});
