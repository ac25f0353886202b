/**
 * 数据导入: upload a GeoJSON or CSV file as `onegrid import` takes it, read the import report
 * (counts, rejects by problem, the first rejected rows with their reasons), and past runs.
 */
import { type FormEvent, useRef, useState } from 'react';
import { ApiError, api, type components, unwrap } from '../api/client.ts';
import { formatTime } from '../cases/parts.tsx';
import { type Translate, useI18n } from '../i18n/i18n.tsx';
import { apiErrorText, Empty, Field, Notice, problemText, useDraft, useList } from './parts.tsx';

type Report = components['schemas']['ImportReport'];

const kinds = [
  'districts',
  'streets',
  'communities',
  'unit-grids',
  'duty-grids',
  'components',
  'addresses',
  'roads',
  'water',
] as const;
/** Keep in step with the server's limit (`defaultImportUploadBytes`). */
const maxBytes = 50 * 1024 * 1024;
const accepted = /\.(geojson|json|csv|tsv|txt)$/i;
type Kind = (typeof kinds)[number];

async function uploadImport(file: File, kind: (typeof kinds)[number], crs: string): Promise<Report> {
  const form = new FormData();
  form.append('file', file, file.name);
  return unwrap(
    api.POST('/api/v1/admin/import', {
      params: { query: { kind, ...(crs ? { crs: crs as 'wgs84' } : {}) } },
      // Multipart, which the OpenAPI document does not describe; openapi-fetch sends FormData as is.
      body: form as never,
    }),
  );
}

const rejectProblems = [
  'bad_code',
  'missing_field',
  'bad_value',
  'unknown_parent',
  'parent_mismatch',
  'unknown_reference',
  'duplicate',
  'bad_geometry',
  'outside_china',
  'swapped_coordinates',
  'unknown_category',
  'no_unit_grid',
  'malformed_row',
  'database',
];

/** A reject's problem code in the user's language (the code itself when unknown). */
function problemName(t: Translate, p: string): string {
  return rejectProblems.includes(p) ? t(`admin.imp.p.${p}` as 'admin.imp.p.bad_code') : p;
}

function ReportView({ report }: { report: Report }) {
  const { t } = useI18n();
  const r = report.run;
  return (
    <div className="ad-report" data-testid="import-report">
      <div className="ad-report__head">
        <span className={`tag ${r.status === 'done' ? 'ad-tag--ok' : 'tag--urgent'}`}>
          {t(`admin.imp.status.${r.status}` as 'admin.imp.status.done')}
        </span>
        <span className="mono">#{r.id}</span>
        <span>{r.source}</span>
        <span className="muted">
          {t(`admin.imp.kind.${r.kind}` as 'admin.imp.kind.addresses')} · {r.crs}
        </span>
      </div>
      <div className="ad-stats">
        <div>
          <b>{r.rowsRead}</b>
          <span>{t('admin.imp.read')}</span>
        </div>
        <div>
          <b data-testid="imported">{r.imported}</b>
          <span>{t('admin.imp.imported')}</span>
        </div>
        <div className={r.rejected ? 'ad-stats--bad' : ''}>
          <b data-testid="rejected">{r.rejected}</b>
          <span>{t('admin.imp.rejected')}</span>
        </div>
      </div>
      {r.error && <Notice kind="error">{t('admin.imp.fileError', { message: r.error })}</Notice>}
      {Object.keys(report.rejectsByProblem).length > 0 && (
        <div className="ad-problems">
          {Object.entries(report.rejectsByProblem).map(([p, n]) => (
            <span key={p} className="chip" title={p}>
              {problemName(t, p)} × {n}
            </span>
          ))}
        </div>
      )}
      {report.warnings.map((w) => (
        <div key={w} className="muted ad-small">
          ⚠ {w}
        </div>
      ))}
      {report.rejects.length > 0 && (
        <table className="ad-table ad-table--dense">
          <thead>
            <tr>
              <th>{t('admin.imp.row')}</th>
              <th>{t('admin.imp.key')}</th>
              <th>{t('admin.imp.problem')}</th>
              <th>{t('admin.imp.reason')}</th>
            </tr>
          </thead>
          <tbody>
            {report.rejects.map((x) => (
              <tr key={x.row}>
                <td className="mono">{x.row}</td>
                <td className="mono">{x.key ?? '—'}</td>
                <td title={x.problem}>{problemName(t, x.problem)}</td>
                <td>{x.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

export function ImportTab() {
  const { t, lang } = useI18n();
  const runs = useList(() => unwrap(api.GET('/api/v1/admin/import/runs', { params: { query: {} } })));
  const [draft, setDraft] = useDraft('import', { kind: 'addresses' as Kind, crs: '' });
  const fileRef = useRef<HTMLInputElement>(null);
  const [fileProblem, setFileProblem] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<Report | null>(null);
  const [err, setErr] = useState<string | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const file = fileRef.current?.files?.[0];
    const label = t('admin.imp.file');
    if (!file) return setFileProblem(problemText(t, 'file', 'required', label));
    if (!accepted.test(file.name)) return setFileProblem(problemText(t, 'file', 'format', label));
    if (file.size > maxBytes) return setFileProblem(problemText(t, 'file', 'tooLarge', label));
    setFileProblem(undefined);
    setBusy(true);
    setErr(null);
    try {
      setReport(await uploadImport(file, draft.kind, draft.crs));
    } catch (error) {
      const details =
        error instanceof ApiError ? (error.details as { report?: Report } | undefined) : undefined;
      if (details?.report) setReport(details.report);
      else setReport(null);
      setErr(apiErrorText(t, error, { file: label }));
    } finally {
      setBusy(false);
      runs.reload();
    }
  }

  async function open(id: number) {
    try {
      setReport(await unwrap(api.GET('/api/v1/admin/import/runs/{id}', { params: { path: { id } } })));
      setErr(null);
    } catch (error) {
      setErr(apiErrorText(t, error));
    }
  }

  return (
    <div className="ad-split">
      <div className="ad-stack ad-card--grow">
        <form
          className="ad-card ad-form ad-form--row"
          onSubmit={(e) => void submit(e)}
          noValidate
          data-testid="import-form"
        >
          <h2 className="ad-h">{t('admin.imp.upload')}</h2>
          <div className="ad-row">
            <Field label={t('admin.imp.kind')}>
              <select
                name="kind"
                value={draft.kind}
                onChange={(e) => setDraft({ kind: e.target.value as Kind })}
              >
                {kinds.map((k) => (
                  <option key={k} value={k}>
                    {t(`admin.imp.kind.${k}` as 'admin.imp.kind.addresses')}
                  </option>
                ))}
              </select>
            </Field>
            <Field label={t('admin.imp.crs')}>
              <select name="crs" value={draft.crs} onChange={(e) => setDraft({ crs: e.target.value })}>
                <option value="">{t('admin.imp.crsAuto')}</option>
                <option value="wgs84">WGS-84 / CGCS2000</option>
                <option value="gcj02">GCJ-02</option>
                <option value="bd09">BD-09</option>
              </select>
            </Field>
            <Field label={t('admin.imp.file')} error={fileProblem}>
              <input ref={fileRef} name="file" type="file" accept=".geojson,.json,.csv,.tsv,.txt" />
            </Field>
            <button type="submit" className="btn btn-primary" disabled={busy}>
              {busy ? t('admin.imp.running') : t('admin.imp.start')}
            </button>
          </div>
          <p className="muted ad-small">{t('admin.imp.help')}</p>
        </form>
        {err && <Notice kind="error">{err}</Notice>}
        <section className="ad-card ad-card--grow ad-scroll">
          {report ? <ReportView report={report} /> : <Empty>{t('admin.imp.noReport')}</Empty>}
        </section>
      </div>
      <section className="ad-card ad-runs">
        <h2 className="ad-h">{t('admin.imp.runs')}</h2>
        {runs.error && <Notice kind="error">{runs.error}</Notice>}
        <ul className="ad-runlist" data-testid="import-runs">
          {(runs.list ?? []).map((r) => (
            <li key={r.id}>
              <button type="button" onClick={() => void open(r.id)} aria-current={report?.run.id === r.id}>
                <span className="ad-runlist__top">
                  <span className="mono">#{r.id}</span>
                  <span className={`tag ${r.status === 'done' ? 'ad-tag--ok' : 'tag--urgent'}`}>
                    {t(`admin.imp.status.${r.status}` as 'admin.imp.status.done')}
                  </span>
                  <span className="muted">{formatTime(r.startedAt, lang)}</span>
                </span>
                <span className="ad-runlist__src">{r.source}</span>
                <span className="muted ad-small">
                  {t(`admin.imp.kind.${r.kind}` as 'admin.imp.kind.addresses')} ·{' '}
                  {t('admin.imp.counts', { imported: r.imported, rejected: r.rejected })}
                </span>
              </button>
            </li>
          ))}
        </ul>
        {runs.list && runs.list.length === 0 && <Empty>{t('admin.none')}</Empty>}
      </section>
    </div>
  );
}
