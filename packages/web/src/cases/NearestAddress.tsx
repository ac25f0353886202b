/**
 * A case's place as people know it: when the case has no address of its own, the nearest standard
 * address (`/api/v1/geo/reverse`) and how far it is, with the coordinates one click away.
 */
import { useEffect, useState } from 'react';
import { api, unwrap } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';

export function NearestAddress({ lng, lat }: { lng: number; lat: number }) {
  const { t } = useI18n();
  const [near, setNear] = useState<{ text: string; metres: number } | null>(null);
  const [showCoords, setShowCoords] = useState(false);
  const coords = `${lng.toFixed(5)}, ${lat.toFixed(5)}`;

  useEffect(() => {
    let live = true;
    setNear(null);
    unwrap(api.GET('/api/v1/geo/reverse', { params: { query: { lng, lat } } }))
      .then((r) => {
        if (live) setNear({ text: r.address.text, metres: Math.round(r.distance) });
      })
      .catch(() => {
        // No addresses imported yet, or no right to ask: the coordinates stay.
      });
    return () => {
      live = false;
    };
  }, [lng, lat]);

  if (!near) return <span data-testid="case-coords">{coords}</span>;
  return (
    <span data-testid="case-near-address">
      {t('case.nearAddress', { text: near.text, metres: String(near.metres) })}{' '}
      {showCoords ? (
        <span className="muted">{coords}</span>
      ) : (
        <button type="button" className="btn btn-ghost btn-small" onClick={() => setShowCoords(true)}>
          {t('case.coordinates')}
        </button>
      )}
    </span>
  );
}
