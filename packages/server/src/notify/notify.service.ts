/**
 * The one notification service. `tell(tx, …)` writes the in-app notification (the bell, told
 * live through the `notify.created` event) and queues each outside send the person's preferences
 * ask for, in the caller's transaction: what is committed is sent, however often the process
 * restarts. `drain()` sends what is due (at least once; retried with backoff).
 */
import {
  checkNotifyPrefs,
  effectivePrefs,
  type NotifyChannel,
  type NotifyKind,
  type NotifyPrefs,
  notifyKindNames,
  notifyMaxAttempts,
  notifyRetryDelay,
  type Role,
  sendAfterQuiet,
} from '@onegrid/domain';
import { audit } from '../audit/audit.ts';
import type { Principal } from '../auth/auth.service.ts';
import type { Db, Queryable } from '../db/db.ts';
import { AppError, notFound } from '../errors.ts';
import { emit } from '../events/outbox.ts';
import type { Logger } from '../logger.ts';
import type { Sender } from './channels.ts';
import { notifyRepository } from './notify.repository.ts';

export interface Tell {
  userIds: number[];
  kind: NotifyKind;
  title: string;
  body: string;
  link?: string | null;
  object?: string | null;
  areaCode?: string | null;
  /** Same key, same person: told once (a trigger retried after a crash tells nobody twice). */
  dedupeKey: string;
}

const secretFields = ['wecomWebhook', 'dingtalkWebhook', 'dingtalkSecret'] as const;

/** Robot URLs carry their key: shown as set / not set, never read back in full. */
function redact(p: NotifyPrefs): NotifyPrefs {
  const out = { ...p };
  for (const f of secretFields) if (out[f]) out[f] = '********';
  return out;
}

export function notifyService(deps: {
  db: Db;
  log: Logger;
  clock: () => Date;
  senders: Partial<Record<NotifyChannel, Sender>>;
  /** After a commit that queued sends or wrote notifications. */
  onQueued?: () => void;
}) {
  const { db, log, clock, senders } = deps;

  function targetsOf(
    p: NotifyPrefs,
    user: { phone: string | null },
  ): { channel: NotifyChannel; target: string }[] {
    const out: { channel: NotifyChannel; target: string }[] = [];
    const on = (c: NotifyChannel) => p.channels?.[c] === true && senders[c] !== undefined;
    if (on('email') && p.email) out.push({ channel: 'email', target: p.email });
    const phone = p.phone ?? user.phone;
    if (on('sms') && phone) out.push({ channel: 'sms', target: phone });
    if (on('wecom') && p.wecomWebhook) out.push({ channel: 'wecom', target: p.wecomWebhook });
    if (on('dingtalk') && p.dingtalkWebhook)
      out.push({
        channel: 'dingtalk',
        target: p.dingtalkSecret
          ? JSON.stringify({ url: p.dingtalkWebhook, secret: p.dingtalkSecret })
          : p.dingtalkWebhook,
      });
    return out;
  }

  async function tell(tx: Queryable, t: Tell): Promise<number> {
    const repo = notifyRepository(tx);
    const now = clock();
    const urgent = notifyKindNames[t.kind].urgent;
    const roleCache = new Map<Role, NotifyPrefs | undefined>();
    let told = 0;
    for (const u of await repo.users([...new Set(t.userIds)])) {
      const id = await repo.insert({
        userId: u.id,
        kind: t.kind,
        title: t.title,
        body: t.body,
        link: t.link ?? null,
        object: t.object ?? null,
        areaCode: t.areaCode ?? null,
        dedupeKey: t.dedupeKey,
        at: now,
      });
      if (id === undefined) continue;
      told++;
      if (!roleCache.has(u.role)) roleCache.set(u.role, await repo.prefs(`role:${u.role}`));
      const p = effectivePrefs(roleCache.get(u.role), await repo.prefs(`user:${u.id}`));
      if (!p.muted?.includes(t.kind)) {
        const nextAt = sendAfterQuiet(now, p.quiet ?? null, urgent);
        for (const s of targetsOf(p, u)) {
          await repo.enqueueSend({
            notificationId: id,
            channel: s.channel,
            target: s.target,
            nextAt,
            dedupeKey: `${t.dedupeKey}|${s.channel}|${s.target}`,
          });
        }
      }
      await emit(tx, 'notify.created', null, { userId: u.id, id, kind: t.kind, title: t.title });
    }
    return told;
  }

  let draining: Promise<number> | undefined;
  /** Sends every due message once; returns how many went. One drain at a time. */
  async function drainOnce(): Promise<number> {
    let sent = 0;
    for (;;) {
      const now = clock();
      const batch = await notifyRepository(db).claimDue(now, new Date(now.getTime() + 5 * 60_000), 20);
      if (!batch.length) return sent;
      await Promise.all(
        batch.map(async (s) => {
          const repo = notifyRepository(db);
          const send = senders[s.channel];
          try {
            if (!send) throw new Error(`channel ${s.channel} is not configured`);
            await send(s.target, { title: s.title, body: s.body, link: s.link });
            await repo.markSent(s.id, clock());
            sent++;
          } catch (e) {
            const reason = (e as Error).message || String(e);
            const giveUp = s.attempts >= notifyMaxAttempts;
            await repo.markFailed(
              s.id,
              reason,
              giveUp ? null : new Date(clock().getTime() + notifyRetryDelay(s.attempts) * 1000),
            );
            log.warn(
              { send: s.id, channel: s.channel, attempts: s.attempts, reason },
              'notification send failed',
            );
          }
        }),
      );
    }
  }

  return {
    tell,
    drain(): Promise<number> {
      draining ??= drainOnce().finally(() => {
        draining = undefined;
      });
      return draining;
    },
    async list(p: Principal, q: { unread?: boolean; limit?: number; before?: number }) {
      const repo = notifyRepository(db);
      const items = await repo.list(p.id, { ...q, limit: Math.min(q.limit ?? 30, 200) });
      return { items, unread: await repo.unreadCount(p.id) };
    },
    async markRead(p: Principal, id?: number) {
      const repo = notifyRepository(db);
      if (id !== undefined && !(await repo.exists(p.id, id))) throw notFound('notification', id);
      const changed = await repo.markRead(p.id, clock(), id);
      if (changed) {
        await db.transaction((tx) => emit(tx, 'notify.read', null, { userId: p.id, id: id ?? null }));
        deps.onQueued?.();
      }
      return { unread: await repo.unreadCount(p.id) };
    },
    async prefs(p: Principal) {
      const repo = notifyRepository(db);
      const role = await repo.prefs(`role:${p.role}`);
      const mine = await repo.prefs(`user:${p.id}`);
      return {
        role: redact(role ?? {}),
        mine: redact(mine ?? {}),
        effective: redact(effectivePrefs(role, mine)),
        channels: Object.keys(senders) as NotifyChannel[],
      };
    },
    /** Sets the preferences of `subject` (the caller's own, or a role's by an administrator). */
    async setPrefs(subject: `user:${number}` | `role:${Role}`, body: NotifyPrefs) {
      const bad = checkNotifyPrefs(body);
      if (bad.length)
        throw new AppError('validation_failed', bad.map((b) => `${b.field}: ${b.message}`).join('; '), bad);
      await db.transaction(async (tx) => {
        const repo = notifyRepository(tx);
        const before = (await repo.prefs(subject)) ?? {};
        // A secret shown as ******** and sent back unchanged keeps its stored value.
        const next: NotifyPrefs = { ...body };
        for (const f of secretFields) if (next[f] === '********') next[f] = before[f] ?? null;
        await repo.setPrefs(subject, next, clock());
        await audit.record(tx, {
          action: 'config.notify-prefs',
          object: subject,
          details: { before: redact(before), after: redact(next) },
        });
      });
    },
    stats: () => notifyRepository(db).sendStats(),
  };
}
export type NotifyService = ReturnType<typeof notifyService>;
