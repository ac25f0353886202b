import type { Db } from '../db/db.ts';
import { type EventBus, emit } from '../events/outbox.ts';
import type { Logger } from '../logger.ts';
import type { Module } from '../roles/roles.ts';
import { indicatorsService } from './indicators.service.ts';
import { vitalsRepository } from './vitals.repository.ts';
import { vitalsRoutes } from './vitals.routes.ts';
import { type VitalsEngine, type VitalsOptions, vitalsEngine } from './vitals.service.ts';

export interface Vitals extends Module {
  engine: VitalsEngine;
}

/**
 * City vital signs wired up. Every API and scheduler process keeps a live snapshot (it follows
 * committed case and alarm events on the bus and ticks for time). What must happen once — the
 * history rows and the `vitals` event that tells screens to refetch (outbox, no area: every
 * stream sees it) — happens only in the scheduler holding the lease.
 */
export function createVitals({
  db,
  log,
  clock,
  bus,
  options,
}: {
  db: Db;
  log: Logger;
  clock: () => Date;
  bus: EventBus;
  options?: VitalsOptions;
}): Vitals {
  const repo = vitalsRepository(db);
  let announcing = false;
  const engine = vitalsEngine({
    repo,
    clock,
    log: log.child({ category: 'vitals' }),
    ...(options ? { options } : {}),
    publish: async (s) => {
      if (!announcing) return;
      await emit(db, 'vitals', null, { computedAt: s.computedAt.toISOString() });
      bus.nudge();
    },
  });
  return {
    name: 'vitals',
    engine,
    routes: (app) =>
      vitalsRoutes(app, { engine, indicators: indicatorsService({ db, repo, engine }), repo, clock }),
    jobs: [
      (() => {
        let stop: (() => void) | undefined;
        return {
          name: 'vitals.live',
          roles: ['api', 'scheduler'] as const,
          start() {
            if (stop) return;
            const unsubscribe = bus.subscribe((e) => {
              if (e.topic.startsWith('case.')) engine.touch('cases');
              else if (e.topic.startsWith('alarm.')) engine.touch('alarms');
            });
            const stopTimers = engine.start({ compute: true });
            stop = () => {
              unsubscribe();
              stopTimers();
            };
          },
          async close() {
            stop?.();
            stop = undefined;
          },
        };
      })(),
      (() => {
        let stop: (() => void) | undefined;
        return {
          name: 'vitals.history',
          roles: ['scheduler'] as const,
          once: true,
          start() {
            announcing = true;
            stop ??= engine.start({ history: true });
          },
          async close() {
            announcing = false;
            stop?.();
            stop = undefined;
          },
        };
      })(),
    ],
    close: () => engine.close(),
  };
}
