/**
 * 审计日志: the auditor's screen (审计管理员, and nobody else). Filters by time, actor, action
 * group or name and object; newest first, a page at a time; CSV export (itself audited). Each
 * row shows its hash, so a printout can be checked against `onegrid audit verify`.
 */
import { type AuditActionGroup, auditActionGroups, auditGroupOf } from '@onegrid/domain';
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { api, type components, unwrap } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';
import './audit.css';

type Entry = components['schemas']['AuditEntry'];
interface Filter {
  from: string;
  to: string;
  actor: string;
  action: string;
  object: string;
}
const empty: Filter = { from: '', to: '', actor: '', action: '', object: '' };

/** datetime-local is the browser's local time; the API takes an instant. */
const instant = (local: string) => (local ? new Date(local).toISOString() : undefined);

function query(f: Filter) {
  return {
    ...(f.from ? { from: instant(f.from) } : {}),
    ...(f.to ? { to: instant(f.to) } : {}),
    ...(f.actor.trim() ? { actor: f.actor.trim() } : {}),
    ...(f.action.trim() ? { action: f.action.trim() } : {}),
    ...(f.object.trim() ? { object: f.object.trim() } : {}),
  };
}

async function downloadCsv(f: Filter): Promise<void> {
  const r = await api.GET('/api/v1/audit/export.csv', { params: { query: query(f) }, parseAs: 'blob' });
  if (!r.response.ok || !(r.data instanceof Blob)) throw new Error(`HTTP ${r.response.status}`);
  const url = URL.createObjectURL(r.data);
  const a = document.createElement('a');
  a.href = url;
  a.download = 'audit-log.csv';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export default function AuditPage() {
  const { t, lang } = useI18n();
  const [draft, setDraft] = useState<Filter>(empty);
  const [filter, setFilter] = useState<Filter>(empty);
  const [items, setItems] = useState<Entry[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<string | null>(null);

  const load = useCallback(async (f: Filter, before?: number) => {
    setBusy(true);
    try {
      const r = await unwrap(
        api.GET('/api/v1/audit', {
          params: { query: { ...query(f), limit: 100, ...(before ? { before } : {}) } },
        }),
      );
      setItems((old) => (before ? [...old, ...r.items] : r.items));
      setNext(r.next);
    } catch (e) {
      setNote(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  }, []);

  useEffect(() => {
    void load(filter);
  }, [filter, load]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setNote(null);
    setFilter({ ...draft });
  };
  const when = (iso: string) =>
    new Date(iso).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', {
      timeZone: 'Asia/Shanghai',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
  const groupName = (action: string) => {
    const g = auditGroupOf(action);
    return g ? auditActionGroups[g][lang] : '';
  };
  const set = (k: keyof Filter) => (e: { target: { value: string } }) =>
    setDraft({ ...draft, [k]: e.target.value });

  return (
    <section className="audit-page" data-testid="audit-page">
      <header className="audit-head">
        <h1>{t('audit.title')}</h1>
        <p className="audit-muted">{t('audit.intro')}</p>
      </header>
      <form className="audit-filters" onSubmit={submit} data-testid="audit-filters">
        <label>
          <span>{t('audit.from')}</span>
          <input type="datetime-local" value={draft.from} onChange={set('from')} data-testid="audit-from" />
        </label>
        <label>
          <span>{t('audit.to')}</span>
          <input type="datetime-local" value={draft.to} onChange={set('to')} data-testid="audit-to" />
        </label>
        <label>
          <span>{t('audit.actor')}</span>
          <input value={draft.actor} onChange={set('actor')} placeholder="admin" data-testid="audit-actor" />
        </label>
        <label>
          <span>{t('audit.action')}</span>
          <select value={draft.action} onChange={set('action')} data-testid="audit-action">
            <option value="">{t('audit.allActions')}</option>
            {(Object.keys(auditActionGroups) as AuditActionGroup[]).map((g) => (
              <option key={g} value={g}>
                {auditActionGroups[g][lang]}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>{t('audit.object')}</span>
          <input
            value={draft.object}
            onChange={set('object')}
            placeholder="case:42"
            data-testid="audit-object"
          />
        </label>
        <div className="audit-buttons">
          <button type="submit" className="btn btn-primary" data-testid="audit-search">
            {t('audit.search')}
          </button>
          <button
            type="button"
            className="btn btn-outline"
            data-testid="audit-export"
            onClick={() =>
              void downloadCsv(filter).then(
                () => {
                  setNote(t('audit.exported'));
                  void load(filter);
                },
                (e: unknown) => setNote(String(e)),
              )
            }
          >
            {t('audit.export')}
          </button>
        </div>
      </form>
      {note && (
        <p className="audit-note" role="status" data-testid="audit-note">
          {note}
        </p>
      )}
      <div className="audit-table-wrap">
        <table className="audit-table" data-testid="audit-table">
          <thead>
            <tr>
              <th>#</th>
              <th>{t('audit.at')}</th>
              <th>{t('audit.actor')}</th>
              <th>{t('audit.action')}</th>
              <th>{t('audit.object')}</th>
              <th>IP</th>
              <th>{t('audit.details')}</th>
              <th>{t('audit.hash')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((e) => (
              <tr key={e.seq} data-testid="audit-row" data-action={e.action}>
                <td className="audit-num">{e.seq}</td>
                <td className="audit-nowrap">{when(e.at)}</td>
                <td>{e.actor}</td>
                <td>
                  <code>{e.action}</code>
                  <span className="audit-muted audit-group">{groupName(e.action)}</span>
                </td>
                <td>
                  <code>{e.object ?? '—'}</code>
                </td>
                <td className="audit-nowrap">{e.ip ?? '—'}</td>
                <td className="audit-details">
                  <code>{Object.keys(e.details).length ? JSON.stringify(e.details) : '—'}</code>
                </td>
                <td title={e.hash}>
                  <code>{e.hash.slice(0, 10)}…</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {!busy && items.length === 0 && <p className="audit-muted audit-empty">{t('audit.none')}</p>}
        {busy && <p className="audit-muted">{t('app.loading')}</p>}
        {next !== null && !busy && (
          <button
            type="button"
            className="btn btn-outline audit-more"
            onClick={() => void load(filter, next)}
          >
            {t('audit.more')}
          </button>
        )}
      </div>
    </section>
  );
}
