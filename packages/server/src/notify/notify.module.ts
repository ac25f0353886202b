/**
 * The notify module: the service (`tell`), its routes (the bell, preferences) and two jobs that
 * run once per deployment under the scheduler lease — the triggers (outbox → notifications,
 * escalation sweep) and the sender (the durable queue of outside sends).
 */
import type { NotifyConfig } from '../config.ts';
import type { Db, Queryable } from '../db/db.ts';
import { dutyNow as dutyRoster } from '../duty/duty.service.ts';
import type { EventBus } from '../events/outbox.ts';
import type { Logger } from '../logger.ts';
import { job, type Module } from '../roles/roles.ts';
import { createSenders, type NotifyChannelsConfig } from './channels.ts';
import { notifyRoutes } from './notify.routes.ts';
import { type NotifyService, notifyService } from './notify.service.ts';
import { type DutyNow, type NotifyTriggers, notifyTriggers } from './triggers.ts';

export interface Notify extends Module {
  service: NotifyService;
  triggers: NotifyTriggers;
}

export const defaultNotifyConfig: NotifyConfig = {
  smtpUrl: undefined,
  smtpFrom: 'OneGrid <onegrid@localhost>',
  smsUrl: undefined,
  smsToken: undefined,
  publicUrl: undefined,
  signWithinMinutes: 60,
  alarmAckMinutes: 10,
};

/**
 * Who is on duty for an area now (值班, the duty module): officers first, then the leaders in
 * charge, so the next person up after the officer is a leader.
 */
async function onDutyNow(q: Queryable, areaCode: string, at: Date): Promise<number[]> {
  const d = await dutyRoster(q, areaCode, at);
  const rank = (post: string) => (post === 'officer' ? 0 : 1);
  const shifts = d.onDuty as { userId: number; post: string }[];
  return [...shifts].sort((a, b) => rank(a.post) - rank(b.post)).map((s) => s.userId);
}

const interesting = /^(case\.(dispatch|auto-dispatch|supervise)|alarm\.raised)$/;

export function createNotify({
  db,
  log,
  clock,
  bus,
  config = defaultNotifyConfig,
  dutyNow,
  intervalMs = 2000,
}: {
  db: Db;
  log: Logger;
  clock: () => Date;
  bus: EventBus;
  config?: NotifyConfig;
  dutyNow?: DutyNow;
  intervalMs?: number;
}): Notify {
  const nlog = log.child({ category: 'notify' });
  const channels: NotifyChannelsConfig = {
    ...(config.smtpUrl ? { smtp: { url: config.smtpUrl, from: config.smtpFrom } } : {}),
    ...(config.smsUrl
      ? { sms: { url: config.smsUrl, ...(config.smsToken ? { token: config.smsToken } : {}) } }
      : {}),
    ...(config.publicUrl ? { publicUrl: config.publicUrl } : {}),
  };
  const service = notifyService({
    db,
    log: nlog,
    clock,
    senders: createSenders(channels),
    onQueued: () => bus.nudge(),
  });
  const triggers = notifyTriggers({
    db,
    log: nlog,
    clock,
    notify: service,
    dutyNow: dutyNow ?? ((q, area) => onDutyNow(q, area, clock())),
    options: { signWithinMinutes: config.signWithinMinutes, alarmAckMinutes: config.alarmAckMinutes },
  });

  /** A loop that runs `fn` every `intervalMs` and when nudged; never two at once. */
  function loop(name: string, fn: () => Promise<unknown>) {
    let running: Promise<unknown> | undefined;
    let again = false;
    let closed = false;
    const tick = () => {
      if (closed) return;
      if (running) {
        again = true;
        return;
      }
      running = fn()
        .catch((e: unknown) => nlog.warn({ err: e }, `${name} failed; retrying`))
        .finally(() => {
          running = undefined;
          if (again) {
            again = false;
            tick();
          }
        });
    };
    const timer = setInterval(tick, intervalMs);
    timer.unref();
    tick();
    return {
      tick,
      async close() {
        closed = true;
        clearInterval(timer);
        await running;
      },
    };
  }

  let sender: ReturnType<typeof loop> | undefined;
  return {
    name: 'notify',
    service,
    triggers,
    routes: (app) => notifyRoutes(app, service),
    jobs: [
      job(
        'notify.triggers',
        ['scheduler'],
        () => {
          const l = loop('notify triggers', async () => {
            const n = await triggers.pass();
            if (n) {
              bus.nudge();
              sender?.tick();
            }
          });
          const off = bus.subscribe((e) => {
            if (interesting.test(e.topic)) l.tick();
          });
          return {
            async close() {
              off();
              await l.close();
            },
          };
        },
        { once: true },
      ),
      job(
        'notify.sender',
        ['scheduler'],
        () => {
          sender = loop('notify sender', () => service.drain());
          const s = sender;
          return {
            async close() {
              if (sender === s) sender = undefined;
              await s.close();
            },
          };
        },
        { once: true },
      ),
    ],
  };
}
