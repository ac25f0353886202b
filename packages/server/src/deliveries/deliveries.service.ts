/**
 * Outbound deliveries: one durable queue for every push OneGrid makes to another system —
 * webhooks, the federation exchange, the 12345 hotline's status callbacks. A caller queues with
 * `deliver(tx, …)` in its own transaction (so the push commits with the change, or not at all);
 * workers in any process claim due rows (`FOR UPDATE SKIP LOCKED` plus a claim time, so the HTTP
 * request runs outside any transaction), POST them, and retry with exponential backoff until a
 * 2xx, dead after the last try. Per (target, ordering key) one delivery is in flight at a time, in
 * queue order. Receivers deduplicate by the delivery id (`X-OneGrid-Delivery`): at least once
 * here, exactly once there (docs/sharing.md "Deliveries").
 */
import crypto from 'node:crypto';
import type { Db, Queryable } from '../db/db.ts';
import type { Logger } from '../logger.ts';
import { startLoop } from '../roles/loop.ts';
import { type ClaimedDelivery, deliveriesRepository } from './deliveries.repository.ts';

/** Where a delivery goes and how it is signed; undefined when the target no longer exists. */
export interface Destination {
  url: string;
  /** Extra headers for this body (signatures). */
  headers?(body: string, delivery: { id: string; event: string }): Record<string, string>;
}

/** A kind of target (`webhook`, `federation`, `hotline`): resolves `kind:<ref>` to a destination. */
export interface Sender {
  resolve(ref: string): Promise<Destination | undefined>;
}

export interface DeliveryOptions {
  /** First retry after this (ms); each next one waits twice as long… */
  baseDelayMs: number;
  /** …up to this. */
  maxDelayMs: number;
  /** Tries before a delivery is dead. */
  maxAttempts: number;
  /** A POST taking longer fails (and is retried). */
  timeoutMs: number;
  /** Look for due deliveries this often (and at once after `deliver` in this process). */
  pollMs: number;
  /** Deliveries sent at once per worker (each of a different key). */
  batch: number;
}

/** 15 s, 30 s, 1 min … doubling to 1 h, 18 tries (about 11 h) before the dead letter. */
export const defaultDeliveryOptions: DeliveryOptions = {
  baseDelayMs: 15_000,
  maxDelayMs: 3_600_000,
  maxAttempts: 18,
  timeoutMs: 10_000,
  pollMs: 1000,
  batch: 32,
};

/** The wait after the `attempt`-th failed try (1-based). */
export function retryDelayMs(
  attempt: number,
  o: Pick<DeliveryOptions, 'baseDelayMs' | 'maxDelayMs'>,
): number {
  return Math.min(o.baseDelayMs * 2 ** Math.max(0, attempt - 1), o.maxDelayMs);
}

/** `sha256=<hex HMAC-SHA256 of the raw body>`: X-OneGrid-Signature. */
export function signBody(secret: string, body: string): string {
  return `sha256=${crypto.createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** The JSON every delivery carries: its id, the event, when it happened, its area and the data. */
export interface Envelope {
  id: string;
  event: string;
  occurredAt: string;
  area: string | null;
  data: Record<string, unknown>;
}

export interface DeliverInput {
  /** `kind:<ref>`, the kind registered with `register`. */
  target: string;
  event: string;
  data: Record<string, unknown>;
  /** Deliveries with the same key (per target) arrive in the order they were queued. */
  key: string;
  area?: string | null;
  occurredAt?: Date;
  /** The outbox event it comes from: queued once per target however often this is called. */
  sourceEvent?: number;
}

export function createDeliveries({
  db,
  log,
  options,
}: {
  db: Db;
  log: Logger;
  options?: Partial<DeliveryOptions>;
}) {
  const o: DeliveryOptions = { ...defaultDeliveryOptions, ...options };
  const senders = new Map<string, Sender>();
  const repo = deliveriesRepository(db);
  const wakers = new Set<() => void>();
  let sent = 0;
  let failures = 0;

  const kindOf = (target: string) => target.slice(0, target.indexOf(':'));
  const refOf = (target: string) => target.slice(target.indexOf(':') + 1);

  async function post(d: ClaimedDelivery): Promise<void> {
    const started = performance.now();
    const fail = async (status: number | null, error: string) => {
      failures++;
      const attempt = d.attempts + 1;
      const nextAt = attempt >= o.maxAttempts ? null : new Date(Date.now() + retryDelayMs(attempt, o));
      await repo.failed(d.id, new Date(), status, error, performance.now() - started, nextAt);
      if (!nextAt) log.warn({ delivery: d.id, target: d.target, error }, 'delivery dead after its last try');
    };
    const sender = senders.get(kindOf(d.target));
    const to = await sender?.resolve(refOf(d.target));
    if (!to) {
      await repo.failed(d.id, new Date(), null, 'the target no longer exists', 0, null);
      return;
    }
    let status: number;
    try {
      const res = await fetch(to.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'OneGrid-Deliveries/1',
          'x-onegrid-event': d.event,
          'x-onegrid-delivery': d.id,
          ...to.headers?.(d.body, d),
        },
        body: d.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(o.timeoutMs),
      });
      status = res.status;
      await res.body?.cancel().catch(() => undefined);
    } catch (e) {
      const err = e as { name?: string; cause?: { code?: string }; message?: string };
      await fail(null, err.name === 'TimeoutError' ? 'timeout' : (err.cause?.code ?? err.message ?? 'error'));
      return;
    }
    if (status >= 200 && status < 300) {
      sent++;
      await repo.delivered(d.id, new Date(), status, performance.now() - started);
    } else {
      await fail(status, `HTTP ${status}`);
    }
  }

  /** Claims and sends due deliveries until none are left; the number sent. */
  async function drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const now = new Date();
      const claimed = await repo.claim(now, new Date(now.getTime() + o.timeoutMs * 3), o.batch, [
        ...senders.keys(),
      ]);
      if (claimed.length === 0) return total;
      await Promise.all(claimed.map(post));
      total += claimed.length;
    }
  }

  return {
    options: o,

    /** Registers the sender of a kind of target (`webhook`, `federation`, `hotline`). */
    register(kind: string, sender: Sender): void {
      senders.set(kind, sender);
    },

    /**
     * Queues one delivery in the caller's transaction. Returns its id (X-OneGrid-Delivery), or
     * undefined when `sourceEvent` was already queued for this target. Call `nudge()` after commit
     * to send it at once rather than at the next poll.
     */
    async deliver(tx: Queryable, input: DeliverInput): Promise<string | undefined> {
      if (!senders.has(kindOf(input.target))) throw new Error(`no sender for ${input.target}`);
      const id = crypto.randomUUID();
      const envelope: Envelope = {
        id,
        event: input.event,
        occurredAt: (input.occurredAt ?? new Date()).toISOString(),
        area: input.area ?? null,
        data: input.data,
      };
      const queued = await deliveriesRepository(tx).enqueue({
        id,
        target: input.target,
        event: input.event,
        orderingKey: input.key,
        body: JSON.stringify(envelope),
        nextAt: new Date(),
        sourceEvent: input.sourceEvent ?? null,
      });
      return queued ? id : undefined;
    },

    /** Wakes this process's workers (after a commit that queued deliveries). */
    nudge(): void {
      for (const w of wakers) w();
    },

    /** Sends a delivery again (delivered or dead), same id, from the first try of the schedule. */
    async replay(tx: Queryable, id: string, target: string): Promise<boolean> {
      return deliveriesRepository(tx).replay(id, target, new Date());
    },

    repository: repo,
    drain,
    stats: () => ({ sent, failures }),

    /** The worker: polls, and runs at once when nudged. Safe in any number of processes. */
    startWorker(): { close(): Promise<void> } {
      const loop = startLoop(drain, o.pollMs, (e) =>
        log.warn({ err: e, category: 'deliveries' }, 'delivery worker failed; retrying'),
      );
      wakers.add(loop.wake);
      return {
        async close() {
          wakers.delete(loop.wake);
          await loop.close();
        },
      };
    },
  };
}
export type Deliveries = ReturnType<typeof createDeliveries>;
