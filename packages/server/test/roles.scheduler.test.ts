/**
 * Scheduler work runs once however many schedulers run: two scheduler instances on one database
 * (on PostgreSQL each with its own connection pool, as two processes would have) and an overdue
 * case give exactly one automatic 督办; when the lease holder stops, or dies without a word, the
 * other scheduler takes the work over.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/db/db.ts';
import { openPostgres } from '../src/db/postgres.ts';
import { startLeader } from '../src/roles/lease.ts';
import type { Role } from '../src/roles/roles.ts';
import { buildServer, type Server } from '../src/server.ts';
import { makeLoopCity, square } from './case-fixture.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';
import { login, silentLog } from './http-harness.ts';

/** Polls `check` until it holds (the signal), failing after `ms`. */
async function until(check: () => boolean | Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe(`the scheduler role on ${testEngine}`, () => {
  let t: TestDb;
  let db2: Db;
  let api: Server;
  const servers: Server[] = [];
  let now = new Date('2026-11-23T02:00:00Z'); // Monday 10:00 in Shanghai
  let token = '';

  const start = async (db: Db, roles: Role[], holder: string) => {
    const s = await buildServer({
      db,
      log: silentLog,
      config: { sessionHours: 12, webDir: '/nonexistent' },
      clock: () => now,
      roles,
      // A lease long enough that a busy test machine never lets it lapse while its holder lives.
      scheduler: { holder, leaseTtlMs: 4000, deadlineSweepMs: 40 },
    });
    servers.push(s);
    return s;
  };
  const supervisions = async (caseId: number) =>
    (
      await t.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM case_events WHERE case_id = $1 AND action = 'supervise'",
        [caseId],
      )
    ).rows[0]!.n;
  const renewedAt = async () =>
    String(
      (await t.db.query<{ at: Date }>("SELECT renewed_at AS at FROM leases WHERE name = 'scheduler'")).rows[0]
        ?.at,
    );
  const report = async (description: string) => {
    const res = await api.app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: { authorization: `Bearer ${token}` },
      payload: {
        category: '06014',
        description,
        location: { lng: square.lng - 0.0006, lat: square.lat + 0.0006 },
      },
    });
    expect(res.statusCode).toBe(201);
    return res.json() as { id: number };
  };

  beforeAll(async () => {
    t = await openTestDb();
    await makeLoopCity(t.db);
    db2 = testEngine === 'postgres' ? await openPostgres(t.url!) : t.db;
    api = await start(t.db, ['api'], 'api-only');
    await api.geo.refresh({ force: true });
    token = await login(api, 'insp');
  });
  afterAll(async () => {
    for (const s of servers.reverse()) await s.close();
    if (db2 !== t.db) await db2.close();
    await t?.close();
  });

  it('runs the deadline sweep on one scheduler only: one 督办, and the other takes over when the holder stops', async () => {
    expect(api.scheduler()).toBeUndefined();
    expect(api.jobs()).not.toContain('cases.deadlines');
    const a = await start(t.db, ['scheduler'], 'scheduler-a');
    const b = await start(db2, ['scheduler'], 'scheduler-b');
    expect(a.scheduler()?.leader).toBe(true);
    expect(b.scheduler()?.leader).toBe(false);
    expect(a.jobs()).toEqual(
      expect.arrayContaining(['cases.deadlines', 'assessment.rollups', 'iot.maintenance']),
    );
    expect(b.jobs()).not.toContain('cases.deadlines');
    // A scheduler serves no API, only health.
    const cases = await a.app.inject({
      method: 'GET',
      url: '/api/v1/cases',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(cases.statusCode).toBe(404);
    expect((await a.app.inject({ method: 'GET', url: '/api/v1/health' })).statusCode).toBe(200);

    const first = await report('道路遗撒 · 两个调度进程');
    now = new Date(now.getTime() + 3 * 86_400_000);
    await until(async () => (await supervisions(first.id)) > 0, 'the automatic supervision');
    // Both keep running a few lease rounds (the holder sweeps every 40 ms meanwhile).
    for (let i = 0; i < 2; i++) {
      const before = await renewedAt();
      await until(async () => (await renewedAt()) !== before, 'a lease renewal');
    }
    expect(await supervisions(first.id)).toBe(1);
    expect(b.scheduler()?.leader).toBe(false);

    // The holder stops (deploy, scale-in): it releases the lease, the other takes it at its next try.
    await a.close();
    // Leadership is taken first and the once-only jobs start just after: wait for both.
    await until(
      () => b.scheduler()?.leader === true && b.jobs().includes('cases.deadlines'),
      'the other scheduler to take the lease and start its jobs',
    );
    expect(b.jobs()).toContain('cases.deadlines');
    token = await login(api, 'insp'); // three days on: the session expired
    const second = await report('道路遗撒 · 接管之后');
    now = new Date(now.getTime() + 3 * 86_400_000);
    await until(async () => (await supervisions(second.id)) > 0, 'the supervision by the new holder');
    expect(await supervisions(second.id)).toBe(1);
    expect(await supervisions(first.id)).toBe(1);
  });

  it('a holder that dies without releasing is replaced once its lease expires, and never two run at once', async () => {
    const running = new Set<string>();
    let overlap = false;
    const work = (who: string) => [
      {
        name: 'probe',
        roles: ['scheduler'] as const,
        once: true,
        start() {
          if (running.size > 0) overlap = true;
          running.add(who);
        },
        async close() {
          running.delete(who);
        },
      },
    ];
    const x = await startLeader({
      db: t.db,
      log: silentLog,
      name: 'probe',
      holder: 'x',
      jobs: work('x'),
      ttlMs: 900,
    });
    const y = await startLeader({
      db: db2,
      log: silentLog,
      name: 'probe',
      holder: 'y',
      jobs: work('y'),
      ttlMs: 900,
    });
    expect(x.state().leader).toBe(true);
    expect(y.state().leader).toBe(false);
    await y.attempt();
    expect(y.state().leader).toBe(false);
    // Killed: stops renewing and never releases; the row stays until it expires.
    await x.abandon();
    await until(() => y.state().leader, 'the survivor to take the expired lease');
    expect([...running]).toEqual(['y']);
    expect(overlap).toBe(false);
    const row = await t.db.query<{ holder: string }>("SELECT holder FROM leases WHERE name = 'probe'");
    expect(row.rows[0]?.holder).toBe('y');
    await y.close();
    expect((await t.db.query("SELECT 1 FROM leases WHERE name = 'probe'")).rowCount).toBe(0);
  });
});
