import type { Db } from '../db/db.ts';
import type { Logger } from '../logger.ts';
import { job, type Module } from '../roles/roles.ts';
import { assessmentRepository } from './assessment.repository.ts';
import { startRollupTicker } from './assessment.rollup.ts';
import { assessmentRoutes } from './assessment.routes.ts';

/** Assessment (综合评价): the API, and the daily and monthly rollups kept current once per deployment. */
export function createAssessment({ db, log, clock }: { db: Db; log: Logger; clock: () => Date }): Module {
  return {
    name: 'assessment',
    routes: (app) => assessmentRoutes(app, { db, clock }),
    jobs: [
      // The daily rollup (migration 0016) that lets a year be read in well under a second.
      job(
        'assessment.rollups',
        ['scheduler'],
        () =>
          startRollupTicker(assessmentRepository(db).rollup, {
            clock,
            onError: (e) => log.warn({ err: e, category: 'assessment' }, 'daily rollup failed'),
          }),
        { once: true },
      ),
    ],
  };
}
