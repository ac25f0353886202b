/**
 * 下级平台: districts (or streets) that run their own OneGrid report their figures up over the
 * federation exchange (docs/federation.md); the command screen shows them beside its own, and a
 * drill-down into such an area opens that platform.
 */
import { useEffect, useState } from 'react';
import { api, type components, unwrap } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Panel } from './panels.tsx';

type Reported = components['schemas']['FederationFigures'];

export function useLinkedPlatforms(): Reported[] {
  const [list, setList] = useState<Reported[]>([]);
  useEffect(() => {
    let live = true;
    const load = () =>
      unwrap(api.GET('/api/v1/federation/figures'))
        .then((l) => live && setList(l))
        .catch(() => undefined);
    void load();
    const timer = setInterval(load, 60_000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, []);
  return list;
}

const num = (v: unknown) => (typeof v === 'number' ? v : null);

export function LinkedPlatformsPanel({ list, area }: { list: Reported[]; area: string | null }) {
  const { t } = useI18n();
  if (list.length === 0) return null;
  return (
    <Panel title={t('cmd.linked')} testId="cmd-linked">
      <ul className="cmd-linked">
        {list.map((p) => {
          const cases = (p.figures.cases ?? {}) as Record<string, unknown>;
          const assessment = (p.figures.assessment ?? {}) as Record<string, unknown>;
          const rate = num(assessment.closedOnTimeRate);
          const here = area !== null && (area === p.areaCode || area.startsWith(p.areaCode));
          return (
            <li key={p.linkId} className={here ? 'here' : ''} data-area={p.areaCode}>
              <div className="cmd-linked__name">{p.name}</div>
              <div className="cmd-linked__figs">
                {t('cmd.open')} {num(cases.open) ?? '—'} · {t('cmd.overdue')} {num(cases.overdue) ?? '—'} ·{' '}
                {t('cmd.linkedOnTime')} {rate === null ? '—' : `${Math.round(rate * 100)}%`}
              </div>
              <a href={p.platformUrl} target="_blank" rel="noreferrer" className="cmd-linked__open">
                {t('cmd.linkedOpen')}
              </a>
            </li>
          );
        })}
      </ul>
    </Panel>
  );
}
