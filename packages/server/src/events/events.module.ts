import type { AuthService } from '../auth/auth.service.ts';
import type { Db } from '../db/db.ts';
import type { Logger } from '../logger.ts';
import { job, type Module } from '../roles/roles.ts';
import { startOutboxRetention } from './outbox.retention.ts';
import { type EventBus, type OutboxEvent, startEventBus } from './outbox.ts';
import { streamRoutes } from './stream.routes.ts';

export interface Events extends Module {
  /** Subscribe and nudge at any time; events flow while the `events.tail` job runs. */
  bus: EventBus;
  /** SSE clients connected to this process. */
  clients(): number;
}

/**
 * Committed events: the outbox tail and the SSE stream. Every API process tails the outbox on
 * its own, so an event written through any process reaches the SSE clients of every other; the
 * scheduler tails it too (vitals follow case and alarm events). Ingest only writes events.
 */
export function createEvents({
  db,
  log,
  clock,
  auth,
  retentionDays,
}: {
  db: Db;
  log: Logger;
  clock: () => Date;
  /** Stream tickets, and the sessions whose end closes their streams. */
  auth: AuthService;
  retentionDays: number;
}): Events {
  const listeners = new Set<(e: OutboxEvent) => void>();
  let tail: EventBus | undefined;
  let tailing!: () => void;
  const started = new Promise<void>((resolve) => {
    tailing = resolve;
  });
  let stream: { clients(): number } | undefined;
  const bus: EventBus = {
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    nudge: () => tail?.nudge(),
    // Resolves once the tail has taken its starting point (never in a process without one).
    ready: started.then(() => tail?.ready),
    stats: () => tail?.stats() ?? { delivered: 0, lagSeconds: 0, pendingRecheck: 0 },
    close: async () => {
      listeners.clear();
    },
  };
  return {
    name: 'events',
    bus,
    clients: () => stream?.clients() ?? 0,
    routes(app) {
      stream = streamRoutes(app, bus, auth);
    },
    jobs: [
      job('events.retention', ['scheduler'], () => startOutboxRetention({ db, log, clock, retentionDays }), {
        once: true,
      }),
      {
        name: 'events.tail',
        roles: ['api', 'scheduler'],
        start() {
          tail ??= startEventBus(db, {
            onError: (e) => log.warn({ err: e, category: 'events' }, 'outbox poll failed; retrying'),
            onRecover: () => log.info({ category: 'events' }, 'outbox polls again'),
          });
          tail.subscribe((e) => {
            for (const fn of listeners) fn(e);
          });
          tailing();
        },
        async close() {
          const t = tail;
          tail = undefined;
          await t?.close();
        },
      },
    ],
  };
}
