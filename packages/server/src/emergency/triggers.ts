/**
 * The trigger sweep: gathers the facts of the last minutes (active alarms with their device types,
 * cases, vital-sign levels), matches every active plan (`matchPlans`, pure) and opens a proposed
 * incident per new match, which lands on the duty log of the person on duty. It runs once per
 * deployment (under the scheduler lease), every `everyMs` and at once when an alarm is raised or a
 * case reported (outbox events). A plan is not proposed again for an area while an incident of it
 * is open there, nor for an hour after one ended (the same alarms would propose it again).
 */
import { matchPlans, type PlanDefinition, type VitalFact } from '@onegrid/domain';
import type { Db } from '../db/db.ts';
import type { EventBus } from '../events/outbox.ts';
import type { Logger } from '../logger.ts';
import { incidentsRepository } from './incidents.repository.ts';
import type { IncidentsService } from './incidents.service.ts';
import { plansRepository } from './plans.repository.ts';

export const quietAfterMinutes = 60;

export function triggerSweep(deps: {
  db: Db;
  clock: () => Date;
  incidents: IncidentsService;
  vitals?: () => Promise<VitalFact[]>;
}) {
  const { db, clock } = deps;
  let running: Promise<number> | undefined;
  let again = false;
  async function once(): Promise<number> {
    const now = clock();
    const plans = await plansRepository(db).active();
    if (!plans.length) return 0;
    const window = Math.max(
      1,
      ...plans.flatMap((p: PlanDefinition) =>
        p.triggers.map((t) => (t.kind === 'vital' ? 0 : t.withinMinutes)),
      ),
    );
    const since = new Date(now.getTime() - window * 60_000);
    const repo = incidentsRepository(db);
    const needsCases = plans.some((p) => p.triggers.some((t) => t.kind === 'cases'));
    const needsVitals = plans.some((p) => p.triggers.some((t) => t.kind === 'vital'));
    const facts = {
      alarms: await repo.alarmFacts(since),
      cases: needsCases ? await repo.caseFacts(since) : [],
      vitals: needsVitals && deps.vitals ? await deps.vitals() : [],
      deviceTypeNames: Object.fromEntries(
        (
          await db.query<{ id: string; name: string }>('SELECT id, name_zh AS name FROM device_types')
        ).rows.map((r) => [r.id, r.name]),
      ),
    };
    const blocking = await repo.blocking(new Date(now.getTime() - quietAfterMinutes * 60_000));
    const proposals = matchPlans(plans, facts, now, blocking);
    let opened = 0;
    for (const pr of proposals) {
      const plan = plans.find((p) => p.id === pr.planId)!;
      const area = await db.query<{ name: string }>('SELECT name FROM areas WHERE code = $1', [pr.areaCode]);
      await deps.incidents.propose(pr, {
        planName: plan.name,
        incidentType: plan.incidentType,
        areaName: area.rows[0]?.name ?? pr.areaCode,
      });
      opened++;
    }
    return opened;
  }
  /** One sweep (a second call while one runs queues one more after it). Resolves to incidents opened. */
  function sweep(): Promise<number> {
    if (running) {
      again = true;
      return running;
    }
    running = once().finally(() => {
      running = undefined;
      if (again) {
        again = false;
        void sweep();
      }
    });
    return running;
  }
  return { sweep };
}

/** The job: a timer and the bus (alarm raised, case reported) drive the sweep. */
export function startTriggerSweep(o: {
  sweep: () => Promise<number>;
  bus: EventBus;
  log: Logger;
  everyMs: number;
}): { close(): Promise<void> } {
  const run = () => {
    o.sweep().catch((e: unknown) =>
      o.log.warn({ err: e, category: 'emergency' }, 'plan trigger sweep failed'),
    );
  };
  const unsubscribe = o.bus.subscribe((e) => {
    if (e.topic === 'alarm.raised' || e.topic === 'case.report') run();
  });
  const timer = setInterval(run, o.everyMs);
  timer.unref();
  run();
  return {
    async close() {
      unsubscribe();
      clearInterval(timer);
    },
  };
}
