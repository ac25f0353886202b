/**
 * 工作日历: working hours, weekend days, holidays (法定节假日) and make-up workdays (调休上班),
 * which working-time deadlines count by. Saved into the loop settings; effective at once.
 */
import { checkDateOrRange } from '@onegrid/domain';
import { type FormEvent, useState } from 'react';
import type { components } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { HolidayNoticeForm } from './HolidayNoticeForm.tsx';
import { LevelBar, Origin, ownLevel, useLevelSettings } from './levels.tsx';
import { Empty, Field, Notice, problemText, useDraft } from './parts.tsx';

type Calendar = components['schemas']['LoopSettings']['calendar'];

const weekdayKeys = [
  'admin.cal.sun',
  'admin.cal.mon',
  'admin.cal.tue',
  'admin.cal.wed',
  'admin.cal.thu',
  'admin.cal.fri',
  'admin.cal.sat',
] as const;

export function CalendarTab({ scope }: { scope: string }) {
  const { t } = useI18n();
  const [level, setLevel] = useState(() => ownLevel(scope));
  const settings = useLevelSettings(level, scope);
  const cal = settings.data?.effective.calendar as Calendar | undefined;
  const editable = settings.data?.editable;
  const origin = settings.data?.origins.calendar;
  const [draft, setDraft, clear] = useDraft('calendar', {
    date: '',
    kind: 'holidays' as 'holidays' | 'workdays',
  });
  const [problem, setProblem] = useState<string | undefined>();

  /** Saving at a district or street makes the calendar its own (a copy of what it inherited, changed). */
  const save = (next: Calendar) => settings.put('calendar', next);

  async function add(e: FormEvent) {
    e.preventDefault();
    if (!cal) return;
    const value = draft.date.trim();
    const p = checkDateOrRange(value);
    setProblem(p ? problemText(t, 'date', p, t('admin.cal.date')) : undefined);
    if (p) return;
    if (cal[draft.kind].includes(value)) {
      setProblem(t('admin.cal.already'));
      return;
    }
    const next = { ...cal, [draft.kind]: [...cal[draft.kind], value].sort() };
    if (await save(next)) clear();
  }

  const remove = (kind: 'holidays' | 'workdays', value: string) =>
    cal && void save({ ...cal, [kind]: cal[kind].filter((d) => d !== value) });

  return (
    <div className="ad-page">
      <LevelBar scope={scope} level={level} onLevel={setLevel} editable={editable}>
        {origin && <Origin origin={origin} level={level} />}
        {level && origin === level && editable && (
          <button
            type="button"
            className="btn btn-sm btn-outline"
            data-testid="calendar-inherit"
            onClick={() => void settings.put('calendar', null)}
          >
            {t('admin.level.inherit')}
          </button>
        )}
      </LevelBar>
      {settings.error && <Notice kind="error">{settings.error}</Notice>}
      <div className="ad-split">
        <section className="ad-card ad-card--grow">
          {cal && (
            <dl className="ad-facts">
              <dt>{t('admin.cal.hours')}</dt>
              <dd>{cal.workHours.map((h) => `${h.start}–${h.end}`).join('，')}</dd>
              <dt>{t('admin.cal.weekend')}</dt>
              <dd>{cal.weekendDays.map((d) => t(weekdayKeys[d] ?? 'admin.cal.sun')).join('、')}</dd>
              <dt>{t('admin.cal.zone')}</dt>
              <dd>
                UTC{cal.utcOffsetMinutes >= 0 ? '+' : ''}
                {cal.utcOffsetMinutes / 60}
              </dd>
            </dl>
          )}
          {settings.notice}
          <div className="ad-cols">
            {(['holidays', 'workdays'] as const).map((kind) => (
              <div key={kind}>
                <h2 className="ad-h">
                  {t(kind === 'holidays' ? 'admin.cal.holidays' : 'admin.cal.workdays')}
                </h2>
                <ul className="ad-dates" data-testid={`cal-${kind}`}>
                  {cal?.[kind].map((d) => (
                    <li key={d}>
                      <span className="mono">{d.replace('..', ' → ')}</span>
                      <button
                        type="button"
                        disabled={!editable}
                        className="btn btn-sm btn-ghost"
                        aria-label={t('admin.remove')}
                        onClick={() => remove(kind, d)}
                      >
                        ×
                      </button>
                    </li>
                  ))}
                </ul>
                {cal && cal[kind].length === 0 && <Empty>{t('admin.none')}</Empty>}
              </div>
            ))}
          </div>
        </section>
        <div className="ad-stack">
          <form
            className="ad-card ad-form"
            onSubmit={(e) => void add(e)}
            noValidate
            data-testid="calendar-form"
          >
            <h2 className="ad-h">{t('admin.cal.add')}</h2>
            <Field label={t('admin.cal.kind')}>
              <select
                value={draft.kind}
                onChange={(e) => setDraft({ kind: e.target.value as 'holidays' | 'workdays' })}
              >
                <option value="holidays">{t('admin.cal.holiday')}</option>
                <option value="workdays">{t('admin.cal.workday')}</option>
              </select>
            </Field>
            <Field label={t('admin.cal.date')} error={problem}>
              <input
                value={draft.date}
                placeholder="2026-10-01..2026-10-07"
                onChange={(e) => setDraft({ date: e.target.value })}
                name="date"
              />
            </Field>
            <p className="muted ad-small">{t('admin.cal.help')}</p>
            <button type="submit" className="btn btn-primary" disabled={!editable}>
              {t('admin.add')}
            </button>
          </form>
          <HolidayNoticeForm cal={cal} save={save} />
        </div>
      </div>
    </div>
  );
}
