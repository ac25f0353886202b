import { useCallback, useEffect, useState } from 'react';
import { Icon } from '../app/icons.tsx';
import { useT } from '../i18n/i18n.tsx';
import { colors, minZoom, type TileLayer, tileLayers } from './style.ts';

export type Visibility = Record<TileLayer, boolean>;

const storageKey = 'onegrid.map.layers';
const defaults: Visibility = {
  districts: true,
  streets: true,
  communities: true,
  'unit-grids': true,
  'duty-grids': true,
  components: true,
  roads: true,
  water: true,
};

function loadVisibility(): Visibility {
  try {
    const saved: unknown = JSON.parse(localStorage.getItem(storageKey) ?? 'null');
    if (typeof saved !== 'object' || saved === null) return defaults;
    const v = { ...defaults };
    for (const layer of tileLayers) {
      const value = (saved as Record<string, unknown>)[layer];
      if (typeof value === 'boolean') v[layer] = value;
    }
    return v;
  } catch {
    return defaults;
  }
}

/** Which layers are on, remembered across visits. */
export function useLayerVisibility(): [Visibility, (layer: TileLayer, on: boolean) => void] {
  const [visibility, setVisibility] = useState<Visibility>(loadVisibility);
  const set = useCallback((layer: TileLayer, on: boolean) => {
    setVisibility((v) => {
      const next = { ...v, [layer]: on };
      try {
        localStorage.setItem(storageKey, JSON.stringify(next));
      } catch {
        // Not remembered.
      }
      return next;
    });
  }, []);
  return [visibility, set];
}

const swatch: Record<TileLayer, { color: string; kind: 'fill' | 'line' | 'dash' | 'dot' }> = {
  districts: { color: colors.districtLine, kind: 'fill' },
  streets: { color: colors.street, kind: 'dash' },
  communities: { color: colors.community, kind: 'line' },
  'unit-grids': { color: colors.unitGrid, kind: 'line' },
  'duty-grids': { color: colors.dutyGrid, kind: 'dash' },
  components: { color: colors.componentStatus.intact, kind: 'dot' },
  roads: { color: '#c9ced6', kind: 'line' },
  water: { color: '#a9cdf0', kind: 'fill' },
};

const wide = '(min-width: 720px)';

export function LayerPanel({
  visibility,
  onToggle,
  zoom,
}: {
  visibility: Visibility;
  onToggle(layer: TileLayer, on: boolean): void;
  zoom: number;
}) {
  const t = useT();
  // Open on a wide screen; on a phone it would cover the map, so it starts (and goes back to) folded.
  const [open, setOpen] = useState(() => window.matchMedia(wide).matches);
  useEffect(() => {
    const media = window.matchMedia(wide);
    const onChange = () => setOpen(media.matches);
    media.addEventListener('change', onChange);
    return () => media.removeEventListener('change', onChange);
  }, []);
  return (
    <section className={`layer-panel${open ? ' is-open' : ''}`} aria-label={t('map.layers')}>
      <button
        type="button"
        className="layer-panel__head"
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
      >
        <Icon name="layers" size={18} />
        <span>{t('map.layers')}</span>
      </button>
      {open && (
        <ul className="layer-panel__list">
          {tileLayers.map((layer) => {
            const sw = swatch[layer];
            const belowZoom = zoom < minZoom[layer];
            return (
              <li key={layer} className={belowZoom ? 'is-dim' : undefined}>
                <label>
                  <input
                    type="checkbox"
                    checked={visibility[layer]}
                    onChange={(e) => onToggle(layer, e.target.checked)}
                    data-testid={`layer-${layer}`}
                  />
                  <span
                    className={`swatch swatch--${sw.kind}`}
                    style={{ color: sw.color }}
                    aria-hidden="true"
                  />
                  <span className="layer-panel__name">{t(`map.layer.${layer}`)}</span>
                  {minZoom[layer] > 0 && (
                    <span className="layer-panel__zoom">{t('map.fromZoom', { zoom: minZoom[layer] })}</span>
                  )}
                </label>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
