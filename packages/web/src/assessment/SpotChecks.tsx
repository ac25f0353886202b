/**
 * Empty-grid spot checks (空网格抽查): draw a seeded sample of the unit grids with no report in the
 * period (the same seed over the same data draws the same grids), and follow what was found.
 */
import { useCallback, useEffect, useState } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import {
  drawSpotChecks,
  listSpotChecks,
  type Query,
  recordSpotCheck,
  type SpotCheck,
  shanghaiDay,
} from './data.ts';

export function SpotChecks({
  query,
  canDraw,
  canRecord,
}: {
  query: Query;
  canDraw: boolean;
  canRecord: boolean;
}) {
  const { t } = useI18n();
  const [size, setSize] = useState(5);
  const [seed, setSeed] = useState(() => `${query.from}-audit`);
  const [items, setItems] = useState<SpotCheck[]>([]);
  const [drawn, setDrawn] = useState<{ emptyGrids: number; ids: number[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(() => {
    listSpotChecks()
      .then(setItems)
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, []);
  useEffect(reload, [reload]);
  const draw = async () => {
    setError(null);
    try {
      const r = await drawSpotChecks({
        from: query.from,
        to: query.to,
        sampleSize: size,
        seed: seed.trim() || 'audit',
        ...(query.area ? { area: query.area } : {}),
      });
      // The drawn checks show with the count, in the same render; the list refreshes behind them.
      const ids = new Set(r.checks.map((c) => c.id));
      setItems((list) => [...r.checks, ...list.filter((c) => !ids.has(c.id))]);
      setDrawn({ emptyGrids: r.emptyGrids, ids: [...ids] });
      reload();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  const record = async (id: number, found: boolean) => {
    try {
      await recordSpotCheck(id, found);
      reload();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  const shown = drawn ? items.filter((c) => drawn.ids.includes(c.id)) : items.slice(0, 20);
  return (
    <section className="as-card as-spot" data-testid="as-spot">
      <h2 className="as-card__title">{t('as.spot.title')}</h2>
      <p className="muted as-spot__hint">{t('as.spot.hint')}</p>
      {canDraw && (
        <div className="as-spot__form">
          <label>
            {t('as.spot.size')}
            <input
              type="number"
              min={1}
              max={1000}
              value={size}
              onChange={(e) => setSize(Math.max(1, Math.min(1000, Number(e.target.value) || 1)))}
            />
          </label>
          <label>
            {t('as.spot.seed')}
            <input
              value={seed}
              onChange={(e) => setSeed(e.target.value)}
              maxLength={100}
              data-testid="as-spot-seed"
            />
          </label>
          <button
            type="button"
            className="btn btn-primary"
            onClick={() => void draw()}
            data-testid="as-spot-draw"
          >
            {t('as.spot.draw')}
          </button>
          {drawn && (
            <span className="muted" data-testid="as-spot-result">
              {t('as.spot.drawn', { n: drawn.ids.length, empty: drawn.emptyGrids })}
            </span>
          )}
        </div>
      )}
      {error && <div className="form-error">{t('error.generic', { message: error })}</div>}
      <table className="as-table as-table--plain">
        <thead>
          <tr>
            <th>{t('case.grid')}</th>
            <th>{t('as.spot.inspector')}</th>
            <th>{t('as.spot.period')}</th>
            <th>{t('as.spot.status')}</th>
            {canRecord && <th />}
          </tr>
        </thead>
        <tbody>
          {shown.length === 0 && (
            <tr>
              <td colSpan={5} className="muted">
                {t('as.spot.none')}
              </td>
            </tr>
          )}
          {shown.map((c) => (
            <tr key={c.id} data-testid="as-spot-row" data-grid={c.unitGridCode}>
              <td className="mono">{c.unitGridCode}</td>
              <td>{c.inspectorName ?? '—'}</td>
              <td className="mono">
                {shanghaiDay(c.from)} – {shanghaiDay(c.to, 1)}
              </td>
              <td>
                <span className={`as-spot__status as-spot__status--${c.status}`}>
                  {t(`as.spot.${c.status}`)}
                </span>
              </td>
              {canRecord && (
                <td>
                  {c.status === 'open' && (
                    <span className="as-spot__actions">
                      <button
                        type="button"
                        className="btn as-btn-small"
                        onClick={() => void record(c.id, false)}
                      >
                        {t('as.spot.clean')}
                      </button>
                      <button
                        type="button"
                        className="btn as-btn-small"
                        onClick={() => void record(c.id, true)}
                      >
                        {t('as.spot.found')}
                      </button>
                    </span>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
