/**
 * 导入放假通知: the administrator pastes the State Council's yearly holiday notice
 * (国务院办公厅关于 YYYY 年部分节假日安排的通知), sees what was read — each festival's days and
 * the make-up working days — and adds them to the calendar in one save.
 */
import { type ParsedNotice, parseHolidayNotice } from '@onegrid/domain';
import { type FormEvent, useState } from 'react';
import type { components } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Field, Notice } from './parts.tsx';

type Calendar = components['schemas']['LoopSettings']['calendar'];

export function HolidayNoticeForm({
  cal,
  save,
}: {
  cal: Calendar | undefined;
  save: (next: Calendar) => Promise<boolean>;
}) {
  const { t } = useI18n();
  const [year, setYear] = useState(String(new Date().getFullYear() + 1));
  const [text, setText] = useState('');
  const [parsed, setParsed] = useState<ParsedNotice | undefined>();

  function read(e: FormEvent) {
    e.preventDefault();
    const y = Number(year);
    if (!Number.isInteger(y) || y < 2000 || y > 2100) return;
    setParsed(parseHolidayNotice(text, y));
  }

  async function apply() {
    if (!cal || !parsed) return;
    const merge = (old: readonly string[], add: readonly string[]) => [...new Set([...old, ...add])].sort();
    const ok = await save({
      ...cal,
      holidays: merge(cal.holidays, parsed.holidays),
      workdays: merge(cal.workdays, parsed.workdays),
    });
    if (ok) {
      setParsed(undefined);
      setText('');
    }
  }

  const readable = parsed && parsed.festivals.length > 0;
  return (
    <form className="ad-card ad-form" onSubmit={read} noValidate data-testid="holiday-notice-form">
      <h2 className="ad-h">{t('admin.cal.notice')}</h2>
      <Field label={t('admin.cal.noticeYear')}>
        <input value={year} inputMode="numeric" onChange={(e) => setYear(e.target.value)} name="year" />
      </Field>
      <Field label={t('admin.cal.noticeText')}>
        <textarea
          value={text}
          rows={6}
          placeholder="一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。"
          onChange={(e) => setText(e.target.value)}
          name="notice"
        />
      </Field>
      <button type="submit" className="btn" disabled={!text.trim()}>
        {t('admin.cal.noticeRead')}
      </button>
      {parsed && (
        <div data-testid="holiday-notice-result">
          {parsed.problems.map((p) => (
            <Notice kind="error" key={`${p.line}${p.reason}`}>
              {t('admin.cal.noticeProblem', { line: p.line || '—', reason: p.reason })}
            </Notice>
          ))}
          {readable && (
            <>
              <ul className="ad-dates">
                {parsed.festivals.map((f) => (
                  <li key={f.range}>
                    {f.name} <span className="mono">{f.range.replace('..', ' → ')}</span>
                  </li>
                ))}
                {parsed.workdays.length > 0 && (
                  <li>
                    {t('admin.cal.workdays')} <span className="mono">{parsed.workdays.join('，')}</span>
                  </li>
                )}
              </ul>
              <button type="button" className="btn btn-primary" onClick={() => void apply()}>
                {t('admin.cal.noticeApply', { n: parsed.festivals.length })}
              </button>
            </>
          )}
        </div>
      )}
    </form>
  );
}
