/**
 * Deliveries and webhooks as a module: the routes, the delivery worker (every API and scheduler
 * process: rows are claimed with `FOR UPDATE SKIP LOCKED`, so any number can send) and the
 * webhook fan-out from the outbox (scheduler, once, under the lease; its cursor row is locked as
 * well). Other features queue with `deliveries.deliver(tx, …)` after `deliveries.register(kind, …)`.
 */
import type { Db } from '../db/db.ts';
import type { EventBus } from '../events/outbox.ts';
import type { Logger } from '../logger.ts';
import { startLoop } from '../roles/loop.ts';
import { job, type Module } from '../roles/roles.ts';
import { createDeliveries, type Deliveries, type DeliveryOptions } from './deliveries.service.ts';
import { webhookRoutes } from './webhooks.routes.ts';
import { type Webhooks, webhooksService } from './webhooks.service.ts';

export interface DeliveriesModule extends Module {
  deliveries: Deliveries;
  webhooks: Webhooks;
}

export function createDeliveriesModule({
  db,
  log,
  bus,
  options,
  fanOutMs = 1000,
  retentionDays = 7,
}: {
  db: Db;
  log: Logger;
  bus: EventBus;
  options?: Partial<DeliveryOptions>;
  fanOutMs?: number;
  /** Delivered rows are kept this long (the delivery log); dead letters until replayed. */
  retentionDays?: number;
}): DeliveriesModule {
  const dlog = log.child({ category: 'deliveries' });
  const deliveries = createDeliveries({ db, log: dlog, ...(options ? { options } : {}) });
  const webhooks = webhooksService({ db, deliveries });
  return {
    name: 'deliveries',
    deliveries,
    webhooks,
    routes: (app) => webhookRoutes(app, webhooks),
    jobs: [
      job('deliveries.worker', ['api', 'scheduler'], () => deliveries.startWorker()),
      job(
        'webhooks.fan-out',
        ['scheduler'],
        () => {
          const loop = startLoop(
            () => webhooks.fanOut(),
            fanOutMs,
            (e) => dlog.warn({ err: e }, 'webhook fan-out failed; retrying'),
          );
          // New events wake it at once; the timer catches what commits behind the horizon.
          const unsubscribe = bus.subscribe(() => loop.wake());
          return {
            async close() {
              unsubscribe();
              await loop.close();
            },
          };
        },
        { once: true },
      ),
      job(
        'deliveries.retention',
        ['scheduler'],
        () =>
          startLoop(
            () => deliveries.repository.prune(new Date(Date.now() - retentionDays * 86_400_000)),
            3600_000,
            (e) => dlog.warn({ err: e }, 'pruning delivered deliveries failed'),
          ),
        { once: true },
      ),
    ],
  };
}
