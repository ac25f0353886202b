/**
 * A case's place as people know it: when the case has no address of its own, the nearest standard
 * address kept on the case when it was filed (`nearAddress`), else asked for
 * (`/api/v1/geo/reverse`), and how far it is, with the coordinates one click away.
 */
import { useEffect, useState } from 'react';
import { api, unwrap } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';

/** What a list or card shows for a case's place: its address, else ≈ the nearest standard one. */
export function placeText(c: { address?: string | null; nearAddress?: string | null }): string | null {
  return c.address ?? (c.nearAddress ? `≈ ${c.nearAddress}` : null);
}

export function NearestAddress({
  lng,
  lat,
  known,
}: {
  lng: number;
  lat: number;
  /** The nearest address kept on the case: no look-up needed. */
  known?: { text: string; metres: number } | null;
}) {
  const { t } = useI18n();
  const [near, setNear] = useState<{ text: string; metres: number } | null>(known ?? null);
  const [showCoords, setShowCoords] = useState(false);
  const coords = `${lng.toFixed(5)}, ${lat.toFixed(5)}`;

  useEffect(() => {
    if (known) return;
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
  }, [lng, lat, known]);

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
