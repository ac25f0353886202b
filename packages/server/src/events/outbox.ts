/**
 * Transactional outbox. A state change and the event it emits are written in the same
 * transaction (`emit(tx, …)`); delivery to SSE clients happens after commit, by tailing the
 * table (`startEventBus`, which cannot skip an event committed out of id order). Every API process tails on its own, so each one's clients see every event
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
  /** Resolves once the bus has taken its starting point (events committed after it are delivered). */
  ready: Promise<void>;
  /** For metrics: events delivered, seconds since the reader last caught up, events held for recheck. */
  stats(): { delivered: number; lagSeconds: number; pendingRecheck: number };
  close(): Promise<void>;
}

interface Row extends OutboxEvent {
  xid: string;
}

const columns = `id::bigint AS id, xid::text AS xid, topic, area_code AS "areaCode", payload,
  created_at AS "createdAt"`;
const BATCH = 500;

/**
 * Tails the outbox without skipping a committed event. Ids are taken when a row is inserted but
 * become visible when its transaction commits, so reading "id > last" alone loses a smaller id
 * committed after a larger one. Two passes per poll:
 * - fast: rows with id > the highest id read so far, delivered at once (low latency);
 * - safe: rows of transactions older than the oldest still running (`pg_snapshot_xmin`), in
 *   (xid, id) order after a cursor. No row can ever appear behind that cursor, so any row the fast
 *   pass jumped over is found here. Rows the fast pass already delivered are remembered (by id)
 *   until the safe cursor passes them, so each event is delivered once.
 */
export function startEventBus(
  db: Db,
  options: {
    intervalMs?: number;
    /** Least time between the starts of two polls a nudge asks for (default 10 ms). */
    minGapMs?: number;
    /** The first failed poll of a run of failures (the database away): not one per tick. */
    onError?: (e: unknown) => void;
    /** The first successful poll after failures. */
    onRecover?: () => void;
  } = {},
): EventBus {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  const intervalMs = options.intervalMs ?? 250;
  /** Highest id the fast pass has read. */
  let fast: number | undefined;
  /** The safe pass's cursor: every row at or before (xid, id) has been delivered or seen. */
  let safe: { xid: bigint; id: number } = { xid: 0n, id: 0 };
  /** Delivered by the fast pass, not yet passed by the safe cursor: id → xid. */
  const seen = new Map<number, bigint>();
  let delivered = 0;
  let caughtUpAt = Date.now();
  let running: Promise<void> | undefined;
  let again = false;
  let closed = false;
  let failing = false;
  let started!: () => void;
  const ready = new Promise<void>((resolve) => {
    started = resolve;
  });

  const afterSafe = (xid: bigint, id: number) => xid > safe.xid || (xid === safe.xid && id > safe.id);
  const deliver = (r: Row) => {
    delivered++;
    const { xid: _xid, ...event } = r;
    emitter.emit('event', { ...event, id: Number(r.id), createdAt: new Date(r.createdAt).toISOString() });
  };

  async function horizon(): Promise<bigint> {
    const r = await db.query<{ x: string }>('SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS x');
    return BigInt(r.rows[0]!.x);
  }

  async function start(): Promise<void> {
    // From now on: what is already committed counts as seen.
    const xmin = await horizon();
    const max = (await db.query<{ id: number }>('SELECT coalesce(max(id), 0)::bigint AS id FROM outbox'))
      .rows[0]!.id;
    const { rows } = await db.query<{ id: number; xid: string }>(
      'SELECT id::bigint AS id, xid::text AS xid FROM outbox WHERE xid >= $1::xid8 AND id <= $2',
      [xmin.toString(), max],
    );
    for (const r of rows) seen.set(Number(r.id), BigInt(r.xid));
    safe = { xid: xmin, id: 0 };
    fast = Number(max);
    started();
  }

  async function poll(): Promise<void> {
    if (fast === undefined) await start();
    const xmin = await horizon();
    for (;;) {
      const { rows } = await db.query<Row>(
        `SELECT ${columns} FROM outbox WHERE id > $1 ORDER BY id LIMIT ${BATCH}`,
        [fast],
      );
      for (const r of rows) {
        const id = Number(r.id);
        const xid = BigInt(r.xid);
        fast = id;
        if (afterSafe(xid, id)) seen.set(id, xid);
        deliver(r);
      }
      if (rows.length < BATCH) break;
    }
    for (;;) {
      const { rows } = await db.query<Row>(
        `SELECT ${columns} FROM outbox
          WHERE xid < $1::xid8 AND (xid, id) > ($2::xid8, $3::bigint) AND id <= $4
          ORDER BY xid, id LIMIT ${BATCH}`,
        [xmin.toString(), safe.xid.toString(), safe.id, fast],
      );
      for (const r of rows) {
        const id = Number(r.id);
        safe = { xid: BigInt(r.xid), id };
        // Delivered by the fast pass already, or committed behind it: delivered now.
        if (!seen.delete(id)) deliver(r);
      }
      if (rows.length < BATCH) break;
    }
    caughtUpAt = Date.now();
  }

  /**
   * A nudge after every commit would poll back to back under load (three statements a poll,
   * as many polls as commits); nudges within `minGapMs` of the last poll's start are served by
   * one poll at the end of the gap, so events still arrive within tens of milliseconds.
   */
  const minGapMs = options.minGapMs ?? 10;
  let lastPoll = 0;
  let gapTimer: NodeJS.Timeout | undefined;
  function nudge() {
    if (closed || gapTimer) return;
    const wait = lastPoll + minGapMs - Date.now();
    if (wait <= 0) return tick();
    gapTimer = setTimeout(() => {
      gapTimer = undefined;
      tick();
    }, wait);
    gapTimer.unref();
  }

  function tick() {
    if (closed) return;
    if (running) {
      again = true;
      return;
    }
    lastPoll = Date.now();
    running = poll()
      .then(
        () => {
          if (failing) options.onRecover?.();
          failing = false;
        },
        (e) => {
          if (!failing) options.onError?.(e);
          failing = true;
        },
      )
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          tick();
        }
      });
  }

  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return {
    subscribe(fn) {
      emitter.on('event', fn);
      return () => emitter.off('event', fn);
    },
    nudge,
    ready,
    stats: () => ({
      delivered,
      lagSeconds: Math.max(0, (Date.now() - caughtUpAt) / 1000),
      pendingRecheck: seen.size,
    }),
    async close() {
      closed = true;
      clearInterval(timer);
      clearTimeout(gapTimer);
      await running;
      emitter.removeAllListeners();
    },
  };
}
