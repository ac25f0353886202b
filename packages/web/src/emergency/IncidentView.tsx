/** One incident: what it is, the plan's steps, resources, reports, the roster, the timeline; with the actions the role may take. */
import {
  can,
  type IncidentLevel,
  incidentLevelColours,
  incidentLevelNames,
  incidentStatusNames,
  type Role,
  reportKindNames,
  resourceKindNames,
  resourceKinds,
} from '@onegrid/domain';
import { useEffect, useState } from 'react';
import { toast } from 'sonner';
import {
  act,
  type Incident,
  loadNearest,
  loadPlans,
  type Plan,
  type Resource,
  type ResourceKind,
} from './data.ts';
import { distanceText, timeText, useEm } from './i18n.ts';

export function LevelBadge({ level, drill }: { level: number; drill?: boolean }) {
  const { lang } = useEm();
  const n = incidentLevelNames[level as IncidentLevel];
  return (
    <span
      className="em-level"
      style={{ background: incidentLevelColours[level as IncidentLevel] }}
      data-level={level}
    >
      {n.roman} · {n[lang]}
      {drill && <b className="em-drill">{lang === 'zh' ? '演练' : 'Drill'}</b>}
    </span>
  );
}

export function IncidentView({
  incident,
  role,
  departmentCode,
  onChanged,
}: {
  incident: Incident;
  role: Role;
  departmentCode: string | null;
  onChanged(i: Incident): void;
}) {
  const { e, lang } = useEm();
  const i = incident;
  const [busy, setBusy] = useState(false);
  const run = async (fn: () => Promise<Incident>, done?: string) => {
    setBusy(true);
    try {
      const next = await fn();
      onChanged(next);
      if (done) toast.success(done);
    } catch (err) {
      toast.error(`${e('failed')}：${err instanceof Error ? err.message : String(err)}`);
    } finally {
      setBusy(false);
    }
  };
  const command = can(role, 'emergency:command');
  const acting = can(role, 'emergency:act');

  // Activation: the proposed plan, at its level, unless the leader picks another.
  const [plans, setPlans] = useState<Plan[]>([]);
  const [planId, setPlanId] = useState<number | null>(i.proposedPlanId);
  const [level, setLevel] = useState<number>(i.level);
  useEffect(() => {
    if (i.status !== 'proposed' || !command) return;
    void loadPlans().then((p) => {
      setPlans(p.filter((x) => x.active));
      setPlanId((cur) => cur ?? p[0]?.id ?? null);
    });
  }, [i.status, command]);

  const [kind, setKind] = useState<ResourceKind>('pump');
  const [nearest, setNearest] = useState<Resource[]>([]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: asked again after each change (a dispatch takes one away)
  useEffect(() => {
    if (i.lng === null || i.lat === null) return;
    void loadNearest(i.lng, i.lat, kind, 5).then(setNearest);
  }, [i.lng, i.lat, kind, i.version]);

  const [feedback, setFeedback] = useState<Record<number, string>>({});
  const [reportText, setReportText] = useState('');
  const [note, setNote] = useState('');
  const done = i.tasks.filter((t) => t.status === 'done').length;

  return (
    <article className="em-incident" data-testid="incident" data-status={i.status} data-id={i.id}>
      <header className="em-incident__head">
        <LevelBadge level={i.level} drill={i.drill} />
        <h2>{i.title}</h2>
        <span className={`em-status em-status--${i.status}`} data-testid="incident-status">
          {incidentStatusNames[i.status][lang]}
        </span>
      </header>
      <dl className="em-facts">
        <dt>{e('place')}</dt>
        <dd>{i.areaName}</dd>
        {i.planName && (
          <>
            <dt>{e('plan')}</dt>
            <dd>{i.planName}</dd>
          </>
        )}
        {i.reason && (
          <>
            <dt>{e('reason')}</dt>
            <dd>{i.reason}</dd>
          </>
        )}
        <dt>{e('alarms')}</dt>
        <dd>
          {i.alarms.length} · {e('cases')} {i.cases.length}
        </dd>
        <dt>{e('onDuty')}</dt>
        <dd data-testid="incident-duty">
          {i.onDuty.platform
            ? `${i.onDuty.platform.name} · ${i.onDuty.onDuty.map((s) => `${s.displayName}（${e(s.post)}）`).join('、')}`
            : e('nobodyOnDuty')}
        </dd>
      </dl>

      {i.status === 'proposed' && command && (
        <section className="em-box" data-testid="activate-box">
          <h3>{e('activate')}</h3>
          <div className="em-row">
            <select
              value={planId ?? ''}
              onChange={(x) => setPlanId(Number(x.target.value))}
              aria-label={e('plan')}
            >
              {plans.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
            <select
              value={level}
              onChange={(x) => setLevel(Number(x.target.value))}
              aria-label={e('level')}
              data-testid="activate-level"
            >
              {([1, 2, 3, 4] as const).map((l) => (
                <option key={l} value={l}>
                  {incidentLevelNames[l].roman} · {incidentLevelNames[l][lang]}
                </option>
              ))}
            </select>
            <button
              type="button"
              className="btn btn-primary"
              data-testid="activate"
              disabled={busy || planId === null}
              onClick={() =>
                planId !== null && void run(() => act.activate(i.id, planId, level), e('activate'))
              }
            >
              {e('activate')}
            </button>
            <button
              type="button"
              className="btn"
              disabled={busy || !note}
              onClick={() => void run(() => act.dismiss(i.id, note), e('dismiss'))}
            >
              {e('dismiss')}
            </button>
          </div>
          <input
            className="em-input"
            placeholder={e('note')}
            value={note}
            onChange={(x) => setNote(x.target.value)}
          />
        </section>
      )}

      {i.tasks.length > 0 && (
        <section className="em-box" data-testid="tasks">
          <h3>
            {e('steps')} <small>{`${done}/${i.tasks.length}`}</small>
          </h3>
          <ol className="em-tasks">
            {i.tasks.map((t) => {
              const mine = role !== 'handler' || t.departmentCode === departmentCode;
              return (
                <li
                  key={t.id}
                  className={`em-task em-task--${t.status}${t.overdue ? ' is-overdue' : ''}`}
                  data-testid="task"
                  data-status={t.status}
                >
                  <div className="em-task__main">
                    <b>
                      {t.stepNo}. {t.title}
                    </b>
                    <span>
                      {t.departmentName ?? (lang === 'zh' ? '值班室' : 'Duty desk')} · {e('due')}{' '}
                      {timeText(t.dueAt)}
                      {t.overdue && <em className="em-late"> {e('overdue')}</em>}
                    </span>
                    {t.feedback && (
                      <span className="em-task__feedback">
                        {t.feedback}（{t.doneBy}）
                      </span>
                    )}
                  </div>
                  {t.status === 'open' && acting && mine && i.status === 'active' && (
                    <div className="em-row">
                      <input
                        className="em-input"
                        placeholder={e('feedback')}
                        value={feedback[t.id] ?? ''}
                        data-testid="task-feedback"
                        onChange={(x) => setFeedback({ ...feedback, [t.id]: x.target.value })}
                      />
                      <button
                        type="button"
                        className="btn"
                        data-testid="task-done"
                        disabled={busy || !feedback[t.id]}
                        onClick={() =>
                          void run(() => act.taskDone(i.id, t.id, feedback[t.id] ?? ''), e('done'))
                        }
                      >
                        {e('markDone')}
                      </button>
                    </div>
                  )}
                </li>
              );
            })}
          </ol>
        </section>
      )}

      <section className="em-box" data-testid="resources">
        <h3>{e('resources')}</h3>
        {i.dispatches.length > 0 && (
          <ul className="em-list">
            {i.dispatches.map((d) => (
              <li key={d.id} data-testid="dispatched">
                <span className="chip">{resourceKindNames[d.kind][lang]}</span> {d.name} ·{' '}
                {distanceText(d.distanceM, lang)} ·{' '}
                {d.releasedAt ? (lang === 'zh' ? '已收回' : 'released') : e('dispatched')}
              </li>
            ))}
          </ul>
        )}
        {i.status === 'active' && acting && (
          <>
            <div className="em-row">
              <span>{e('nearest')}</span>
              <select
                value={kind}
                onChange={(x) => setKind(x.target.value as ResourceKind)}
                data-testid="resource-kind"
              >
                {resourceKinds.map((k) => (
                  <option key={k} value={k}>
                    {resourceKindNames[k][lang]}
                  </option>
                ))}
              </select>
            </div>
            <ul className="em-list">
              {nearest.map((r) => (
                <li key={r.id} data-testid="nearest">
                  <span className="em-grow">
                    {r.name} · {distanceText(r.distanceM, lang)}
                    {r.capacity !== null && ` · ${e('capacity')} ${r.capacity}`}
                  </span>
                  <button
                    type="button"
                    className="btn"
                    data-testid="dispatch"
                    disabled={busy}
                    onClick={() => void run(() => act.dispatch(i.id, r.id), `${e('dispatch')} ${r.name}`)}
                  >
                    {e('dispatch')}
                  </button>
                </li>
              ))}
              {nearest.length === 0 && <li className="em-muted">{e('noData')}</li>}
            </ul>
          </>
        )}
      </section>

      {i.status !== 'proposed' && i.status !== 'dismissed' && (
        <section className="em-box" data-testid="reports">
          <h3>{e('reports')}</h3>
          <ul className="em-list">
            {i.reports.map((r) => (
              <li key={r.id} data-testid="report">
                <b>{reportKindNames[r.kind][lang]}</b> → {r.toAreaName} · {timeText(r.sentAt)} ·{' '}
                {r.onTime ? e('onTime') : <em className="em-late">{e('late')}</em>}
                <div className="em-muted">{r.text}</div>
              </li>
            ))}
          </ul>
          {i.nextReport && acting && (
            <div className="em-report-form">
              <span data-testid="next-report">
                {e('nextReport')}：{reportKindNames[i.nextReport.kind][lang]} · {e('due')}{' '}
                {timeText(i.nextReport.dueAt)}
                {i.nextReport.overdue && <em className="em-late"> {e('overdue')}</em>}
              </span>
              <textarea
                className="em-input"
                rows={2}
                placeholder={e('reportText')}
                value={reportText}
                data-testid="report-text"
                onChange={(x) => setReportText(x.target.value)}
              />
              <button
                type="button"
                className="btn btn-primary"
                data-testid="send-report"
                disabled={busy || !reportText}
                onClick={() => {
                  const k = i.nextReport!.kind;
                  void run(() => act.report(i.id, k, reportText), reportKindNames[k][lang]).then(() =>
                    setReportText(''),
                  );
                }}
              >
                {e('send')} {reportKindNames[i.nextReport.kind][lang]}
              </button>
            </div>
          )}
        </section>
      )}

      {i.status === 'active' && command && (
        <section className="em-box em-row">
          <input
            className="em-input"
            placeholder={e('note')}
            value={note}
            onChange={(x) => setNote(x.target.value)}
          />
          <button
            type="button"
            className="btn"
            data-testid="stand-down"
            disabled={busy || !note}
            onClick={() => void run(() => act.standDown(i.id, note), e('standDown'))}
          >
            {e('standDown')}
          </button>
        </section>
      )}

      <section className="em-box">
        <h3>{e('timeline')}</h3>
        <ol className="em-timeline" data-testid="timeline">
          {i.timeline.map((t) => (
            <li key={`${t.at}-${t.kind}-${t.text}`}>
              <time>{timeText(t.at)}</time> <b>{t.actor}</b> {t.text}
            </li>
          ))}
        </ol>
      </section>
    </article>
  );
}
