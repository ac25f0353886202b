/** Names shown for statuses, actions, sources: Chinese from the domain, English here. */
import { actionTable, type CaseStatus, caseActionNames, caseStatusNames } from '@onegrid/domain';
import type { Lang } from '../i18n/i18n.tsx';
import type { ActionName } from './data.ts';

export function isActionName(a: string): a is ActionName {
  return (caseActionNames as readonly string[]).includes(a);
}

const actionEn: Partial<Record<ActionName, string>> = {
  'verify-report': 'Send to verify',
  'confirm-report': 'Verification result',
  accept: 'File',
  'accept-task': 'Accept task',
  return: 'Request return',
  handle: 'Report handled',
  verify: 'Check',
  'self-handle': 'Self-handle',
  'hand-up': 'Hand up',
  supervise: 'Supervise',
};

export function actionLabel(a: ActionName, lang: Lang): string {
  if (lang === 'zh') return actionTable[a].zh;
  const en = actionEn[a] ?? a.replace(/-/g, ' ');
  return en.charAt(0).toUpperCase() + en.slice(1);
}

/** What a timeline entry says happened ('report' is not an action of the table). */
export function eventLabel(a: string, lang: Lang): string {
  if (isActionName(a)) return actionLabel(a, lang);
  if (a === 'report') return lang === 'zh' ? '上报' : 'Reported';
  // An entry from the linked platform above or below (federation, docs/federation.md).
  if (a === 'remote') return lang === 'zh' ? '上下级平台' : 'Linked platform';
  return a;
}

export function statusLabel(s: string, lang: Lang): string {
  return s in caseStatusNames ? caseStatusNames[s as CaseStatus][lang] : s;
}

/** Short status names for chips (the domain's long names carry what comes next). */
export function statusShort(s: string, lang: Lang): string {
  return statusLabel(s, lang)
    .replace(/（.*）$/, '')
    .replace(/, .*$/, '');
}
