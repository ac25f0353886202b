/**
 * The address field of the citizen page with the places that match what is typed (the anonymous,
 * rate-limited `/api/v1/public/places`): picking one puts the pin there and the standard address
 * in the field, so nobody has to find 南京东路100号 on the map by hand.
 */
import { useEffect, useState } from 'react';
import { api, type components, unwrap } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';

export type Place = components['schemas']['PublicPlace'];

interface Props {
  value: string;
  onChange(text: string): void;
  onPick(place: Place): void;
}

/** Wait for a pause in typing: one look-up per phrase, not per keystroke (the route is rate-limited). */
const pauseMs = 400;

export function PlaceSearch({ value, onChange, onPick }: Props) {
  const { t } = useI18n();
  const [places, setPlaces] = useState<Place[]>([]);
  const [picked, setPicked] = useState<string | null>(null);

  useEffect(() => {
    const q = value.trim();
    if (q.length < 2 || q === picked) {
      setPlaces([]);
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      unwrap(api.GET('/api/v1/public/places', { params: { query: { q: q.slice(0, 100) } } }))
        .then((found) => {
          if (live) setPlaces(found);
        })
        .catch(() => {
          // A failed suggestion is no error: the text is still sent as it is.
          if (live) setPlaces([]);
        });
    }, pauseMs);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [value, picked]);

  return (
    <div className="citizen-label">
      <label className="citizen-label">
        {t('citizen.address')}
        <input
          value={value}
          maxLength={500}
          placeholder={t('citizen.addressHint')}
          onChange={(e) => onChange(e.target.value)}
          data-testid="place-search"
        />
      </label>
      {places.length > 0 && (
        <ul className="citizen-matches" aria-label={t('citizen.placeMatches')} data-testid="place-matches">
          {places.map((p) => (
            <li key={`${p.text}|${p.lng}|${p.lat}`}>
              <button
                type="button"
                data-testid="place-option"
                onClick={() => {
                  setPicked(p.text);
                  setPlaces([]);
                  onPick(p);
                }}
              >
                <strong>{p.text}</strong>
                <span className="citizen-muted">{p.street ?? p.district ?? ''}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
