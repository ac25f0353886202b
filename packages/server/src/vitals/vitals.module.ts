import type { Db } from '../db/db.ts';
import { type EventBus, emit } from '../events/outbox.ts';
import type { App } from '../http/app.ts';
import type { Logger } from '../logger.ts';
import { indicatorsService } from './indicators.service.ts';
import { vitalsRepository } from './vitals.repository.ts';
import { vitalsRoutes } from './vitals.routes.ts';
import { type VitalsEngine, type VitalsOptions, vitalsEngine } from './vitals.service.ts';

export interface Vitals {
  engine: VitalsEngine;
  close(): Promise<void>;
}

/**
 * City vital signs wired up: the engine follows committed case and alarm events on the bus,
 * ticks for time, writes history, and announces each changed snapshot as a `vitals` event
 * (outbox, no area: every stream sees it; screens refetch `GET /api/v1/vitals`).
 */
export function createVitals(
  app: App,
  {
    db,
    log,
    clock,
    bus,
    options,
  }: { db: Db; log: Logger; clock: () => Date; bus: EventBus; options?: VitalsOptions },
): Vitals {
  const repo = vitalsRepository(db);
  const engine = vitalsEngine({
    repo,
    clock,
    log: log.child({ category: 'vitals' }),
    ...(options ? { options } : {}),
    publish: async (s) => {
      await emit(db, 'vitals', null, { computedAt: s.computedAt.toISOString() });
      bus.nudge();
    },
  });
  vitalsRoutes(app, { engine, indicators: indicatorsService({ db, repo, engine }), repo, clock });
  const unsubscribe = bus.subscribe((e) => {
    if (e.topic.startsWith('case.')) engine.touch('cases');
    else if (e.topic.startsWith('alarm.')) engine.touch('alarms');
  });
  engine.start();
  return {
    engine,
    async close() {
      unsubscribe();
      await engine.close();
    },
  };
}
