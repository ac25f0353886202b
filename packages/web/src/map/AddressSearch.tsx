/**
 * The staff's address search (标准地址查询): what is typed — 南京东路１００号, 黄浦区西藏中路10 — goes to
 * the geocoder (`/api/v1/geo/geocode`) after a pause in typing, and the ranked standard addresses
 * come back as candidates; a pick hands its point on (the map flies there and locates it).
 */
import { useEffect, useState } from 'react';
import { api, type components, unwrap } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';

export type AddressCandidate = components['schemas']['GeocodeCandidate'];

const pauseMs = 300;

export function AddressSearch({
  onPick,
  placeholder,
  testId = 'address-search',
}: {
  onPick(c: AddressCandidate): void;
  placeholder?: string;
  testId?: string;
}) {
  const { t } = useI18n();
  const [q, setQ] = useState('');
  const [found, setFound] = useState<AddressCandidate[] | null>(null);
  const [picked, setPicked] = useState<string | null>(null);

  useEffect(() => {
    const text = q.trim();
    if (text.length < 2 || text === picked) {
      setFound(null);
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      unwrap(api.GET('/api/v1/geo/geocode', { params: { query: { q: text.slice(0, 200), limit: 6 } } }))
        .then((r) => {
          if (live) setFound(r.candidates);
        })
        .catch(() => {
          if (live) setFound([]);
        });
    }, pauseMs);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [q, picked]);

  return (
    <div className="address-search" data-testid={testId}>
      <input
        type="search"
        value={q}
        maxLength={200}
        placeholder={placeholder ?? t('address.searchHint')}
        aria-label={t('address.search')}
        onChange={(e) => setQ(e.target.value)}
        data-testid={`${testId}-input`}
      />
      {found && (
        <ul className="address-search__list" aria-label={t('address.candidates')}>
          {found.length === 0 && <li className="address-search__none">{t('address.none')}</li>}
          {found.map((c) => (
            <li key={`${c.text}|${c.lng}|${c.lat}`}>
              <button
                type="button"
                data-testid={`${testId}-option`}
                onClick={() => {
                  setPicked(c.text);
                  setQ(c.text);
                  setFound(null);
                  onPick(c);
                }}
              >
                <strong>{c.text}</strong>
                <span className="address-search__meta">
                  {c.interpolated ? t('address.interpolated') : (c.street ?? c.district ?? '')}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
