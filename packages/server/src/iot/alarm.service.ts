import type { RuleDetail, RuleValue } from '@onegrid/domain';
import type { Principal } from '../auth/auth.service.ts';
import type { Db } from '../db/db.ts';
import { notFound } from '../errors.ts';
import { emit } from '../events/outbox.ts';
import type { Logger } from '../logger.ts';
import type { Alarm, AlarmEvent, AlarmFilter, AlarmRepository, RaiseInput } from './alarm.repository.ts';
import { isTransientDbError } from './readings.sink.ts';

export type AlarmChangeKind = 'raised' | 'cleared' | 'acknowledged';
export interface AlarmChange {
  kind: AlarmChangeKind;
  alarm: Alarm;
}

/**
 * The alarm lifecycle. Raise and clear come from the rules engine and are applied in order on one
 * queue (a clear must never overtake its raise); each change and its outbox event (`alarm.raised`,
 * `alarm.cleared`, `alarm.acknowledged`, read by the SSE stream and later the case engine) are
 * written in one transaction. Updates of an active alarm (a new value while it holds) are
 * coalesced and written once a second: a sensor reporting every second must not mean a
 * transaction every second per alarm.
 */
export interface AlarmService {
  raise(input: RaiseInput): void;
  clear(input: {
    ruleId: number;
    deviceId: string;
    at: Date;
    value: RuleValue | null;
    detail: RuleDetail | Record<string, unknown> | null;
  }): void;
  update(input: { ruleId: number; deviceId: string; at: Date; value: RuleValue | null }): void;
  acknowledge(id: number, by: Principal): Promise<Alarm>;
  list(filter: AlarmFilter): Promise<{ items: Alarm[]; total: number }>;
  get(id: number, scope: string | undefined): Promise<Alarm & { events: AlarmEvent[] }>;
  /** In-process listeners, called after commit. Returns an unsubscribe function. */
  onChange(fn: (c: AlarmChange) => void): () => void;
  /** Resolves when every queued raise/clear/update is written (tests, shutdown). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function alarmService(d: {
  db: Db;
  repo: AlarmRepository;
  log: Logger;
  clock: () => Date;
  /** Called after an event was committed to the outbox (nudges the SSE bus). */
  onCommitted?: () => void;
}): AlarmService {
  const log = d.log.child({ category: 'rules' });
  const listeners = new Set<(c: AlarmChange) => void>();
  let chain: Promise<void> = Promise.resolve();
  let updates = new Map<
    string,
    { ruleId: number; deviceId: string; at: Date; value: RuleValue | null; count: number }
  >();
  let closed = false;

  async function publish(kind: AlarmChangeKind, id: number) {
    d.onCommitted?.();
    if (listeners.size === 0) return;
    const alarm = await d.repo.get(id);
    if (!alarm) return;
    for (const fn of listeners) {
      try {
        fn({ kind, alarm });
      } catch (e) {
        log.error({ err: e }, 'alarm listener failed');
      }
    }
  }

  /** Retries while the database is away: an alarm must not be lost to a 30 s outage. */
  async function withRetry(what: string, fn: () => Promise<void>) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        if (!isTransientDbError(e) || attempt >= 60 || closed) {
          log.error({ err: e }, `${what} failed`);
          return;
        }
        if (attempt === 1) log.warn({ err: e }, `${what} failed; retrying`);
        await sleep(Math.min(2000, 50 * 2 ** Math.min(attempt, 6)));
      }
    }
  }

  const enqueue = (what: string, fn: () => Promise<void>) => {
    chain = chain.then(() => withRetry(what, fn));
  };

  async function flushUpdates() {
    if (updates.size === 0) return;
    const batch = [...updates.values()];
    updates = new Map();
    await d.repo.applyUpdates(batch);
  }
  const timer = setInterval(() => enqueue('alarm updates', flushUpdates), 1000);
  timer.unref();

  async function eventPayload(tx: Parameters<Parameters<Db['transaction']>[0]>[0], id: number) {
    const alarm = await d.repo.get(id, tx);
    return alarm ? { areaCode: alarm.areaCode, payload: { ...alarm } as Record<string, unknown> } : undefined;
  }

  async function idle() {
    let seen: Promise<void>;
    do {
      seen = chain;
      await seen;
    } while (seen !== chain);
    enqueue('alarm updates', flushUpdates);
    await chain;
  }

  return {
    raise(input) {
      // A pending coalesced update belongs to the previous alarm of this pair, if any.
      enqueue('alarm raise', async () => {
        await flushUpdates();
        const r = await d.db.transaction(async (tx) => {
          const res = await d.repo.raise(tx, input);
          if (res.created) {
            const e = await eventPayload(tx, res.id);
            if (e) await emit(tx, 'alarm.raised', e.areaCode, e.payload);
          }
          return res;
        });
        if (r.created) {
          log.info({ alarmId: r.id, ruleId: input.ruleId, deviceId: input.deviceId }, 'alarm raised');
          await publish('raised', r.id);
        }
      });
    },
    clear(input) {
      enqueue('alarm clear', async () => {
        await flushUpdates();
        const id = await d.db.transaction(async (tx) => {
          const cleared = await d.repo.clear(
            tx,
            input.ruleId,
            input.deviceId,
            input.at,
            input.value,
            input.detail,
          );
          if (cleared !== undefined) {
            const e = await eventPayload(tx, cleared);
            if (e) await emit(tx, 'alarm.cleared', e.areaCode, e.payload);
          }
          return cleared;
        });
        if (id !== undefined) {
          log.info({ alarmId: id, ruleId: input.ruleId, deviceId: input.deviceId }, 'alarm cleared');
          await publish('cleared', id);
        }
      });
    },
    update(input) {
      const key = `${input.ruleId}\u0000${input.deviceId}`;
      const cur = updates.get(key);
      if (cur) {
        cur.count++;
        if (input.at >= cur.at) {
          cur.at = input.at;
          cur.value = input.value;
        }
      } else updates.set(key, { ...input, count: 1 });
    },
    async acknowledge(id, by) {
      const scope = scopeOf(by);
      const now = d.clock();
      const changed = await d.db.transaction(async (tx) => {
        const alarm = await d.repo.get(id, tx);
        if (!alarm || (scope !== undefined && !alarm.areaCode?.startsWith(scope)))
          throw notFound('alarm', id);
        const done = await d.repo.acknowledge(tx, id, by.id, now);
        if (done) {
          const e = await eventPayload(tx, id);
          if (e) await emit(tx, 'alarm.acknowledged', e.areaCode, e.payload);
        }
        return done;
      });
      if (changed) await publish('acknowledged', id);
      const alarm = await d.repo.get(id);
      if (!alarm) throw notFound('alarm', id);
      return alarm;
    },
    list: (filter) => d.repo.list(filter),
    async get(id, scope) {
      const alarm = await d.repo.get(id);
      if (!alarm || (scope !== undefined && !alarm.areaCode?.startsWith(scope))) throw notFound('alarm', id);
      return { ...alarm, events: await d.repo.events(id) };
    },
    onChange(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    idle,
    async close() {
      clearInterval(timer);
      await idle();
      closed = true;
    },
  };
}

/** The caller's area prefix for alarm and device queries; undefined when they see the whole city. */
export function scopeOf(p: Principal): string | undefined {
  return p.scopeCode.length <= 4 ? undefined : p.scopeCode;
}
