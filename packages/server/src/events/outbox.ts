/**
 * Transactional outbox. A state change and the event it emits are written in the same
 * transaction (`emit(tx, …)`); delivery to SSE clients happens after commit, by tailing the
 * table in id order. Every API process tails on its own, so each one's clients see every event
 * in server mode too; deliveries that must happen once (notifications, hand-ups) are claimed
 * with `FOR UPDATE SKIP LOCKED` by `claim`.
 */
import { EventEmitter } from 'node:events';
import type { Db, Queryable } from '../db/db.ts';

export interface OutboxEvent {
  id: number;
  topic: string;
  /** The area code the event belongs to (unit grid, street, district…); scopes who may see it. */
  areaCode: string | null;
  payload: Record<string, unknown>;
  createdAt: string;
}

export async function emit(
  tx: Queryable,
  topic: string,
  areaCode: string | null,
  payload: Record<string, unknown>,
): Promise<void> {
  await tx.query('INSERT INTO outbox (topic, area_code, payload) VALUES ($1, $2, $3)', [
    topic,
    areaCode,
    JSON.stringify(payload),
  ]);
}

export interface EventBus {
  /** Calls `fn` for every committed event from now on. Returns an unsubscribe function. */
  subscribe(fn: (e: OutboxEvent) => void): () => void;
  /** Look for new events now (after a commit in this process) instead of at the next tick. */
  nudge(): void;
  close(): Promise<void>;
}

export function startEventBus(
  db: Db,
  options: { intervalMs?: number; onError?: (e: unknown) => void } = {},
): EventBus {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  let last: number | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let closed = false;

  async function poll(): Promise<void> {
    if (last === undefined) {
      last = (await db.query<{ id: number }>('SELECT coalesce(max(id), 0)::bigint AS id FROM outbox'))
        .rows[0]!.id;
    }
    for (;;) {
      const { rows }: { rows: OutboxEvent[] } = await db.query<OutboxEvent>(
        `SELECT id::bigint AS id, topic, area_code AS "areaCode", payload, created_at AS "createdAt"
           FROM outbox WHERE id > $1 ORDER BY id LIMIT 500`,
        [last],
      );
      for (const r of rows as OutboxEvent[]) {
        last = r.id;
        emitter.emit('event', { ...r, createdAt: new Date(r.createdAt).toISOString() });
      }
      if (rows.length < 500) return;
    }
  }

  function tick() {
    if (closed) return;
    if (running) {
      again = true;
      return;
    }
    running = poll()
      .catch((e) => options.onError?.(e))
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          tick();
        }
      });
  }

  tick();
  const timer = setInterval(tick, options.intervalMs ?? 250);
  timer.unref();
  return {
    subscribe(fn) {
      emitter.on('event', fn);
      return () => emitter.off('event', fn);
    },
    nudge: tick,
    async close() {
      closed = true;
      clearInterval(timer);
      await running;
      emitter.removeAllListeners();
    },
  };
}
