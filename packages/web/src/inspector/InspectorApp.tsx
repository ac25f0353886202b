/**
 * 城管通 — the inspector's phone app at `#/inspector`: report, tasks, patrol, and the offline
 * queue that carries all three to the server (see docs/inspector-app.md).
 */
import { useEffect, useRef, useState } from 'react';
import { toast } from 'sonner';
import type { User } from '../api/client.ts';
import { useT } from '../i18n/i18n.tsx';
import { useCategoryList } from './categories.ts';
import { PatrolScreen } from './PatrolScreen.tsx';
import { ReportScreen } from './ReportScreen.tsx';
import { TasksScreen } from './TasksScreen.tsx';
import { usePatrol } from './usePatrol.ts';
import { useQueue } from './useQueue.ts';
import './inspector.css';

type Tab = 'report' | 'tasks' | 'patrol';
const tabs: readonly Tab[] = ['report', 'tasks', 'patrol'];

function tabFromHash(): Tab {
  const m = /^#\/inspector\/(report|tasks|patrol)/.exec(window.location.hash);
  return (m?.[1] as Tab | undefined) ?? 'report';
}

export default function InspectorApp({ user }: { user: User }) {
  const t = useT();
  const [tab, setTabState] = useState<Tab>(tabFromHash);
  const queue = useQueue(user.id);
  const patrol = usePatrol(user.id, queue);
  const categories = useCategoryList();
  const waiting = queue.items.filter((i) => i.state === 'queued').length;
  // A toast when a report or a task result reaches the server (queued ones say so when they do).
  const seen = useRef<Map<string, string> | null>(null);
  useEffect(() => {
    const before = seen.current;
    seen.current = new Map(queue.items.map((i) => [i.key, i.state]));
    if (!before) return;
    for (const i of queue.items) {
      if (i.kind === 'points' || i.state !== 'sent' || before.get(i.key) === 'sent') continue;
      toast.success(
        i.kind === 'report'
          ? t('insp.toast.reported', { number: i.result?.number ?? '' })
          : t('insp.toast.acted', { number: i.result?.number ?? i.caseNumber }),
      );
    }
  }, [queue.items, t]);
  const setTab = (next: Tab) => {
    setTabState(next);
    window.history.replaceState(null, '', `#/inspector/${next}`);
  };

  return (
    <div className="insp" data-testid="inspector">
      <header className="insp-head">
        <h1 className="insp-head__title">{t('insp.title')}</h1>
        <span
          className={`insp-net ${queue.online ? 'insp-net--on' : 'insp-net--off'}`}
          data-testid="net-state"
          data-online={queue.online ? 'true' : 'false'}
        >
          {queue.online ? t('insp.online') : t('insp.offline')}
        </span>
        <span className="insp-sync" data-testid="sync-state" data-waiting={waiting}>
          {waiting ? t('insp.waiting', { n: waiting }) : t('insp.allSynced')}
        </span>
        {patrol.onDuty && <span className="insp-onduty">{t('insp.onDuty')}</span>}
      </header>
      <div className="insp-tabs" role="tablist">
        {tabs.map((id) => (
          <button
            key={id}
            type="button"
            role="tab"
            aria-selected={tab === id}
            className="insp-tab"
            data-tab={id}
            onClick={() => setTab(id)}
          >
            {t(`insp.tab.${id}`)}
          </button>
        ))}
      </div>
      <div className="insp-body">
        {tab === 'report' && <ReportScreen userId={user.id} queue={queue} categories={categories} />}
        {tab === 'tasks' && <TasksScreen userId={user.id} queue={queue} />}
        {tab === 'patrol' && <PatrolScreen patrol={patrol} />}
      </div>
    </div>
  );
}
