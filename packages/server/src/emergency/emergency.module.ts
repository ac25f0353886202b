import type { VitalFact } from '@onegrid/domain';
import type { Db } from '../db/db.ts';
import type { EventBus } from '../events/outbox.ts';
import type { Logger } from '../logger.ts';
import { job, type Module } from '../roles/roles.ts';
import { catalogueService } from './catalogue.service.ts';
import { emergencyRoutes } from './emergency.routes.ts';
import { incidentsService } from './incidents.service.ts';
import { startTriggerSweep, triggerSweep } from './triggers.ts';

export interface Emergency extends Module {
  incidents: ReturnType<typeof incidentsService>;
  /** One pass of the plan triggers now (tests, the simulator); resolves to incidents proposed. */
  sweep(): Promise<number>;
}

/**
 * 应急指挥 wired up: plans, resources and incidents over HTTP; the plan-trigger sweep once per
 * deployment under the scheduler lease, driven by raised alarms, reported cases and a timer.
 */
export function createEmergency(o: {
  db: Db;
  log: Logger;
  clock: () => Date;
  bus: EventBus;
  vitals?: () => Promise<VitalFact[]>;
  sweepEveryMs?: number;
}): Emergency {
  const incidents = incidentsService({ db: o.db, clock: o.clock, nudge: () => o.bus.nudge() });
  const catalogue = catalogueService({ db: o.db });
  const triggers = triggerSweep({
    db: o.db,
    clock: o.clock,
    incidents,
    ...(o.vitals ? { vitals: o.vitals } : {}),
  });
  return {
    name: 'emergency',
    incidents,
    sweep: triggers.sweep,
    routes: (app) => emergencyRoutes(app, { catalogue, incidents }),
    jobs: [
      job(
        'emergency.triggers',
        ['scheduler'],
        () =>
          startTriggerSweep({
            sweep: triggers.sweep,
            bus: o.bus,
            log: o.log,
            everyMs: o.sweepEveryMs ?? 30_000,
          }),
        { once: true },
      ),
    ],
  };
}
