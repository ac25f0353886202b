import { toWgs84 } from '@onegrid/domain';
import type { Db } from '../db/db.ts';
import type { EventBus } from '../events/outbox.ts';
import type { GeoService } from '../geo/geo.service.ts';
import type { Logger } from '../logger.ts';
import { job, type Module } from '../roles/roles.ts';
import { areaSettingsRoutes } from './area-settings.routes.ts';
import { caseRepository } from './case.repository.ts';
import { caseRoutes } from './case.routes.ts';
import { CaseSchema } from './case.schema.ts';
import { type CaseService, caseService } from './case.service.ts';
import { deadlineSweep, startDeadlineScheduler } from './deadline.scheduler.ts';
import { inspectorCandidateRoutes } from './inspectors.routes.ts';
import { type LoopConfig, loadLoopConfig, loopSettingsRoutes } from './loop-settings.ts';
import { matrixRoutes } from './matrix.routes.ts';

export interface Cases extends Module {
  service: CaseService;
  loop: LoopConfig;
  /** The deadline sweep (overdue → 督办). `sweep()` runs one now in any role; the timer runs once per deployment. */
  scheduler: { sweep(): Promise<number> };
}

/** The closed loop wired up: case service, routes, responsibility matrix, loop settings, deadlines. */
export async function createCases({
  db,
  log,
  clock,
  geo,
  bus,
  deadlineSweepMs,
}: {
  db: Db;
  log: Logger;
  clock: () => Date;
  geo: GeoService;
  bus: EventBus;
  deadlineSweepMs?: number;
}): Promise<Cases> {
  const loop = await loadLoopConfig(db);
  const service = caseService({
    db,
    clock,
    locate: (lng, lat) => geo.locateWgs84(lng, lat),
    toWgs84,
    config: loop.get,
    afterCommit: bus.nudge,
  });
  // One sweep function: the scheduler's timer and a manual `sweep()` (tests, tools) never overlap.
  const sweep = deadlineSweep({ db, cases: service, clock, log: log.child({ category: 'scheduler' }) });
  return {
    name: 'cases',
    service,
    loop,
    scheduler: { sweep: sweep.sweep },
    routes(app) {
      app.addSchema(CaseSchema);
      caseRoutes(app, { cases: service, repo: caseRepository(db), clock, config: loop.get, db });
      matrixRoutes(app, {
        db,
        locate: async (lng, lat) => {
          const l = await geo.locateWgs84(lng, lat);
          const code = l?.unitGrid?.code ?? l?.community?.code ?? l?.street?.code ?? l?.district?.code;
          return code ? { code } : null;
        },
      });
      inspectorCandidateRoutes(app, { db, cases: service, clock });
      loopSettingsRoutes(app, { db, loop });
      areaSettingsRoutes(app, { db, loop });
    },
    jobs: [
      job('cases.deadlines', ['scheduler'], () => startDeadlineScheduler(sweep, deadlineSweepMs), {
        once: true,
      }),
    ],
  };
}
