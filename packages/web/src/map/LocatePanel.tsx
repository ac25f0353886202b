import { Icon } from '../app/icons.tsx';
import { NearestAddress } from '../cases/NearestAddress.tsx';
import { useT } from '../i18n/i18n.tsx';
import type { LocateState } from './useLocate.ts';

function Row({
  label,
  code,
  name,
  note,
  testId,
}: {
  label: string;
  code?: string | undefined;
  name?: string | undefined;
  note?: string | undefined;
  testId: string;
}) {
  const t = useT();
  return (
    <div className="locate-row" data-testid={testId}>
      <dt>{label}</dt>
      <dd>
        {code ? (
          <>
            {name ? (
              <span className="locate-row__name">{name}</span>
            ) : (
              <code className="locate-row__name locate-row__name--code">{code}</code>
            )}
            {name && <code className="locate-row__code">{code}</code>}
            {note && <span className="locate-row__note">{note}</span>}
          </>
        ) : (
          <span className="locate-row__none">{t('locate.none')}</span>
        )}
      </dd>
    </div>
  );
}

export function LocatePanel({ state, onClose }: { state: LocateState; onClose(): void }) {
  const t = useT();
  if (state.status === 'idle') return null;
  const { lngLat } = state;
  return (
    <aside className="locate-panel" data-testid="locate-panel" aria-live="polite">
      <header className="locate-panel__head">
        <Icon name="pin" size={18} />
        <h2>{t('locate.title')}</h2>
        <button type="button" className="icon-btn" onClick={onClose} aria-label={t('locate.close')}>
          <Icon name="close" size={16} />
        </button>
      </header>
      <p className="locate-panel__coords" data-testid="locate-address">
        <span>{t('case.address')}</span>
        <NearestAddress lng={lngLat.lng} lat={lngLat.lat} />
      </p>
      {(state.status === 'loading' || state.status === 'unauthorized') && (
        <p className="locate-panel__msg">{t('locate.loading')}</p>
      )}
      {state.status === 'outside' && (
        <p className="locate-panel__msg locate-panel__msg--warn" data-testid="locate-outside">
          {t('locate.outside')}
        </p>
      )}
      {state.status === 'error' && (
        <p className="locate-panel__msg locate-panel__msg--error">
          {t('locate.failed', { message: state.message })}
        </p>
      )}
      {state.status === 'done' && (
        <dl className="locate-panel__rows">
          <Row
            testId="locate-district"
            label={t('locate.district')}
            code={state.result.district?.code}
            name={state.result.district?.name}
          />
          <Row
            testId="locate-street"
            label={t('locate.street')}
            code={state.result.street?.code}
            name={state.result.street?.name}
          />
          <Row
            testId="locate-community"
            label={t('locate.community')}
            code={state.result.community?.code}
            name={state.result.community?.name}
          />
          <Row
            testId="locate-unit-grid"
            label={t('locate.unitGrid')}
            code={state.result.unitGrid?.code}
            note={
              state.result.unitGrid
                ? t('locate.areaClass', { cls: state.result.unitGrid.areaClass })
                : undefined
            }
          />
          <Row
            testId="locate-duty-grid"
            label={t('locate.dutyGrid')}
            code={state.result.dutyGrid?.code}
            name={state.result.dutyGrid?.name}
          />
        </dl>
      )}
    </aside>
  );
}
