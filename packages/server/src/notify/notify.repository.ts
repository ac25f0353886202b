/** Notifications, their outside sends (the durable queue), preferences and who to tell: the SQL. */
import type { NotifyChannel, NotifyPrefs, Role } from '@onegrid/domain';
import type { Queryable } from '../db/db.ts';

export interface NotificationRow {
  id: number;
  kind: string;
  title: string;
  body: string;
  link: string | null;
  object: string | null;
  createdAt: string;
  readAt: string | null;
}

export interface SendRow {
  id: number;
  notificationId: number;
  channel: NotifyChannel;
  target: string;
  attempts: number;
  title: string;
  body: string;
  link: string | null;
  kind: string;
}

export interface Recipient {
  id: number;
  role: Role;
  displayName: string;
  phone: string | null;
}

const notificationColumns = `id::int AS id, kind, title, body, link, object,
  created_at AS "createdAt", read_at AS "readAt"`;

export function notifyRepository(q: Queryable) {
  return {
    /** Inserts one notification unless this person already has it (same dedupe key). */
    async insert(n: {
      userId: number;
      kind: string;
      title: string;
      body: string;
      link: string | null;
      object: string | null;
      areaCode: string | null;
      dedupeKey: string;
      at: Date;
    }): Promise<number | undefined> {
      const r = await q.query<{ id: number }>(
        `INSERT INTO notifications (user_id, kind, title, body, link, object, area_code, dedupe_key, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (user_id, dedupe_key) DO NOTHING RETURNING id::int AS id`,
        [n.userId, n.kind, n.title, n.body, n.link, n.object, n.areaCode, n.dedupeKey, n.at],
      );
      return r.rows[0]?.id;
    },
    async enqueueSend(s: {
      notificationId: number;
      channel: NotifyChannel;
      target: string;
      nextAt: Date;
      dedupeKey: string;
    }): Promise<boolean> {
      const r = await q.query(
        `INSERT INTO notification_sends (notification_id, channel, target, next_at, dedupe_key)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (dedupe_key) DO NOTHING`,
        [s.notificationId, s.channel, s.target, s.nextAt, s.dedupeKey],
      );
      return r.rowCount > 0;
    },
    async list(userId: number, opts: { unread?: boolean; limit: number; before?: number }) {
      const r = await q.query<NotificationRow>(
        `SELECT ${notificationColumns} FROM notifications
          WHERE user_id = $1 AND ($2::boolean IS NOT TRUE OR read_at IS NULL)
            AND ($3::bigint IS NULL OR id < $3)
          ORDER BY id DESC LIMIT $4`,
        [userId, opts.unread ?? null, opts.before ?? null, opts.limit],
      );
      return r.rows;
    },
    async unreadCount(userId: number): Promise<number> {
      const r = await q.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM notifications WHERE user_id = $1 AND read_at IS NULL',
        [userId],
      );
      return r.rows[0]!.n;
    },
    /** Marks one (or all, without `id`) of this person's notifications read; returns how many changed. */
    async markRead(userId: number, at: Date, id?: number): Promise<number> {
      const r = await q.query(
        `UPDATE notifications SET read_at = $2
          WHERE user_id = $1 AND read_at IS NULL AND ($3::bigint IS NULL OR id = $3)`,
        [userId, at, id ?? null],
      );
      return r.rowCount;
    },
    async exists(userId: number, id: number): Promise<boolean> {
      const r = await q.query('SELECT 1 FROM notifications WHERE user_id = $1 AND id = $2', [userId, id]);
      return r.rows.length > 0;
    },
    async prefs(subject: string): Promise<NotifyPrefs | undefined> {
      const r = await q.query<{ prefs: NotifyPrefs }>(
        'SELECT prefs FROM notification_prefs WHERE subject = $1',
        [subject],
      );
      return r.rows[0]?.prefs;
    },
    async setPrefs(subject: string, prefs: NotifyPrefs, at: Date): Promise<void> {
      await q.query(
        `INSERT INTO notification_prefs (subject, prefs, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (subject) DO UPDATE SET prefs = EXCLUDED.prefs, updated_at = EXCLUDED.updated_at`,
        [subject, JSON.stringify(prefs), at],
      );
    },
    /**
     * Takes up to `limit` due sends for this worker: their `next_at` moves a lease ahead so no
     * other worker takes them while they are being sent; a worker that dies leaves them due again.
     */
    async claimDue(now: Date, leaseUntil: Date, limit: number): Promise<SendRow[]> {
      const r = await q.query<SendRow>(
        `WITH due AS (
           SELECT id FROM notification_sends
            WHERE status = 'pending' AND next_at <= $1
            ORDER BY next_at LIMIT $3 FOR UPDATE SKIP LOCKED)
         UPDATE notification_sends s SET next_at = $2, attempts = s.attempts + 1
           FROM due, notifications n
          WHERE s.id = due.id AND n.id = s.notification_id
         RETURNING s.id::int AS id, s.notification_id::int AS "notificationId", s.channel, s.target,
                   s.attempts, n.title, n.body, n.link, n.kind`,
        [now, leaseUntil, limit],
      );
      return r.rows;
    },
    async markSent(id: number, at: Date): Promise<void> {
      await q.query(
        "UPDATE notification_sends SET status = 'sent', sent_at = $2, last_error = NULL WHERE id = $1",
        [id, at],
      );
    },
    async markFailed(id: number, error: string, nextAt: Date | null): Promise<void> {
      await q.query(
        `UPDATE notification_sends SET last_error = $2,
           status = CASE WHEN $3::timestamptz IS NULL THEN 'failed' ELSE 'pending' END,
           next_at = coalesce($3::timestamptz, next_at)
         WHERE id = $1`,
        [id, error.slice(0, 500), nextAt],
      );
    },
    async nextDue(): Promise<Date | undefined> {
      const r = await q.query<{ at: Date | null }>(
        "SELECT min(next_at) AS at FROM notification_sends WHERE status = 'pending'",
      );
      return r.rows[0]?.at ? new Date(r.rows[0].at) : undefined;
    },
    async sendStats(): Promise<Record<string, number>> {
      const r = await q.query<{ status: string; n: number }>(
        'SELECT status, count(*)::int AS n FROM notification_sends GROUP BY status',
      );
      return Object.fromEntries(r.rows.map((x) => [x.status, x.n]));
    },

    // Who to tell.
    async users(ids: number[]): Promise<Recipient[]> {
      if (!ids.length) return [];
      const r = await q.query<Recipient>(
        `SELECT id::int AS id, role, display_name AS "displayName", phone FROM users
          WHERE id = ANY($1::bigint[]) AND active`,
        [ids],
      );
      return r.rows;
    },
    /** The handlers of a department. */
    async departmentHandlers(departmentCode: string): Promise<number[]> {
      const r = await q.query<{ id: number }>(
        "SELECT id::int AS id FROM users WHERE department_code = $1 AND role = 'handler' AND active",
        [departmentCode],
      );
      return r.rows.map((x) => x.id);
    },
    /** The department head, if one is named. */
    async departmentHead(
      departmentCode: string,
    ): Promise<{ head: number | null; areaCode: string } | undefined> {
      const r = await q.query<{ head: number | null; areaCode: string }>(
        `SELECT head_user_id::int AS head, area_code AS "areaCode" FROM departments WHERE code = $1`,
        [departmentCode],
      );
      return r.rows[0];
    },
    /** Users of `role` whose scope is the nearest one containing `areaCode` (the area's own leaders). */
    async nearestOfRole(role: Role, areaCode: string): Promise<number[]> {
      const r = await q.query<{ id: number }>(
        `WITH c AS (
           SELECT id, length(scope_code) AS depth FROM users
            WHERE role = $1 AND active AND $2 LIKE scope_code || '%')
         SELECT id::int AS id FROM c WHERE depth = (SELECT max(depth) FROM c) ORDER BY id`,
        [role, areaCode],
      );
      return r.rows.map((x) => x.id);
    },
  };
}
export type NotifyRepository = ReturnType<typeof notifyRepository>;
