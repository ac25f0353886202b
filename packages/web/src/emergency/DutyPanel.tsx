/** 值班值守: who is on duty for my area (up the tree), the handover, the duty log. */

import { useCallback, useEffect, useState } from 'react';
import { toast } from 'sonner';
import type { User } from '../api/client.ts';
import {
  act,
  type DutyLogEntry,
  type DutyNow,
  loadDutyLog,
  loadDutyNow,
  useEmergencyStream,
} from './data.ts';
import { timeText, useEm } from './i18n.ts';

export function DutyPanel({ user }: { user: User }) {
  const { e } = useEm();
  const [now, setNow] = useState<DutyNow | null>(null);
  const [log, setLog] = useState<DutyLogEntry[]>([]);
  const [text, setText] = useState('');
  const [note, setNote] = useState('');
  const reload = useCallback(async () => {
    setNow(await loadDutyNow());
    setLog(await loadDutyLog());
  }, []);
  useEffect(() => {
    void reload();
  }, [reload]);
  useEmergencyStream((topic) => {
    if (topic.startsWith('duty.') || topic.startsWith('emergency.')) void reload();
  });
  const mine = now?.onDuty.find((s) => s.userId === user.id && !s.handedOverAt);
  const fail = (err: unknown) =>
    toast.error(`${e('failed')}：${err instanceof Error ? err.message : String(err)}`);
  return (
    <div className="em-duty" data-testid="duty">
      <section className="em-box">
        <h3>{e('onDuty')}</h3>
        {now?.platform ? (
          <ul className="em-list" data-testid="on-duty">
            <li className="em-muted">{now.platform.name}</li>
            {now.onDuty.map((s) => (
              <li key={s.id}>
                <b>{s.displayName}</b> · {e(s.post)} · {timeText(s.startsAt)}–{timeText(s.endsAt)}
                {s.handedOverAt && ` · ${e('handedOver')}`}
              </li>
            ))}
          </ul>
        ) : (
          <p className="em-muted">{e('nobodyOnDuty')}</p>
        )}
        {mine && (
          <div className="em-row">
            <input
              className="em-input"
              placeholder={e('handoverNote')}
              value={note}
              onChange={(x) => setNote(x.target.value)}
            />
            <button
              type="button"
              className="btn"
              disabled={!note}
              onClick={() =>
                void act.handover(mine.id, note).then(() => {
                  setNote('');
                  void reload();
                }, fail)
              }
            >
              {e('handover')}
            </button>
          </div>
        )}
      </section>
      <section className="em-box">
        <h3>{e('dutyLog')}</h3>
        {now?.platform && (
          <div className="em-row">
            <input
              className="em-input"
              placeholder={e('logText')}
              value={text}
              onChange={(x) => setText(x.target.value)}
            />
            <button
              type="button"
              className="btn"
              disabled={!text}
              onClick={() =>
                void act.log(now.platform!.code, text).then(() => {
                  setText('');
                  void reload();
                }, fail)
              }
            >
              {e('addLog')}
            </button>
          </div>
        )}
        <ol className="em-timeline" data-testid="duty-log">
          {log.map((l) => (
            <li key={l.id}>
              <time>{timeText(l.at)}</time> <b>{l.displayName ?? '系统'}</b> {l.text}
            </li>
          ))}
        </ol>
      </section>
    </div>
  );
}
