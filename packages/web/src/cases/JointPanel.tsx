/**
 * 联勤联动 on the case detail: the assisting departments with their tasks, deadlines and feedback;
 * the command centre adds one to a dispatched case, an assistant's own staff report back. The
 * lead's 处置反馈 waits for every assistant (the server says so).
 */
import { useCallback, useEffect, useState } from 'react';
import { toast } from 'sonner';
import { api, type components, type User, unwrap } from '../api/client.ts';
import { useAuth } from '../auth/auth.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import './JointPanel.css';

type Assist = components['schemas']['CaseAssist'];
const words = {
  zh: {
    title: '联勤联动 · 协办部门',
    add: '增加协办',
    task: '协办任务',
    due: '时限',
    hours: '小时内',
    waiting: '待反馈',
    done: '已反馈',
    overdue: '超时',
    feedback: '协办反馈',
    send: '提交反馈',
    none: '暂无协办部门',
  },
  en: {
    title: 'Joint handling · assisting departments',
    add: 'Add assistant',
    task: 'Task',
    due: 'Within',
    hours: 'hours',
    waiting: 'Waiting',
    done: 'Reported',
    overdue: 'Overdue',
    feedback: 'Feedback',
    send: 'Report',
    none: 'No assisting department',
  },
};
const commandCentre = new Set(['operator', 'dispatcher', 'leader', 'admin']);

export function JointPanel({ caseId, status }: { caseId: number; status: string }) {
  const { lang } = useI18n();
  const w = words[lang];
  const { state } = useAuth();
  const user: User | null = state.status === 'signedIn' ? state.session.user : null;
  const [assists, setAssists] = useState<Assist[]>([]);
  const [candidates, setCandidates] = useState<{ code: string; name: string }[]>([]);
  const [dept, setDept] = useState('');
  const [task, setTask] = useState('');
  const [hours, setHours] = useState(4);
  const [feedback, setFeedback] = useState('');
  const canAdd = !!user && commandCentre.has(user.role) && (status === 'dispatched' || status === 'handling');
  const reload = useCallback(async () => {
    setAssists(
      await unwrap(api.GET('/api/v1/cases/{id}/assists', { params: { path: { id: caseId } } })).catch(
        () => [],
      ),
    );
    if (canAdd) {
      const c = await unwrap(
        api.GET('/api/v1/cases/{id}/assists/candidates', { params: { path: { id: caseId } } }),
      ).catch(() => []);
      setCandidates(c);
      setDept((d) => d || c[0]?.code || '');
    }
  }, [caseId, canAdd]);
  useEffect(() => {
    void reload();
  }, [reload]);
  const fail = (e: unknown) => toast.error(e instanceof Error ? e.message : String(e));
  const mine = assists.find(
    (a) => user?.role === 'handler' && a.departmentCode === user.departmentCode && !a.doneAt,
  );
  if (!canAdd && assists.length === 0) return null;
  return (
    <section className="cd-joint" data-testid="joint">
      <h3 className="cd-h3">{w.title}</h3>
      {assists.length === 0 && <p className="muted">{w.none}</p>}
      <ul className="cd-joint__list">
        {assists.map((a) => (
          <li key={a.departmentCode} data-testid="assist" data-done={a.doneAt ? 'true' : 'false'}>
            <strong>{a.departmentName}</strong> · {a.task} ·{' '}
            <span className={a.overdue ? 'deadline deadline--overdue' : ''}>
              {a.doneAt ? w.done : a.overdue ? w.overdue : w.waiting}
            </span>
            {a.feedback && <div className="muted">{a.feedback}</div>}
          </li>
        ))}
      </ul>
      {mine && (
        <div className="cd-joint__form">
          <input
            value={feedback}
            placeholder={w.feedback}
            onChange={(e) => setFeedback(e.target.value)}
            data-testid="assist-feedback"
          />
          <button
            type="button"
            className="btn btn-primary"
            disabled={!feedback}
            onClick={() =>
              void unwrap(
                api.POST('/api/v1/cases/{id}/assists/{dept}/feedback', {
                  params: { path: { id: caseId, dept: mine.departmentCode } },
                  body: { feedback },
                }),
              ).then((next) => {
                setAssists(next);
                setFeedback('');
              }, fail)
            }
          >
            {w.send}
          </button>
        </div>
      )}
      {canAdd && candidates.length > 0 && (
        <div className="cd-joint__form">
          <select
            value={dept}
            onChange={(e) => setDept(e.target.value)}
            data-testid="assist-dept"
            aria-label={w.add}
          >
            {candidates.map((d) => (
              <option key={d.code} value={d.code}>
                {d.name}
              </option>
            ))}
          </select>
          <input
            value={task}
            placeholder={w.task}
            onChange={(e) => setTask(e.target.value)}
            data-testid="assist-task"
          />
          <select value={hours} onChange={(e) => setHours(Number(e.target.value))} aria-label={w.due}>
            {[2, 4, 8, 24].map((h) => (
              <option key={h} value={h}>
                {h} {w.hours}
              </option>
            ))}
          </select>
          <button
            type="button"
            className="btn"
            disabled={!task || !dept}
            data-testid="assist-add"
            onClick={() =>
              void unwrap(
                api.POST('/api/v1/cases/{id}/assists', {
                  params: { path: { id: caseId } },
                  body: {
                    departmentCode: dept,
                    task,
                    dueAt: new Date(Date.now() + hours * 3600_000).toISOString(),
                  },
                }),
              ).then(() => {
                setTask('');
                setDept('');
                void reload();
              }, fail)
            }
          >
            {w.add}
          </button>
        </div>
      )}
    </section>
  );
}
