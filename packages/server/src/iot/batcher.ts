/**
 * Group writes into batches: items wait a few milliseconds (or until `maxBatch` have gathered)
 * and go to the database in one statement; each `add` resolves only when its items are durable,
 * which is what lets the broker hold a QoS 1 PUBACK until then. While the database is down the
 * batch is retried with backoff and nothing resolves; past `maxPending` new work is refused so
 * memory stays bounded and publishers feel the back-pressure.
 */
export class OverloadedError extends Error {
  constructor(pending: number) {
    super(`ingest queue full (${pending} readings waiting for the database)`);
  }
}

export interface BatcherOptions<T> {
  write(items: T[]): Promise<void>;
  /** Called in batch order once a batch is durable (rules are evaluated here). */
  afterWrite?(items: T[]): void;
  maxBatch?: number;
  maxDelayMs?: number;
  maxPending?: number;
  /** How many batches may be written at once (PGlite: 1; PostgreSQL: a few). */
  concurrency?: number;
  onRetry?(error: unknown, attempt: number): void;
  /** False for errors that will never succeed on retry (bad data); the batch is then failed. */
  isTransient?(error: unknown): boolean;
}

interface Waiter {
  count: number;
  resolve(): void;
  reject(e: unknown): void;
}

export interface Batcher<T> {
  add(items: T[]): Promise<void>;
  pending(): number;
  stats(): { batches: number; items: number; retries: number };
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function createBatcher<T>(o: BatcherOptions<T>): Batcher<T> {
  const maxBatch = o.maxBatch ?? 5000;
  const maxDelayMs = o.maxDelayMs ?? 5;
  const maxPending = o.maxPending ?? 200_000;
  const concurrency = o.concurrency ?? 1;
  const isTransient = o.isTransient ?? (() => true);
  let queue: T[] = [];
  let waiters: Waiter[] = [];
  let inFlight = 0;
  let inFlightItems = 0;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let lastInOrder: Promise<void> = Promise.resolve();
  const running = new Set<Promise<void>>();
  const counters = { batches: 0, items: 0, retries: 0 };

  function schedule() {
    if (queue.length === 0 || inFlight >= concurrency) return;
    if (queue.length >= maxBatch || closed) {
      if (timer) clearTimeout(timer);
      timer = undefined;
      start();
    } else if (!timer) {
      timer = setTimeout(() => {
        timer = undefined;
        start();
      }, maxDelayMs);
    }
  }

  function start() {
    if (queue.length === 0 || inFlight >= concurrency) return;
    // Whole waiters only, so one `add` never spans two batches.
    let n = 0;
    let w = 0;
    while (w < waiters.length && (n === 0 || n + waiters[w]!.count <= maxBatch)) {
      n += waiters[w]!.count;
      w++;
    }
    const items = queue.slice(0, n);
    const mine = waiters.slice(0, w);
    queue = queue.slice(n);
    waiters = waiters.slice(w);
    inFlight++;
    inFlightItems += n;
    const previous = lastInOrder;
    const p = run(items, mine, previous);
    lastInOrder = p.catch(() => {});
    running.add(p);
    void p.finally(() => {
      running.delete(p);
      inFlight--;
      inFlightItems -= n;
      schedule();
    });
    schedule();
  }

  async function run(items: T[], mine: Waiter[], previous: Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await o.write(items);
        break;
      } catch (e) {
        if (!isTransient(e) && mine.length > 1) {
          await previous;
          await isolate(items, mine);
          return;
        }
        if (!isTransient(e) || (closed && attempt > 3)) {
          await previous;
          for (const w of mine) w.reject(e);
          return;
        }
        counters.retries++;
        o.onRetry?.(e, attempt);
        await sleep(Math.min(2000, 50 * 2 ** Math.min(attempt, 6)));
      }
    }
    await previous;
    counters.batches++;
    counters.items += items.length;
    try {
      o.afterWrite?.(items);
    } finally {
      for (const w of mine) w.resolve();
    }
  }

  /**
   * A batch refused for its content (not a passing fault): each caller's items go again on their
   * own, so one bad message fails only its own `add`, never the other devices' in its batch.
   */
  async function isolate(items: T[], mine: Waiter[]) {
    const stored: T[] = [];
    const done: Waiter[] = [];
    let at = 0;
    for (const w of mine) {
      const part = items.slice(at, at + w.count);
      at += w.count;
      try {
        await o.write(part);
        for (const it of part) stored.push(it);
        done.push(w);
      } catch (e) {
        w.reject(e);
      }
    }
    counters.batches++;
    counters.items += stored.length;
    try {
      if (stored.length > 0) o.afterWrite?.(stored);
    } finally {
      for (const w of done) w.resolve();
    }
  }

  return {
    add(items) {
      if (items.length === 0) return Promise.resolve();
      if (closed) return Promise.reject(new Error('ingest is shutting down'));
      if (queue.length + inFlightItems + items.length > maxPending) {
        return Promise.reject(new OverloadedError(queue.length + inFlightItems));
      }
      return new Promise<void>((resolve, reject) => {
        for (const it of items) queue.push(it);
        waiters.push({ count: items.length, resolve, reject });
        schedule();
      });
    },
    pending: () => queue.length + inFlightItems,
    stats: () => ({ ...counters }),
    async close() {
      closed = true;
      schedule();
      while (running.size > 0 || queue.length > 0) {
        await Promise.allSettled([...running]);
        schedule();
        if (running.size === 0 && queue.length > 0) start();
      }
      if (timer) clearTimeout(timer);
    },
  };
}
