/** Small pieces shared by the workbenches and the case detail. */
import { roleNames } from '@onegrid/domain';
import { useEffect, useState } from 'react';
import { type Translate, useI18n } from '../i18n/i18n.tsx';
import { type Case, useAttachmentUrl } from './data.ts';
import { statusShort } from './names.ts';

export function useNow(everyMs = 30_000): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const h = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(h);
  }, [everyMs]);
  return now;
}

export function formatSpan(ms: number, t: Translate): string {
  const m = Math.max(1, Math.round(Math.abs(ms) / 60_000));
  const d = Math.floor(m / 1440);
  const h = Math.floor((m % 1440) / 60);
  const min = m % 60;
  if (d) return t('time.dh', { d, h });
  if (h) return t('time.hm', { h, m: min });
  return t('time.m', { m: min });
}

export function formatTime(iso: string, lang: string): string {
  return new Date(iso).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', {
    timeZone: 'Asia/Shanghai',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  });
}

export function StatusChip({ status }: { status: string }) {
  const { lang } = useI18n();
  return <span className={`status-chip status-chip--${status}`}>{statusShort(status, lang)}</span>;
}

/** Deadline of the current step, counting down; colour by state (ok / warning / overdue). */
export function Countdown({ deadline }: { deadline: Case['deadline'] }) {
  const { t } = useI18n();
  const now = useNow();
  if (!deadline) return null;
  const left = Date.parse(deadline.dueAt) - now;
  const state = left < 0 ? 'overdue' : deadline.state;
  return (
    <span className={`countdown countdown--${state}`} data-testid="countdown">
      {left < 0
        ? t('deadline.overdueBy', { span: formatSpan(left, t) })
        : t('deadline.left', { span: formatSpan(left, t) })}
    </span>
  );
}

export function roleList(roles: string[] | undefined, lang: 'zh' | 'en'): string {
  return (roles ?? [])
    .map((r) =>
      r in roleNames
        ? roleNames[r as keyof typeof roleNames][lang]
        : r === 'system'
          ? lang === 'zh'
            ? '系统'
            : 'System'
          : r,
    )
    .join(lang === 'zh' ? '、' : ', ');
}

const systemActors = ['scheduler', 'public', 'open311', 'iot', 'camera', 'rules', 'history'] as const;

/** Who acted, as a person reads it: a system actor by what it is (时限督办, 市民举报), never its code. */
export function actorLabel(
  e: { actorName?: string | null; actorId?: string | number | null; actorRole: string },
  lang: 'zh' | 'en',
  t: Translate,
): string {
  if (e.actorRole === 'system') {
    const name = String(e.actorName ?? '');
    const kind = systemActors.find((k) => name === k || name.startsWith(`${k}:`) || name.startsWith(`${k}-`));
    if (kind) return t(`actor.${kind}`);
    return /[\u4e00-\u9fff]/.test(name) ? `${t('actor.system')} · ${name}` : t('actor.system');
  }
  return `${e.actorName ?? e.actorId ?? ''} · ${roleList([e.actorRole], lang)}`;
}

/**
 * A reporter that is a system (camera-demo, iot:rule-7) reads as what it is (系统 · 视频智能识别);
 * a person's name (or a Chinese system name) stays as written. Null for people.
 */
export function systemReporterLabel(name: string | null | undefined, t: Translate): string | null {
  if (!name || /[\u4e00-\u9fff]/.test(name) || !/^[a-z][\w:.-]*$/i.test(name)) return null;
  return actorLabel({ actorRole: 'system', actorName: name }, 'zh', t);
}

/** 下一步办理: the department or people next in line where the case names them, else the role. */
export function nextInLineLabel(
  c: { nextActors?: string[]; nextInLine?: { role: string; names: string[] }[] },
  lang: 'zh' | 'en',
): string {
  if (!c.nextInLine) return roleList(c.nextActors, lang);
  return c.nextInLine
    .map((x) => (x.names.length ? x.names.join(lang === 'zh' ? '、' : ', ') : roleList([x.role], lang)))
    .join(lang === 'zh' ? '；' : '; ');
}

export function Photo({ id, alt }: { id: string; alt: string }) {
  const url = useAttachmentUrl(id);
  return url ? (
    <a href={url} target="_blank" rel="noreferrer" className="photo">
      <img src={url} alt={alt} data-testid="photo" />
    </a>
  ) : (
    <span className="photo photo--loading" />
  );
}
