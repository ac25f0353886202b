/**
 * Webhooks: an administrator subscribes a URL to events (`case.*`, `alarm.raised`, `*`) in an
 * area; every matching committed event (the outbox) becomes a delivery to it, signed with the
 * hook's secret. The fan-out reads the outbox with a durable cursor in the gap-free way of
 * events/outbox.ts (transactions older than the oldest running one, in (xid, id) order), and
 * queues deliveries in the same transaction that moves the cursor, so each event is queued once
 * per hook whatever crashes; the cursor row is locked while it moves, so two readers never race.
 */
import { inScope } from '@onegrid/domain';
import { audit } from '../audit/audit.ts';
import type { Principal } from '../auth/auth.service.ts';
import type { Db, Queryable } from '../db/db.ts';
import { AppError } from '../errors.ts';
import type { OutboxEvent } from '../events/outbox.ts';
import { type DeliveryState, deliveriesRepository } from './deliveries.repository.ts';
import { type Deliveries, signBody } from './deliveries.service.ts';

export interface WebhookRow {
  id: number;
  url: string;
  events: string[];
  scopeCode: string;
  createdBy: string;
  createdAt: Date;
}

const columns = `id::int AS id, url, events, scope_code AS "scopeCode", created_by AS "createdBy",
  created_at AS "createdAt"`;

/** `*`, `case.*` (a family) or an exact event name. */
export const eventPattern = /^(\*|[a-z][a-z0-9-]*(\.[a-z0-9-]+)*(\.\*)?)$/;

export function matches(patterns: readonly string[], event: string): boolean {
  return patterns.some(
    (p) => p === '*' || p === event || (p.endsWith('.*') && event.startsWith(p.slice(0, -1))),
  );
}

/** An event reaches a hook in its scope; events with no area reach city-wide hooks only. */
export const hookSees = (scopeCode: string, area: string | null) =>
  area === null ? scopeCode.length <= 4 : inScope(scopeCode, area);

/** The object an event is about (`case:42`): its deliveries keep their order. */
export function orderingKeyOf(e: Pick<OutboxEvent, 'topic' | 'payload'>): string {
  const id = e.payload.id;
  const family = e.topic.split('.')[0] ?? e.topic;
  return id === undefined || id === null ? e.topic : `${family}:${String(id)}`;
}

const cursorName = 'webhooks';
const batch = 500;

export function webhooksService({ db, deliveries }: { db: Db; deliveries: Deliveries }) {
  deliveries.register('webhook', {
    async resolve(ref) {
      const r = await db.query<{ url: string; secret: string }>(
        'SELECT url, secret FROM webhooks WHERE id = $1 AND deleted_at IS NULL',
        [Number(ref)],
      );
      const hook = r.rows[0];
      if (!hook) return undefined;
      return { url: hook.url, headers: (body) => ({ 'x-onegrid-signature': signBody(hook.secret, body) }) };
    },
  });

  async function found(id: number, by: Principal): Promise<WebhookRow> {
    const r = await db.query<WebhookRow>(
      `SELECT ${columns} FROM webhooks WHERE id = $1 AND deleted_at IS NULL AND scope_code LIKE $2 || '%'`,
      [id, by.scopeCode],
    );
    if (!r.rows[0]) throw new AppError('not_found', `Webhook ${id} not found`);
    return r.rows[0];
  }

  /** Moves the cursor over one batch of committed events; the number of events read. */
  async function fanOutStep(): Promise<number> {
    return db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO outbox_cursors (name, xid, id)
         VALUES ($1, pg_snapshot_xmin(pg_current_snapshot()), 0) ON CONFLICT (name) DO NOTHING`,
        [cursorName],
      );
      const c = (
        await tx.query<{ xid: string; id: number }>(
          'SELECT xid::text AS xid, id::bigint AS id FROM outbox_cursors WHERE name = $1 FOR UPDATE SKIP LOCKED',
          [cursorName],
        )
      ).rows[0];
      if (!c) return 0; // another process is moving it
      const { rows } = await tx.query<OutboxEvent & { xid: string }>(
        `SELECT id::bigint AS id, xid::text AS xid, topic, area_code AS "areaCode", payload, created_at AS "createdAt"
           FROM outbox
          WHERE xid < pg_snapshot_xmin(pg_current_snapshot()) AND (xid, id) > ($1::xid8, $2::bigint)
          ORDER BY xid, id LIMIT ${batch}`,
        [c.xid, c.id],
      );
      if (rows.length === 0) return 0;
      const hooks = (
        await tx.query<{ id: number; events: string[]; scopeCode: string }>(
          'SELECT id::int AS id, events, scope_code AS "scopeCode" FROM webhooks WHERE deleted_at IS NULL',
        )
      ).rows;
      for (const e of rows) {
        for (const h of hooks) {
          if (!matches(h.events, e.topic) || !hookSees(h.scopeCode, e.areaCode)) continue;
          await deliveries.deliver(tx, {
            target: `webhook:${h.id}`,
            event: e.topic,
            data: e.payload,
            key: orderingKeyOf(e),
            area: e.areaCode,
            occurredAt: new Date(e.createdAt),
            sourceEvent: Number(e.id),
          });
        }
      }
      const last = rows[rows.length - 1]!;
      await tx.query('UPDATE outbox_cursors SET xid = $2::xid8, id = $3 WHERE name = $1', [
        cursorName,
        last.xid,
        last.id,
      ]);
      return rows.length;
    });
  }

  return {
    async create(
      input: { url: string; events: string[]; secret: string; scope?: string | undefined },
      by: Principal,
    ): Promise<WebhookRow> {
      const scope = input.scope ?? by.scopeCode;
      let url: URL;
      try {
        url = new URL(input.url);
      } catch {
        throw new AppError('validation_failed', 'url is not a URL', { field: 'url', problem: 'invalid' });
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:') {
        throw new AppError('validation_failed', 'url must be http or https', {
          field: 'url',
          problem: 'invalid',
        });
      }
      if (url.username || url.password) {
        throw new AppError(
          'validation_failed',
          'Put no credentials in the url; the signature authenticates',
          {
            field: 'url',
            problem: 'invalid',
          },
        );
      }
      const bad = input.events.filter((e) => !eventPattern.test(e));
      if (bad.length) {
        throw new AppError('validation_failed', `Not an event or pattern: ${bad.join(', ')}`, {
          field: 'events',
          problem: 'invalid',
        });
      }
      if (!inScope(by, scope)) {
        throw new AppError('validation_failed', `The scope ${scope} lies outside yours`, {
          field: 'scope',
          problem: 'outside_scope',
        });
      }
      return db.transaction(async (tx) => {
        if (!(await tx.query('SELECT 1 FROM areas WHERE code = $1', [scope])).rows.length) {
          throw new AppError('validation_failed', `No area has the code ${scope}`, {
            field: 'scope',
            problem: 'invalid',
          });
        }
        const r = await tx.query<WebhookRow>(
          `INSERT INTO webhooks (url, events, secret, scope_code, created_by) VALUES ($1, $2, $3, $4, $5)
           RETURNING ${columns}`,
          [url.toString(), [...new Set(input.events)], input.secret, scope, by.username],
        );
        const hook = r.rows[0]!;
        await audit.record(tx, {
          action: 'config.webhook',
          object: `webhook:${hook.id}`,
          details: { change: 'create', url: hook.url, events: hook.events, scope },
        });
        return hook;
      });
    },

    async list(by: Principal): Promise<(WebhookRow & { deliveries: Record<DeliveryState, number> })[]> {
      const r = await db.query<WebhookRow>(
        `SELECT ${columns} FROM webhooks WHERE deleted_at IS NULL AND scope_code LIKE $1 || '%' ORDER BY id`,
        [by.scopeCode],
      );
      const counts = await deliveries.repository.counts('webhook:');
      return r.rows.map((h) => ({
        ...h,
        deliveries: counts.get(`webhook:${h.id}`) ?? { pending: 0, delivered: 0, dead: 0 },
      }));
    },

    get: found,

    /** Stops the hook; what was still pending for it goes to the dead letters. */
    async remove(id: number, by: Principal): Promise<void> {
      const hook = await found(id, by);
      await db.transaction(async (tx) => {
        await tx.query('UPDATE webhooks SET deleted_at = now() WHERE id = $1', [id]);
        const dropped = await deliveriesRepository(tx).killPending(
          `webhook:${id}`,
          new Date(),
          'the webhook was deleted',
        );
        await audit.record(tx, {
          action: 'config.webhook',
          object: `webhook:${id}`,
          details: { change: 'delete', url: hook.url, pendingDropped: dropped },
        });
      });
    },

    async deliveriesOf(
      id: number,
      by: Principal,
      filter: { state?: DeliveryState | undefined; before?: number | undefined; limit: number },
    ) {
      await found(id, by);
      return deliveries.repository.list(`webhook:${id}`, filter);
    },

    async delivery(id: number, deliveryId: string, by: Principal) {
      await found(id, by);
      const d = await deliveries.repository.get(deliveryId, `webhook:${id}`);
      if (!d) throw new AppError('not_found', `Delivery ${deliveryId} not found`);
      return { ...d, log: await deliveries.repository.attempts(deliveryId) };
    },

    async replay(id: number, deliveryId: string, by: Principal) {
      await found(id, by);
      const ok = await db.transaction(async (tx: Queryable) => {
        if (!(await deliveries.replay(tx, deliveryId, `webhook:${id}`))) return false;
        await audit.record(tx, {
          action: 'config.webhook',
          object: `webhook:${id}`,
          details: { change: 'replay', delivery: deliveryId },
        });
        return true;
      });
      if (!ok) throw new AppError('not_found', `Delivery ${deliveryId} not found`);
      deliveries.nudge();
      return this.delivery(id, deliveryId, by);
    },

    fanOutStep,

    /** Moves the cursor until it has caught up; the number of events read. */
    async fanOut(): Promise<number> {
      let n = 0;
      for (;;) {
        const k = await fanOutStep();
        n += k;
        if (k < batch) break;
      }
      if (n) deliveries.nudge();
      return n;
    },
  };
}
export type Webhooks = ReturnType<typeof webhooksService>;
