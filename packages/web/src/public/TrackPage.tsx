/**
 * 查询进度: a report followed by its number — its status and each change, the district and street,
 * and the case that carries it now if it was merged. Nothing personal: the server never sends it.
 */
import { useEffect, useState } from 'react';
import { ApiError, api, type components, unwrap } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { trackHash } from './route.ts';

type Report = components['schemas']['PublicReport'];

function when(iso: string, lang: 'zh' | 'en'): string {
  return new Date(iso).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  });
}

export function TrackPage({ number, trackKey }: { number: string; trackKey: string }) {
  const { t, lang } = useI18n();
  const [input, setInput] = useState(number);
  const [keyInput, setKeyInput] = useState(trackKey);
  const [report, setReport] = useState<Report | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  useEffect(() => {
    setInput(number);
    setKeyInput(trackKey);
    setReport(null);
    setProblem(null);
    if (!number || !trackKey) return;
    let cancelled = false;
    setLoading(true);
    unwrap(
      api.GET('/api/v1/public/reports/{number}', {
        params: { path: { number }, query: { key: trackKey } },
      }),
    )
      .then((r) => {
        if (!cancelled) setReport(r);
      })
      .catch((e: unknown) => {
        if (cancelled) return;
        if (e instanceof ApiError && (e.status === 404 || e.status === 400))
          setProblem(t('citizen.notFound'));
        else if (e instanceof ApiError && e.code === 'rate_limited') setProblem(t('citizen.rateLimited'));
        else setProblem(t('citizen.offline'));
      })
      .finally(() => {
        if (!cancelled) setLoading(false);
      });
    return () => {
      cancelled = true;
    };
  }, [number, trackKey, t]);

  const statusName = (s: { statusName: string; statusNameEn: string }) =>
    lang === 'zh' ? s.statusName : s.statusNameEn;

  return (
    <section className="citizen-card" data-testid="track-page">
      <h2>{t('citizen.trackTitle')}</h2>
      <form
        className="citizen-row"
        onSubmit={(e) => {
          e.preventDefault();
          const n = input.trim();
          if (n) window.location.hash = trackHash(n, keyInput.trim());
        }}
      >
        <input
          className="citizen-search"
          value={input}
          placeholder={t('citizen.numberPlaceholder')}
          aria-label={t('citizen.numberPlaceholder')}
          onChange={(e) => setInput(e.target.value)}
          data-testid="track-input"
        />
        <input
          className="citizen-search citizen-search--key"
          value={keyInput}
          placeholder={t('citizen.keyPlaceholder')}
          aria-label={t('citizen.keyPlaceholder')}
          onChange={(e) => setKeyInput(e.target.value)}
          autoCapitalize="characters"
          data-testid="track-key"
        />
        <button type="submit" className="btn btn-primary">
          {t('citizen.query')}
        </button>
      </form>
      {loading && <p className="citizen-muted">{t('app.loading')}</p>}
      {problem && (
        <p className="citizen-error citizen-error--block" role="alert" data-testid="track-problem">
          {problem}
        </p>
      )}
      {report && (
        <div className="citizen-report" data-testid="track-result" data-status={report.status}>
          <div className="citizen-report__head">
            <span className="citizen-report__number">{report.number}</span>
            <span
              className={`citizen-status ${report.open ? 'is-open' : 'is-closed'}`}
              data-testid="track-status"
            >
              {statusName(report)}
            </span>
          </div>
          <dl className="citizen-facts">
            <dt>{t('citizen.category')}</dt>
            <dd>
              {report.category.name ?? report.category.code}{' '}
              <span className="citizen-muted">{report.category.code}</span>
            </dd>
            <dt>{t('citizen.place')}</dt>
            <dd>{[report.district?.name, report.street?.name].filter(Boolean).join(' · ') || '—'}</dd>
            <dt>{t('citizen.reportedAt')}</dt>
            <dd>{when(report.createdAt, lang)}</dd>
            <dt>{t('citizen.updatedAt')}</dt>
            <dd>{when(report.updatedAt, lang)}</dd>
          </dl>
          {report.mergedInto && (
            <p className="citizen-hint" data-testid="merged-into">
              {t('citizen.mergedInto')} {report.mergedInto.number}（{statusName(report.mergedInto)}）
            </p>
          )}
          {report.result && (
            <div className="citizen-result" data-testid="track-outcome">
              <h3>{t('citizen.result')}</h3>
              <p className="citizen-muted">
                {t('citizen.handledAt')} {when(report.result.handledAt, lang)}
              </p>
              {report.result.note && <p data-testid="track-outcome-note">{report.result.note}</p>}
              <div className="citizen-result__photos">
                {report.result.photos.map((id) => (
                  <img
                    key={id}
                    data-testid="track-outcome-photo"
                    alt={t('citizen.afterPhoto')}
                    src={`/api/v1/public/reports/${encodeURIComponent(report.number)}/photos/${encodeURIComponent(id)}?key=${encodeURIComponent(trackKey)}`}
                  />
                ))}
              </div>
            </div>
          )}
          <ol className="citizen-timeline" data-testid="track-timeline">
            {[...report.timeline].reverse().map((e) => (
              <li key={`${e.at}-${e.status}`}>
                <span className="citizen-timeline__status">{statusName(e)}</span>
                <time className="citizen-muted">{when(e.at, lang)}</time>
              </li>
            ))}
          </ol>
        </div>
      )}
    </section>
  );
}
