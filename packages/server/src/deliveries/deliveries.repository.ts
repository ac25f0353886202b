/** The durable delivery queue and its log (SQL only; rules in deliveries.service.ts). */
import type { Queryable } from '../db/db.ts';

export type DeliveryState = 'pending' | 'delivered' | 'dead';

export interface DeliveryRow {
  id: string;
  seq: number;
  target: string;
  event: string;
  orderingKey: string;
  state: DeliveryState;
  attempts: number;
  nextAt: Date;
  lastStatus: number | null;
  lastError: string | null;
  lastAt: Date | null;
  deliveredAt: Date | null;
  createdAt: Date;
}

export interface ClaimedDelivery {
  id: string;
  seq: number;
  target: string;
  event: string;
  body: string;
  attempts: number;
}

export interface AttemptRow {
  attempt: number;
  at: Date;
  status: number | null;
  error: string | null;
  ms: number;
}

const columns = `id::text AS id, seq::int AS seq, target, event, ordering_key AS "orderingKey", state, attempts,
  next_at AS "nextAt", last_status AS "lastStatus", last_error AS "lastError", last_at AS "lastAt",
  delivered_at AS "deliveredAt", created_at AS "createdAt"`;

export function deliveriesRepository(db: Queryable) {
  return {
    /** Queues one delivery; false when this target already has one for `sourceEvent`. */
    async enqueue(d: {
      id: string;
      target: string;
      event: string;
      orderingKey: string;
      body: string;
      nextAt: Date;
      sourceEvent?: number | null;
    }): Promise<boolean> {
      const r = await db.query(
        `INSERT INTO deliveries (id, target, event, ordering_key, body, next_at, source_event)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (target, source_event) DO NOTHING`,
        [d.id, d.target, d.event, d.orderingKey, d.body, d.nextAt, d.sourceEvent ?? null],
      );
      return r.rowCount > 0;
    },

    /**
     * Claims up to `limit` due deliveries until `until`: each the earliest pending one of its
     * (target, key), so a key's deliveries go one at a time and in order. Rows another worker is
     * claiming are skipped (`SKIP LOCKED`); a claim that expires (its worker died) is taken again.
     * Only targets of `kinds` (those this process can send) are claimed: a process that does not
     * know a kind leaves its deliveries to one that does.
     */
    async claim(now: Date, until: Date, limit: number, kinds: string[]): Promise<ClaimedDelivery[]> {
      const r = await db.query<ClaimedDelivery>(
        `WITH due AS (
           SELECT d.id FROM deliveries d
            WHERE d.state = 'pending' AND d.next_at <= $1
              AND (d.claimed_until IS NULL OR d.claimed_until <= $1)
              AND split_part(d.target, ':', 1) = ANY($4::text[])
              AND NOT EXISTS (
                SELECT 1 FROM deliveries e
                 WHERE e.target = d.target AND e.ordering_key = d.ordering_key
                   AND e.state = 'pending' AND e.seq < d.seq)
            ORDER BY d.next_at, d.seq
            LIMIT $3
            FOR UPDATE SKIP LOCKED)
         UPDATE deliveries d SET claimed_until = $2 FROM due WHERE d.id = due.id
         RETURNING d.id::text AS id, d.seq::int AS seq, d.target, d.event, d.body, d.attempts`,
        [now, until, limit, kinds],
      );
      return r.rows.sort((a, b) => a.seq - b.seq);
    },

    async delivered(id: string, at: Date, status: number, ms: number): Promise<void> {
      await db.query(
        `UPDATE deliveries SET state = 'delivered', attempts = attempts + 1, delivered_at = $2, last_at = $2,
           last_status = $3, last_error = NULL, claimed_until = NULL
         WHERE id = $1 AND state = 'pending'`,
        [id, at, status],
      );
      await this.logAttempt(id, at, status, null, ms);
    },

    /** A failed try: retried at `nextAt`, or dead when `nextAt` is null. */
    async failed(
      id: string,
      at: Date,
      status: number | null,
      error: string,
      ms: number,
      nextAt: Date | null,
    ): Promise<void> {
      await db.query(
        `UPDATE deliveries SET attempts = attempts + 1, last_at = $2, last_status = $3, last_error = $4,
           claimed_until = NULL, state = CASE WHEN $5::timestamptz IS NULL THEN 'dead' ELSE 'pending' END,
           next_at = coalesce($5, next_at)
         WHERE id = $1 AND state = 'pending'`,
        [id, at, status, error.slice(0, 500), nextAt],
      );
      await this.logAttempt(id, at, status, error, ms);
    },

    async logAttempt(id: string, at: Date, status: number | null, error: string | null, ms: number) {
      await db.query(
        `INSERT INTO delivery_attempts (delivery_id, attempt, at, status, error, ms)
         SELECT id, attempts, $2, $3, $4, $5 FROM deliveries WHERE id = $1
         ON CONFLICT DO NOTHING`,
        [id, at, status, error?.slice(0, 500) ?? null, Math.round(ms)],
      );
    },

    /** Sends a delivered or dead one again, with the same id, through the whole retry schedule. */
    async replay(id: string, target: string, now: Date): Promise<boolean> {
      const r = await db.query(
        `UPDATE deliveries SET state = 'pending', attempts = 0, next_at = $3, claimed_until = NULL,
           delivered_at = NULL
         WHERE id = $1 AND target = $2`,
        [id, target, now],
      );
      return r.rowCount > 0;
    },

    /** Pending deliveries of a target that is gone: dead, with the reason. */
    async killPending(target: string, at: Date, reason: string): Promise<number> {
      const r = await db.query(
        `UPDATE deliveries SET state = 'dead', last_at = $2, last_error = $3, claimed_until = NULL
         WHERE target = $1 AND state = 'pending'`,
        [target, at, reason],
      );
      return r.rowCount;
    },

    async list(
      target: string,
      filter: { state?: DeliveryState | undefined; before?: number | undefined; limit: number },
    ): Promise<DeliveryRow[]> {
      const params: unknown[] = [target];
      const where = ['target = $1'];
      if (filter.state) where.push(`state = $${params.push(filter.state)}`);
      if (filter.before) where.push(`seq < $${params.push(filter.before)}`);
      params.push(filter.limit);
      const r = await db.query<DeliveryRow>(
        `SELECT ${columns} FROM deliveries WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT $${params.length}`,
        params,
      );
      return r.rows;
    },

    async get(id: string, target: string): Promise<(DeliveryRow & { body: string }) | undefined> {
      const r = await db.query<DeliveryRow & { body: string }>(
        `SELECT ${columns}, body FROM deliveries WHERE id = $1 AND target = $2`,
        [id, target],
      );
      return r.rows[0];
    },

    async attempts(id: string): Promise<AttemptRow[]> {
      const r = await db.query<AttemptRow>(
        'SELECT attempt, at, status, error, ms FROM delivery_attempts WHERE delivery_id = $1 ORDER BY at, attempt',
        [id],
      );
      return r.rows;
    },

    /** Per target: pending, delivered and dead counts (targets starting with `prefix`). */
    async counts(prefix: string): Promise<Map<string, Record<DeliveryState, number>>> {
      const r = await db.query<{ target: string; state: DeliveryState; n: number }>(
        `SELECT target, state, count(*)::int AS n FROM deliveries WHERE target LIKE $1 || '%' GROUP BY 1, 2`,
        [prefix],
      );
      const out = new Map<string, Record<DeliveryState, number>>();
      for (const row of r.rows) {
        const c = out.get(row.target) ?? { pending: 0, delivered: 0, dead: 0 };
        c[row.state] = row.n;
        out.set(row.target, c);
      }
      return out;
    },

    /** Pending and dead deliveries by kind of target (for /metrics). */
    async open(): Promise<{ kind: string; state: string; n: number }[]> {
      const r = await db.query<{ kind: string; state: string; n: number }>(
        `SELECT split_part(target, ':', 1) AS kind, state, count(*)::int AS n FROM deliveries
          WHERE state <> 'delivered' GROUP BY 1, 2`,
      );
      return r.rows;
    },

    /** Delivered rows (and their log) older than `before` go; dead letters stay until replayed or the target goes. */
    async prune(before: Date): Promise<number> {
      const r = await db.query("DELETE FROM deliveries WHERE state = 'delivered' AND delivered_at < $1", [
        before,
      ]);
      return r.rowCount;
    },

    async totals(): Promise<Record<DeliveryState, number>> {
      const r = await db.query<{ state: DeliveryState; n: number }>(
        'SELECT state, count(*)::int AS n FROM deliveries GROUP BY 1',
      );
      const out = { pending: 0, delivered: 0, dead: 0 };
      for (const row of r.rows) out[row.state] = row.n;
      return out;
    },
  };
}
