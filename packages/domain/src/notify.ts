/**
 * Notifications (消息提醒): what people are told, through which channels, and when not.
 * Pure data and rules; the server's notify module sends (docs/channels.md).
 *
 * - kinds: what happened (a task dispatched to your department, a 督办, a red alarm, an escalation);
 * - channels: in the app (always kept, the bell), e-mail, WeCom / DingTalk group robots, SMS;
 * - preferences: per role (set by an administrator) and per user (their own), the user's winning;
 * - quiet hours (免打扰): outside channels wait until the quiet window ends, except urgent kinds.
 */
import type { Role } from './roles.ts';

export const notifyKinds = [
  'task.dispatched',
  'case.supervised',
  'alarm.red',
  'escalation.unsigned',
  'escalation.alarm',
] as const;
export type NotifyKind = (typeof notifyKinds)[number];

export const notifyKindNames: Readonly<Record<NotifyKind, { zh: string; en: string; urgent: boolean }>> = {
  'task.dispatched': { zh: '任务派遣', en: 'Task dispatched', urgent: false },
  'case.supervised': { zh: '督办', en: 'Supervision (督办)', urgent: false },
  'alarm.red': { zh: '红色报警', en: 'Red alarm', urgent: true },
  'escalation.unsigned': { zh: '超时未签收', en: 'Task not signed for', urgent: true },
  'escalation.alarm': { zh: '报警无人确认', en: 'Alarm not acknowledged', urgent: true },
};

/** Outside channels; the in-app notification is always written (it is the record). */
export const notifyChannels = ['email', 'wecom', 'dingtalk', 'sms'] as const;
export type NotifyChannel = (typeof notifyChannels)[number];

export const notifyChannelNames: Readonly<Record<NotifyChannel, { zh: string; en: string }>> = {
  email: { zh: '电子邮件', en: 'E-mail' },
  wecom: { zh: '企业微信群机器人', en: 'WeCom group robot' },
  dingtalk: { zh: '钉钉群机器人', en: 'DingTalk group robot' },
  sms: { zh: '短信', en: 'SMS' },
};

/** `HH:MM` (24 h, Beijing time). */
const hhmm = /^([01]\d|2[0-3]):[0-5]\d$/;

export interface NotifyPrefs {
  /** Channels on; unset keeps what the role says. */
  channels?: Partial<Record<NotifyChannel, boolean>>;
  /** Kinds muted on outside channels (they still reach the bell). */
  muted?: NotifyKind[];
  /** 免打扰 window, e.g. 22:00–07:00; null: none. */
  quiet?: { start: string; end: string } | null;
  /** Where to: an e-mail address, a phone for SMS, robot webhook URLs (with their key). */
  email?: string | null;
  phone?: string | null;
  wecomWebhook?: string | null;
  dingtalkWebhook?: string | null;
  /** DingTalk robots with 加签: the secret (SEC…). */
  dingtalkSecret?: string | null;
}

/** What a role gets unless set otherwise: e-mail on, the rest off; quiet from 22:00 to 07:00. */
export const defaultNotifyPrefs: Required<Pick<NotifyPrefs, 'channels' | 'muted' | 'quiet'>> = {
  channels: { email: true, wecom: false, dingtalk: false, sms: false },
  muted: [],
  quiet: { start: '22:00', end: '07:00' },
};

/** Role defaults, then the role's settings, then the user's own: later wins key by key. */
export function effectivePrefs(role: NotifyPrefs | undefined, user: NotifyPrefs | undefined): NotifyPrefs {
  const out: NotifyPrefs = {
    ...defaultNotifyPrefs,
    ...stripUndefined(role ?? {}),
    ...stripUndefined(user ?? {}),
  };
  out.channels = { ...defaultNotifyPrefs.channels, ...(role?.channels ?? {}), ...(user?.channels ?? {}) };
  return out;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Problems with a preferences body, as `{ field, message }` (empty when fine). */
export function checkNotifyPrefs(p: NotifyPrefs): { field: string; message: string }[] {
  const bad: { field: string; message: string }[] = [];
  if (p.quiet) {
    if (!hhmm.test(p.quiet.start)) bad.push({ field: 'quiet.start', message: 'use HH:MM' });
    if (!hhmm.test(p.quiet.end)) bad.push({ field: 'quiet.end', message: 'use HH:MM' });
  }
  if (p.email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(p.email))
    bad.push({ field: 'email', message: 'not an e-mail address' });
  if (p.phone && !/^\+?\d{5,20}$/.test(p.phone)) bad.push({ field: 'phone', message: 'digits only' });
  for (const f of ['wecomWebhook', 'dingtalkWebhook'] as const) {
    const v = p[f];
    if (v && !/^https?:\/\/[^\s]+$/.test(v)) bad.push({ field: f, message: 'an http(s) URL' });
  }
  for (const k of p.muted ?? [])
    if (!(notifyKinds as readonly string[]).includes(k))
      bad.push({ field: 'muted', message: `unknown kind ${k}` });
  return bad;
}

const minutesOf = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));
/** Beijing time has no daylight saving: UTC+8 all year. */
const BEIJING_MS = 8 * 3_600_000;

/**
 * When an outside message may go: `at` itself, or — inside the quiet window and not urgent — the
 * window's end (Beijing time). Windows may cross midnight (22:00–07:00).
 */
export function sendAfterQuiet(at: Date, quiet: NotifyPrefs['quiet'], urgent: boolean): Date {
  if (urgent || !quiet) return at;
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  if (start === end) return at;
  const local = new Date(at.getTime() + BEIJING_MS);
  const m = local.getUTCHours() * 60 + local.getUTCMinutes();
  const inside = start < end ? m >= start && m < end : m >= start || m < end;
  if (!inside) return at;
  const dayStart = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate()) - BEIJING_MS;
  let until = dayStart + end * 60_000;
  if (until <= at.getTime()) until += 86_400_000;
  return new Date(until);
}

/** The role preferences apply to: all but the three administrators' audit-only accounts. */
export const notifiableRoles: readonly Role[] = [
  'admin',
  'leader',
  'operator',
  'dispatcher',
  'handler',
  'inspector',
];

/** Retry delay of an outside send (s) before attempt n+1: 10 s, 1 min, 5 min, then every 30 min. */
export function notifyRetryDelay(attempt: number): number {
  const steps = [10, 60, 300, 1800];
  return steps[Math.max(0, Math.min(attempt - 1, steps.length - 1))] ?? 1800;
}

/** After this many failed attempts a send is given up (status `failed`, kept for the administrator). */
export const notifyMaxAttempts = 12;
