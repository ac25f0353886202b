/**
 * Deadlines live in the database (`cases.due_at`), not in timers: a case is overdue whether or
 * not a server was running. This scheduler only announces it — once per step — with an
 * automatic supervision (督办) by the system, so leaders see it and the timeline records it.
 */
import { type DeadlineStep, deadlineStepNames } from '@onegrid/domain';
import type { Db } from '../db/db.ts';
import type { Logger } from '../logger.ts';
import { caseRepository } from './case.repository.ts';
import type { CaseService } from './case.service.ts';

export interface DeadlineDeps {
  db: Db;
  cases: CaseService;
  clock: () => Date;
  log: Logger;
}

/** One sweep at a time: `sweep()` while one runs returns that one. */
export function deadlineSweep({ db, cases, clock, log }: DeadlineDeps) {
  let running: Promise<number> | undefined;
  async function sweep(): Promise<number> {
    const repo = caseRepository(db);
    const due = await repo.newlyOverdue(clock());
    let n = 0;
    for (const c of due) {
      try {
        const row = await cases.get(c.id, { system: true, name: 'scheduler' });
        await cases.act(
          c.id,
          'supervise',
          { system: true, name: 'scheduler' },
          {
            version: row.version,
            note: `超时自动督办：${deadlineStepNames[c.step as DeadlineStep] ?? c.step}已超时`,
          },
        );
        n++;
      } catch (e) {
        // Not every state can be supervised by the system; the overdue flag still stops repeats.
        log.debug({ err: e, case: c.number }, 'automatic supervision skipped');
      }
      await repo.flagOverdue(c.id, c.step);
    }
    return n;
  }
  const tick = () => {
    running ??= sweep()
      .catch((e) => {
        log.warn({ err: e }, 'deadline sweep failed');
        return 0;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  return {
    /** Runs one sweep now (or joins the one under way). */
    sweep: tick,
    idle: async () => {
      await running;
    },
  };
}

/** The sweep every `intervalMs`: the scheduler role runs it once per deployment (under the lease). */
export function startDeadlineScheduler(
  deps: DeadlineDeps | ReturnType<typeof deadlineSweep>,
  intervalMs = 30_000,
) {
  const s = 'sweep' in deps ? deps : deadlineSweep(deps);
  const timer = setInterval(s.sweep, intervalMs);
  timer.unref();
  return {
    sweep: s.sweep,
    async close() {
      clearInterval(timer);
      await s.idle();
    },
  };
}
