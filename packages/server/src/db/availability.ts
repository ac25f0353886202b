/**
 * Whether the database answers. A request that meets a dead or stalled database (connection
 * refused, no connection within the timeout, a query cut off by a timeout) marks it away; while
 * it is away every request that needs it answers 503 at once instead of queueing behind the
 * stall, and a probe (`SELECT 1`, bounded) runs every second until the database answers again.
 * No restart is needed: the pool replaces the broken connections by itself.
 */
import type { Queryable } from './db.ts';

/** SQLSTATE codes (besides class 08, connection exceptions) of a database that is not serving. */
const downStates = new Set(['57P01', '57P02', '57P03', '53300']);
/** A statement or idle transaction cut off by its timeout: this request failed, the database may be fine. */
const timeoutStates = new Set(['57014', '25P03']);
const unavailableMessages = [
  'timeout exceeded when trying to connect',
  'Query read timeout',
  'Connection terminated',
  'connection timeout',
  'Client has encountered a connection error',
  'Cannot use a pool after calling end',
  'the database is not answering',
];
const unavailableErrnos = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
]);

export class DatabaseUnavailableError extends Error {
  constructor(message = 'the database is not answering') {
    super(message);
    this.name = 'DatabaseUnavailableError';
  }
}

/**
 * `down`: the database is away or stalled (no connection, connection lost, no answer at all);
 * `timeout`: one statement ran past its timeout; undefined: anything else (a wrong query…).
 */
export function databaseFailure(e: unknown, depth = 0): 'down' | 'timeout' | undefined {
  if (e instanceof DatabaseUnavailableError) return 'down';
  if (!e || typeof e !== 'object' || depth > 3) return undefined;
  const err = e as { code?: unknown; message?: unknown; cause?: unknown };
  if (typeof err.code === 'string') {
    if (downStates.has(err.code) || err.code.startsWith('08') || unavailableErrnos.has(err.code))
      return 'down';
    if (timeoutStates.has(err.code)) return 'timeout';
  }
  const message = typeof err.message === 'string' ? err.message : '';
  if (unavailableMessages.some((m) => message.startsWith(m))) return 'down';
  return err.cause !== undefined ? databaseFailure(err.cause, depth + 1) : undefined;
}

/** True when the request failed because of the database's state, not because of the request. */
export function isDatabaseUnavailable(e: unknown): boolean {
  return databaseFailure(e) !== undefined;
}

export interface DbAvailability {
  /** False from the first connection-level failure until a probe succeeds. */
  readonly up: boolean;
  /** When the database was marked away (ISO), while it is. */
  readonly downSince: string | undefined;
  /** The last failure's message, while away. */
  readonly reason: string | undefined;
  /** Reports an error met on a query; a connection-level one marks the database away. */
  observe(e: unknown): void;
  /** Runs `SELECT 1` within the timeout and records the outcome. */
  probe(): Promise<{ ok: true } | { ok: false; reason: string }>;
  /** Seconds a client should wait before retrying (for `Retry-After`). */
  retryAfterSeconds: number;
  close(): void;
}

export function createDbAvailability(
  db: Queryable,
  options: {
    timeoutMs?: number;
    probeEveryMs?: number;
    onChange?: (up: boolean, reason?: string) => void;
  } = {},
): DbAvailability {
  const timeoutMs = options.timeoutMs ?? 2000;
  let up = true;
  let downSince: string | undefined;
  let reason: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let probing: Promise<{ ok: true } | { ok: false; reason: string }> | undefined;

  function markDown(why: string) {
    reason = why;
    if (!up) return;
    up = false;
    downSince = new Date().toISOString();
    options.onChange?.(false, why);
    schedule();
  }
  function markUp() {
    if (up) return;
    up = true;
    downSince = undefined;
    reason = undefined;
    options.onChange?.(true);
  }
  function schedule() {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void probe().then((r) => {
        if (!r.ok) schedule();
      });
    }, options.probeEveryMs ?? 1000);
    timer.unref();
  }

  async function attempt(): Promise<{ ok: true } | { ok: false; reason: string }> {
    let t: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        db.query('SELECT 1'),
        new Promise((_, reject) => {
          t = setTimeout(
            () => reject(new DatabaseUnavailableError(`no answer to SELECT 1 within ${timeoutMs} ms`)),
            timeoutMs,
          );
        }),
      ]);
      markUp();
      return { ok: true };
    } catch (e) {
      const why = (e as Error).message || String(e);
      markDown(why);
      return { ok: false, reason: why };
    } finally {
      clearTimeout(t);
    }
  }

  function probe() {
    // Concurrent callers (the ready check, the timer) share one probe.
    probing ??= attempt().finally(() => {
      probing = undefined;
    });
    return probing;
  }

  return {
    get up() {
      return up;
    },
    get downSince() {
      return downSince;
    },
    get reason() {
      return reason;
    },
    observe(e) {
      if (databaseFailure(e) === 'down') markDown((e as Error).message || String(e));
    },
    probe,
    retryAfterSeconds: Math.max(1, Math.ceil((options.probeEveryMs ?? 1000) / 1000) * 2),
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
    },
  };
}
