/**
 * The scheduler lease: one row in `leases` (migration 0022) that a scheduler process takes when
 * it is free or expired and renews every third of its time to live. While it holds the lease the
 * process runs the `once` jobs; when it loses it (a renewal fails or finds another holder) it
 * stops them before anyone else can take over, since a renewal is attempted twice within the
 * lease's life. Time is the database's (`now()`), so clocks of the hosts need not agree.
 */
import type { Db } from '../db/db.ts';
import type { Logger } from '../logger.ts';
import type { Job } from './roles.ts';

export interface LeaseState {
  name: string;
  holder: string;
  /** This process holds the lease and runs the once-only jobs. */
  leader: boolean;
  /** Jobs started under the lease. */
  jobs: string[];
  lastError?: string;
}

export interface Leader {
  state(): LeaseState;
  /** Resolves once the next acquire or renew attempt has finished (tests wait on it). */
  attempt(): Promise<boolean>;
  /** Stops the jobs, releases the lease (so another scheduler takes it at once) and stops trying. */
  close(): Promise<void>;
  /** Stops renewing without releasing, as a killed process would (tests). */
  abandon(): Promise<void>;
}

export async function tryLease(db: Db, name: string, holder: string, ttlMs: number): Promise<boolean> {
  const r = await db.query(
    `INSERT INTO leases AS l (name, holder, expires_at)
     VALUES ($1, $2, now() + make_interval(secs => $3))
     ON CONFLICT (name) DO UPDATE
        SET holder = excluded.holder, expires_at = excluded.expires_at, renewed_at = now(),
            acquired_at = CASE WHEN l.holder = excluded.holder THEN l.acquired_at ELSE now() END
      WHERE l.holder = excluded.holder OR l.expires_at < now()
     RETURNING holder`,
    [name, holder, ttlMs / 1000],
  );
  return r.rowCount === 1;
}

export async function releaseLease(db: Db, name: string, holder: string): Promise<void> {
  await db.query('DELETE FROM leases WHERE name = $1 AND holder = $2', [name, holder]);
}

/**
 * Takes part in the election for `name` and runs `jobs` while this process leads. The first
 * attempt is awaited, so a lone scheduler has its jobs running when this resolves.
 */
export async function startLeader(o: {
  db: Db;
  log: Logger;
  name: string;
  holder: string;
  jobs: readonly Job[];
  ttlMs: number;
}): Promise<Leader> {
  const log = o.log.child({ category: 'scheduler', lease: o.name });
  let leader = false;
  let stopped = false;
  let lastError: string | undefined;
  const started: Job[] = [];
  let timer: NodeJS.Timeout | undefined;
  let chain: Promise<boolean> = Promise.resolve(false);

  async function startJobs() {
    for (const j of o.jobs) {
      try {
        await j.start();
        started.push(j);
      } catch (e) {
        log.error({ err: e, job: j.name }, 'a scheduler job did not start');
      }
    }
  }
  async function stopJobs() {
    for (const j of started.splice(0).reverse()) {
      await j
        .close()
        .catch((e: unknown) => log.warn({ err: e, job: j.name }, 'closing a scheduler job failed'));
    }
  }

  async function once(): Promise<boolean> {
    if (stopped) return false;
    let held: boolean;
    try {
      held = await tryLease(o.db, o.name, o.holder, o.ttlMs);
      lastError = undefined;
    } catch (e) {
      // The database is away: another scheduler may take over once the lease expires, so stop.
      lastError = (e as Error).message;
      held = false;
      if (leader) log.warn({ err: e }, 'renewing the scheduler lease failed; stopping the scheduled work');
    }
    if (held && !leader && !stopped) {
      leader = true;
      log.info({ holder: o.holder }, 'took the scheduler lease: running the scheduled work here');
      await startJobs();
    } else if (!held && leader) {
      leader = false;
      log.warn({ holder: o.holder }, 'lost the scheduler lease: scheduled work stops here');
      await stopJobs();
    }
    return leader;
  }

  function attempt(): Promise<boolean> {
    chain = chain.then(once, once);
    return chain;
  }
  function schedule() {
    if (stopped) return;
    timer = setTimeout(
      () => {
        void attempt().finally(schedule);
      },
      Math.max(50, Math.floor(o.ttlMs / 3)),
    );
    timer.unref();
  }

  await attempt();
  schedule();

  return {
    state: () => ({
      name: o.name,
      holder: o.holder,
      leader,
      jobs: started.map((j) => j.name),
      ...(lastError ? { lastError } : {}),
    }),
    attempt,
    async close() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await chain.catch(() => false);
      const was = leader;
      leader = false;
      await stopJobs();
      if (was) await releaseLease(o.db, o.name, o.holder).catch(() => undefined);
    },
    async abandon() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await chain.catch(() => false);
      leader = false;
      await stopJobs();
    },
  };
}
