import { toWgs84 } from '@onegrid/domain';
import type { Db } from '../db/db.ts';
import type { EventBus } from '../events/outbox.ts';
import type { GeoService } from '../geo/geo.service.ts';
import type { App } from '../http/app.ts';
import type { Logger } from '../logger.ts';
import { caseRepository } from './case.repository.ts';
import { caseRoutes } from './case.routes.ts';
import { CaseSchema } from './case.schema.ts';
import { type CaseService, caseService } from './case.service.ts';
import { startDeadlineScheduler } from './deadline.scheduler.ts';
import { inspectorCandidateRoutes } from './inspectors.routes.ts';
import { type LoopConfig, loadLoopConfig, loopSettingsRoutes } from './loop-settings.ts';
import { matrixRoutes } from './matrix.routes.ts';

export interface Cases {
  service: CaseService;
  loop: LoopConfig;
  scheduler: ReturnType<typeof startDeadlineScheduler>;
  close(): Promise<void>;
}

/** The closed loop wired up: case service, routes, responsibility matrix, loop settings, deadlines. */
export async function createCases(
  app: App,
  { db, log, clock, geo, bus }: { db: Db; log: Logger; clock: () => Date; geo: GeoService; bus: EventBus },
): Promise<Cases> {
  const loop = await loadLoopConfig(db);
  const service = caseService({
    db,
    clock,
    locate: (lng, lat) => geo.locateWgs84(lng, lat),
    toWgs84,
    config: loop.get,
    afterCommit: bus.nudge,
  });
  app.addSchema(CaseSchema);
  caseRoutes(app, { cases: service, repo: caseRepository(db), clock, config: loop.get });
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
  const scheduler = startDeadlineScheduler({
    db,
    cases: service,
    clock,
    log: log.child({ category: 'scheduler' }),
  });
  return { service, loop, scheduler, close: () => scheduler.close() };
}
