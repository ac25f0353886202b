/** My patrol: the on-duty switch and my track on the grid map. */
import { useEffect, useMemo, useState } from 'react';
import { api, unwrap } from '../api/client.ts';
import { useT } from '../i18n/i18n.tsx';
import { InspectorMap } from './InspectorMap.tsx';
import type { Patrol } from './usePatrol.ts';

export function PatrolScreen({ patrol }: { patrol: Patrol }) {
  const t = useT();
  const track = useMemo(() => patrol.track.map((p) => ({ lng: p.lng, lat: p.lat })), [patrol.track]);
  // The map opens on my own beat (my duty grids), not the whole city.
  const [beat, setBeat] = useState<{
    grids: { code: string; name: string }[];
    bbox: [number, number, number, number] | null;
  } | null>(null);
  useEffect(() => {
    unwrap(api.GET('/api/v1/patrol/beat'))
      .then((b) =>
        setBeat({
          grids: b.grids,
          bbox: b.bbox?.length === 4 ? (b.bbox as [number, number, number, number]) : null,
        }),
      )
      .catch(() => setBeat(null));
  }, []);
  return (
    <div className="insp-patrol" data-testid="patrol">
      <label className="insp-duty">
        <span>
          <strong>{patrol.onDuty ? t('insp.onDuty') : t('insp.offDuty')}</strong>
          <small>{t('insp.dutyHint')}</small>
        </span>
        <input
          type="checkbox"
          role="switch"
          aria-checked={patrol.onDuty}
          className="insp-switch"
          checked={patrol.onDuty}
          onChange={(e) => patrol.setOnDuty(e.target.checked)}
          data-testid="duty-toggle"
        />
      </label>
      {patrol.error && (
        <p className="insp-error">
          {patrol.error === 'denied' ? t('insp.gpsDenied') : t('insp.gpsUnavailable')}
        </p>
      )}
      <InspectorMap testId="patrol-map" track={track} bounds={beat?.bbox ?? null} />
      {beat && beat.grids.length > 0 && (
        <p className="insp-place" data-testid="patrol-beat">
          {t('insp.myBeat')}：{beat.grids.map((g) => g.name).join('、')}
        </p>
      )}
      <p className="insp-place" data-testid="patrol-summary">
        {t('insp.trackPoints', { n: patrol.track.length })}
        {patrol.pending > 0 && ` · ${t('insp.pointsQueued', { n: patrol.pending })}`}
      </p>
    </div>
  );
}
