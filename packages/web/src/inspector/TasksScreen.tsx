/**
 * My tasks: reports to verify (核实) and fixes to check (核查) in my grid, from the case list API;
 * the result (with a photo) joins the offline queue. Below: my reports and my self-handled cases.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, unwrap } from '../api/client.ts';
import { fieldMessage, validateBody } from '../api/validate.ts';
import { CaseMap } from '../cases/CaseMap.tsx';
import type { Case } from '../cases/data.ts';
import { NearestAddress } from '../cases/NearestAddress.tsx';
import { statusShort } from '../cases/names.ts';
import { Photo } from '../cases/parts.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { CameraIcon, Empty, ItemStatus } from './parts.tsx';
import { type ActionItem, newKey, type QueueItem, type ReportItem } from './queue.ts';
import type { QueueState } from './useQueue.ts';
import { actionProblem } from './validate.ts';

interface Lists {
  verify: Case[];
  check: Case[];
  mine: Case[];
}

const cacheKey = (userId: number) => `onegrid.inspector.tasks.${userId}`;

function cachedLists(userId: number): Lists | null {
  try {
    const raw = localStorage.getItem(cacheKey(userId));
    return raw ? (JSON.parse(raw) as Lists) : null;
  } catch {
    return null;
  }
}

async function loadLists(): Promise<Lists> {
  const list = (query: Record<string, string | number>) =>
    unwrap(api.GET('/api/v1/cases', { params: { query: { pageSize: 50, ...query } } })).then((r) => r.items);
  const [verify, check, mine] = await Promise.all([
    list({ status: 'verifying' }),
    list({ status: 'handled' }),
    list({ reporter: 'me', pageSize: 30 }),
  ]);
  return { verify, check, mine };
}

/** Self-handled: closed straight from the report, never dispatched to a department. */
const selfHandled = (c: Case) => c.status === 'closed' && c.closeType === 'normal' && !c.departmentCode;

function ActForm({
  c,
  action,
  queue,
  onDone,
}: {
  c: Case;
  action: 'verify' | 'confirm-report';
  queue: QueueState;
  onDone(): void;
}) {
  const { t } = useI18n();
  const [ok, setOk] = useState<boolean | null>(null);
  const [note, setNote] = useState('');
  const [photo, setPhoto] = useState<File | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const file = useRef<HTMLInputElement>(null);
  const yes = action === 'verify' ? t('insp.passed') : t('insp.confirmed');
  const no = action === 'verify' ? t('insp.failedCheck') : t('insp.notConfirmed');

  const submit = async () => {
    const body: ActionItem['body'] = {
      ...(ok !== null ? (action === 'verify' ? { passed: ok } : { confirmed: ok }) : {}),
      ...(note.trim() ? { note: note.trim() } : {}),
    };
    const key = newKey();
    const field = ok === null ? (action === 'verify' ? 'passed' : 'confirmed') : actionProblem(action, body);
    if (field) {
      setProblem(field === 'note' ? t('insp.err.tooLong') : t('insp.err.pickResult'));
      return;
    }
    // The server's request schema too, on the body as the queue will send it.
    const wire = validateBody('POST /api/v1/cases/{id}/{action}', {
      ...body,
      version: c.version,
      idempotencyKey: key,
    });
    if (wire[0]) {
      setProblem(`${wire[0].field}: ${fieldMessage(t, wire[0])}`);
      return;
    }
    await queue.add({
      kind: 'action',
      key,
      createdAt: new Date().toISOString(),
      state: 'queued',
      attempts: 0,
      caseId: c.id,
      caseNumber: c.number,
      action,
      version: c.version,
      body,
      photos: photo ? [{ blob: photo, name: photo.name || 'photo.jpg' }] : [],
    });
    onDone();
  };

  return (
    <div className="insp-act" data-testid="act-form">
      <div className="insp-act__choice" role="radiogroup">
        <button
          type="button"
          className={`insp-toggle${ok === true ? ' insp-toggle--on' : ''}`}
          aria-pressed={ok === true}
          onClick={() => setOk(true)}
          data-testid="act-yes"
        >
          {yes}
        </button>
        <button
          type="button"
          className={`insp-toggle insp-toggle--no${ok === false ? ' insp-toggle--on' : ''}`}
          aria-pressed={ok === false}
          onClick={() => setOk(false)}
          data-testid="act-no"
        >
          {no}
        </button>
      </div>
      <input
        ref={file}
        type="file"
        accept="image/*"
        capture="environment"
        className="insp-file"
        data-testid="act-photo"
        onChange={(e) => setPhoto(e.target.files?.[0] ?? null)}
      />
      <button type="button" className="btn insp-act__photo" onClick={() => file.current?.click()}>
        <CameraIcon size={18} />
        {photo ? t('insp.photoTaken') : t('insp.takePhoto')}
      </button>
      <textarea
        className="insp-input"
        rows={2}
        placeholder={t('insp.note')}
        aria-label={t('insp.note')}
        value={note}
        onChange={(e) => setNote(e.target.value)}
      />
      {problem && <p className="insp-error">{problem}</p>}
      <button
        type="button"
        className="btn btn-primary btn-block"
        onClick={() => void submit()}
        data-testid="act-submit"
      >
        {t('insp.submitResult')}
      </button>
    </div>
  );
}

/** The photos of a case's report and of its handling (the after-photo a check looks at). */
function useCasePhotos(id: number, enabled: boolean) {
  const [photos, setPhotos] = useState<{ report: string[]; handled: string[] } | null>(null);
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    unwrap(api.GET('/api/v1/cases/{id}', { params: { path: { id } } }))
      .then((c) => {
        if (!live) return;
        const of = (a: string) => (c.timeline ?? []).filter((e) => e.action === a).flatMap((e) => e.photos);
        setPhotos({ report: of('report'), handled: of('handle') });
      })
      .catch(() => setPhotos({ report: [], handled: [] }));
    return () => {
      live = false;
    };
  }, [id, enabled]);
  return photos;
}

function TaskCard({
  c,
  action,
  queue,
  queued,
}: {
  c: Case;
  action: 'verify' | 'confirm-report';
  queue: QueueState;
  queued: QueueItem | undefined;
}) {
  const { t, lang } = useI18n();
  const [open, setOpen] = useState(false);
  // Online, the card shows where and what: the reporter's photo (and the after-photo to check).
  const photos = useCasePhotos(c.id, navigator.onLine);
  const overdue = c.deadline ? Date.parse(c.deadline.dueAt) < Date.now() : false;
  const shown = [...(photos?.report ?? []).slice(0, 2), ...(photos?.handled ?? []).slice(0, 2)];
  return (
    <li
      className={`insp-card${overdue ? ' insp-card--overdue' : c.deadline?.state === 'warning' ? ' insp-card--warning' : ''}`}
      data-testid="task"
      data-case={c.number}
      data-overdue={overdue}
    >
      <div className="insp-card__head">
        <span className="insp-number">{c.number}</span>
        {overdue && (
          <span className="insp-chip insp-chip--overdue" data-testid="task-overdue">
            {t('insp.overdue')}
          </span>
        )}
        <span className="insp-chip">{statusShort(c.status, lang)}</span>
      </div>
      <div className="insp-card__title">{c.categoryName ?? c.category}</div>
      <div className="insp-card__text">{c.description}</div>
      <div className="insp-card__place" data-testid="task-place">
        {c.address ?? (
          <NearestAddress
            lng={c.location.lng}
            lat={c.location.lat}
            known={c.nearAddress ? { text: c.nearAddress, metres: Math.round(c.nearAddressM ?? 0) } : null}
          />
        )}
      </div>
      {shown.length > 0 && (
        <div className="insp-card__photos" data-testid="task-photos">
          {shown.map((id) => (
            <Photo key={id} id={id} alt={t('insp.taskPhoto')} />
          ))}
        </div>
      )}
      <div className="insp-card__meta">
        {c.unitGridCode ?? c.streetCode ?? c.districtCode}
        {c.deadline &&
          ` · ${t('insp.due')} ${new Date(c.deadline.dueAt).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en')}`}
      </div>
      {open && (
        <div className="insp-card__map" data-testid="task-map">
          <CaseMap
            points={[
              { id: c.id, lng: c.location.lng, lat: c.location.lat, tone: overdue ? 'overdue' : 'ok' },
            ]}
            selected={c.id}
            zoom={16}
          />
        </div>
      )}
      {queued ? (
        <ItemStatus item={queued} />
      ) : open ? (
        <ActForm c={c} action={action} queue={queue} onDone={() => setOpen(false)} />
      ) : (
        <button
          type="button"
          className="btn btn-primary"
          onClick={() => setOpen(true)}
          data-testid="task-open"
        >
          {action === 'verify' ? t('insp.doCheck') : t('insp.doVerify')}
        </button>
      )}
    </li>
  );
}

export function TasksScreen({ userId, queue }: { userId: number; queue: QueueState }) {
  const { t, lang } = useI18n();
  const [lists, setLists] = useState<Lists | null>(() => cachedLists(userId));
  const [stale, setStale] = useState(false);

  const reload = useCallback(() => {
    loadLists()
      .then((l) => {
        setLists(l);
        setStale(false);
        try {
          localStorage.setItem(cacheKey(userId), JSON.stringify(l));
        } catch {
          // Shown, not cached.
        }
      })
      .catch(() => setStale(true));
  }, [userId]);

  // Again whenever the queue delivered something, so statuses follow.
  const sentCount = queue.items.filter((i) => i.state === 'sent').length;
  // biome-ignore lint/correctness/useExhaustiveDependencies: sentCount and online are the triggers
  useEffect(reload, [reload, sentCount, queue.online]);

  const queuedFor = (id: number, action: string) =>
    queue.items.find(
      (i): i is ActionItem =>
        i.kind === 'action' && i.caseId === id && i.action === action && i.state !== 'sent',
    );
  const localReports = queue.items.filter((i): i is ReportItem => i.kind === 'report' && i.state !== 'sent');

  return (
    <div className="insp-tasks" data-testid="tasks">
      {stale && <p className="insp-notice">{t('insp.tasksOffline')}</p>}
      <h2 className="insp-section">
        {t('insp.verifyTasks')} <span className="insp-count">{lists?.verify.length ?? 0}</span>
      </h2>
      <ul className="insp-cards" data-testid="verify-tasks">
        {lists?.verify.map((c) => (
          <TaskCard
            key={c.id}
            c={c}
            action="confirm-report"
            queue={queue}
            queued={queuedFor(c.id, 'confirm-report')}
          />
        ))}
        {!lists?.verify.length && <Empty text={t('insp.noTasks')} />}
      </ul>
      <h2 className="insp-section">
        {t('insp.checkTasks')} <span className="insp-count">{lists?.check.length ?? 0}</span>
      </h2>
      <ul className="insp-cards" data-testid="check-tasks">
        {lists?.check.map((c) => (
          <TaskCard key={c.id} c={c} action="verify" queue={queue} queued={queuedFor(c.id, 'verify')} />
        ))}
        {!lists?.check.length && <Empty text={t('insp.noTasks')} />}
      </ul>
      <h2 className="insp-section">{t('insp.myReports')}</h2>
      <ul className="insp-rows" data-testid="my-reports">
        {localReports.map((i) => (
          <li key={i.key} className="insp-row" data-testid="queued-report">
            <span className="insp-row__main">{i.body.description}</span>
            <ItemStatus item={i} />
            {i.state === 'failed' && (
              <span className="insp-row__actions">
                <button
                  type="button"
                  className="btn btn-ghost insp-link"
                  onClick={() => void queue.retry(i.key)}
                >
                  {t('insp.retry')}
                </button>
                <button
                  type="button"
                  className="btn btn-ghost insp-link"
                  onClick={() => void queue.remove(i.key)}
                >
                  {t('insp.discard')}
                </button>
              </span>
            )}
          </li>
        ))}
        {lists?.mine
          .filter((c) => !selfHandled(c))
          .map((c) => (
            <li key={c.id} className="insp-row" data-testid="my-report" data-case={c.number}>
              <span className="insp-row__main">
                <span className="insp-number">{c.number}</span> {c.categoryName}
              </span>
              <span className="insp-chip">{statusShort(c.status, lang)}</span>
            </li>
          ))}
        {!localReports.length && !lists?.mine.length && <Empty text={t('insp.noReports')} />}
      </ul>
      <h2 className="insp-section">{t('insp.selfHandled')}</h2>
      <ul className="insp-rows" data-testid="self-handled">
        {lists?.mine.filter(selfHandled).map((c) => (
          <li key={c.id} className="insp-row">
            <span className="insp-row__main">
              <span className="insp-number">{c.number}</span> {c.categoryName}
            </span>
            <span className="insp-chip">{statusShort(c.status, lang)}</span>
          </li>
        ))}
        {!lists?.mine.some(selfHandled) && <Empty text={t('insp.noSelfHandled')} />}
      </ul>
    </div>
  );
}
