/** Small pieces shared by the inspector screens. */
import { statusShort } from '../cases/names.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { QueueItem } from './queue.ts';
import { serverProblem } from './validate.ts';

/** 待同步 until the server confirmed; 已上报 with the case number after; the reason when refused. */
export function ItemStatus({ item }: { item: QueueItem }) {
  const { t, lang } = useI18n();
  if (item.state === 'queued') {
    return (
      <span className="insp-chip insp-chip--queued" data-state="queued" data-testid="item-state">
        {t('insp.queued')}
      </span>
    );
  }
  if (item.state === 'failed') {
    const key = item.error ? serverProblem(item.error) : null;
    return (
      <span className="insp-chip insp-chip--failed" data-state="failed" data-testid="item-state">
        {t('insp.failed')}: {key ? t(key) : item.error?.message}
      </span>
    );
  }
  const result = item.kind === 'points' ? undefined : item.result;
  return (
    <span className="insp-chip insp-chip--sent" data-state="sent" data-testid="item-state">
      {item.kind === 'report' ? t('insp.sent') : t('insp.done')}
      {result && (
        <>
          {' '}
          <span className="insp-number" data-testid="item-number">
            {result.number}
          </span>{' '}
          · {statusShort(result.status, lang)}
        </>
      )}
    </span>
  );
}

export function Empty({ text }: { text: string }) {
  return <p className="insp-empty">{text}</p>;
}

/** A camera line icon (no emoji font is needed). */
export function CameraIcon({ size = 22 }: { size?: number }) {
  return (
    <svg
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={1.8}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
      style={{ verticalAlign: 'middle', marginRight: 6 }}
    >
      <path d="M4 8h3l2-3h6l2 3h3v11H4V8Z" />
      <circle cx="12" cy="13" r="3.5" />
    </svg>
  );
}
