/** One case for every role: what it is, its deadline, who acts next, what you may do, its history. */

import { defaultSourcePolicies } from '@onegrid/domain';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { toast } from 'sonner';
import { ApiError, api, unwrap } from '../api/client.ts';
import { useAuth } from '../auth/auth.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { ActionPanel } from './ActionPanel.tsx';
import { CaseMap } from './CaseMap.tsx';
import { actOn, type Case, duplicatesOf, getCase, useCaseStream } from './data.ts';
import { JointPanel } from './JointPanel.tsx';
import { NearestAddress } from './NearestAddress.tsx';
import { actionLabel, eventLabel, isActionName, statusLabel } from './names.ts';
import {
  actorLabel,
  Countdown,
  formatTime,
  nextInLineLabel,
  Photo,
  StatusChip,
  systemReporterLabel,
} from './parts.tsx';
import './cases.css';

type Duplicate = Awaited<ReturnType<typeof duplicatesOf>>[number];

export function sourceLabel(s: string, lang: 'zh' | 'en'): string {
  if (lang === 'en') return s.replace(/-/g, ' ');
  return s in defaultSourcePolicies ? defaultSourcePolicies[s as keyof typeof defaultSourcePolicies].zh : s;
}

/** Loads a case and keeps it current: reloads on its stream events. */
export function useCase(id: number | null): {
  c: Case | null;
  error: string | null;
  reload(): void;
  set(c: Case): void;
} {
  const { t } = useI18n();
  const [c, setC] = useState<Case | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: reloads when `tick` moves, on purpose
  useEffect(() => {
    if (id === null) {
      setC(null);
      return;
    }
    let live = true;
    getCase(id)
      .then((x) => {
        if (!live) return;
        setC(x);
        setError(null);
      })
      .catch((e: unknown) => {
        if (!live) return;
        if (e instanceof ApiError && e.status === 404) setError(t('case.notFound'));
        else if (e instanceof ApiError && e.status === 403) setError(t('case.forbidden'));
        else setError(t('error.generic', { message: e instanceof Error ? e.message : String(e) }));
      });
    return () => {
      live = false;
    };
  }, [id, tick, t]);
  // Another user acted on this case: show the new state.
  useCaseStream((e) => {
    if (e.id === id) reload();
  });
  return { c: c && c.id === id ? c : null, error, reload, set: setC };
}

export function CaseDetail({
  id,
  mode,
  showDuplicates = false,
  onChanged,
}: {
  id: number;
  mode: 'page' | 'panel';
  showDuplicates?: boolean;
  onChanged?(c: Case): void;
}) {
  const { t, lang } = useI18n();
  const { c, error, reload, set } = useCase(id);
  const [dups, setDups] = useState<Duplicate[]>([]);
  const [mergeError, setMergeError] = useState<string | null>(null);

  useEffect(() => {
    if (!showDuplicates || !c) return;
    let live = true;
    duplicatesOf(c.id)
      .then((d) => {
        if (live) setDups(d);
      })
      .catch(() => {
        if (live) setDups([]);
      });
    return () => {
      live = false;
    };
  }, [showDuplicates, c]);

  const points = useMemo(
    () =>
      c ? [{ id: c.id, lng: c.location.lng, lat: c.location.lat, tone: c.deadline?.state ?? 'ok' }] : [],
    [c],
  );

  if (error) return <div className="detail-empty">{error}</div>;
  if (!c) return <div className="detail-empty">{t('app.loading')}</div>;

  const done = (u: Case, action?: string) => {
    const label = action && isActionName(action) ? actionLabel(action, lang) : t('case.updated');
    const ended = u.status === 'closed' || u.status === 'rejected' || u.status === 'merged';
    const next = ended ? '' : nextInLineLabel(u, lang);
    toast.success(t('toast.done', { action: label, number: u.number }), {
      description: next ? t('toast.next', { next }) : statusLabel(u.status, lang),
    });
    set(u);
    onChanged?.(u);
  };
  const reportPhotos = c.timeline?.find((e) => e.action === 'report')?.photos ?? [];
  const canMerge = c.allowedActions?.includes('merge') ?? false;

  async function merge(target: Duplicate) {
    if (!c) return;
    setMergeError(null);
    try {
      done(await actOn(c, 'merge', { targetCaseId: target.id }), 'merge');
    } catch (e) {
      if (e instanceof ApiError && e.code === 'stale_version') {
        setMergeError(t('case.stale'));
        reload();
      } else setMergeError(t('error.generic', { message: e instanceof Error ? e.message : String(e) }));
    }
  }

  const facts: [string, React.ReactNode][] = [
    [t('case.category'), `${c.category} ${c.categoryName ?? ''}`],
    [t('case.source'), sourceLabel(c.source, lang)],
    [
      t('case.address'),
      c.address ?? (
        <NearestAddress
          key="near"
          lng={c.location.lng}
          lat={c.location.lat}
          known={c.nearAddress ? { text: c.nearAddress, metres: Math.round(c.nearAddressM ?? 0) } : null}
        />
      ),
    ],
    [t('case.grid'), c.unitGridCode ?? '—'],
    [t('case.department'), c.departmentName ? `${c.departmentName}` : '—'],
    [t('case.reported'), formatTime(c.createdAt, lang)],
  ];
  if (c.reporterName || c.reporterContact)
    facts.push([t('case.reporter'), <Reporter key="reporter" c={c} />]);

  return (
    <article className={`case-detail case-detail--${mode}`} data-testid="case-detail" data-status={c.status}>
      <header className="cd-head">
        <div className="cd-head__line">
          <h2 className="cd-number" data-testid="case-number">
            {c.number}
          </h2>
          <StatusChip status={c.status} />
          {c.urgency === 'urgent' && <span className="tag tag--urgent">{t('urgency.urgent')}</span>}
          {c.pending && <span className="tag tag--pending">{t(`pending.${c.pending as 'return'}`)}</span>}
          {mode === 'panel' && (
            <a className="cd-open" href={`#/cases/${c.id}`}>
              {t('case.open')}
            </a>
          )}
        </div>
        <p className="cd-desc">{c.description}</p>
      </header>

      <section className="cd-status">
        <div>
          <span className="cd-label">{t('case.status')}</span>
          <span data-testid="case-status">{statusLabel(c.status, lang)}</span>
        </div>
        <div>
          <span className="cd-label">{t('case.deadline')}</span>
          {c.deadline ? (
            <span className={`deadline deadline--${c.deadline.state}`}>
              {t(`step.${c.deadline.step as 'filing'}`)} · {formatTime(c.deadline.dueAt, lang)}{' '}
              <Countdown deadline={c.deadline} />
            </span>
          ) : (
            <span>—</span>
          )}
        </div>
        <div>
          <span className="cd-label">{t('case.next')}</span>
          <span data-testid="next-actors">{nextInLineLabel(c, lang) || '—'}</span>
        </div>
      </section>

      {c.proposal && (c.status === 'filed' || c.status === 'dispatched') && (
        <section className="cd-proposal" data-testid="proposal">
          <span className="cd-label">{t('case.proposal')}</span>
          <strong>{c.proposal.departmentName}</strong>
          <span className="muted">
            {t('case.rule', {
              id: c.proposal.rule.id,
              category: c.proposal.rule.category,
              area: c.proposal.rule.areaCode,
            })}
          </span>
        </section>
      )}

      {c.sourcePolicy?.awaitingVerification && (
        <section className="cd-policy" data-testid="source-policy">
          <span className="cd-label">{t('case.policy')}</span>
          <span>
            {t('case.policy.verify', { source: sourceLabel(c.source, lang) })}
            {c.sourcePolicy.directFiling ? ` ${t('case.policy.direct')}` : ''}
          </span>
        </section>
      )}
      {c.sourcePolicy?.machine && c.status !== 'closed' && (
        <section className="cd-policy" data-testid="source-policy">
          <span className="cd-label">{t('case.policy')}</span>
          <span>{t('case.policy.machine', { source: sourceLabel(c.source, lang) })}</span>
        </section>
      )}

      <ActionPanel c={c} onDone={done} onStale={reload} duplicates={dups} />

      <div className="cd-body">
        <div className="cd-main">
          <dl className="cd-facts">
            {facts.map(([k, v]) => (
              <div key={k}>
                <dt>{k}</dt>
                <dd>{v}</dd>
              </div>
            ))}
          </dl>
          <JointPanel caseId={c.id} status={c.status} />
          {reportPhotos.length > 0 && (
            <section>
              <h3 className="cd-h3">{t('case.photos')}</h3>
              <div className="photos">
                {reportPhotos.map((p) => (
                  <Photo key={p} id={p} alt={c.number} />
                ))}
              </div>
            </section>
          )}
          {showDuplicates && (
            <section className="cd-dups" data-testid="duplicates">
              <h3 className="cd-h3">
                {t('case.duplicates')} <span className="count">{dups.length}</span>
              </h3>
              {dups.length === 0 ? (
                <p className="muted">{t('case.noDuplicates')}</p>
              ) : (
                <ul>
                  {dups.map((d) => (
                    <li key={d.id}>
                      <a href={`#/cases/${d.id}`} className="mono">
                        {d.number}
                      </a>
                      <StatusChip status={d.status} />
                      <span className="muted">{t('case.metres', { m: d.distanceMeters })}</span>
                      {canMerge && (
                        <button
                          type="button"
                          className="btn btn-sm btn-outline"
                          data-testid="merge"
                          onClick={() => void merge(d)}
                        >
                          {t('case.mergeInto')}
                        </button>
                      )}
                    </li>
                  ))}
                </ul>
              )}
              {mergeError && <div className="form-error">{mergeError}</div>}
            </section>
          )}
          {mode === 'page' && (
            <section className="cd-mapbox">
              <CaseMap points={points} selected={c.id} zoom={16} />
            </section>
          )}
        </div>
        <section className="cd-timeline">
          <h3 className="cd-h3">{t('case.timeline')}</h3>
          <ol className="timeline" data-testid="timeline">
            {[...(c.timeline ?? [])].reverse().map((e) => (
              <li key={e.seq} className="timeline__item">
                <div className="timeline__head">
                  <strong>{eventLabel(e.action, lang)}</strong>
                  <span className="muted">{formatTime(e.at, lang)}</span>
                </div>
                <div className="timeline__who">
                  {actorLabel(e, lang, t)}
                  {e.toStatus !== e.fromStatus && <> → {statusLabel(e.toStatus, lang)}</>}
                </div>
                {e.note && <p className="timeline__note">{e.note}</p>}
                {typeof e.data.reason === 'string' && <p className="timeline__note">{e.data.reason}</p>}
                {e.photos.length > 0 && (
                  <div className="photos photos--small">
                    {e.photos.map((p) => (
                      <Photo key={p} id={p} alt={eventLabel(e.action, lang)} />
                    ))}
                  </div>
                )}
              </li>
            ))}
          </ol>
        </section>
      </div>
    </article>
  );
}

export default function CaseDetailPage({ id }: { id: number }) {
  const { t } = useI18n();
  return (
    <div className="page page--detail">
      <div className="page__crumbs">
        <a href="#/">← {t('case.back')}</a>
      </div>
      <CaseDetail id={id} mode="page" showDuplicates />
    </div>
  );
}

/** Roles that call reporters back may show the name and contact in full; each showing is audited. */
const revealRoles = new Set(['operator', 'dispatcher', 'leader']);

function Reporter({ c }: { c: Case }) {
  const { t } = useI18n();
  const { state } = useAuth();
  const [full, setFull] = useState<{ reporterName: string | null; reporterContact: string | null } | null>(
    null,
  );
  const shown = full ?? c;
  const system = c.reporterContact ? null : systemReporterLabel(c.reporterName, t);
  if (system) return <span data-testid="case-reporter">{system}</span>;
  const can = state.status === 'signedIn' && revealRoles.has(state.session.user.role);
  return (
    <span data-testid="case-reporter">
      {[shown.reporterName, shown.reporterContact].filter(Boolean).join(' · ')}
      {can && !full && (
        <button
          type="button"
          className="btn btn-ghost btn-small"
          title={t('case.showFullNote')}
          data-testid="reveal-contact"
          onClick={() =>
            void unwrap(api.GET('/api/v1/cases/{id}/contact', { params: { path: { id: c.id } } })).then(
              setFull,
            )
          }
        >
          {t('case.showFull')}
        </button>
      )}
    </span>
  );
}
