/** My patrol: the on-duty switch and my track on the grid map. */
import { useMemo } from 'react';
import { useT } from '../i18n/i18n.tsx';
import { InspectorMap } from './InspectorMap.tsx';
import type { Patrol } from './usePatrol.ts';

export function PatrolScreen({ patrol }: { patrol: Patrol }) {
  const t = useT();
  const track = useMemo(() => patrol.track.map((p) => ({ lng: p.lng, lat: p.lat })), [patrol.track]);
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
      <InspectorMap testId="patrol-map" track={track} />
      <p className="insp-place" data-testid="patrol-summary">
        {t('insp.trackPoints', { n: patrol.track.length })}
        {patrol.pending > 0 && ` · ${t('insp.pointsQueued', { n: patrol.pending })}`}
      </p>
    </div>
  );
}
